// Signers backed by node:crypto KeyObjects (the private key stays in a KeyObject, never in memtls),
// answering at once or later, for the signer tests.

import { constants, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import type { Signer } from '../../src/index.js';

/** node:crypto's sign() for a TLS signature scheme (DER ECDSA, PSS with a hash-long salt). */
export function nodeSign(key: KeyObject, scheme: string, message: Uint8Array): Uint8Array {
  const hash = /sha(256|384|512)$/.exec(scheme)?.[0];
  if (scheme === 'ed25519') return new Uint8Array(sign(null, message, key));
  if (scheme.startsWith('ecdsa_')) return new Uint8Array(sign(hash!, message, { key, dsaEncoding: 'der' }));
  if (scheme.startsWith('rsa_pss_rsae_')) {
    const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[hash!]!;
    return new Uint8Array(
      sign(hash!, message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
    );
  }
  return new Uint8Array(sign(hash!, message, { key, padding: constants.RSA_PKCS1_PADDING }));
}

export interface CountingSigner extends Signer {
  /** The schemes asked for, in order. */
  readonly calls: string[];
}

/**
 * A Signer over a KeyObject made from `keyPem`. mode 'sync' answers at once, 'async' with a promise
 * (resolved on a later turn of the event loop).
 */
export function keyObjectSigner(keyPem: string, mode: 'sync' | 'async'): CountingSigner {
  const privateKey = createPrivateKey(keyPem);
  const publicKey = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const calls: string[] = [];
  return {
    publicKey,
    calls,
    sign(scheme, message) {
      calls.push(scheme);
      const signature = nodeSign(privateKey, scheme, message);
      if (mode === 'sync') return signature;
      return new Promise<Uint8Array>((resolve) => setTimeout(() => resolve(signature), 5));
    },
  };
}
