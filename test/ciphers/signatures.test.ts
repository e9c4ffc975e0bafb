import { constants, createPrivateKey, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrivateKey, PublicKey } from '../../src/ciphers/keys.js';
import { publicKeyOf } from '../../src/ciphers/keys.js';
import type { SignatureAlgorithm } from '../../src/ciphers/schemes.js';
import {
  ecPrivateToPublic,
  ed25519PublicFromSeed,
  keysMatch,
  signMessage,
  verifySignature,
} from '../../src/ciphers/signatures.js';
import type { HashName } from '../../src/ciphers/suites.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { deterministicRandom, loadEcdsa, loadEd25519, loadRsa } from './signature-vectors.js';

const rsa1024 = loadRsa(1024);
const rsa2048 = loadRsa(2048);
const rsa4096 = loadRsa(4096);
const ecP256 = loadEcdsa('p256');
const ecP384 = loadEcdsa('p384');
const ed = loadEd25519();
const random = deterministicRandom('signatures.test');

const HASHES: HashName[] = ['sha256', 'sha384', 'sha512'];
const SALT: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

function rsaAlgorithm(padding: 'pkcs1' | 'pss', hash: HashName, saltLength?: number): SignatureAlgorithm {
  return padding === 'pkcs1'
    ? { kind: 'rsa-pkcs1', hash }
    : { kind: 'rsa-pss', hash, saltLength: saltLength ?? SALT[hash] };
}

function flipBit(bytes: Uint8Array, index: number, bit: number): Uint8Array {
  const out = bytes.slice();
  out[index % out.length]! ^= 1 << bit;
  return out;
}

describe('RSA signatures against OpenSSL', () => {
  for (const { file, key } of [rsa1024, rsa2048, rsa4096]) {
    const pub = publicKeyOf(key);
    describe(`RSA-${key.bits}`, () => {
      it('accepts every OpenSSL PKCS#1 v1.5 and PSS signature', () => {
        for (const v of file.signatures) {
          const algorithm = rsaAlgorithm(v.padding, v.hash, v.saltLength);
          expect(verifySignature(algorithm, pub, fromHex(v.message), fromHex(v.signature)), v.command).toBe(
            true,
          );
        }
      });

      it('refuses each OpenSSL signature under another hash or padding', () => {
        for (const v of file.signatures) {
          const otherHash = v.hash === 'sha256' ? 'sha384' : 'sha256';
          const otherPadding = v.padding === 'pss' ? 'pkcs1' : 'pss';
          const msg = fromHex(v.message);
          const sig = fromHex(v.signature);
          expect(verifySignature(rsaAlgorithm(v.padding, otherHash, v.saltLength), pub, msg, sig)).toBe(
            false,
          );
          expect(verifySignature(rsaAlgorithm(otherPadding, v.hash), pub, msg, sig)).toBe(false);
        }
      });

      if (key.bits >= 2048) {
        it('makes PKCS#1 v1.5 signatures equal to OpenSSL byte for byte', () => {
          for (const v of file.signatures.filter((s) => s.padding === 'pkcs1')) {
            const ours = signMessage(rsaAlgorithm('pkcs1', v.hash), key, fromHex(v.message), random);
            expect(toHex(ours), v.command).toBe(v.signature);
          }
        });

        it('makes PSS signatures that OpenSSL (node:crypto) verifies', () => {
          const nodeKey = createPublicKey(file.key.pem);
          for (const hash of HASHES) {
            const message = utf8.encode(`memtls pss ${hash}`);
            const ours = signMessage(rsaAlgorithm('pss', hash), key, message, random);
            expect(ours.length).toBe(key.bits / 8);
            const options = {
              key: nodeKey,
              padding: constants.RSA_PKCS1_PSS_PADDING,
              saltLength: SALT[hash],
            };
            expect(nodeVerify(hash, message, options, ours)).toBe(true);
            expect(verifySignature(rsaAlgorithm('pss', hash), pub, message, ours)).toBe(true);
          }
        });
      } else {
        it('refuses to sign with a key under 2048 bits', () => {
          const attempt = () =>
            signMessage({ kind: 'rsa-pkcs1', hash: 'sha256' }, key, new Uint8Array(1), random);
          expect(attempt).toThrow(TlsError);
          expect(attempt).toThrow(/at least 2048 bits/);
        });
      }
    });
  }

  it('PSS salt length is the one the algorithm names (explicit X.509 parameters)', () => {
    const pub = publicKeyOf(rsa2048.key);
    const salt20 = rsa2048.file.signatures.find((s) => s.padding === 'pss' && s.saltLength === 20)!;
    const msg = fromHex(salt20.message);
    const sig = fromHex(salt20.signature);
    expect(verifySignature({ kind: 'rsa-pss', hash: 'sha256', saltLength: 20 }, pub, msg, sig)).toBe(true);
    for (const saltLength of [0, 19, 21, 32, -1, 1.5, 10_000]) {
      expect(verifySignature({ kind: 'rsa-pss', hash: 'sha256', saltLength }, pub, msg, sig)).toBe(false);
    }
  });

  it('any flipped bit in an RSA signature or its message is refused', () => {
    const pub = publicKeyOf(rsa2048.key);
    const vectors = rsa2048.file.signatures.filter((v) => v.message.length > 0);
    fc.assert(
      fc.property(
        fc.nat(vectors.length - 1),
        fc.nat(),
        fc.nat(7),
        fc.boolean(),
        (which, index, bit, inMessage) => {
          const v = vectors[which]!;
          const algorithm = rsaAlgorithm(v.padding, v.hash, v.saltLength);
          let msg = fromHex(v.message);
          let sig = fromHex(v.signature);
          if (inMessage) msg = flipBit(msg, index, bit);
          else sig = flipBit(sig, index, bit);
          expect(verifySignature(algorithm, pub, msg, sig)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses signatures of the wrong length or not below n', () => {
    const pub = publicKeyOf(rsa2048.key);
    const v = rsa2048.file.signatures[0]!;
    const algorithm = rsaAlgorithm(v.padding, v.hash);
    const msg = fromHex(v.message);
    const sig = fromHex(v.signature);
    expect(verifySignature(algorithm, pub, msg, sig)).toBe(true);
    expect(verifySignature(algorithm, pub, msg, new Uint8Array(0))).toBe(false);
    expect(verifySignature(algorithm, pub, msg, concatBytes(new Uint8Array(1), sig))).toBe(false);
    expect(verifySignature(algorithm, pub, msg, sig.subarray(1))).toBe(false);
    expect(verifySignature(algorithm, pub, msg, fromHex(rsa2048.file.key.n))).toBe(false);
    expect(verifySignature(algorithm, pub, msg, new Uint8Array(256).fill(0xff))).toBe(false);
  });
});

describe('ECDSA against OpenSSL', () => {
  for (const { file, key } of [ecP256, ecP384]) {
    const curve = key.curve === 'P-256' ? p256 : p384;
    const pub = publicKeyOf(key);
    describe(key.curve, () => {
      it('accepts every OpenSSL signature, including high-S ones', () => {
        let highS = 0;
        for (const v of file.signatures) {
          const sig = fromHex(v.signature);
          if (curve.Signature.fromBytes(sig, 'der').hasHighS()) highS++;
          expect(
            verifySignature({ kind: 'ecdsa', hash: v.hash }, pub, fromHex(v.message), sig),
            v.command,
          ).toBe(true);
        }
        expect(highS).toBeGreaterThan(0);
      });

      it('accepts the low-S twin of a high-S signature too', () => {
        const v = file.signatures.find((s) =>
          curve.Signature.fromBytes(fromHex(s.signature), 'der').hasHighS(),
        )!;
        const parsed = curve.Signature.fromBytes(fromHex(v.signature), 'der');
        const twin = new curve.Signature(parsed.r, curve.Point.Fn.neg(parsed.s)).toBytes('der');
        expect(verifySignature({ kind: 'ecdsa', hash: v.hash }, pub, fromHex(v.message), twin)).toBe(true);
      });

      it('makes DER signatures that OpenSSL (node:crypto) verifies, with every hash', () => {
        const nodeKey = createPublicKey(file.key.pem);
        for (const hash of HASHES) {
          const message = utf8.encode(`memtls ecdsa ${hash}`);
          const ours = signMessage({ kind: 'ecdsa', hash }, key, message, random);
          expect(nodeVerify(hash, message, { key: nodeKey, dsaEncoding: 'der' }, ours)).toBe(true);
          expect(verifySignature({ kind: 'ecdsa', hash }, pub, message, ours)).toBe(true);
        }
      });

      it('derives the same public point as OpenSSL from d', () => {
        expect(toHex(ecPrivateToPublic(key.curve, key.d))).toBe(file.key.point);
        expect(toHex(ecPrivateToPublic(key.curve, concatBytes(new Uint8Array(1), key.d)))).toBe(
          file.key.point,
        );
      });

      it('refuses non-canonical DER, trailing bytes and flipped bits', () => {
        const v = file.signatures[1]!;
        const msg = fromHex(v.message);
        const sig = fromHex(v.signature);
        const algorithm: SignatureAlgorithm = { kind: 'ecdsa', hash: v.hash };
        expect(verifySignature(algorithm, pub, msg, concatBytes(sig, Uint8Array.of(0)))).toBe(false);
        // Same (r, s) with a long-form SEQUENCE length: BER, not DER.
        const longForm = concatBytes(Uint8Array.of(0x30, 0x81, sig[1]!), sig.subarray(2));
        expect(verifySignature(algorithm, pub, msg, longForm)).toBe(false);
        // r with a superfluous leading zero byte.
        const rLength = sig[3]!;
        const paddedR = concatBytes(
          Uint8Array.of(0x30, sig[1]! + 1, 0x02, rLength + 1, 0x00),
          sig.subarray(4),
        );
        expect(verifySignature(algorithm, pub, msg, paddedR)).toBe(false);
        fc.assert(
          fc.property(fc.nat(), fc.nat(7), fc.boolean(), (index, bit, inMessage) => {
            const m = inMessage ? flipBit(msg, index, bit) : msg;
            const s = inMessage ? sig : flipBit(sig, index, bit);
            expect(verifySignature(algorithm, pub, m, s)).toBe(false);
          }),
          { numRuns: 60 },
        );
      });
    });
  }

  it('P-256 signatures with SHA-384 and P-384 with SHA-256 (the hash is not tied to the curve)', () => {
    const message = utf8.encode('cross');
    const a = signMessage({ kind: 'ecdsa', hash: 'sha384' }, ecP256.key, message, random);
    const b = signMessage({ kind: 'ecdsa', hash: 'sha256' }, ecP384.key, message, random);
    expect(
      nodeVerify('sha384', message, { key: createPublicKey(ecP256.file.key.pem), dsaEncoding: 'der' }, a),
    ).toBe(true);
    expect(
      nodeVerify('sha256', message, { key: createPublicKey(ecP384.file.key.pem), dsaEncoding: 'der' }, b),
    ).toBe(true);
  });

  it('uses the random source as extra entropy (different random, different signature)', () => {
    const message = utf8.encode('hedged');
    const algorithm: SignatureAlgorithm = { kind: 'ecdsa', hash: 'sha256' };
    const fixed = () => () => new Uint8Array(32).fill(7);
    const one = signMessage(algorithm, ecP256.key, message, fixed());
    const two = signMessage(algorithm, ecP256.key, message, fixed());
    const three = signMessage(algorithm, ecP256.key, message, () => new Uint8Array(32).fill(8));
    expect(toHex(one)).toBe(toHex(two));
    expect(toHex(one)).not.toBe(toHex(three));
  });
});

describe('Ed25519 against OpenSSL and RFC 8032', () => {
  const pub = publicKeyOf(ed.key);

  it('makes the same signatures as OpenSSL and accepts them', () => {
    for (const v of ed.file.signatures) {
      const msg = fromHex(v.message);
      expect(toHex(signMessage({ kind: 'ed25519' }, ed.key, msg, random)), v.command).toBe(v.signature);
      expect(verifySignature({ kind: 'ed25519' }, pub, msg, fromHex(v.signature))).toBe(true);
    }
    expect(toHex(ed25519PublicFromSeed(ed.key.seed))).toBe(ed.file.key.key);
  });

  it('RFC 8032 §7.1 TEST 1 (empty message)', () => {
    const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const key = ed25519PublicFromSeed(seed);
    expect(toHex(key)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const expected =
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
    const sig = signMessage({ kind: 'ed25519' }, { type: 'ed25519', seed, key }, new Uint8Array(0), random);
    expect(toHex(sig)).toBe(expected);
    expect(verifySignature({ kind: 'ed25519' }, { type: 'ed25519', key }, new Uint8Array(0), sig)).toBe(true);
  });

  it('any flipped bit in the signature or message is refused; so is s + L (non-canonical)', () => {
    const v = ed.file.signatures[0]!;
    const msg = fromHex(v.message);
    const sig = fromHex(v.signature);
    fc.assert(
      fc.property(fc.nat(), fc.nat(7), fc.boolean(), (index, bit, inMessage) => {
        const m = inMessage ? flipBit(msg, index, bit) : msg;
        const s = inMessage ? sig : flipBit(sig, index, bit);
        expect(verifySignature({ kind: 'ed25519' }, pub, m, s)).toBe(false);
      }),
      { numRuns: 100 },
    );
    // S + L encodes the same scalar; RFC 8032 §5.1.7 requires S < L.
    const order = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
    let sPlusL = s + order;
    const tampered = sig.slice();
    for (let i = 32; i < 64; i++) {
      tampered[i] = Number(sPlusL & 0xffn);
      sPlusL >>= 8n;
    }
    expect(verifySignature({ kind: 'ed25519' }, pub, msg, tampered)).toBe(false);
  });
});

describe('key types and malformed input', () => {
  const privateKeys: PrivateKey[] = [rsa2048.key, ecP256.key, ecP384.key, ed.key];
  const algorithms: SignatureAlgorithm[] = [
    { kind: 'rsa-pkcs1', hash: 'sha256' },
    { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 },
    { kind: 'ecdsa', hash: 'sha256' },
    { kind: 'ed25519' },
  ];
  const keyTypeOf = (a: SignatureAlgorithm) =>
    a.kind === 'ecdsa' ? 'ec' : a.kind === 'ed25519' ? 'ed25519' : 'rsa';

  it('a key of the wrong type: signMessage throws key_mismatch, verifySignature is false', () => {
    const message = utf8.encode('mismatch');
    for (const algorithm of algorithms) {
      for (const key of privateKeys) {
        if (key.type === keyTypeOf(algorithm)) {
          const sig = signMessage(algorithm, key, message, random);
          expect(verifySignature(algorithm, publicKeyOf(key), message, sig)).toBe(true);
          continue;
        }
        let error: unknown;
        try {
          signMessage(algorithm, key, message, random);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TlsError);
        expect((error as TlsError).code).toBe('key_mismatch');
        expect((error as TlsError).kind).toBe('local');
        const sig = signMessage(algorithms.find((a) => keyTypeOf(a) === key.type)!, key, message, random);
        expect(verifySignature(algorithm, publicKeyOf(key), message, sig)).toBe(false);
      }
    }
  });

  it('random bytes as a signature are refused, never thrown, for every algorithm and key', () => {
    const pairs: [SignatureAlgorithm, PublicKey][] = [
      [{ kind: 'rsa-pkcs1', hash: 'sha256' }, publicKeyOf(rsa2048.key)],
      [{ kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, publicKeyOf(rsa2048.key)],
      [{ kind: 'rsa-pss', hash: 'sha512', saltLength: 64 }, publicKeyOf(rsa1024.key)],
      [{ kind: 'ecdsa', hash: 'sha256' }, publicKeyOf(ecP256.key)],
      [{ kind: 'ecdsa', hash: 'sha384' }, publicKeyOf(ecP384.key)],
      [{ kind: 'ed25519' }, publicKeyOf(ed.key)],
    ];
    fc.assert(
      fc.property(
        fc.nat(pairs.length - 1),
        fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          fc.uint8Array({ minLength: 256, maxLength: 256 }),
          fc.uint8Array({ minLength: 64, maxLength: 64 }),
          // DER-shaped: SEQUENCE { INTEGER, INTEGER } with random bodies and lengths.
          fc
            .tuple(fc.uint8Array({ maxLength: 50 }), fc.uint8Array({ maxLength: 50 }), fc.nat(3))
            .map(([r, s, skew]) =>
              concatBytes(
                Uint8Array.of(0x30, r.length + s.length + 4 - skew, 0x02, r.length),
                r,
                Uint8Array.of(0x02, s.length + skew),
                s,
              ),
            ),
        ),
        fc.uint8Array({ maxLength: 40 }),
        (which, signature, message) => {
          const [algorithm, key] = pairs[which]!;
          expect(verifySignature(algorithm, key, message, signature)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('malformed public keys are refused, never thrown', () => {
    const message = utf8.encode('k');
    const rsaSig = fromHex(rsa2048.file.signatures[0]!.signature);
    const ecSig = fromHex(ecP256.file.signatures[0]!.signature);
    const edSig = fromHex(ed.file.signatures[0]!.signature);
    const pkcs1: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash: 'sha256' };
    const n = rsa2048.key.n;
    const rsaKeys: PublicKey[] = [
      { type: 'rsa', n: 0n, e: 65537n, bits: 0 },
      { type: 'rsa', n: n + 1n, e: 65537n, bits: 2048 }, // even
      { type: 'rsa', n, e: 65536n, bits: 2048 },
      { type: 'rsa', n, e: 1n, bits: 2048 },
      { type: 'rsa', n, e: n, bits: 2048 },
      { type: 'rsa', n: (n >> 1100n) | 1n, e: 65537n, bits: 948 }, // below 1024 bits
      { type: 'rsa', n: (n << 6200n) | 1n, e: 65537n, bits: 8248 }, // above 8192 bits
    ];
    for (const key of rsaKeys) expect(verifySignature(pkcs1, key, message, rsaSig)).toBe(false);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.constantFrom<'P-256' | 'P-384'>('P-256', 'P-384'),
        (point, curve) => {
          expect(
            verifySignature({ kind: 'ecdsa', hash: 'sha256' }, { type: 'ec', curve, point }, message, ecSig),
          ).toBe(false);
          expect(verifySignature({ kind: 'ed25519' }, { type: 'ed25519', key: point }, message, edSig)).toBe(
            false,
          );
        },
      ),
      { numRuns: 100 },
    );
    // A valid point on the wrong curve, and the compressed form (the key type says uncompressed).
    const p256Point = ecP256.key.point;
    const v = ecP256.file.signatures[0]!;
    const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: v.hash };
    expect(
      verifySignature(
        alg,
        { type: 'ec', curve: 'P-384', point: p256Point },
        fromHex(v.message),
        fromHex(v.signature),
      ),
    ).toBe(false);
    const compressed = p256.Point.fromBytes(p256Point).toBytes(true);
    expect(
      verifySignature(
        alg,
        { type: 'ec', curve: 'P-256', point: compressed },
        fromHex(v.message),
        fromHex(v.signature),
      ),
    ).toBe(false);
  });

  it('keysMatch pairs each private key with its own public key only', () => {
    const all: PrivateKey[] = [rsa1024.key, rsa2048.key, rsa4096.key, ecP256.key, ecP384.key, ed.key];
    for (const [i, a] of all.entries()) {
      for (const [j, b] of all.entries()) expect(keysMatch(a, publicKeyOf(b)), `${i}/${j}`).toBe(i === j);
    }
    // A private key whose stored public half is wrong still matches only the key its secret derives.
    const lying = { ...ecP256.key, point: ecP384.key.point };
    expect(keysMatch(lying, publicKeyOf(ecP256.key))).toBe(true);
    expect(keysMatch({ ...rsa2048.key, e: 3n }, publicKeyOf(rsa2048.key))).toBe(false);
    expect(keysMatch({ ...rsa2048.key, p: rsa2048.key.p + 2n }, publicKeyOf(rsa2048.key))).toBe(false);
    expect(keysMatch({ ...ed.key, seed: new Uint8Array(31) }, publicKeyOf(ed.key))).toBe(false);
  });

  it('bad private keys (d = 0, d ≥ n, short seeds) throw TlsError, not a library error', () => {
    expect(() => ecPrivateToPublic('P-256', new Uint8Array(32))).toThrow(TlsError);
    expect(() => ecPrivateToPublic('P-256', new Uint8Array(32).fill(0xff))).toThrow(TlsError);
    expect(() => ecPrivateToPublic('P-256', new Uint8Array(33).fill(1))).toThrow(TlsError);
    expect(() => ed25519PublicFromSeed(new Uint8Array(31))).toThrow(TlsError);
    const zeroKey: PrivateKey = { ...ecP256.key, d: new Uint8Array(32) };
    expect(() => signMessage({ kind: 'ecdsa', hash: 'sha256' }, zeroKey, new Uint8Array(1), random)).toThrow(
      TlsError,
    );
    const shortSeed: PrivateKey = { ...ed.key, seed: new Uint8Array(31) };
    expect(() => signMessage({ kind: 'ed25519' }, shortSeed, new Uint8Array(1), random)).toThrow(TlsError);
  });

  it('node:crypto agrees on the ECDSA keys (sanity check of the loaded vectors)', () => {
    const jwk = createPrivateKey(ecP256.file.key.pem).export({ format: 'jwk' });
    expect(Buffer.from(jwk.d!, 'base64url').toString('hex')).toBe(ecP256.file.key.d);
  });
});
