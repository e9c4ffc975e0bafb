import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HASH_LENGTH, hash, hmac, keyedHmac } from '../../src/ciphers/hash.js';
import { concatBytes, toHex, utf8 } from '../../src/codec.js';

const ALGORITHMS = ['sha256', 'sha384', 'sha512'] as const;

describe('hash and hmac', () => {
  it('hash("abc") matches FIPS 180-4 example values', () => {
    // FIPS 180-4 / NIST CSRC "Example Values" for the one-block message "abc".
    expect(toHex(hash('sha256', utf8.encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(hash('sha384', utf8.encode('abc')))).toBe(
      'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    );
  });

  it('hash, hmac and keyedHmac equal node:crypto for random inputs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALGORITHMS),
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 50 }),
        (alg, key, data, more) => {
          expect(toHex(hash(alg, data))).toBe(createHash(alg).update(data).digest('hex'));
          expect(hash(alg, data).length).toBe(HASH_LENGTH[alg]);
          const expected = createHmac(alg, key).update(data).update(more).digest('hex');
          expect(toHex(hmac(alg, key, concatBytes(data, more)))).toBe(expected);
          const keyed = keyedHmac(alg, key);
          expect(toHex(keyed(data, more))).toBe(expected);
          expect(toHex(keyed(data, more))).toBe(expected); // reusable
        },
      ),
      { numRuns: 40 },
    );
  });
});
