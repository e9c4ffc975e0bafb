// A public key given by the caller: SubjectPublicKeyInfo as PEM ("PUBLIC KEY") or DER (RFC 5280 §4.1.2.7,
// RFC 5480 §2, RFC 8410 §4), for keys whose private half stays elsewhere (a signer, an HSM).

import type { PublicKey } from '../ciphers/keys.js';
import { localError } from '../errors.js';
import { parsePublicKeyInfo } from './algorithms.js';
import { parseDer } from './asn1.js';
import { type PemOrDer, toDerList } from './pem.js';

/** Parse a SubjectPublicKeyInfo (PEM or DER); a local bad_config error naming `what` otherwise. */
export function parsePublicKeyInput(input: PemOrDer, what: string): PublicKey {
  let publicKey: PublicKey | undefined;
  try {
    const der = toDerList(input, 'PUBLIC KEY', { what })[0];
    if (!der) throw new Error('no PUBLIC KEY block');
    publicKey = parsePublicKeyInfo(parseDer(der.slice(), what, 'config'), what).publicKey;
  } catch (e) {
    throw localError(
      'bad_config',
      `'${what}' must be a SubjectPublicKeyInfo (PEM "PUBLIC KEY" or DER): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!publicKey) throw localError('bad_config', `'${what}' is not an RSA, P-256, P-384 or Ed25519 key`);
  return publicKey;
}
