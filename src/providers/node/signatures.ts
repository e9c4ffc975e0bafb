// Signatures over node:crypto for nodeCryptoProvider: ECDSA with DER signatures (RFC 8422 §5.4),
// RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017 §8), Ed25519 (RFC 8032); keys become KeyObjects via JWK
// (RFC 7517/7518/8037), once per key object.

import {
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  constants as nodeConstants,
  sign as signWithNode,
  verify as verifyWithNode,
} from 'node:crypto';
import {
  type HashName,
  localError,
  type PrivateKey,
  type PublicKey,
  type SignatureAlgorithm,
} from '../../index.js';

/** A Uint8Array over a Buffer's bytes (no copy): Buffer#slice does not copy, so it must not leak out. */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const bigB64u = (x: bigint): string => {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};
const EC_SIZE = { 'P-256': 32, 'P-384': 48 } as const;

/** An EC scalar of exactly the curve's length (SEC 1 encoders sometimes drop leading zeros). */
function fixedLength(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return bytes;
  let start = 0;
  while (start < bytes.length - length && bytes[start] === 0) start++;
  const body = bytes.subarray(start);
  if (body.length > length) throw localError('bad_key', 'EC private key is longer than the curve order');
  const out = new Uint8Array(length);
  out.set(body, length - body.length);
  return out;
}

function ecPointJwk(curve: 'P-256' | 'P-384', point: Uint8Array): JsonWebKey {
  const size = EC_SIZE[curve];
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) throw localError('bad_key', 'bad EC public point');
  return { kty: 'EC', crv: curve, x: b64u(point.subarray(1, 1 + size)), y: b64u(point.subarray(1 + size)) };
}

function publicJwk(key: PublicKey | PrivateKey): JsonWebKey {
  switch (key.type) {
    case 'rsa':
      return { kty: 'RSA', n: bigB64u(key.n), e: bigB64u(key.e) };
    case 'ec':
      return ecPointJwk(key.curve, key.point);
    case 'ed25519':
      return { kty: 'OKP', crv: 'Ed25519', x: b64u(key.key) };
  }
}

function privateJwk(key: PrivateKey): JsonWebKey {
  const jwk = publicJwk(key);
  switch (key.type) {
    case 'rsa':
      return {
        ...jwk,
        d: bigB64u(key.d),
        p: bigB64u(key.p),
        q: bigB64u(key.q),
        dp: bigB64u(key.dp),
        dq: bigB64u(key.dq),
        qi: bigB64u(key.qi),
      };
    case 'ec':
      return { ...jwk, d: b64u(fixedLength(key.d, EC_SIZE[key.curve])) };
    case 'ed25519':
      return { ...jwk, d: b64u(key.seed) };
  }
}

const privateKeyObjects = new WeakMap<PrivateKey, KeyObject>();
const publicKeyObjects = new WeakMap<PublicKey, KeyObject>();

function privateKeyObject(key: PrivateKey): KeyObject {
  let k = privateKeyObjects.get(key);
  if (!k) {
    try {
      k = createPrivateKey({ key: privateJwk(key), format: 'jwk' });
    } catch (e) {
      throw localError(
        'bad_key',
        `node:crypto refused the private key: ${e instanceof Error ? e.message : e}`,
      );
    }
    privateKeyObjects.set(key, k);
  }
  return k;
}

/**
 * Public keys by content too. Each handshake parses the peer's certificate afresh, so the same peer
 * key arrives as a new object every time, and importing it into OpenSSL (~45 µs for P-256) costs
 * about as much as the verification itself. Public keys are not secret; the map is bounded (least
 * recently used out first).
 */
const publicKeyObjectsByContent = new Map<string, KeyObject>();
const MAX_PUBLIC_KEYS_BY_CONTENT = 256;

function publicKeyObject(key: PublicKey): KeyObject {
  let k = publicKeyObjects.get(key);
  if (k) return k;
  const jwk = publicJwk(key);
  const content = `${jwk.kty}|${jwk.crv ?? ''}|${jwk.x ?? jwk.n}|${jwk.y ?? jwk.e}`;
  k = publicKeyObjectsByContent.get(content);
  if (k) {
    publicKeyObjectsByContent.delete(content); // re-inserted below as the most recently used
  } else {
    k = createPublicKey({ key: jwk, format: 'jwk' }); // throws for points off the curve
    if (publicKeyObjectsByContent.size >= MAX_PUBLIC_KEYS_BY_CONTENT) {
      const oldest = publicKeyObjectsByContent.keys().next().value;
      if (oldest !== undefined) publicKeyObjectsByContent.delete(oldest);
    }
  }
  publicKeyObjectsByContent.set(content, k);
  publicKeyObjects.set(key, k);
  return k;
}

const KEY_TYPE_FOR = { ecdsa: 'ec', ed25519: 'ed25519', 'rsa-pkcs1': 'rsa', 'rsa-pss': 'rsa' } as const;

/** Bits of an RSA modulus. */
function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}

/** The same RSA rules as the noble provider: verify 1024–8192 bits, sign from 2048, odd 3 ≤ e < 2^32. */
function rsaKeyProblem(key: { n: bigint; e: bigint }): string | undefined {
  const bits = bitLength(key.n);
  if (bits < 1024 || bits > 8192) return `RSA modulus of ${bits} bits is outside 1024..8192`;
  if ((key.n & 1n) === 0n) return 'RSA modulus is even';
  if (key.e < 3n || (key.e & 1n) === 0n || key.e >= key.n) return 'RSA public exponent is not an odd e ≥ 3';
  if (key.e >= 1n << 32n) return 'RSA public exponent is not below 2^32';
  return undefined;
}

function describeKeyType(key: PrivateKey): string {
  return key.type === 'rsa' ? `RSA-${key.bits}` : key.type === 'ec' ? `EC ${key.curve}` : 'Ed25519';
}

export function nodeSign(
  algorithm: SignatureAlgorithm,
  key: PrivateKey,
  message: Uint8Array,
  _random: (n: number) => Uint8Array,
): Uint8Array {
  // OpenSSL draws ECDSA nonces and PSS salts from its own CSPRNG: these signatures are not
  // reproducible from `random` (they need not be; verification is what the peer checks).
  if (key.type !== KEY_TYPE_FOR[algorithm.kind]) {
    const what = algorithm.kind === 'ed25519' ? 'Ed25519' : `${algorithm.kind} with ${algorithm.hash}`;
    throw localError('key_mismatch', `cannot make a ${what} signature with an ${describeKeyType(key)} key`);
  }
  if (key.type === 'rsa') {
    const problem = rsaKeyProblem(key);
    if (problem !== undefined) throw localError('bad_key', `cannot sign: ${problem}`);
    if (bitLength(key.n) < 2048) {
      throw localError(
        'weak_key',
        `refusing to sign with RSA-${bitLength(key.n)}: keys must have at least 2048 bits`,
      );
    }
  }
  const keyObject = privateKeyObject(key);
  switch (algorithm.kind) {
    case 'ecdsa':
      return plain(signWithNode(algorithm.hash, message, { key: keyObject, dsaEncoding: 'der' }));
    case 'rsa-pkcs1':
      return plain(
        signWithNode(algorithm.hash, message, { key: keyObject, padding: nodeConstants.RSA_PKCS1_PADDING }),
      );
    case 'rsa-pss':
      if (!Number.isSafeInteger(algorithm.saltLength) || algorithm.saltLength < 0) {
        throw localError('bad_input', `RSA-PSS: invalid salt length ${algorithm.saltLength}`);
      }
      return plain(
        signWithNode(algorithm.hash, message, {
          key: keyObject,
          padding: nodeConstants.RSA_PKCS1_PSS_PADDING,
          saltLength: algorithm.saltLength,
        }),
      );
    case 'ed25519':
      return plain(signWithNode(null, message, keyObject));
  }
}

const HASHES: readonly HashName[] = ['sha256', 'sha384', 'sha512'];

export function nodeVerify(
  algorithm: SignatureAlgorithm,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (key.type !== KEY_TYPE_FOR[algorithm.kind]) return false;
    if (algorithm.kind !== 'ed25519' && !HASHES.includes(algorithm.hash)) return false;
    switch (algorithm.kind) {
      case 'ecdsa':
        // OpenSSL re-encodes (r, s) and compares, so only canonical DER without trailing bytes passes.
        return verifyWithNode(
          algorithm.hash,
          message,
          { key: publicKeyObject(key), dsaEncoding: 'der' },
          signature,
        );
      case 'rsa-pkcs1':
      case 'rsa-pss': {
        if (key.type !== 'rsa' || rsaKeyProblem(key) !== undefined) return false;
        if (signature.length !== Math.ceil(bitLength(key.n) / 8)) return false;
        if (algorithm.kind === 'rsa-pkcs1') {
          return verifyWithNode(
            algorithm.hash,
            message,
            { key: publicKeyObject(key), padding: nodeConstants.RSA_PKCS1_PADDING },
            signature,
          );
        }
        // A non-negative salt length makes OpenSSL check the salt is exactly that long.
        if (!Number.isSafeInteger(algorithm.saltLength) || algorithm.saltLength < 0) return false;
        return verifyWithNode(
          algorithm.hash,
          message,
          {
            key: publicKeyObject(key),
            padding: nodeConstants.RSA_PKCS1_PSS_PADDING,
            saltLength: algorithm.saltLength,
          },
          signature,
        );
      }
      case 'ed25519':
        if (key.type !== 'ed25519' || key.key.length !== 32 || signature.length !== 64) return false;
        return verifyWithNode(null, message, publicKeyObject(key), signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
