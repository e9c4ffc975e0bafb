// Tests for src/codec.ts: Reader/Writer encodings of the TLS presentation language (RFC 5246 §4).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  equalBytes,
  fromHex,
  Reader,
  toHex,
  utf8,
  type VectorBounds,
  Writer,
} from '../src/codec.js';
import { TlsError } from '../src/errors.js';

/** Run fn and return the TlsError it throws, asserting it is a decode error. */
function decodeFailure(fn: () => unknown): TlsError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a TlsError').toBeInstanceOf(TlsError);
  const error = caught as TlsError;
  expect(error.kind).toBe('decode');
  return error;
}

const hex = (w: Writer): string => toHex(w.finish());

describe('Writer known answers', () => {
  it('writes integers big-endian', () => {
    expect(hex(new Writer().u8(0xab))).toBe('ab');
    expect(hex(new Writer().u16(0x0102))).toBe('0102');
    expect(hex(new Writer().u24(0x010203))).toBe('010203');
    expect(hex(new Writer().u32(0xfffffffe))).toBe('fffffffe');
  });

  it('prefixes vectors with their body length in 1, 2 and 3 bytes', () => {
    const body = fromHex('c0ffee');
    expect(hex(new Writer().opaque8(body))).toBe('03c0ffee');
    expect(hex(new Writer().opaque16(body))).toBe('0003c0ffee');
    expect(hex(new Writer().opaque24(body))).toBe('000003c0ffee');
    expect(hex(new Writer().opaque16(new Uint8Array(0)))).toBe('0000');
  });

  it('patches nested vector lengths', () => {
    const w = new Writer(1);
    w.vector16(() => {
      w.u8(1);
      w.vector8(() => w.u16(0x0203));
    });
    expect(hex(w)).toBe('0004' + '01' + '02' + '0203');
  });

  it('refuses a vector body longer than its length prefix can hold', () => {
    const w = new Writer();
    expect(() => w.opaque8(new Uint8Array(256))).toThrow(RangeError);
    expect(hex(new Writer().opaque8(new Uint8Array(255))).slice(0, 2)).toBe('ff');
  });

  it('grows past its initial capacity', () => {
    const big = new Uint8Array(1000).fill(7);
    const out = new Writer(2).u8(1).bytes(big).finish();
    expect(out.length).toBe(1001);
    expect(out[1000]).toBe(7);
  });
});

describe('Reader known answers', () => {
  it('reads integers big-endian', () => {
    const r = new Reader(fromHex('ab' + '0102' + '010203' + 'fffffffe'));
    expect(r.u8()).toBe(0xab);
    expect(r.u16()).toBe(0x0102);
    expect(r.u24()).toBe(0x010203);
    expect(r.u32()).toBe(0xfffffffe);
    r.end();
  });

  it('reads vectors with 1, 2 and 3 byte lengths', () => {
    expect(toHex(new Reader(fromHex('03c0ffee')).opaque8())).toBe('c0ffee');
    expect(toHex(new Reader(fromHex('0003c0ffee')).opaque16())).toBe('c0ffee');
    expect(toHex(new Reader(fromHex('000003c0ffee')).opaque24())).toBe('c0ffee');
  });

  it('reads a list of items until its vector is exhausted', () => {
    const r = new Reader(fromHex('0006' + '0001' + '0002' + '0003'));
    expect(r.vector16((v) => v.list((x) => x.u16()))).toEqual([1, 2, 3]);
  });

  it('refuses a vector body that leaves bytes unread', () => {
    const e = decodeFailure(() => new Reader(fromHex('020102'), 'Test').vector8((v) => v.u8()));
    expect(e.message).toMatch(/Test: 1 unexpected trailing bytes/);
  });

  it('refuses a length prefix longer than the input, naming the context', () => {
    const e = decodeFailure(() => new Reader(fromHex('0005c0ffee'), 'ServerHello').opaque16());
    expect(e.message).toMatch(/^ServerHello: truncated vector body/);
  });

  it('returns copies, not views of the input', () => {
    const input = fromHex('02aabb');
    const out = new Reader(input).opaque8();
    input[1] = 0;
    expect(toHex(out)).toBe('aabb');
  });
});

describe('Reader bounds', () => {
  const cases: { name: string; read: (r: Reader, b: VectorBounds) => Uint8Array; prefix: number }[] = [
    { name: 'opaque8', read: (r, b) => r.opaque8(b), prefix: 1 },
    { name: 'opaque16', read: (r, b) => r.opaque16(b), prefix: 2 },
    { name: 'opaque24', read: (r, b) => r.opaque24(b), prefix: 3 },
  ];
  const encode = (prefix: number, n: number): Uint8Array => {
    const w = new Writer();
    const body = new Uint8Array(n);
    if (prefix === 1) w.opaque8(body);
    else if (prefix === 2) w.opaque16(body);
    else w.opaque24(body);
    return w.finish();
  };

  for (const c of cases) {
    it(`${c.name} accepts lengths at min and max`, () => {
      expect(c.read(new Reader(encode(c.prefix, 2)), { min: 2, max: 4 }).length).toBe(2);
      expect(c.read(new Reader(encode(c.prefix, 4)), { min: 2, max: 4 }).length).toBe(4);
    });

    it(`${c.name} refuses a length below min with a decode error`, () => {
      const e = decodeFailure(() => c.read(new Reader(encode(c.prefix, 1), 'X'), { min: 2 }));
      expect(e.message).toMatch(/shorter than the minimum 2/);
    });

    it(`${c.name} refuses a length above max with a decode error, before reading the body`, () => {
      // Only the length prefix is present: the bound must be checked before the body is needed.
      const header = encode(c.prefix, 5).subarray(0, c.prefix);
      const e = decodeFailure(() => c.read(new Reader(header, 'X'), { max: 4 }));
      expect(e.message).toMatch(/longer than the maximum 4/);
    });
  }
});

describe('Reader.end', () => {
  it('accepts an exhausted reader', () => {
    const r = new Reader(fromHex('01'));
    r.u8();
    expect(() => r.end()).not.toThrow();
  });

  it('refuses trailing bytes with a decode error', () => {
    const r = new Reader(fromHex('0102'), 'Finished');
    r.u8();
    expect(decodeFailure(() => r.end()).message).toBe('Finished: 1 unexpected trailing bytes');
  });

  it('reads only within the given window', () => {
    const r = new Reader(fromHex('ff0102ff'), 'w', 1, 3);
    expect(r.remaining).toBe(2);
    expect(r.u16()).toBe(0x0102);
    r.end();
    decodeFailure(() => r.u8());
  });
});

describe('properties', () => {
  type Field =
    | { t: 'u8' | 'u16' | 'u24' | 'u32'; v: number }
    | { t: 'opaque8' | 'opaque16' | 'opaque24'; v: Uint8Array }
    | { t: 'vector16'; v: number[] };
  const field: fc.Arbitrary<Field> = fc.oneof(
    fc.integer({ min: 0, max: 0xff }).map((v) => ({ t: 'u8' as const, v })),
    fc.integer({ min: 0, max: 0xffff }).map((v) => ({ t: 'u16' as const, v })),
    fc.integer({ min: 0, max: 0xffffff }).map((v) => ({ t: 'u24' as const, v })),
    fc.integer({ min: 0, max: 0xffffffff }).map((v) => ({ t: 'u32' as const, v })),
    fc.uint8Array({ maxLength: 40 }).map((v) => ({ t: 'opaque8' as const, v })),
    fc.uint8Array({ maxLength: 300 }).map((v) => ({ t: 'opaque16' as const, v })),
    fc.uint8Array({ maxLength: 40 }).map((v) => ({ t: 'opaque24' as const, v })),
    fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 10 })
      .map((v) => ({ t: 'vector16' as const, v })),
  );
  const record = fc.array(field, { minLength: 1, maxLength: 8 });

  function encode(fields: Field[]): Uint8Array {
    const w = new Writer(4);
    for (const f of fields) {
      switch (f.t) {
        case 'vector16':
          w.vector16(() => {
            for (const x of f.v) w.u16(x);
          });
          break;
        case 'opaque8':
        case 'opaque16':
        case 'opaque24':
          w[f.t](f.v);
          break;
        default:
          w[f.t](f.v);
      }
    }
    return w.finish();
  }

  function decode(bytes: Uint8Array, shape: Field[]): Field[] {
    const r = new Reader(bytes, 'record');
    const out = shape.map((f): Field => {
      if (f.t === 'vector16') return { t: f.t, v: r.vector16((v) => v.list((x) => x.u16())) };
      if (f.t === 'opaque8' || f.t === 'opaque16' || f.t === 'opaque24') return { t: f.t, v: r[f.t]() };
      return { t: f.t, v: r[f.t]() };
    });
    r.end();
    return out;
  }

  it('decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(record, (fields) => {
        expect(decode(encode(fields), fields)).toEqual(fields);
      }),
    );
  });

  it('every strict prefix of an encoding fails with a decode error', () => {
    fc.assert(
      fc.property(record, (fields) => {
        const bytes = encode(fields);
        for (let n = 0; n < bytes.length; n++) decodeFailure(() => decode(bytes.subarray(0, n), fields));
      }),
      { numRuns: 100 },
    );
  });

  it('an encoding with bytes appended fails with a decode error', () => {
    fc.assert(
      fc.property(record, fc.uint8Array({ minLength: 1, maxLength: 4 }), (fields, extra) => {
        decodeFailure(() => decode(concatBytes(encode(fields), extra), fields));
      }),
    );
  });

  it('a Reader never throws anything but a decode error on arbitrary input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const r = new Reader(bytes);
          r.vector16((v) => v.list((x) => x.opaque8({ min: 1 })), { max: 60 });
          r.opaque24();
          r.end();
        } catch (e) {
          expect(e).toBeInstanceOf(TlsError);
          expect((e as TlsError).kind).toBe('decode');
        }
      }),
    );
  });
});

describe('byte helpers', () => {
  it('hex round-trips and refuses odd or non-hex input', () => {
    expect(toHex(fromHex('00 ff:10'))).toBe('00ff10');
    expect(() => fromHex('abc')).toThrow(RangeError);
    expect(() => fromHex('zz')).toThrow(RangeError);
  });

  it('concatBytes, equalBytes and utf8', () => {
    expect(toHex(concatBytes(fromHex('01'), new Uint8Array(0), fromHex('0203')))).toBe('010203');
    expect(equalBytes(fromHex('0102'), fromHex('0102'))).toBe(true);
    expect(equalBytes(fromHex('0102'), fromHex('0103'))).toBe(false);
    expect(equalBytes(fromHex('01'), fromHex('0100'))).toBe(false);
    expect(utf8.decode(utf8.encode('héllo'))).toBe('héllo');
  });
});

describe('Reader over a Node Buffer', () => {
  it('bytes() copies even when the input is a Buffer (whose slice() is a view)', () => {
    const input = Buffer.from([1, 2, 3, 4, 5, 6]);
    const r = new Reader(input);
    r.u8();
    const field = r.bytes(3);
    input.fill(0); // the caller wipes its buffer, as a decrypted session ticket is wiped
    expect(Array.from(field)).toEqual([2, 3, 4]);
    expect(field.constructor).toBe(Uint8Array);
  });
});
