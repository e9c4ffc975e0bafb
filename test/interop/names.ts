// Name tables between memtls (IANA suite names, RFC 8422 group names) and the peers' spellings.

export const SUITES = {
  ecdsa: [
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  ],
  rsa: [
    'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  ],
} as const;

export const GROUP_NAMES = ['x25519', 'secp256r1', 'secp384r1'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

const OPENSSL_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
};

/** OpenSSL's name for an IANA suite name (what `-cipher`, Node's `ciphers` and Python take). */
export function opensslSuite(iana: string): string {
  const name = OPENSSL_SUITES[iana];
  if (!name) throw new Error(`no OpenSSL name for ${iana}`);
  return name;
}

/** IANA name for an OpenSSL suite name, or the name itself when it is not one of ours. */
export function ianaSuite(openssl: string): string {
  return Object.entries(OPENSSL_SUITES).find(([, o]) => o === openssl)?.[0] ?? openssl;
}

/** memtls group name for what OpenSSL prints ("X25519", "prime256v1", "secp384r1", "P-256"). */
export function memtlsGroup(printed: string): string {
  const n = printed.toLowerCase();
  if (n === 'x25519') return 'x25519';
  if (n === 'prime256v1' || n === 'p-256' || n === 'secp256r1') return 'secp256r1';
  if (n === 'secp384r1' || n === 'p-384') return 'secp384r1';
  return printed;
}

/** How OpenSSL (and so Node and Python) words a received alert: "tlsv1 alert unknown ca". */
export function alertPattern(alert: string): RegExp {
  return new RegExp(`alert[ _]${alert.replace(/_/g, '[ _]')}`, 'i');
}
