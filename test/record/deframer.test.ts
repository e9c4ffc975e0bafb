import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { Deframer } from '../../src/record/deframer.js';
import { encodeRecord } from '../../src/record/header.js';
import { MAX_CIPHERTEXT, type TlsRecord } from '../../src/record/types.js';

const recordArbitrary = fc.record({
  type: fc.constantFrom(20, 21, 22, 23),
  version: fc.constantFrom(0x0301, 0x0303, 0x0300),
  fragment: fc.uint8Array({ maxLength: 300 }),
});

/** Cut `bytes` at the given (sorted, deduplicated) points. */
function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const p of sorted) {
    pieces.push(bytes.subarray(start, p));
    start = p;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

function drain(deframer: Deframer, into: TlsRecord[]): void {
  for (let r = deframer.next(); r !== undefined; r = deframer.next()) into.push(r);
}

function plain(records: TlsRecord[]) {
  return records.map((r) => ({ type: r.type, version: r.version, fragment: Array.from(r.fragment) }));
}

/** One record: its first `cut` bytes lent (and the loan ended), then the rest pushed; what next() gives. */
function lentThenRest(deframer: Deframer, record: Uint8Array, cut: number): TlsRecord {
  const lent = new Uint8Array(record.subarray(0, cut));
  deframer.push(lent, true);
  deframer.endLoan(lent);
  lent.fill(0xee);
  deframer.push(record.subarray(cut));
  return deframer.next()!;
}

describe('Deframer (RFC 5246 §6.2.1)', () => {
  it('any re-fragmentation of a stream of records yields the same records', () => {
    fc.assert(
      fc.property(
        fc.array(recordArbitrary, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (records, points) => {
          const stream = concatBytes(...records.map((r) => encodeRecord(r.type, r.version, r.fragment)));
          const deframer = new Deframer();
          const out: TlsRecord[] = [];
          for (const piece of cut(stream, points)) {
            deframer.push(piece);
            drain(deframer, out);
          }
          expect(plain(out)).toEqual(plain(records));
          expect(deframer.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('bytes lent through one reused buffer (endLoan, then scribbled over) yield the same records', () => {
    fc.assert(
      fc.property(
        fc.array(recordArbitrary, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 31, maxLength: 31 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 31, maxLength: 31 }),
        (records, points, lent, reads) => {
          const stream = concatBytes(...records.map((r) => encodeRecord(r.type, r.version, r.fragment)));
          const deframer = new Deframer();
          const out: TlsRecord[] = [];
          const reused = new Uint8Array(stream.length + 1);
          cut(stream, points).forEach((piece, i) => {
            if (!lent[i]) {
              deframer.push(new Uint8Array(piece));
              drain(deframer, out);
              return;
            }
            const loan = reused.subarray(0, piece.length);
            loan.set(piece);
            deframer.push(loan, true);
            // Read some records now (or none), as a paused receive() does; each is kept as a copy.
            for (let n = 0; n < reads[i]!; n++) {
              const r = deframer.next();
              if (r === undefined) break;
              out.push({ ...r, fragment: new Uint8Array(r.fragment) });
            }
            deframer.endLoan(loan);
            reused.fill(0xee); // the caller reuses its buffer
          });
          drain(deframer, out);
          expect(plain(out)).toEqual(plain(records));
          expect(deframer.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a large record cut at a loan's end is assembled in a spare buffer that giveBack() returns to use", () => {
    const records = [0x11, 0x22, 0x33].map((fill) => ({
      type: 23,
      version: 0x0303,
      fragment: new Uint8Array(10000).fill(fill),
    }));
    const deframer = new Deframer();
    const loan = new Uint8Array(20000);
    /** Lend the record's bytes in two cuts, as two socket reads; the record comes out of the second. */
    const receiveCut = (r: (typeof records)[number]): TlsRecord => {
      const bytes = encodeRecord(r.type, r.version, r.fragment);
      for (const piece of [bytes.subarray(0, 3000), bytes.subarray(3000)]) {
        const lent = loan.subarray(0, piece.length);
        lent.set(piece);
        deframer.push(lent, true);
        const out = deframer.next();
        deframer.endLoan(lent);
        loan.fill(0xee);
        if (out !== undefined) return out;
      }
      throw new Error('the record did not come out');
    };
    const first = receiveCut(records[0]!);
    expect(Array.from(new Set(first.fragment))).toEqual([0x11]);
    const firstBuffer = first.fragment.buffer;
    deframer.giveBack(first.fragment);
    deframer.giveBack(first.fragment); // a second giveBack of the same fragment is ignored
    const second = receiveCut(records[1]!);
    expect(second.fragment.buffer).toBe(firstBuffer); // reused, not allocated
    expect(Array.from(new Set(second.fragment))).toEqual([0x22]);
    // Only one deframer can hold the spare: another one cutting a record now gets a buffer of its own.
    const fromOther = lentThenRest(
      new Deframer(),
      encodeRecord(23, 0x0303, new Uint8Array(8000).fill(0x44)),
      5000,
    );
    expect(fromOther.fragment.buffer).not.toBe(firstBuffer);
    expect(Array.from(new Set(fromOther.fragment))).toEqual([0x44]);
    // Not given back: the next cut record gets a new buffer and the second keeps its bytes.
    const third = receiveCut(records[2]!);
    expect(third.fragment.buffer).not.toBe(firstBuffer);
    expect(Array.from(new Set(second.fragment))).toEqual([0x22]);
    expect(Array.from(new Set(third.fragment))).toEqual([0x33]);
  });

  it('giveBack() ignores records that were not assembled (views of pushed bytes) and small ones', () => {
    const deframer = new Deframer();
    const whole = encodeRecord(23, 0x0303, new Uint8Array(6000).fill(5));
    deframer.push(whole);
    const view = deframer.next()!;
    expect(view.fragment.buffer).toBe(whole.buffer);
    deframer.giveBack(view.fragment);
    const assembled = lentThenRest(deframer, encodeRecord(23, 0x0303, new Uint8Array(100).fill(6)), 50);
    expect(assembled.fragment.buffer.byteLength).toBe(100); // exact size below the spare threshold
    deframer.giveBack(assembled.fragment);
    // Neither went into the spares: the whole record's bytes and the small record stay as they were.
    const big = lentThenRest(deframer, encodeRecord(23, 0x0303, new Uint8Array(6000).fill(7)), 1000);
    expect(big.fragment.buffer).not.toBe(whole.buffer);
    expect(Array.from(new Set(view.fragment))).toEqual([5]);
    expect(Array.from(new Set(assembled.fragment))).toEqual([6]);
    expect(Array.from(new Set(big.fragment))).toEqual([7]);
  });

  it('one byte at a time, and everything in one push, give the same records', () => {
    const records = [
      { type: 22, version: 0x0301, fragment: new Uint8Array(100).fill(1) },
      { type: 23, version: 0x0303, fragment: new Uint8Array(0) },
      { type: 21, version: 0x0303, fragment: fromHex('0100') },
      { type: 23, version: 0x0303, fragment: new Uint8Array(MAX_CIPHERTEXT).fill(7) },
    ];
    const stream = concatBytes(...records.map((r) => encodeRecord(r.type, r.version, r.fragment)));
    const byteWise = new Deframer();
    const out1: TlsRecord[] = [];
    for (let i = 0; i < stream.length; i++) {
      byteWise.push(stream.subarray(i, i + 1));
      drain(byteWise, out1);
    }
    const whole = new Deframer();
    const out2: TlsRecord[] = [];
    whole.push(stream);
    drain(whole, out2);
    expect(plain(out1)).toEqual(plain(records));
    expect(plain(out2)).toEqual(plain(records));
  });

  it('returns records that lie in one chunk as subarrays (no copy)', () => {
    const stream = encodeRecord(23, 0x0303, fromHex('00112233'));
    const d = new Deframer();
    d.push(stream);
    const r = d.next()!;
    expect(r.fragment.buffer).toBe(stream.buffer);
    expect(r.fragment.byteOffset).toBe(5);
  });

  it('fails as soon as a bad header is complete, without waiting for the body', () => {
    const cases: [string, string, string][] = [
      ['18030300ff', 'unknown_content_type', 'unexpected_message'],
      ['17020000ff', 'bad_record_version', 'protocol_version'],
      ['170303ffff', 'record_overflow', 'record_overflow'],
      [`170303${(MAX_CIPHERTEXT + 1).toString(16)}`, 'record_overflow', 'record_overflow'],
    ];
    for (const [header, code, alert] of cases) {
      const d = new Deframer();
      const bytes = fromHex(header);
      d.push(bytes.subarray(0, 4));
      expect(d.next()).toBeUndefined();
      d.push(bytes.subarray(4));
      let thrown: unknown;
      try {
        d.next();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TlsError);
      expect(thrown).toMatchObject({ code, alertSent: alert });
    }
  });

  it('feeding a large record byte by byte stays linear (chunk list, no re-copying)', () => {
    const record = encodeRecord(23, 0x0303, new Uint8Array(MAX_CIPHERTEXT));
    const d = new Deframer();
    const start = performance.now();
    let early = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < record.length - 1; i++) {
        d.push(record.subarray(i, i + 1));
        if (d.next() !== undefined) early++;
      }
      d.push(record.subarray(record.length - 1));
      expect(d.next()?.fragment).toEqual(record.subarray(5));
    }
    expect(early).toBe(0);
    // 10 × 16.6 KB one byte at a time; re-copying the buffer on every push would take minutes.
    expect(performance.now() - start).toBeLessThan(5000);
    expect(d.bufferedBytes).toBe(0);
  });
});
