// RSA public exponents capped at odd 3 ≤ e < 2^32 for every modulus size (RFC 8017 §3.1 allows
// more; strict verifiers do not): both providers' verify, certificate keys and private keys.

import { beforeAll, describe, expect, it } from 'vitest';
import type { PrivateKey } from '../../src/ciphers/keys.js';
import {
  bigIntToBytes,
  bitLength,
  bytesToBigInt,
  emsaPkcs1v15Encode,
  modInverse,
  modPow,
} from '../../src/ciphers/rsa.js';
import type { SignatureAlgorithm } from '../../src/ciphers/schemes.js';
import { verifySignature } from '../../src/ciphers/signatures.js';
import { TlsError } from '../../src/errors.js';
import { nodeCryptoProvider } from '../../src/providers/node/provider.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { encodePrivateKeyPkcs8 } from '../../src/x509/key-encoding.js';
import { parsePrivateKey } from '../../src/x509/private-key.js';
import { type RawRsaKey, rawCertificate, rsaKeyWithExponent } from '../helpers/hostile-chain.js';

const PKCS1_SHA256: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash: 'sha256' };
const message = new TextEncoder().encode('exponent cap');

function sign(key: RawRsaKey): Uint8Array {
  const k = Math.ceil(bitLength(key.n) / 8);
  return bigIntToBytes(modPow(bytesToBigInt(emsaPkcs1v15Encode('sha256', message, k)), key.d, key.n), k);
}

const publicKey = (key: RawRsaKey) => ({ type: 'rsa' as const, n: key.n, e: key.e, bits: bitLength(key.n) });

let huge: RawRsaKey;
let above: RawRsaKey;
let largest: RawRsaKey;

beforeAll(() => {
  huge = rsaKeyWithExponent(2048, 'huge');
  above = rsaKeyWithExponent(2048, (1n << 32n) + 15n);
  largest = rsaKeyWithExponent(2048, 'max32');
});

describe.each([
  ['pure provider', verifySignature],
  ['nodeCryptoProvider', nodeCryptoProvider.verify],
])('%s verify', (_name, verify) => {
  it('refuses a valid signature under a 2048-bit key with an e about as long as n', () => {
    expect(bitLength(huge.e)).toBeGreaterThan(2000);
    expect(verify(PKCS1_SHA256, publicKey(huge), message, sign(huge))).toBe(false);
  });

  it('refuses e = 2^32 + 15 and accepts the largest prime below 2^32', () => {
    expect(verify(PKCS1_SHA256, publicKey(above), message, sign(above))).toBe(false);
    expect(verify(PKCS1_SHA256, publicKey(largest), message, sign(largest))).toBe(true);
  });
});

describe('parsing RSA keys with e ≥ 2^32', () => {
  it('refuses a certificate whose key has one, as a decode error', () => {
    const der = rawCertificate({
      subject: 'big e',
      issuer: 'big e',
      subjectKey: huge,
      signer: huge,
      ca: true,
    });
    let error: unknown;
    try {
      parseCertificate(der, { source: 'peer' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).message).toMatch(/public exponent of \d+ bits \(must be below 2\^32\)/);
    const fine = rawCertificate({
      subject: 'ok e',
      issuer: 'ok e',
      subjectKey: largest,
      signer: largest,
      ca: true,
    });
    expect(parseCertificate(fine).publicKey).toMatchObject({ type: 'rsa', e: largest.e });
  });

  it('refuses a private key with one (a local unsupported_key error)', () => {
    const { n, e, d, p, q } = huge;
    const key: PrivateKey = {
      type: 'rsa',
      n,
      e,
      d,
      p: p > q ? p : q,
      q: p > q ? q : p,
      dp: d % ((p > q ? p : q) - 1n),
      dq: d % ((p > q ? q : p) - 1n),
      qi: modInverse(p > q ? q : p, p > q ? p : q)!,
      bits: bitLength(n),
    };
    expect(() => parsePrivateKey(encodePrivateKeyPkcs8(key))).toThrow(/public exponent has \d+ bits/);
  });
});
