// Choosing and checking negotiated parameters: suites, groups, signature schemes, ALPN
// (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1, RFC 7301 §3.2).

import type { PrivateKey, PublicKey } from '../ciphers/keys.js';
import type { SchemeParams } from '../ciphers/schemes.js';
import type { SuiteParams } from '../ciphers/suites.js';
import { printable } from '../printable.js';

/** Whether a certificate key can authenticate a suite (ECDSA suites also carry Ed25519, RFC 8422 §5.3). */
export function keyFitsSuite(key: PublicKey | PrivateKey, suite: SuiteParams): boolean {
  return suite.authentication === 'RSA' ? key.type === 'rsa' : key.type === 'ec' || key.type === 'ed25519';
}

/**
 * The schemes from `allowed` this key can make, best first: for EC keys the hash that matches the
 * curve comes first (P-256 → SHA-256, P-384 → SHA-384), as OpenSSL and rustls do.
 */
export function schemesForKey(key: PublicKey | PrivateKey, allowed: readonly SchemeParams[]): SchemeParams[] {
  const fits = allowed.filter((s) => s.keyType === key.type);
  if (key.type !== 'ec') return fits;
  const preferred = key.curve === 'P-384' ? 'sha384' : 'sha256';
  return [
    ...fits.filter((s) => s.algorithm.kind === 'ecdsa' && s.algorithm.hash === preferred),
    ...fits.filter((s) => !(s.algorithm.kind === 'ecdsa' && s.algorithm.hash === preferred)),
  ];
}

/** ALPN: the server picks by its own preference (RFC 7301 §3.2). */
export function chooseAlpn(ours: readonly string[], offered: readonly string[]): string | undefined {
  return ours.find((p) => offered.includes(p));
}

/** ALPN names shown in one message; a peer may offer thousands (a ClientHello holds 64 KiB of them). */
const MAX_ALPN_NAMES_SHOWN = 8;

/** ALPN names for a message: quoted, with control characters from the peer escaped, at most 8. */
export function alpnListText(names: readonly string[]): string {
  const shown = names.slice(0, MAX_ALPN_NAMES_SHOWN).map((n) => `'${printable(n)}'`);
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
