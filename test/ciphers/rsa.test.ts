import {
  constants,
  createPrivateKey,
  createPublicKey,
  generatePrimeSync,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { publicKeyOf } from '../../src/ciphers/keys.js';
import {
  bigIntToBytes,
  bitLength,
  bytesToBigInt,
  emsaPkcs1v15Encode,
  emsaPssEncode,
  emsaPssVerify,
  mgf1,
  modInverse,
  modPow,
  type RsaPrivateKey,
  rsaPrivateOperation,
  rsaSignPkcs1,
  rsaSignPss,
  rsaVerifyPkcs1,
  rsaVerifyPss,
} from '../../src/ciphers/rsa.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { deterministicRandom, loadRsa } from './signature-vectors.js';

const random = deterministicRandom('rsa.test');
const rsa2048 = loadRsa(2048);

function naiveModPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result % modulus;
}

const bigNat = (maxBytes: number) => fc.uint8Array({ minLength: 1, maxLength: maxBytes }).map(bytesToBigInt);

describe('integer helpers', () => {
  it('modPow equals square-and-multiply for any base, exponent and odd or even modulus', () => {
    fc.assert(
      fc.property(bigNat(80), bigNat(300), bigNat(80), (base, exponent, modulus) => {
        if (modulus === 0n) return;
        expect(modPow(base, exponent, modulus)).toBe(naiveModPow(base, exponent, modulus));
      }),
      { numRuns: 60 },
    );
    expect(modPow(5n, 0n, 7n)).toBe(1n);
    expect(modPow(5n, 3n, 1n)).toBe(0n);
  });

  it('modInverse gives a·a⁻¹ ≡ 1, or undefined when not coprime', () => {
    fc.assert(
      fc.property(bigNat(64), bigNat(64), (a, m) => {
        if (m < 2n) return;
        const inverse = modInverse(a, m);
        if (inverse === undefined) {
          let [x, y] = [a, m];
          while (y !== 0n) [x, y] = [y, x % y];
          expect(x).not.toBe(1n);
        } else {
          expect((a * inverse) % m).toBe(1n);
          expect(inverse >= 0n && inverse < m).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('I2OSP and OS2IP round-trip; I2OSP refuses integers that do not fit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(toHex(bigIntToBytes(bytesToBigInt(bytes), bytes.length))).toBe(toHex(bytes));
      }),
      { numRuns: 100 },
    );
    expect(() => bigIntToBytes(256n, 1)).toThrow(RangeError);
    expect(toHex(bigIntToBytes(0n, 3))).toBe('000000');
  });
});

describe('EMSA encodings (RFC 8017 §9)', () => {
  it('EMSA-PKCS1-v1_5 is 00 01 FF… 00 ‖ DigestInfo ‖ H with the RFC 8017 §9.2 note 1 prefixes', () => {
    const message = utf8.encode('abc');
    const prefixes = {
      sha256: '3031300d060960864801650304020105000420',
      sha384: '3041300d060960864801650304020205000430',
      sha512: '3051300d060960864801650304020305000440',
    } as const;
    const digests = {
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      sha384:
        'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
      sha512:
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    } as const;
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      const em = emsaPkcs1v15Encode(hash, message, 256);
      const t = prefixes[hash] + digests[hash];
      expect(toHex(em)).toBe(`0001${'ff'.repeat(256 - 3 - t.length / 2)}00${t}`);
    }
    expect(() => emsaPkcs1v15Encode('sha512', message, 93)).toThrow(RangeError);
  });

  it('MGF1 output is the concatenation of H(seed ‖ counter) truncated to the length asked', () => {
    const seed = utf8.encode('seed');
    const long = mgf1('sha256', seed, 100);
    expect(long.length).toBe(100);
    expect(toHex(mgf1('sha256', seed, 33))).toBe(toHex(long.subarray(0, 33)));
    expect(toHex(mgf1('sha256', seed, 0))).toBe('');
  });

  it('EMSA-PSS encode/verify round-trip for every emBits mod 8 and salt length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1023, max: 1030 }),
        fc.constantFrom('sha256' as const, 'sha384' as const),
        fc.integer({ min: 0, max: 48 }),
        fc.uint8Array({ maxLength: 50 }),
        (emBits, hash, saltLength, message) => {
          const em = emsaPssEncode(hash, message, emBits, random(saltLength));
          expect(em.length).toBe(Math.ceil(emBits / 8));
          expect(bitLength(bytesToBigInt(em)) <= emBits).toBe(true);
          expect(emsaPssVerify(hash, message, em, emBits, saltLength)).toBe(true);
          expect(emsaPssVerify(hash, message, em, emBits, saltLength + 1)).toBe(false);
          expect(emsaPssVerify(hash, concatBytes(message, Uint8Array.of(0)), em, emBits, saltLength)).toBe(
            false,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('RSASP1 with CRT, blinding and the fault check', () => {
  const { key } = rsa2048;

  it('equals the textbook m^d mod n, whatever the blinding value', () => {
    const m = bytesToBigInt(random(200));
    const expected = modPow(m, key.d, key.n);
    for (const label of ['a', 'b', 'c']) {
      expect(rsaPrivateOperation(key, m, deterministicRandom(label))).toBe(expected);
    }
  });

  it('refuses a key with a faulty CRT exponent instead of returning a bad signature', () => {
    const faulty = { ...key, dp: key.dp ^ 2n };
    let error: unknown;
    try {
      rsaSignPkcs1(faulty, 'sha256', utf8.encode('fault'), random);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe('rsa_fault');
  });

  it('refuses a random source that only returns zeros (no usable blinding value)', () => {
    expect(() => rsaSignPkcs1(key, 'sha256', utf8.encode('x'), (n) => new Uint8Array(n))).toThrow(TlsError);
  });

  it('refuses a message representative not below n', () => {
    expect(() => rsaPrivateOperation(key, key.n, random)).toThrow(TlsError);
  });
});

/** An RSA key of exactly `bits` bits from node:crypto primes (OpenSSL's keygen rounds odd sizes down). */
function oddSizedKey(bits: number): { key: RsaPrivateKey; privateKey: KeyObject; publicKey: KeyObject } {
  for (;;) {
    const p = bytesToBigInt(new Uint8Array(generatePrimeSync(Math.ceil(bits / 2))));
    const q = bytesToBigInt(new Uint8Array(generatePrimeSync(Math.floor(bits / 2))));
    const n = p * q;
    const e = 65537n;
    const d = modInverse(e, (p - 1n) * (q - 1n));
    if (bitLength(n) !== bits || d === undefined || p === q) continue;
    const key: RsaPrivateKey = {
      type: 'rsa',
      n,
      e,
      d,
      p,
      q,
      dp: d % (p - 1n),
      dq: d % (q - 1n),
      qi: modInverse(q, p)!,
      bits,
    };
    const jwk: Record<string, string> = { kty: 'RSA' };
    for (const name of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
      const hex = key[name].toString(16);
      jwk[name] = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
    }
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    return { key, privateKey, publicKey: createPublicKey(privateKey) };
  }
}

describe('odd modulus sizes (emLen = k − 1 for PSS) against node:crypto', () => {
  // A 2049-bit modulus makes emBits = 2048, so EM is one byte shorter than the signature.
  for (const modulusLength of [2049, 2052]) {
    it(`RSA-${modulusLength}: PKCS#1 v1.5 and PSS both ways`, () => {
      const { key, privateKey, publicKey } = oddSizedKey(modulusLength);
      expect(bitLength(key.n)).toBe(modulusLength);
      const pub = publicKeyOf(key) as Extract<ReturnType<typeof publicKeyOf>, { type: 'rsa' }>;
      const message = utf8.encode(`odd ${modulusLength}`);
      const pss = { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };

      const ourPss = rsaSignPss(key, 'sha256', 32, message, random);
      expect(nodeVerify('sha256', message, pss, ourPss)).toBe(true);
      const theirPss = nodeSign('sha256', message, { ...pss, key: privateKey });
      expect(rsaVerifyPss(pub, 'sha256', 32, message, new Uint8Array(theirPss))).toBe(true);

      const ourPkcs1 = rsaSignPkcs1(key, 'sha256', message, random);
      expect(toHex(ourPkcs1)).toBe(nodeSign('sha256', message, privateKey).toString('hex'));
      expect(rsaVerifyPkcs1(pub, 'sha256', message, ourPkcs1)).toBe(true);
    });
  }
});

describe('key size policy', () => {
  it('signs from 2048 bits and refuses 1024; verifies from 1024 up to 8192 bits', () => {
    const small = loadRsa(1024);
    expect(() => rsaSignPss(small.key, 'sha256', 32, new Uint8Array(0), random)).toThrow(/at least 2048/);
    const sig = fromHex(small.file.signatures[0]!.signature);
    expect(rsaVerifyPkcs1(publicKeyOf(small.key) as never, 'sha256', new Uint8Array(0), sig)).toBe(true);
  });

  it('refuses to sign with an invalid PSS salt length', () => {
    expect(() => rsaSignPss(rsa2048.key, 'sha256', -1, new Uint8Array(0), random)).toThrow(TlsError);
    expect(() => rsaSignPss(rsa2048.key, 'sha256', 0.5, new Uint8Array(0), random)).toThrow(TlsError);
  });
});
