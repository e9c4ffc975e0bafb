// Key pairs to certify: P-256, P-384 (FIPS 186-5), Ed25519 (RFC 8032), RSA (RFC 8017).

import { ed25519 } from '@noble/curves/ed25519.js';
import { type PrivateKey, redactPrivateKey } from '../ciphers/keys.js';
import { defaultRandom } from '../ciphers/provider.js';
import { generateRsaKey } from '../ciphers/rsa-keygen.js';
import { localError } from '../errors.js';
import { ecCurveImpl } from './private-key.js';

/** Key types createRoot and issueCertificate can generate. */
export type IssuedKeyType = 'p256' | 'p384' | 'rsa2048' | 'rsa3072' | 'rsa4096' | 'ed25519';
/** Every IssuedKeyType, in the order the CLI lists them. */
export const ISSUED_KEY_TYPES: readonly IssuedKeyType[] = [
  'p256',
  'p384',
  'rsa2048',
  'rsa3072',
  'rsa4096',
  'ed25519',
];

/** A fresh key pair of the given type. */
export function generateKey(
  keyType: IssuedKeyType,
  random: (n: number) => Uint8Array = defaultRandom,
): PrivateKey {
  return redactPrivateKey(generateKeyInput(keyType, random));
}

function generateKeyInput(keyType: IssuedKeyType, random: (n: number) => Uint8Array): PrivateKey {
  switch (keyType) {
    case 'p256':
    case 'p384': {
      const curve = keyType === 'p256' ? 'P-256' : 'P-384';
      const impl = ecCurveImpl(curve);
      const d = impl.utils.randomSecretKey(random(impl.lengths.seed!));
      return { type: 'ec', curve, d, point: impl.getPublicKey(d, false) };
    }
    case 'ed25519': {
      const seed = random(32);
      return { type: 'ed25519', seed, key: ed25519.getPublicKey(seed) };
    }
    case 'rsa2048':
      return generateRsaKey(2048, random);
    case 'rsa3072':
      return generateRsaKey(3072, random);
    case 'rsa4096':
      return generateRsaKey(4096, random);
    default:
      throw localError(
        'bad_config',
        `unknown key type '${keyType as string}'; use one of ${ISSUED_KEY_TYPES.join(', ')}`,
      );
  }
}
