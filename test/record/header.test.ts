import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { decodeRecordHeader, encodeRecord, RECORD_HEADER_LENGTH } from '../../src/record/header.js';
import { MAX_CIPHERTEXT } from '../../src/record/types.js';

const contentType = fc.constantFrom(20, 21, 22, 23);
const version = fc.integer({ min: 0x0300, max: 0x03ff });

function expectTlsError(
  f: () => unknown,
  fields: Partial<Pick<TlsError, 'code' | 'alertSent' | 'kind'>>,
): void {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toMatchObject(fields);
    return;
  }
  expect.fail('expected a TlsError');
}

describe('record header codec (RFC 5246 §6.2.1)', () => {
  it('encodes type ‖ version ‖ length ‖ fragment', () => {
    expect(toHex(encodeRecord(23, 0x0303, fromHex('616263')))).toBe('1703030003616263');
    expect(toHex(encodeRecord(22, 0x0301, new Uint8Array(0)))).toBe('1603010000');
  });

  it('decodeRecordHeader(encodeRecord(x)) returns the fields, at any offset', () => {
    fc.assert(
      fc.property(
        contentType,
        version,
        fc.uint8Array({ maxLength: 600 }),
        fc.nat({ max: 7 }),
        (type, v, fragment, offset) => {
          const record = encodeRecord(type, v, fragment);
          const shifted = new Uint8Array(offset + record.length);
          shifted.set(record, offset);
          expect(decodeRecordHeader(shifted, offset)).toEqual({ type, version: v, length: fragment.length });
          expect(shifted.subarray(offset + RECORD_HEADER_LENGTH)).toEqual(fragment);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an unknown content type with unexpected_message', () => {
    for (const type of [0, 19, 24, 0xff]) {
      expectTlsError(() => decodeRecordHeader(fromHex(`${type.toString(16).padStart(2, '0')}03030001`)), {
        code: 'unknown_content_type',
        alertSent: 'unexpected_message',
        kind: 'peer',
      });
    }
  });

  it('refuses a major version other than 3 with protocol_version', () => {
    for (const v of ['0200', '0403', '0000', 'fefd']) {
      expectTlsError(() => decodeRecordHeader(fromHex(`17${v}0001`)), {
        code: 'bad_record_version',
        alertSent: 'protocol_version',
      });
    }
  });

  it('accepts MAX_CIPHERTEXT and refuses one byte more with record_overflow', () => {
    const header = (n: number) => fromHex(`170303${n.toString(16).padStart(4, '0')}`);
    expect(decodeRecordHeader(header(MAX_CIPHERTEXT)).length).toBe(MAX_CIPHERTEXT);
    expectTlsError(() => decodeRecordHeader(header(MAX_CIPHERTEXT + 1)), {
      code: 'record_overflow',
      alertSent: 'record_overflow',
      kind: 'limit',
    });
    expectTlsError(() => decodeRecordHeader(header(0xffff)), { alertSent: 'record_overflow' });
  });

  it('refuses fewer than 5 bytes with a decode error', () => {
    for (let n = 0; n < 5; n++) {
      expectTlsError(() => decodeRecordHeader(fromHex('1703030000').subarray(0, n)), {
        kind: 'decode',
        alertSent: 'decode_error',
      });
    }
  });

  it('any 5 bytes either decode to a valid header or fail with a TlsError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (bytes) => {
        try {
          const h = decodeRecordHeader(bytes);
          expect([20, 21, 22, 23]).toContain(h.type);
          expect(h.version >> 8).toBe(3);
          expect(h.length).toBeLessThanOrEqual(MAX_CIPHERTEXT);
        } catch (error) {
          expect(error).toBeInstanceOf(TlsError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
