import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { fragment } from '../../src/record/fragment.js';

describe('fragment (RFC 5246 §6.2.1)', () => {
  it('empty input gives zero fragments', () => {
    expect(fragment(new Uint8Array(0), 100)).toEqual([]);
  });

  it('pieces are ≤ maxFragment, all but the last exactly maxFragment, and concatenate to the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 1100 }), (data, max) => {
        const pieces = fragment(data, max);
        expect(pieces.length).toBe(Math.ceil(data.length / max));
        pieces.forEach((p, i) => {
          if (i < pieces.length - 1) expect(p.length).toBe(max);
          else expect(p.length).toBeGreaterThan(0);
          expect(p.length).toBeLessThanOrEqual(max);
          expect(p.buffer).toBe(data.buffer); // subarrays, no copies
        });
        expect(concatBytes(...pieces)).toEqual(data);
      }),
      { numRuns: 200 },
    );
  });

  it('splits 2^14 + 1 bytes into 2^14 and 1', () => {
    expect(fragment(new Uint8Array(16385), 16384).map((p) => p.length)).toEqual([16384, 1]);
  });

  it('refuses a non-positive or fractional size as local misuse', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => fragment(new Uint8Array(4), bad)).toThrow(TlsError);
    }
  });
});
