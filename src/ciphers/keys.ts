// Key objects shared by the crypto provider and X.509: RSA (RFC 8017), EC (SEC 1), Ed25519 (RFC 8032).
// These are plain data; parsing them from DER lives in src/x509, math lives in the provider.

/** An elliptic curve memtls keys may use: NIST P-256 or P-384. */
export type EcCurve = 'P-256' | 'P-384';

/** A parsed public key: RSA (modulus, exponent, bits), EC (curve and point) or Ed25519. */
export type PublicKey =
  | { readonly type: 'rsa'; readonly n: bigint; readonly e: bigint; readonly bits: number }
  /** point: the uncompressed SEC 1 encoding (0x04 ‖ X ‖ Y). */
  | { readonly type: 'ec'; readonly curve: EcCurve; readonly point: Uint8Array }
  | { readonly type: 'ed25519'; readonly key: Uint8Array };

/** A parsed private key (see parsePrivateKey): RSA with its CRT values, EC or Ed25519. Secret: never log it. */
export type PrivateKey =
  | {
      readonly type: 'rsa';
      readonly n: bigint;
      readonly e: bigint;
      readonly d: bigint;
      readonly p: bigint;
      readonly q: bigint;
      readonly dp: bigint;
      readonly dq: bigint;
      readonly qi: bigint;
      readonly bits: number;
    }
  | { readonly type: 'ec'; readonly curve: EcCurve; readonly d: Uint8Array; readonly point: Uint8Array }
  | { readonly type: 'ed25519'; readonly seed: Uint8Array; readonly key: Uint8Array };

/** The public half of a private key. */
export function publicKeyOf(key: PrivateKey): PublicKey {
  switch (key.type) {
    case 'rsa':
      return { type: 'rsa', n: key.n, e: key.e, bits: key.bits };
    case 'ec':
      return { type: 'ec', curve: key.curve, point: key.point };
    case 'ed25519':
      return { type: 'ed25519', key: key.key };
  }
}

/** Short human description: "RSA-2048", "EC P-256", "Ed25519". */
export function describeKey(key: PublicKey | PrivateKey): string {
  switch (key.type) {
    case 'rsa':
      return `RSA-${key.bits}`;
    case 'ec':
      return `EC ${key.curve}`;
    case 'ed25519':
      return 'Ed25519';
  }
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * Keep a private key's secret parts out of console.log / util.inspect / JSON.stringify: they show
 * only the key's type ("PrivateKey { EC P-256 }"). The fields stay readable to code. Returns the key.
 */
export function redactPrivateKey<T extends PrivateKey>(key: T): T {
  const summary = `PrivateKey { ${describeKey(key)} }`;
  Object.defineProperty(key, inspectSymbol, { value: () => summary, enumerable: false });
  Object.defineProperty(key, 'toJSON', {
    value: () => ({ type: key.type, redacted: true }),
    enumerable: false,
  });
  Object.defineProperty(key, 'toString', { value: () => summary, enumerable: false });
  return key;
}
