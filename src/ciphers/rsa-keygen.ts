// RSA key generation (RFC 8017 §3.1–3.2; FIPS 186-5 §A.1.3 and Table B.1): probable primes found by a
// small-prime sieve and Miller–Rabin, e = 65537, |p − q| > 2^(nlen/2 − 100), d = e^-1 mod lcm(p−1, q−1).

import { localError } from '../errors.js';
import type { RsaPrivateKey } from './rsa.js';
import { bitLength, bytesToBigInt, modInverse, modPow } from './rsa.js';

const PUBLIC_EXPONENT = 65537n;

/** Odd primes below 2^14 (1899 of them), for sieving candidates with Number arithmetic. */
const SMALL_PRIMES: readonly number[] = (() => {
  const limit = 1 << 14;
  const composite = new Uint8Array(limit);
  const primes: number[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  return primes;
})();

/**
 * Miller–Rabin rounds for a prime of `bits` bits. FIPS 186-5 Table B.1 asks for 5 (1024-bit primes),
 * 4 (1536) and 4 (2048) when candidates are random; we search incrementally from a random start,
 * so we run well past that: 64 rounds, OpenSSL's count for primes up to 2048 bits.
 */
export function millerRabinRounds(_bits: number): number {
  return 64;
}

/** A uniformly random integer in [2, n − 2]. */
function randomBase(n: bigint, random: (n: number) => Uint8Array): bigint {
  const bytes = Math.ceil(bitLength(n) / 8) + 8;
  return (bytesToBigInt(random(bytes)) % (n - 3n)) + 2n;
}

/** Miller–Rabin probable-prime test (FIPS 186-5 §B.3.1) with random bases. n must be odd and > 3. */
export function isProbablePrime(n: bigint, rounds: number, random: (n: number) => Uint8Array): boolean {
  const nMinusOne = n - 1n;
  let d = nMinusOne;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  witness: for (let round = 0; round < rounds; round++) {
    let x = modPow(randomBase(n, random), d, n);
    if (x === 1n || x === nMinusOne) continue;
    for (let i = 1; i < s; i++) {
      x = (x * x) % n;
      if (x === nMinusOne) continue witness;
      if (x === 1n) return false;
    }
    return false;
  }
  return true;
}

/**
 * A probable prime of exactly `bits` bits whose two top bits are set (so p·q has 2·bits bits) and
 * with gcd(p − 1, e) = 1. Candidates step by 2 from a random odd start; a table of residues modulo
 * the small primes rules most of them out without BigInt arithmetic.
 */
function generatePrime(bits: number, random: (n: number) => Uint8Array): bigint {
  const bytes = bits / 8;
  const rounds = millerRabinRounds(bits);
  for (;;) {
    const seed = random(bytes);
    if (seed.length !== bytes)
      throw localError('bad_random', 'RSA keygen: the random source gave short output');
    seed[0]! |= 0xc0;
    seed[bytes - 1]! |= 0x01;
    const start = bytesToBigInt(seed);
    const residues = SMALL_PRIMES.map((prime) => Number(start % BigInt(prime)));
    const residueModE = Number(start % PUBLIC_EXPONENT);
    // Stay within 2^20 of the start (a prime gap that long is vanishingly rare), then reseed.
    for (let delta = 0; delta < 1 << 20; delta += 2) {
      if ((residueModE + delta) % 65537 === 1) continue; // e | p − 1
      let divisible = false;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i]! + delta) % SMALL_PRIMES[i]! === 0) {
          divisible = true;
          break;
        }
      }
      if (divisible) continue;
      const candidate = start + BigInt(delta);
      if (bitLength(candidate) !== bits) break;
      if (isProbablePrime(candidate, rounds, random)) return candidate;
    }
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * A fresh RSA private key of `bits` bits with e = 65537 and its CRT parameters (RFC 8017 §3.2,
 * second representation). `random` must be a cryptographically secure source.
 */
export function generateRsaKey(bits: 2048 | 3072 | 4096, random: (n: number) => Uint8Array): RsaPrivateKey {
  if (bits !== 2048 && bits !== 3072 && bits !== 4096) {
    throw localError('bad_config', `RSA key size must be 2048, 3072 or 4096 bits, not ${bits}`);
  }
  const half = bits / 2;
  const minDistance = 1n << BigInt(half - 100);
  for (;;) {
    const p0 = generatePrime(half, random);
    let q0 = generatePrime(half, random);
    while ((p0 > q0 ? p0 - q0 : q0 - p0) <= minDistance) q0 = generatePrime(half, random);
    const [p, q] = p0 > q0 ? [p0, q0] : [q0, p0];
    const n = p * q;
    if (bitLength(n) !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(PUBLIC_EXPONENT, lambda);
    // FIPS 186-5 §A.1.1: d > 2^(nlen/2); failure is astronomically unlikely but cheap to check.
    if (d === undefined || d <= 1n << BigInt(half)) continue;
    const qi = modInverse(q, p);
    if (qi === undefined) continue;
    return { type: 'rsa', n, e: PUBLIC_EXPONENT, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qi, bits };
  }
}
