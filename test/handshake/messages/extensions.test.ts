import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes, fromHex, Reader, Writer } from '../../../src/codec.js';
import {
  decodeAlpn,
  decodeEcPointFormats,
  decodeEmptyExtension,
  decodeExtensions,
  decodeRecordSizeLimit,
  decodeRenegotiationInfo,
  decodeServerName,
  decodeServerNameList,
  decodeSignatureAlgorithms,
  decodeSupportedGroups,
  EMPTY_EXTENSION_DATA,
  encodeAlpn,
  encodeEcPointFormats,
  encodeExtensions,
  encodeRecordSizeLimit,
  encodeRenegotiationInfo,
  encodeServerName,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  findExtension,
} from '../../../src/handshake/messages/extensions.js';
import type { Extension } from '../../../src/handshake/messages/types.js';
import { bytes, describeCodecProperties, expectTlsError, extensionList, u8, u16 } from './arbitraries.js';

const encodeBlock = (list: readonly Extension[]) => {
  const w = new Writer();
  encodeExtensions(w, list);
  return w.finish();
};
const decodeBlock = (data: Uint8Array) => {
  const r = new Reader(data, 'extensions');
  const list = decodeExtensions(r);
  r.end();
  return list;
};

describeCodecProperties({
  name: 'extension block',
  arbitrary: extensionList,
  encode: encodeBlock,
  decode: decodeBlock,
});

const hostName = fc
  .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 80 })
  .map((codes) => String.fromCharCode(...codes));
const alpnName = fc
  .array(fc.integer({ min: 0, max: 0xff }), { minLength: 1, maxLength: 20 })
  .map((codes) => String.fromCharCode(...codes));

describeCodecProperties({
  name: 'supported_groups',
  arbitrary: fc.array(u16, { minLength: 1, maxLength: 20 }),
  encode: encodeSupportedGroups,
  decode: decodeSupportedGroups,
});
describeCodecProperties({
  name: 'ec_point_formats',
  arbitrary: fc.array(u8, { minLength: 1, maxLength: 10 }),
  encode: encodeEcPointFormats,
  decode: decodeEcPointFormats,
});
describeCodecProperties({
  name: 'signature_algorithms',
  arbitrary: fc.array(u16, { minLength: 1, maxLength: 30 }),
  encode: encodeSignatureAlgorithms,
  decode: decodeSignatureAlgorithms,
});
describeCodecProperties({
  name: 'ALPN',
  arbitrary: fc.array(alpnName, { minLength: 1, maxLength: 6 }),
  encode: encodeAlpn,
  decode: decodeAlpn,
});
describeCodecProperties({
  name: 'renegotiation_info',
  arbitrary: bytes(0, 64),
  encode: encodeRenegotiationInfo,
  decode: decodeRenegotiationInfo,
});
describeCodecProperties({
  name: 'record_size_limit',
  arbitrary: fc.integer({ min: 64, max: 16384 }),
  encode: encodeRecordSizeLimit,
  decode: decodeRecordSizeLimit,
  // Random bytes may decode to a limit above 2^14 that we would not send ourselves.
  reencodes: (input, value) =>
    value > 16384
      ? equalBytes(input, Uint8Array.of(value >> 8, value & 0xff))
      : equalBytes(input, encodeRecordSizeLimit(value)),
  errorKinds: ['decode', 'peer'],
});

describe('extension block', () => {
  it('refuses a repeated type with code duplicate_extension', () => {
    const error = expectTlsError(() => decodeBlock(fromHex('0008' + '00170000' + '00170000')));
    expect(error.code).toBe('duplicate_extension');
  });

  it('decodes 16383 extensions as views into one copy of the block, not one buffer each', () => {
    const count = 16383;
    const input = new Uint8Array(2 + count * 4 + 2);
    input[0] = ((input.length - 2) >> 8) & 0xff;
    input[1] = (input.length - 2) & 0xff;
    for (let i = 0; i < count; i++) {
      const type = 0x1000 + i;
      input[2 + i * 4] = type >> 8;
      input[3 + i * 4] = type & 0xff;
    }
    // The last one has a 2-byte body.
    const last = 2 + (count - 1) * 4;
    input[last + 3] = 2;
    input[input.length - 2] = 0xab;
    input[input.length - 1] = 0xcd;
    const list = decodeExtensions(new Reader(input, 'test'));
    expect(list.length).toBe(count);
    expect(list[count - 1]!.type).toBe(0x1000 + count - 1);
    expect([...list[count - 1]!.data]).toEqual([0xab, 0xcd]);
    expect(new Set(list.map((e) => e.data.buffer)).size).toBe(1);
    // A copy: changing the input afterwards changes no decoded body.
    expect(list[0]!.data.buffer).not.toBe(input.buffer);
    input[input.length - 1] = 0;
    expect([...list[count - 1]!.data]).toEqual([0xab, 0xcd]);
  });

  it('refuses an extension body running past the block', () => {
    const error = expectTlsError(() => decodeBlock(fromHex('0006' + '00170004' + '0000')));
    expect(error.kind).toBe('decode');
  });

  it('findExtension returns the extension of a type or undefined', () => {
    const list = [
      { type: 0, data: fromHex('01') },
      { type: 23, data: EMPTY_EXTENSION_DATA },
    ];
    expect(findExtension(list, 23)).toBe(list[1]);
    expect(findExtension(list, 16)).toBeUndefined();
  });
});

describe('server_name (RFC 6066 §3)', () => {
  it('decodeServerName(encodeServerName(h)) = h for ASCII host names', () => {
    fc.assert(
      fc.property(hostName, (host) => {
        expect(decodeServerName(encodeServerName(host))).toBe(host);
      }),
      { numRuns: 200 },
    );
  });

  it('encodes one host_name entry', () => {
    expect(encodeServerName('example.test')).toEqual(fromHex('000f00000c6578616d706c652e74657374'));
    expect(decodeServerNameList).toBe(decodeServerName);
  });

  it('refuses an empty body and an empty list (the ClientHello form); the ServerHello ack is empty', () => {
    expectTlsError(() => decodeServerName(EMPTY_EXTENSION_DATA));
    expectTlsError(() => decodeServerName(fromHex('0000')));
    expect(decodeEmptyExtension(EMPTY_EXTENSION_DATA, 'server_name')).toBeUndefined();
  });

  it('skips unknown name types and returns undefined without a host_name', () => {
    expect(decodeServerName(fromHex('0005' + '05000201ff'))).toBeUndefined();
    expect(decodeServerName(fromHex('000a' + '05000201ff' + '0000026869'))).toBe('hi');
  });

  it('refuses two host_names, an empty host_name, and non-ASCII or control bytes', () => {
    expect(expectTlsError(() => decodeServerName(fromHex('000a' + '0000026869' + '0000026869'))).code).toBe(
      'duplicate_server_name',
    );
    expectTlsError(() => decodeServerName(fromHex('0003' + '000000')));
    expect(expectTlsError(() => decodeServerName(fromHex('0005' + '00000268c3'))).code).toBe(
      'bad_server_name',
    );
    expectTlsError(() => decodeServerName(fromHex('0005' + '0000026800')));
  });

  it('random bytes decode to a host name, undefined, or a decode error', () => {
    fc.assert(
      fc.property(bytes(0, 64), (data) => {
        try {
          const host = decodeServerName(data);
          expect(host === undefined || typeof host === 'string').toBe(true);
        } catch {
          expectTlsError(() => decodeServerName(data));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to encode an empty or non-ASCII host name (local error)', () => {
    expectTlsError(() => encodeServerName(''), ['local']);
    expectTlsError(() => encodeServerName('bücher.example'), ['local']);
  });
});

describe('ALPN (RFC 7301 §3.1)', () => {
  it('encodes the protocol_name_list layout', () => {
    expect(encodeAlpn(['h2', 'http/1.1'])).toEqual(fromHex('000c02683208687474702f312e31'));
  });

  it('refuses an empty list and an empty protocol name', () => {
    expectTlsError(() => decodeAlpn(fromHex('0000')));
    expectTlsError(() => decodeAlpn(fromHex('0004' + '026832' + '00')));
    expectTlsError(() => encodeAlpn([]), ['local']);
    expectTlsError(() => encodeAlpn(['']), ['local']);
    expectTlsError(() => encodeAlpn(['\u0100']), ['local']);
  });
});

describe('supported_groups, ec_point_formats, signature_algorithms', () => {
  it('refuse empty lists and odd lengths', () => {
    expectTlsError(() => decodeSupportedGroups(fromHex('0000')));
    expectTlsError(() => decodeSupportedGroups(fromHex('0003001d00')));
    expectTlsError(() => decodeEcPointFormats(fromHex('00')));
    expectTlsError(() => decodeSignatureAlgorithms(fromHex('0000')));
    expectTlsError(() => decodeSignatureAlgorithms(fromHex('00010403')));
  });
});

describe('extended_master_secret and other empty bodies', () => {
  it('decodeEmptyExtension refuses any byte', () => {
    expect(
      expectTlsError(() => decodeEmptyExtension(fromHex('00'), 'extended_master_secret')).message,
    ).toContain('extended_master_secret');
  });
});

describe('renegotiation_info (RFC 5746 §3.2)', () => {
  it('encodes an empty renegotiated_connection as one zero byte', () => {
    expect(encodeRenegotiationInfo(new Uint8Array(0))).toEqual(fromHex('00'));
    expect(decodeRenegotiationInfo(fromHex('00'))).toEqual(new Uint8Array(0));
    expectTlsError(() => decodeRenegotiationInfo(EMPTY_EXTENSION_DATA));
  });
});

describe('record_size_limit (RFC 8449 §4)', () => {
  it('refuses a limit below 64 with illegal_parameter', () => {
    for (const limit of [0, 1, 63]) {
      const error = expectTlsError(
        () => decodeRecordSizeLimit(fromHex(limit.toString(16).padStart(4, '0'))),
        ['peer'],
      );
      expect(error.alertSent).toBe('illegal_parameter');
      expect(error.code).toBe('bad_record_size_limit');
    }
    expect(decodeRecordSizeLimit(fromHex('0040'))).toBe(64);
  });

  it('accepts limits above 2^14 from the peer but never encodes one', () => {
    expect(decodeRecordSizeLimit(fromHex('ffff'))).toBe(0xffff);
    expectTlsError(() => encodeRecordSizeLimit(16385), ['local']);
    expectTlsError(() => encodeRecordSizeLimit(63), ['local']);
  });
});
