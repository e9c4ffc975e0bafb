import {
  constants,
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publicKeyOf } from '../../src/ciphers/keys.js';
import { bitLength, modPow } from '../../src/ciphers/rsa.js';
import { generateRsaKey, isProbablePrime } from '../../src/ciphers/rsa-keygen.js';
import { signMessage, verifySignature } from '../../src/ciphers/signatures.js';
import { utf8 } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { deterministicRandom } from './signature-vectors.js';

const base64url = (x: bigint): string => {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
};

function isPrimeByTrialDivision(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

describe('Miller–Rabin', () => {
  const random = deterministicRandom('miller-rabin');

  it('agrees with trial division on odd numbers up to 2^24', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1 << 23 }), (half) => {
        const n = 2 * half + 1;
        expect(isProbablePrime(BigInt(n), 20, random)).toBe(isPrimeByTrialDivision(n));
      }),
      { numRuns: 500 },
    );
  });

  it('knows Mersenne primes from their composite neighbours, and Carmichael / strong pseudoprimes', () => {
    expect(isProbablePrime(2n ** 127n - 1n, 64, random)).toBe(true);
    expect(isProbablePrime(2n ** 521n - 1n, 64, random)).toBe(true);
    expect(isProbablePrime(2n ** 523n - 1n, 64, random)).toBe(false);
    // Carmichael numbers, and 3215031751 (a strong pseudoprime to bases 2, 3, 5 and 7).
    for (const n of [561n, 41041n, 825265n, 321197185n, 3215031751n]) {
      expect(isProbablePrime(n, 64, random), String(n)).toBe(false);
    }
  });
});

describe('generateRsaKey', () => {
  it('makes a consistent 2048-bit key that node:crypto accepts both ways', () => {
    const key = generateRsaKey(2048, deterministicRandom('keygen-2048'));
    const { n, e, d, p, q, dp, dq, qi } = key;
    expect(key.bits).toBe(2048);
    expect(bitLength(n)).toBe(2048);
    expect(e).toBe(65537n);
    expect(p * q).toBe(n);
    expect(bitLength(p)).toBe(1024);
    expect(bitLength(q)).toBe(1024);
    expect((p > q ? p - q : q - p) > 2n ** 924n).toBe(true);
    expect(dp).toBe(d % (p - 1n));
    expect(dq).toBe(d % (q - 1n));
    expect((qi * q) % p).toBe(1n);
    expect(d > 2n ** 1024n).toBe(true);
    const m = 0x1234567890abcdefn;
    expect(modPow(modPow(m, e, n), d, n)).toBe(m);

    const message = utf8.encode('generated key');
    const random = deterministicRandom('keygen-sign');
    const nodePublic = createPublicKey({
      key: { kty: 'RSA', n: base64url(n), e: base64url(e) },
      format: 'jwk',
    });
    const pkcs1 = signMessage({ kind: 'rsa-pkcs1', hash: 'sha256' }, key, message, random);
    expect(nodeVerify('sha256', message, nodePublic, pkcs1)).toBe(true);
    const pss = signMessage({ kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, key, message, random);
    const pssOptions = { key: nodePublic, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(nodeVerify('sha256', message, pssOptions, pss)).toBe(true);

    // And the other way: OpenSSL signs with our private key, we verify.
    const jwk = { kty: 'RSA', n, e, d, p, q, dp, dq, qi };
    const nodePrivate = createPrivateKey({
      key: Object.fromEntries(
        Object.entries(jwk).map(([k, v]) => [k, typeof v === 'bigint' ? base64url(v) : v]),
      ),
      format: 'jwk',
    });
    const theirs = nodeSign('sha384', message, nodePrivate);
    expect(verifySignature({ kind: 'rsa-pkcs1', hash: 'sha384' }, publicKeyOf(key), message, theirs)).toBe(
      true,
    );
  });

  it('is reproducible from the random source', () => {
    const a = generateRsaKey(2048, deterministicRandom('same'));
    const b = generateRsaKey(2048, deterministicRandom('same'));
    expect(a.n).toBe(b.n);
  });

  it('refuses other sizes', () => {
    expect(() => generateRsaKey(1024 as 2048, deterministicRandom('x'))).toThrow(TlsError);
  });
});
