// Signature creation and verification by algorithm: ECDSA P-256/P-384 with DER signatures (RFC 8422 §5.4,
// RFC 5480, RFC 6979 nonces), RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017 §8), Ed25519 (RFC 8032 §5.1).

import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { equalBytes } from '../codec.js';
import { localError } from '../errors.js';
import type { EcCurve, PrivateKey, PublicKey } from './keys.js';
import { describeKey } from './keys.js';
import { hashMessage, rsaSignPkcs1, rsaSignPss, rsaVerifyPkcs1, rsaVerifyPss } from './rsa.js';
import type { SignatureAlgorithm } from './schemes.js';

const CURVES = { 'P-256': p256, 'P-384': p384 } as const;
const SCALAR_BYTES: Record<EcCurve, number> = { 'P-256': 32, 'P-384': 48 };

function keyTypeFor(algorithm: SignatureAlgorithm): PublicKey['type'] {
  switch (algorithm.kind) {
    case 'ecdsa':
      return 'ec';
    case 'ed25519':
      return 'ed25519';
    case 'rsa-pkcs1':
    case 'rsa-pss':
      return 'rsa';
  }
}

function describeAlgorithm(algorithm: SignatureAlgorithm): string {
  return algorithm.kind === 'ed25519' ? 'Ed25519' : `${algorithm.kind} with ${algorithm.hash}`;
}

/**
 * An EC private scalar as exactly the curve's scalar length (SEC 1 encoders sometimes drop leading
 * zeros, OpenSSL's text output sometimes adds one), checked to be in [1, n − 1].
 */
function validScalar(curve: EcCurve, d: Uint8Array): Uint8Array {
  const length = SCALAR_BYTES[curve];
  let start = 0;
  while (start < d.length && d[start] === 0) start++;
  if (d.length - start > length) throw localError('bad_key', `EC ${curve} private key is too long`);
  const scalar = new Uint8Array(length);
  scalar.set(d.subarray(start), length - (d.length - start));
  if (!CURVES[curve].utils.isValidSecretKey(scalar)) {
    throw localError('bad_key', `EC ${curve} private key is out of range (0 or ≥ the group order)`);
  }
  return scalar;
}

/** The uncompressed SEC 1 public point (0x04 ‖ X ‖ Y) for private scalar d. */
export function ecPrivateToPublic(curve: EcCurve, d: Uint8Array): Uint8Array {
  return CURVES[curve].getPublicKey(validScalar(curve, d), false);
}

/** The 32-byte Ed25519 public key for a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicFromSeed(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32)
    throw localError('bad_key', `Ed25519 private key must be 32 bytes, not ${seed.length}`);
  return ed25519.getPublicKey(seed);
}

/**
 * Sign `message` (the whole message: hashing is part of the algorithm). ECDSA signatures are DER;
 * their nonces are RFC 6979 with extra entropy from `random`; PSS salts come from `random`.
 * A key of the wrong type throws TlsError kind 'local', code 'key_mismatch'.
 */
export function signMessage(
  algorithm: SignatureAlgorithm,
  key: PrivateKey,
  message: Uint8Array,
  random: (n: number) => Uint8Array,
): Uint8Array {
  if (key.type !== keyTypeFor(algorithm)) {
    throw localError(
      'key_mismatch',
      `cannot make a ${describeAlgorithm(algorithm)} signature with an ${describeKey(key)} key`,
    );
  }
  switch (algorithm.kind) {
    case 'ecdsa': {
      if (key.type !== 'ec') break;
      const scalar = validScalar(key.curve, key.d);
      return CURVES[key.curve].sign(hashMessage(algorithm.hash, message), scalar, {
        prehash: false,
        format: 'der',
        lowS: true,
        extraEntropy: random(SCALAR_BYTES[key.curve]),
      });
    }
    case 'rsa-pkcs1':
      if (key.type !== 'rsa') break;
      return rsaSignPkcs1(key, algorithm.hash, message, random);
    case 'rsa-pss':
      if (key.type !== 'rsa') break;
      return rsaSignPss(key, algorithm.hash, algorithm.saltLength, message, random);
    case 'ed25519':
      if (key.type !== 'ed25519') break;
      if (key.seed.length !== 32) throw localError('bad_key', 'Ed25519 private key must be 32 bytes');
      return ed25519.sign(message, key.seed);
  }
  throw localError('key_mismatch', `cannot sign with an ${describeKey(key)} key`);
}

function verifyEcdsa(
  algorithm: Extract<SignatureAlgorithm, { kind: 'ecdsa' }>,
  key: Extract<PublicKey, { type: 'ec' }>,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const curve = CURVES[key.curve];
  if (curve === undefined || key.point.length !== 1 + 2 * SCALAR_BYTES[key.curve] || key.point[0] !== 0x04) {
    return false;
  }
  // Strict DER: the signature must be exactly the canonical encoding of the (r, s) it holds.
  const parsed = curve.Signature.fromBytes(signature, 'der');
  if (!equalBytes(parsed.toBytes('der'), signature)) return false;
  const digest = hashMessage(algorithm.hash, message);
  // OpenSSL makes high-S signatures, so they are accepted (lowS: false).
  return curve.verify(signature, digest, key.point, {
    prehash: false,
    format: 'der',
    lowS: false,
  });
}

/**
 * True when `signature` is valid for `message` under `key`. Returns false — never throws — for a
 * malformed signature or key, a key of the wrong type for the algorithm, or an unsupported size.
 */
export function verifySignature(
  algorithm: SignatureAlgorithm,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    switch (algorithm.kind) {
      case 'ecdsa':
        return key.type === 'ec' && verifyEcdsa(algorithm, key, message, signature);
      case 'rsa-pkcs1':
        return key.type === 'rsa' && rsaVerifyPkcs1(key, algorithm.hash, message, signature);
      case 'rsa-pss':
        return (
          key.type === 'rsa' && rsaVerifyPss(key, algorithm.hash, algorithm.saltLength, message, signature)
        );
      case 'ed25519':
        return (
          key.type === 'ed25519' &&
          key.key.length === 32 &&
          signature.length === 64 &&
          // RFC 8032 §5.1.7 (as OpenSSL): canonical encodings only, not ZIP-215's relaxed rules.
          ed25519.verify(signature, message, key.key, { zip215: false })
        );
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/**
 * True when `publicKey` is the public half of `privateKey`: RSA n and e (and p·q = n), the EC point
 * derived from d, the Ed25519 key derived from the seed. Never throws.
 */
export function keysMatch(privateKey: PrivateKey, publicKey: PublicKey): boolean {
  try {
    switch (privateKey.type) {
      case 'rsa':
        return (
          publicKey.type === 'rsa' &&
          privateKey.n === publicKey.n &&
          privateKey.e === publicKey.e &&
          privateKey.p * privateKey.q === privateKey.n
        );
      case 'ec':
        return (
          publicKey.type === 'ec' &&
          privateKey.curve === publicKey.curve &&
          equalBytes(ecPrivateToPublic(privateKey.curve, privateKey.d), publicKey.point)
        );
      case 'ed25519':
        return (
          publicKey.type === 'ed25519' && equalBytes(ed25519PublicFromSeed(privateKey.seed), publicKey.key)
        );
    }
  } catch {
    return false;
  }
}
