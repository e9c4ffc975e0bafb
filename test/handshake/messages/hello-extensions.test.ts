// Typed hello extensions: ClientHello and ServerHello extension lists decoded once into typed values and
// encoded back (RFC 5246 §7.4.1.4 and the extension RFCs); unknown extensions survive, duplicates fail.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../../src/codec.js';
import { decodeExtensions, encodeExtensions } from '../../../src/handshake/messages/extensions.js';
import {
  type ClientHelloExtensions,
  decodeClientHelloExtensions,
  decodeServerHelloExtensions,
  encodeClientHelloExtensions,
  encodeServerHelloExtensions,
  isServerHelloExtension,
  type ServerHelloExtensions,
} from '../../../src/handshake/messages/hello-extensions.js';
import { type Extension, ExtensionType } from '../../../src/handshake/messages/types.js';
import { bytes, expectTlsError, u8, u16 } from './arbitraries.js';

const KNOWN = new Set<number>([
  ExtensionType.server_name,
  ExtensionType.supported_groups,
  ExtensionType.ec_point_formats,
  ExtensionType.signature_algorithms,
  ExtensionType.application_layer_protocol_negotiation,
  ExtensionType.extended_master_secret,
  ExtensionType.record_size_limit,
  ExtensionType.renegotiation_info,
]);

const unknownList: fc.Arbitrary<Extension[]> = fc.uniqueArray(
  fc.record({ type: u16.filter((t) => !KNOWN.has(t)), data: bytes(0, 20) }),
  { selector: (e) => e.type, maxLength: 4 },
);
const hostName = fc
  .array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 40 })
  .map((codes) => String.fromCharCode(...codes));
const alpnNames = fc.array(
  fc
    .array(fc.integer({ min: 0, max: 0xff }), { minLength: 1, maxLength: 12 })
    .map((c) => String.fromCharCode(...c)),
  { minLength: 1, maxLength: 5 },
);
const recordSizeLimit = fc.integer({ min: 64, max: 16384 });

const clientExtensions: fc.Arbitrary<ClientHelloExtensions> = fc.record(
  {
    serverName: hostName,
    supportedGroups: fc.array(u16, { minLength: 1, maxLength: 10 }),
    ecPointFormats: fc.array(u8, { minLength: 1, maxLength: 4 }),
    signatureAlgorithms: fc.array(u16, { minLength: 1, maxLength: 10 }),
    alpn: alpnNames,
    extendedMasterSecret: fc.constant(true as const),
    renegotiationInfo: bytes(0, 12),
    recordSizeLimit,
    unknown: unknownList,
  },
  { requiredKeys: ['unknown'] },
);

const serverExtensions: fc.Arbitrary<ServerHelloExtensions> = fc.record(
  {
    serverName: fc.constant(true as const),
    ecPointFormats: fc.array(u8, { minLength: 1, maxLength: 4 }),
    alpn: alpnNames,
    extendedMasterSecret: fc.constant(true as const),
    renegotiationInfo: bytes(0, 12),
    recordSizeLimit,
    unknown: unknownList,
  },
  { requiredKeys: ['unknown'] },
);

/** Through the wire: typed → extension list → extension block bytes → list → typed. */
function viaWire(list: readonly Extension[]): Extension[] {
  const w = new Writer();
  encodeExtensions(w, list);
  const r = new Reader(w.finish(), 'extensions');
  const out = decodeExtensions(r);
  r.end();
  return out;
}

describe('typed hello extensions', () => {
  it('ClientHello: decode(encode(x)) deep-equals x, through the wire', () => {
    fc.assert(
      fc.property(clientExtensions, (x) => {
        expect(decodeClientHelloExtensions(viaWire(encodeClientHelloExtensions(x)))).toEqual(x);
      }),
    );
  });

  it('ServerHello: decode(encode(x)) deep-equals x, through the wire', () => {
    fc.assert(
      fc.property(serverExtensions, (x) => {
        expect(decodeServerHelloExtensions(viaWire(encodeServerHelloExtensions(x)))).toEqual(x);
      }),
    );
  });

  it('unknown extensions survive decode → encode, in order and byte for byte', () => {
    fc.assert(
      fc.property(unknownList, (list) => {
        expect(encodeClientHelloExtensions(decodeClientHelloExtensions(list))).toEqual(list);
        expect(encodeServerHelloExtensions(decodeServerHelloExtensions(list))).toEqual(list);
      }),
    );
  });

  it('a type appearing twice in the block is a decode_error', () => {
    const w = new Writer();
    encodeExtensions(w, [
      { type: ExtensionType.extended_master_secret, data: new Uint8Array(0) },
      { type: ExtensionType.extended_master_secret, data: new Uint8Array(0) },
    ]);
    const e = expectTlsError(() => decodeExtensions(new Reader(w.finish(), 'extensions')));
    expect(e.code).toBe('duplicate_extension');
  });

  it('a malformed known body is refused even when the field would go unused', () => {
    const e = expectTlsError(() =>
      decodeClientHelloExtensions([
        { type: ExtensionType.extended_master_secret, data: new Uint8Array([0]) },
      ]),
    );
    expect(e.kind).toBe('decode');
    expectTlsError(() =>
      decodeClientHelloExtensions([
        { type: ExtensionType.supported_groups, data: new Uint8Array([0, 1, 0]) },
      ]),
    );
  });

  it('a server_name list with only other name types decodes to no serverName', () => {
    // ServerNameList { name_type 7, opaque16 "x" }
    const data = new Uint8Array([0, 4, 7, 0, 1, 0x78]);
    expect(decodeClientHelloExtensions([{ type: ExtensionType.server_name, data }])).toEqual({ unknown: [] });
  });

  it('only the extensions a ServerHello can answer with count as ServerHello extensions', () => {
    expect(isServerHelloExtension(ExtensionType.application_layer_protocol_negotiation)).toBe(true);
    expect(isServerHelloExtension(ExtensionType.supported_groups)).toBe(false);
    expect(isServerHelloExtension(ExtensionType.signature_algorithms)).toBe(false);
    expect(isServerHelloExtension(0x1234)).toBe(false);
  });
});
