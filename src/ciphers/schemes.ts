// The signature-scheme registry (RFC 8446 §4.2.3 names, as used by TLS 1.2 via RFC 5246 §7.4.1.4.1).

import type { HashName } from './suites.js';

/** Signature scheme code points (RFC 8446 §4.2.3 names, used by TLS 1.2) memtls implements. */
export const SignatureScheme = {
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ed25519: 0x0807,
} as const;
/** A signature scheme memtls implements, by IANA name, e.g. 'ecdsa_secp256r1_sha256'. */
export type SignatureSchemeName = keyof typeof SignatureScheme;

/**
 * How a signature is computed, independent of TLS naming. In TLS 1.2 an ecdsa_*_shaN scheme
 * fixes only the hash, not the curve (RFC 8422 §5.1.3); X.509 signature algorithms map here too.
 */
export type SignatureAlgorithm =
  | { readonly kind: 'ecdsa'; readonly hash: HashName }
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashName }
  | { readonly kind: 'rsa-pss'; readonly hash: HashName; readonly saltLength: number }
  | { readonly kind: 'ed25519' };

/** A signature scheme's name, IANA code, algorithm and key type (SCHEMES holds one per scheme). */
export interface SchemeParams {
  /** The scheme's name. */
  readonly name: SignatureSchemeName;
  /** Its SignatureScheme code on the wire (RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3). */
  readonly code: number;
  /** The signature algorithm and hash it uses. */
  readonly algorithm: SignatureAlgorithm;
  /** The key type that can make this signature. */
  readonly keyType: 'ec' | 'rsa' | 'ed25519';
}

function scheme(name: SignatureSchemeName, algorithm: SignatureAlgorithm): SchemeParams {
  const keyType = algorithm.kind === 'ecdsa' ? 'ec' : algorithm.kind === 'ed25519' ? 'ed25519' : 'rsa';
  return { name, code: SignatureScheme[name], algorithm, keyType };
}

/** Every signature scheme memtls implements, with its code, algorithm and hash. */
export const SCHEMES: Readonly<Record<SignatureSchemeName, SchemeParams>> = {
  ecdsa_secp256r1_sha256: scheme('ecdsa_secp256r1_sha256', { kind: 'ecdsa', hash: 'sha256' }),
  ecdsa_secp384r1_sha384: scheme('ecdsa_secp384r1_sha384', { kind: 'ecdsa', hash: 'sha384' }),
  ecdsa_secp521r1_sha512: scheme('ecdsa_secp521r1_sha512', { kind: 'ecdsa', hash: 'sha512' }),
  rsa_pss_rsae_sha256: scheme('rsa_pss_rsae_sha256', { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }),
  rsa_pss_rsae_sha384: scheme('rsa_pss_rsae_sha384', { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 }),
  rsa_pss_rsae_sha512: scheme('rsa_pss_rsae_sha512', { kind: 'rsa-pss', hash: 'sha512', saltLength: 64 }),
  rsa_pkcs1_sha256: scheme('rsa_pkcs1_sha256', { kind: 'rsa-pkcs1', hash: 'sha256' }),
  rsa_pkcs1_sha384: scheme('rsa_pkcs1_sha384', { kind: 'rsa-pkcs1', hash: 'sha384' }),
  rsa_pkcs1_sha512: scheme('rsa_pkcs1_sha512', { kind: 'rsa-pkcs1', hash: 'sha512' }),
  ed25519: scheme('ed25519', { kind: 'ed25519' }),
};

/**
 * What we offer and accept by default, in preference order. In TLS 1.2 the three ECDSA codes mean
 * ECDSA with SHA-256, SHA-384 or SHA-512 on whatever curve the certificate has (RFC 5246 §7.4.1.4.1,
 * RFC 8422 §5.1.1), so a P-256 server signs with SHA-512 for a client that offers only that, as
 * OpenSSL does. SHA-224, SHA-1 and MD5 are never offered or accepted.
 */
export const DEFAULT_SIGNATURE_SCHEMES: readonly SignatureSchemeName[] = [
  'ecdsa_secp256r1_sha256',
  'ecdsa_secp384r1_sha384',
  'ecdsa_secp521r1_sha512',
  'ed25519',
  'rsa_pss_rsae_sha256',
  'rsa_pss_rsae_sha384',
  'rsa_pss_rsae_sha512',
  'rsa_pkcs1_sha256',
  'rsa_pkcs1_sha384',
  'rsa_pkcs1_sha512',
];

const byCode = new Map<number, SchemeParams>(Object.values(SCHEMES).map((s) => [s.code, s]));

export function schemeByCode(code: number): SchemeParams | undefined {
  return byCode.get(code);
}

export function schemeByName(name: string): SchemeParams | undefined {
  return (SCHEMES as Record<string, SchemeParams>)[name.trim().toLowerCase()];
}

/** A readable name for any scheme code (including refused SHA-1 ones). */
export function describeScheme(code: number): string {
  const known = byCode.get(code);
  if (known) return known.name;
  const legacy: Record<number, string> = {
    513: 'rsa_pkcs1_sha1',
    515: 'ecdsa_sha1',
    769: 'rsa_pkcs1_sha224',
    771: 'ecdsa_sha224',
    257: 'rsa_pkcs1_md5',
    2056: 'ed448',
    2057: 'rsa_pss_pss_sha256',
    2058: 'rsa_pss_pss_sha384',
    2059: 'rsa_pss_pss_sha512',
  };
  return legacy[code] ?? `0x${code.toString(16).padStart(4, '0')}`;
}
