import { createCipheriv, createDecipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAead } from '../../src/ciphers/aead.js';
import type { AeadAlgorithm } from '../../src/ciphers/suites.js';
import { concatBytes, fromHex, toHex } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { AEAD_VECTORS } from '../vectors/aead.js';

const ALGORITHMS: readonly AeadAlgorithm[] = ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'];
const KEY_LENGTH: Record<AeadAlgorithm, number> = {
  'AES-128-GCM': 16,
  'AES-256-GCM': 32,
  'CHACHA20-POLY1305': 32,
};

function nodeSeal(
  algorithm: AeadAlgorithm,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv(algorithm.toLowerCase() as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
}

function nodeOpen(
  algorithm: AeadAlgorithm,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Uint8Array {
  const decipher = createDecipheriv(algorithm.toLowerCase() as 'aes-128-gcm', key, nonce, {
    authTagLength: 16,
  });
  decipher.setAAD(aad, { plaintextLength: sealed.length - 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return concatBytes(decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final());
}

/** A copy of `bytes` at byte offset `offset` inside a larger buffer (to exercise misaligned inputs). */
function at(offset: number, bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.length + offset + 3);
  buffer.set(bytes, offset);
  return buffer.subarray(offset, offset + bytes.length);
}

const algorithm = fc.constantFrom(...ALGORITHMS);
const nonce = fc.uint8Array({ minLength: 12, maxLength: 12 });
const message = fc.oneof(
  fc.uint8Array({ maxLength: 70 }),
  fc.integer({ min: 0, max: 17000 }).map((n) => new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff)),
);
const aad = fc.uint8Array({ maxLength: 40 });
const keyFor = (alg: AeadAlgorithm) =>
  fc.uint8Array({ minLength: KEY_LENGTH[alg], maxLength: KEY_LENGTH[alg] });
const offset = fc.integer({ min: 0, max: 3 });

describe('AEAD known answers', () => {
  for (const v of AEAD_VECTORS) {
    it(`${v.algorithm}: ${v.name}`, () => {
      const aead = createAead(v.algorithm, fromHex(v.key));
      const sealed = aead.seal(fromHex(v.nonce), fromHex(v.aad), fromHex(v.plaintext));
      expect(toHex(sealed)).toBe(v.ciphertext + v.tag);
      const opened = aead.open(fromHex(v.nonce), fromHex(v.aad), fromHex(v.ciphertext + v.tag));
      expect(opened && toHex(opened)).toBe(v.plaintext);
      expect(aead.algorithm).toBe(v.algorithm);
      expect([aead.nonceLength, aead.tagLength]).toEqual([12, 16]);
    });
  }
});

describe('AEAD against node:crypto', () => {
  it('seal and open match node byte for byte, one instance for many messages, any alignment', () => {
    fc.assert(
      fc.property(
        algorithm.chain((alg) =>
          fc.tuple(
            fc.constant(alg),
            keyFor(alg),
            fc.array(fc.tuple(nonce, aad, message, offset), { minLength: 1, maxLength: 4 }),
          ),
        ),
        ([alg, key, messages]) => {
          const aead = createAead(alg, key);
          for (const [n, a, plaintext, off] of messages) {
            const expected = nodeSeal(alg, key, n, a, plaintext);
            const sealed = aead.seal(at(off, n), at(off, a), at(off, plaintext));
            expect(toHex(sealed)).toBe(toHex(expected));
            const opened = aead.open(at(3 - off, n), at(off, a), at(3 - off, expected));
            expect(opened && toHex(opened)).toBe(toHex(plaintext));
            expect(toHex(nodeOpen(alg, key, n, a, sealed))).toBe(toHex(plaintext));
          }
        },
      ),
      { numRuns: 45 },
    );
  });

  it('handles the TLS record sizes at the edges (0, 1, 15, 16, 17, 2^14 bytes)', () => {
    for (const alg of ALGORITHMS) {
      const key = new Uint8Array(KEY_LENGTH[alg]).fill(7);
      const aead = createAead(alg, key);
      for (const length of [0, 1, 15, 16, 17, 16384]) {
        const n = new Uint8Array(12).fill(length & 0xff);
        const plaintext = new Uint8Array(length).fill(0xa5);
        const header = fromHex('0000000000000001170303');
        expect(toHex(aead.seal(n, header, plaintext))).toBe(toHex(nodeSeal(alg, key, n, header, plaintext)));
      }
    }
  });
});

describe('AEAD properties', () => {
  it('open(seal(x)) returns x', () => {
    fc.assert(
      fc.property(
        algorithm.chain((alg) => fc.tuple(fc.constant(alg), keyFor(alg))),
        nonce,
        aad,
        fc.uint8Array({ maxLength: 300 }),
        ([alg, key], n, a, plaintext) => {
          const aead = createAead(alg, key);
          const opened = aead.open(n, a, aead.seal(n, a, plaintext));
          expect(opened && toHex(opened)).toBe(toHex(plaintext));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('any single bit flip in ciphertext, tag, aad or nonce makes open return undefined', () => {
    fc.assert(
      fc.property(
        algorithm.chain((alg) => fc.tuple(fc.constant(alg), keyFor(alg))),
        nonce,
        aad,
        fc.uint8Array({ maxLength: 100 }),
        fc.constantFrom('sealed' as const, 'aad' as const, 'nonce' as const),
        fc.nat(),
        ([alg, key], n, a, plaintext, where, position) => {
          const aead = createAead(alg, key);
          const sealed = aead.seal(n, a, plaintext);
          const inputs = { sealed: sealed.slice(), aad: a.slice(), nonce: n.slice() };
          const target = inputs[where];
          fc.pre(target.length > 0);
          const bit = position % (target.length * 8);
          target[bit >> 3]! ^= 1 << (bit & 7);
          expect(aead.open(inputs.nonce, inputs.aad, inputs.sealed)).toBeUndefined();
          // the instance still works after a failed open
          const opened = aead.open(n, a, sealed);
          expect(opened && toHex(opened)).toBe(toHex(plaintext));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('open returns undefined, never throws, for too-short input or a wrong nonce length', () => {
    for (const alg of ALGORITHMS) {
      const aead = createAead(alg, new Uint8Array(KEY_LENGTH[alg]));
      const n = new Uint8Array(12);
      for (const length of [0, 1, 15])
        expect(aead.open(n, new Uint8Array(0), new Uint8Array(length))).toBeUndefined();
      const sealed = aead.seal(n, new Uint8Array(0), new Uint8Array(5));
      expect(aead.open(new Uint8Array(11), new Uint8Array(0), sealed)).toBeUndefined();
      expect(aead.open(new Uint8Array(13), new Uint8Array(0), sealed)).toBeUndefined();
      expect(aead.open(n, new Uint8Array(0), sealed.subarray(1))).toBeUndefined();
    }
  });
});

describe('AEAD misuse is a local error', () => {
  it('refuses wrong key lengths', () => {
    expect(() => createAead('AES-128-GCM', new Uint8Array(32))).toThrow(TlsError);
    expect(() => createAead('AES-256-GCM', new Uint8Array(16))).toThrow(TlsError);
    expect(() => createAead('CHACHA20-POLY1305', new Uint8Array(16))).toThrow(
      expect.objectContaining({ kind: 'local', code: 'bad_key_length' }),
    );
  });

  it('refuses sealing with a nonce that is not 12 bytes', () => {
    for (const alg of ALGORITHMS) {
      const aead = createAead(alg, new Uint8Array(KEY_LENGTH[alg]));
      expect(() => aead.seal(new Uint8Array(8), new Uint8Array(0), new Uint8Array(1))).toThrow(
        expect.objectContaining({ kind: 'local', code: 'bad_nonce' }),
      );
    }
  });

  it('after dispose, seal and open throw instead of using a zeroed key', () => {
    for (const alg of ALGORITHMS) {
      const aead = createAead(alg, new Uint8Array(KEY_LENGTH[alg]).fill(1));
      const sealed = aead.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(3));
      aead.dispose();
      aead.dispose(); // idempotent
      const disposed = expect.objectContaining({ kind: 'local', code: 'aead_disposed' });
      expect(() => aead.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(3))).toThrow(disposed);
      expect(() => aead.open(new Uint8Array(12), new Uint8Array(0), sealed)).toThrow(disposed);
    }
  });

  it("keys AES-GCM with noble's smallest GHASH table (2-bit window, 256 entries) for idle memory", () => {
    for (const alg of ['AES-128-GCM', 'AES-256-GCM'] as const) {
      const aead = createAead(alg, new Uint8Array(KEY_LENGTH[alg]).fill(5));
      const inner = aead as unknown as { ghash: { W: number; t: unknown[] } };
      expect(inner.ghash.W).toBe(2);
      expect(inner.ghash.t.length).toBe(256);
    }
  });

  it('shares one zero entry across the windows of every GHASH table (a quarter of each table)', () => {
    const tableOf = (fill: number) =>
      (createAead('AES-128-GCM', new Uint8Array(16).fill(fill)) as unknown as { ghash: { t: unknown[] } })
        .ghash.t;
    const a = tableOf(1);
    const b = tableOf(2);
    const zeros = new Set([...a, ...b].filter((_, i) => i % 4 === 0));
    expect(zeros.size).toBe(1);
    // Still the right answers: a known AES-128-GCM vector is checked in the tests above.
  });

  it('dispose zeroes the AES-GCM key schedule, the GHASH table and its running accumulator', () => {
    for (const alg of ['AES-128-GCM', 'AES-256-GCM'] as const) {
      const aead = createAead(alg, new Uint8Array(KEY_LENGTH[alg]).fill(5));
      aead.seal(new Uint8Array(12), new Uint8Array(13).fill(1), new Uint8Array(40).fill(2));
      const inner = aead as unknown as {
        roundKeys: Uint32Array;
        ghash: {
          t: { s0: number; s1: number; s2: number; s3: number }[];
          s0: number;
          s1: number;
          s2: number;
          s3: number;
        };
      };
      const words = (g: { s0: number; s1: number; s2: number; s3: number }) => [g.s0, g.s1, g.s2, g.s3];
      expect(words(inner.ghash).some((w) => w !== 0)).toBe(true);
      aead.dispose();
      expect(inner.roundKeys.every((w) => w === 0)).toBe(true);
      expect(inner.ghash.t.flatMap(words).every((w) => w === 0)).toBe(true);
      expect(words(inner.ghash)).toEqual([0, 0, 0, 0]);
    }
  });

  it('does not keep a reference to the caller key (the caller may wipe it)', () => {
    for (const alg of ALGORITHMS) {
      const key = new Uint8Array(KEY_LENGTH[alg]).fill(9);
      const aead = createAead(alg, key);
      const before = aead.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(20));
      key.fill(0);
      expect(toHex(aead.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(20)))).toBe(toHex(before));
    }
  });
});
