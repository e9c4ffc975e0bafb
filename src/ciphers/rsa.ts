// RSA signatures over BigInt (RFC 8017): RSASP1 with CRT and blinding (§5.2.1), RSAVP1 (§5.2.2),
// EMSA-PKCS1-v1_5 (§9.2) and EMSA-PSS with MGF1 (§9.1, appendix B.2.1), RSASSA-* (§8.1, §8.2).
//
// BigInt arithmetic is not constant-time. Message blinding hides the value being exponentiated;
// the exponent's bits still shape the sequence of squarings and multiplications.

import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, fromHex } from '../codec.js';
import { localError } from '../errors.js';
import type { PrivateKey, PublicKey } from './keys.js';
import type { HashName } from './suites.js';

export type RsaPublicKey = Extract<PublicKey, { type: 'rsa' }>;
export type RsaPrivateKey = Extract<PrivateKey, { type: 'rsa' }>;

/** Modulus sizes we accept: verification from 1024 bits, signing from 2048, both up to 8192. */
export const RSA_MIN_VERIFY_BITS = 1024;
export const RSA_MIN_SIGN_BITS = 2048;
export const RSA_MAX_BITS = 8192;
/** Public exponents must be odd, at least 3 and below this (2^32), for every modulus size. */
export const RSA_MAX_PUBLIC_EXPONENT = 1n << 32n;

// ---------------------------------------------------------------------------------------------
// Integers and octet strings (RFC 8017 §4)

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** OS2IP: big-endian bytes → non-negative integer. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** I2OSP: integer → exactly `length` big-endian bytes. Throws RangeError when it does not fit. */
export function bigIntToBytes(x: bigint, length: number): Uint8Array {
  if (x < 0n) throw new RangeError('I2OSP: negative integer');
  const hex = x === 0n ? '' : x.toString(16);
  if (hex.length > 2 * length) throw new RangeError('I2OSP: integer too large');
  const padded = hex.padStart(2 * length, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(padded.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** base^exponent mod modulus by left-to-right sliding-window exponentiation (odd powers table). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  if (exponent < 0n) throw new RangeError('modPow: negative exponent');
  base %= modulus;
  if (base < 0n) base += modulus;
  const bits = exponent.toString(2);
  const width = bits.length > 1536 ? 6 : bits.length > 512 ? 5 : bits.length > 64 ? 4 : 1;
  // oddPowers[i] = base^(2i+1)
  const oddPowers: bigint[] = [base];
  if (width > 1) {
    const square = (base * base) % modulus;
    for (let i = 1; i < 1 << (width - 1); i++) oddPowers.push((oddPowers[i - 1]! * square) % modulus);
  }
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = (result * result) % modulus;
      i++;
      continue;
    }
    // The longest window of at most `width` bits starting at i and ending in a 1.
    let end = Math.min(bits.length, i + width);
    while (bits[end - 1] === '0') end--;
    const windowValue = Number.parseInt(bits.slice(i, end), 2);
    for (let k = i; k < end; k++) result = (result * result) % modulus;
    result = (result * oddPowers[(windowValue - 1) >> 1]!) % modulus;
    i = end;
  }
  return result;
}

/** a^-1 mod m by the extended Euclidean algorithm; undefined when gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % m) + m) % m;
}

// ---------------------------------------------------------------------------------------------
// Hashes and DigestInfo (RFC 8017 §9.2 note 1)

const HASHES: Record<HashName, { hash: (data: Uint8Array) => Uint8Array; length: number }> = {
  sha256: { hash: (d) => sha256(d), length: 32 },
  sha384: { hash: (d) => sha384(d), length: 48 },
  sha512: { hash: (d) => sha512(d), length: 64 },
};

/** DER of DigestInfo { AlgorithmIdentifier { OID, NULL }, OCTET STRING (hLen) } up to the digest. */
const DIGEST_INFO_PREFIX: Record<HashName, Uint8Array> = {
  sha256: fromHex('3031300d060960864801650304020105000420'),
  sha384: fromHex('3041300d060960864801650304020205000430'),
  sha512: fromHex('3051300d060960864801650304020305000440'),
};

export function hashMessage(hash: HashName, message: Uint8Array): Uint8Array {
  return HASHES[hash].hash(message);
}

// ---------------------------------------------------------------------------------------------
// Key checks

/** Why a public key is unusable for verification, or undefined when it is fine. */
export function rsaPublicKeyProblem(key: { n: bigint; e: bigint }): string | undefined {
  const bits = bitLength(key.n);
  if (bits < RSA_MIN_VERIFY_BITS) return `RSA modulus of ${bits} bits is below ${RSA_MIN_VERIFY_BITS}`;
  if (bits > RSA_MAX_BITS) return `RSA modulus of ${bits} bits is above ${RSA_MAX_BITS}`;
  if ((key.n & 1n) === 0n) return 'RSA modulus is even';
  if (key.e < 3n || (key.e & 1n) === 0n || key.e >= key.n) return 'RSA public exponent is not an odd e ≥ 3';
  // At every size, as strict verifiers do: a huge exponent makes each verification cost as much as
  // a private-key operation, which a peer could use to stall us before it is authenticated.
  if (key.e >= RSA_MAX_PUBLIC_EXPONENT) return 'RSA public exponent is not below 2^32';
  return undefined;
}

function checkSigningKey(key: RsaPrivateKey): void {
  const problem = rsaPublicKeyProblem(key);
  if (problem !== undefined) throw localError('bad_key', `cannot sign: ${problem}`);
  const bits = bitLength(key.n);
  if (bits < RSA_MIN_SIGN_BITS) {
    throw localError('weak_key', `refusing to sign with RSA-${bits}: keys must have at least 2048 bits`);
  }
}

// ---------------------------------------------------------------------------------------------
// Primitives (RFC 8017 §5.2)

/**
 * RSASP1 with CRT (§5.2.1 step 2b), base blinding with a fresh random r (s = (m·r^e)^d · r^-1),
 * and a check that s^e = m before returning, so a fault in the CRT halves never leaks a factor.
 */
export function rsaPrivateOperation(
  key: RsaPrivateKey,
  m: bigint,
  random: (n: number) => Uint8Array,
): bigint {
  const { n, e, p, q, dp, dq, qi } = key;
  if (m < 0n || m >= n) throw localError('bad_input', 'RSASP1: message representative out of range');
  const k = Math.ceil(bitLength(n) / 8);
  let r = 0n;
  let rInverse: bigint | undefined;
  for (let attempt = 0; rInverse === undefined; attempt++) {
    if (attempt >= 8) throw localError('bad_random', 'RSA blinding: the random source gave no usable value');
    r = bytesToBigInt(random(k + 8)) % n;
    if (r > 1n) rInverse = modInverse(r, n);
  }
  const blinded = (m * modPow(r, e, n)) % n;
  const m1 = modPow(blinded % p, dp, p);
  const m2 = modPow(blinded % q, dq, q);
  let h = (qi * (m1 - m2)) % p;
  if (h < 0n) h += p;
  const blindedSignature = m2 + h * q;
  const s = (blindedSignature * rInverse) % n;
  if (modPow(s, e, n) !== m) {
    throw localError(
      'rsa_fault',
      'RSA signature failed its self-check (s^e ≠ m): the private key parameters are inconsistent',
    );
  }
  return s;
}

/** RSAVP1 (§5.2.2) on a signature octet string of exactly k bytes; undefined when out of range. */
function rsaPublicOperation(key: { n: bigint; e: bigint }, signature: Uint8Array): bigint | undefined {
  const k = Math.ceil(bitLength(key.n) / 8);
  if (signature.length !== k) return undefined;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return undefined;
  return modPow(s, key.e, key.n);
}

// ---------------------------------------------------------------------------------------------
// EMSA-PKCS1-v1_5 (§9.2) and RSASSA-PKCS1-v1_5 (§8.2)

/** EM = 0x00 ‖ 0x01 ‖ PS (0xff…) ‖ 0x00 ‖ DigestInfo(H(M)), emLen bytes. */
export function emsaPkcs1v15Encode(hash: HashName, message: Uint8Array, emLength: number): Uint8Array {
  const t = concatBytes(DIGEST_INFO_PREFIX[hash], hashMessage(hash, message));
  if (emLength < t.length + 11)
    throw new RangeError('EMSA-PKCS1-v1_5: intended encoded message length too short');
  const em = new Uint8Array(emLength).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLength - t.length - 1] = 0x00;
  em.set(t, emLength - t.length);
  return em;
}

export function rsaSignPkcs1(
  key: RsaPrivateKey,
  hash: HashName,
  message: Uint8Array,
  random: (n: number) => Uint8Array,
): Uint8Array {
  checkSigningKey(key);
  const k = Math.ceil(bitLength(key.n) / 8);
  const em = emsaPkcs1v15Encode(hash, message, k);
  return bigIntToBytes(rsaPrivateOperation(key, bytesToBigInt(em), random), k);
}

/** Verification by re-encoding and comparing whole encoded messages: the padding is never parsed. */
export function rsaVerifyPkcs1(
  key: RsaPublicKey,
  hash: HashName,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (rsaPublicKeyProblem(key) !== undefined) return false;
  const m = rsaPublicOperation(key, signature);
  if (m === undefined) return false;
  const k = signature.length;
  return equalBytes(bigIntToBytes(m, k), emsaPkcs1v15Encode(hash, message, k));
}

// ---------------------------------------------------------------------------------------------
// EMSA-PSS (§9.1) with MGF1 (B.2.1) and RSASSA-PSS (§8.1)

/** MGF1 with the given hash. */
export function mgf1(hash: HashName, seed: Uint8Array, length: number): Uint8Array {
  const hLen = HASHES[hash].length;
  const out = new Uint8Array(Math.ceil(length / hLen) * hLen);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let counter = 0; counter * hLen < length; counter++) {
    new DataView(input.buffer).setUint32(seed.length, counter);
    out.set(hashMessage(hash, input), counter * hLen);
  }
  return out.subarray(0, length);
}

/** H = Hash(0x00×8 ‖ mHash ‖ salt) */
function pssHash(hash: HashName, mHash: Uint8Array, salt: Uint8Array): Uint8Array {
  return hashMessage(hash, concatBytes(new Uint8Array(8), mHash, salt));
}

/** EMSA-PSS-ENCODE (§9.1.1) with emBits = modBits − 1. */
export function emsaPssEncode(
  hash: HashName,
  message: Uint8Array,
  emBits: number,
  salt: Uint8Array,
): Uint8Array {
  const hLen = HASHES[hash].length;
  const emLength = Math.ceil(emBits / 8);
  if (emLength < hLen + salt.length + 2) throw new RangeError('EMSA-PSS: encoding error (key too small)');
  const h = pssHash(hash, hashMessage(hash, message), salt);
  const db = new Uint8Array(emLength - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLength - emBits);
  return concatBytes(db, h, Uint8Array.of(0xbc));
}

/** EMSA-PSS-VERIFY (§9.1.2) for a fixed salt length. */
export function emsaPssVerify(
  hash: HashName,
  message: Uint8Array,
  em: Uint8Array,
  emBits: number,
  saltLength: number,
): boolean {
  const hLen = HASHES[hash].length;
  const emLength = Math.ceil(emBits / 8);
  if (!Number.isSafeInteger(saltLength) || saltLength < 0) return false;
  if (em.length !== emLength || emLength < hLen + saltLength + 2) return false;
  if (em[emLength - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLength - hLen - 1);
  const h = em.subarray(emLength - hLen - 1, emLength - 1);
  const topBitsMask = 0xff >> (8 * emLength - emBits);
  if ((maskedDb[0]! & ~topBitsMask) !== 0) return false;
  const db = mgf1(hash, h, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= topBitsMask;
  const separator = db.length - saltLength - 1;
  let bad = db[separator]! ^ 0x01;
  for (let i = 0; i < separator; i++) bad |= db[i]!;
  if (bad !== 0) return false;
  const salt = db.subarray(separator + 1);
  return equalBytes(h, pssHash(hash, hashMessage(hash, message), salt));
}

export function rsaSignPss(
  key: RsaPrivateKey,
  hash: HashName,
  saltLength: number,
  message: Uint8Array,
  random: (n: number) => Uint8Array,
): Uint8Array {
  checkSigningKey(key);
  if (!Number.isSafeInteger(saltLength) || saltLength < 0) {
    throw localError('bad_input', `RSA-PSS: invalid salt length ${saltLength}`);
  }
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  const salt = saltLength === 0 ? new Uint8Array(0) : random(saltLength);
  if (salt.length !== saltLength)
    throw localError('bad_random', 'RSA-PSS: the random source gave a short salt');
  const em = emsaPssEncode(hash, message, modBits - 1, salt);
  return bigIntToBytes(rsaPrivateOperation(key, bytesToBigInt(em), random), k);
}

export function rsaVerifyPss(
  key: RsaPublicKey,
  hash: HashName,
  saltLength: number,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (rsaPublicKeyProblem(key) !== undefined) return false;
  const m = rsaPublicOperation(key, signature);
  if (m === undefined) return false;
  const emBits = bitLength(key.n) - 1;
  const emLength = Math.ceil(emBits / 8);
  // EM = I2OSP(m, emLen): when emLen = k − 1 the leading byte of m's k-byte form must be zero.
  const full = bigIntToBytes(m, signature.length);
  if (full.length > emLength && full[0] !== 0) return false;
  return emsaPssVerify(hash, message, full.subarray(full.length - emLength), emBits, saltLength);
}
