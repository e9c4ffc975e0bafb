// The cipher-suite registry: ECDHE + AEAD suites only (RFC 5288, RFC 5289, RFC 7905, RFC 8422).

/** Cipher suite code points (IANA TLS registry) memtls implements: ECDHE with AES-GCM or ChaCha20-Poly1305. */
export const CipherSuite = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
} as const;
/** A suite memtls implements, by IANA name. */
export type CipherSuiteName = keyof typeof CipherSuite;

/** The record protection of a suite. */
export type AeadAlgorithm = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';
/** A hash: for the PRF, HMAC and signatures. */
export type HashName = 'sha256' | 'sha384' | 'sha512';

/** One suite's parameters: code, IANA and OpenSSL names, key and IV lengths, AEAD, PRF hash, authentication. */
export interface SuiteParams {
  readonly name: CipherSuiteName;
  readonly code: number;
  /** OpenSSL's name, accepted in --ciphers lists. */
  readonly opensslName: string;
  readonly keyExchange: 'ECDHE';
  /** The certificate / signature type that authenticates the server. */
  readonly authentication: 'ECDSA' | 'RSA';
  readonly aead: AeadAlgorithm;
  /** PRF hash and Finished/transcript hash (RFC 5246 §5, RFC 5289 §3). */
  readonly prfHash: 'sha256' | 'sha384';
  readonly keyLength: number;
  /** Implicit (fixed) IV bytes from the key block: 4 for GCM (RFC 5288 §3), 12 for ChaCha (RFC 7905 §2). */
  readonly fixedIvLength: number;
  /** Explicit per-record nonce bytes carried in each record: 8 for GCM, 0 for ChaCha. */
  readonly explicitNonceLength: number;
  readonly tagLength: 16;
}

function suite(
  name: CipherSuiteName,
  opensslName: string,
  authentication: 'ECDSA' | 'RSA',
  aead: AeadAlgorithm,
  prfHash: 'sha256' | 'sha384',
): SuiteParams {
  const chacha = aead === 'CHACHA20-POLY1305';
  return {
    name,
    code: CipherSuite[name],
    opensslName,
    keyExchange: 'ECDHE',
    authentication,
    aead,
    prfHash,
    keyLength: aead === 'AES-128-GCM' ? 16 : 32,
    fixedIvLength: chacha ? 12 : 4,
    explicitNonceLength: chacha ? 0 : 8,
    tagLength: 16,
  };
}

/** Every suite memtls implements, by IANA name. */
export const SUITES: Readonly<Record<CipherSuiteName, SuiteParams>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: suite(
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDSA',
    'AES-128-GCM',
    'sha256',
  ),
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: suite(
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'RSA',
    'AES-128-GCM',
    'sha256',
  ),
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: suite(
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDSA',
    'AES-256-GCM',
    'sha384',
  ),
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: suite(
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'RSA',
    'AES-256-GCM',
    'sha384',
  ),
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: suite(
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDSA',
    'CHACHA20-POLY1305',
    'sha256',
  ),
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: suite(
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    'ECDHE-RSA-CHACHA20-POLY1305',
    'RSA',
    'CHACHA20-POLY1305',
    'sha256',
  ),
};

/** Default preference order: AES-GCM first (fast in native peers), ChaCha20 for peers that prefer it. */
export const DEFAULT_CIPHER_SUITES: readonly CipherSuiteName[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];

const byCode = new Map<number, SuiteParams>(Object.values(SUITES).map((s) => [s.code, s]));

/** The suite with this code point, if memtls implements it. */
export function suiteByCode(code: number): SuiteParams | undefined {
  return byCode.get(code);
}

/** Look up by IANA name or OpenSSL name (case-insensitive). */
export function suiteByName(name: string): SuiteParams | undefined {
  const n = name.trim().toUpperCase();
  for (const s of Object.values(SUITES)) {
    if (s.name === n || s.opensslName === n) return s;
  }
  return undefined;
}

/** Well-known names of suites we refuse, so errors can say what the peer offered. */
const KNOWN_FOREIGN_SUITES: Record<number, string> = {
  47: 'TLS_RSA_WITH_AES_128_CBC_SHA',
  53: 'TLS_RSA_WITH_AES_256_CBC_SHA',
  60: 'TLS_RSA_WITH_AES_128_CBC_SHA256',
  61: 'TLS_RSA_WITH_AES_256_CBC_SHA256',
  156: 'TLS_RSA_WITH_AES_128_GCM_SHA256',
  157: 'TLS_RSA_WITH_AES_256_GCM_SHA384',
  158: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
  159: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  10: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  51: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
  57: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
  49161: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  49162: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  49171: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  49172: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
  49187: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
  49188: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
  49191: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
  49192: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
  52394: 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  4865: 'TLS_AES_128_GCM_SHA256',
  4866: 'TLS_AES_256_GCM_SHA384',
  4867: 'TLS_CHACHA20_POLY1305_SHA256',
  255: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
  22016: 'TLS_FALLBACK_SCSV',
};

/** A readable name for any suite code, ours or not. */
export function describeSuite(code: number): string {
  return byCode.get(code)?.name ?? KNOWN_FOREIGN_SUITES[code] ?? `0x${code.toString(16).padStart(4, '0')}`;
}
