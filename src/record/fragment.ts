// Fragmentation of outgoing data into record-sized pieces (RFC 5246 §6.2.1, RFC 8449 §4).

import { localError } from '../errors.js';

/**
 * Split `data` into subarrays (no copies) of at most `maxFragment` bytes, in order; all but the last
 * are exactly `maxFragment` long. Empty input gives zero fragments.
 */
export function fragment(data: Uint8Array, maxFragment: number): Uint8Array[] {
  if (!Number.isInteger(maxFragment) || maxFragment < 1) {
    throw localError('bad_fragment_size', `fragment size must be a positive integer, got ${maxFragment}`);
  }
  const out: Uint8Array[] = [];
  for (let start = 0; start < data.length; start += maxFragment) {
    out.push(data.subarray(start, Math.min(data.length, start + maxFragment)));
  }
  return out;
}
