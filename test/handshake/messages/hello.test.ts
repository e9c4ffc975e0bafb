import { describe, expect, it } from 'vitest';
import { concatBytes, equalBytes, fromHex } from '../../../src/codec.js';
import {
  decodeClientHello,
  decodeServerHello,
  encodeClientHello,
  encodeServerHello,
} from '../../../src/handshake/messages/hello.js';
import type { ClientHello, ServerHello } from '../../../src/handshake/messages/types.js';
import {
  clientHello,
  decoder,
  describeCodecProperties,
  encoder,
  expectTlsError,
  serverHello,
} from './arbitraries.js';

const encodeCH = encoder(encodeClientHello);
const decodeCH = decoder(decodeClientHello, 'ClientHello');
const encodeSH = encoder(encodeServerHello);
const decodeSH = decoder(decodeServerHello, 'ServerHello');

/** A hello cut right before its extension block is a valid pre-extension hello. */
function withoutExtensions<T extends ClientHello | ServerHello>(encode: (m: T) => Uint8Array) {
  return (m: T) => {
    if (m.extensions.length === 0) return undefined;
    const value = { ...m, extensions: [] };
    return { length: encode(value).length, value };
  };
}

/** The one non-canonical input: an empty but present extension block (00 00), re-encoded without it. */
function reencodes<T extends ClientHello | ServerHello>(encode: (m: T) => Uint8Array) {
  return (input: Uint8Array, value: T): boolean => {
    const reencoded = encode(value);
    if (equalBytes(input, reencoded)) return true;
    return value.extensions.length === 0 && equalBytes(input, concatBytes(reencoded, new Uint8Array(2)));
  };
}

describeCodecProperties({
  name: 'ClientHello',
  arbitrary: clientHello,
  encode: encodeCH,
  decode: decodeCH,
  validPrefix: withoutExtensions(encodeCH),
  reencodes: reencodes(encodeCH),
});

describeCodecProperties({
  name: 'ServerHello',
  arbitrary: serverHello,
  encode: encodeSH,
  decode: decodeSH,
  validPrefix: withoutExtensions(encodeSH),
  reencodes: reencodes(encodeSH),
});

const random = new Uint8Array(32).fill(0xaa);
const baseClientHello: ClientHello = {
  version: 0x0303,
  random,
  sessionId: new Uint8Array(0),
  cipherSuites: [0xc02b, 0xc02f],
  compressionMethods: [0],
  extensions: [],
};

describe('ClientHello', () => {
  it('decodes a hello without an extension block as extensions: []', () => {
    const bytes = encodeCH(baseClientHello);
    expect(bytes.length).toBe(2 + 32 + 1 + 2 + 4 + 1 + 1);
    expect(decodeCH(bytes)).toEqual(baseClientHello);
  });

  it('accepts an empty but present extension block', () => {
    const bytes = concatBytes(encodeCH(baseClientHello), fromHex('0000'));
    expect(decodeCH(bytes)).toEqual(baseClientHello);
  });

  it('refuses a session_id longer than 32 bytes', () => {
    const long = encodeCH({ ...baseClientHello, sessionId: new Uint8Array(33) });
    expectTlsError(() => decodeCH(long));
    expect(decodeCH(encodeCH({ ...baseClientHello, sessionId: new Uint8Array(32) })).sessionId.length).toBe(
      32,
    );
  });

  it('refuses an empty or odd-length cipher_suites list', () => {
    expectTlsError(() => decodeCH(encodeCH({ ...baseClientHello, cipherSuites: [] })));
    // cipher_suites of 3 bytes: 00 03 c0 2b c0, then compression.
    const odd = fromHex(`0303 ${'aa'.repeat(32)} 00 0003c02bc0 0100`);
    expectTlsError(() => decodeCH(odd));
  });

  it('refuses an empty compression_methods list', () => {
    expectTlsError(() => decodeCH(encodeCH({ ...baseClientHello, compressionMethods: [] })));
  });

  it('refuses duplicate extension types with code duplicate_extension', () => {
    const hello = {
      ...baseClientHello,
      extensions: [
        { type: 23, data: new Uint8Array(0) },
        { type: 0xff01, data: fromHex('00') },
        { type: 23, data: new Uint8Array(0) },
      ],
    };
    const error = expectTlsError(() => decodeCH(encodeCH(hello)));
    expect(error.code).toBe('duplicate_extension');
    expect(error.alertSent).toBe('decode_error');
  });

  it('preserves unknown extensions and their order byte for byte', () => {
    const extensions = [
      { type: 0x0a0a, data: new Uint8Array(0) }, // GREASE
      { type: 0x1234, data: fromHex('deadbeef00') },
      { type: 0xfe0d, data: fromHex('0001020304') },
      { type: 0, data: fromHex('000f00000c6578616d706c652e74657374') },
    ];
    const bytes = encodeCH({ ...baseClientHello, extensions });
    const decoded = decodeCH(bytes);
    expect(decoded.extensions).toEqual(extensions);
    expect(encodeCH(decoded)).toEqual(bytes);
  });

  it('refuses bytes after the extension block', () => {
    const bytes = concatBytes(
      encodeCH({ ...baseClientHello, extensions: [{ type: 23, data: new Uint8Array(0) }] }),
      fromHex('00'),
    );
    expectTlsError(() => decodeCH(bytes));
  });
});

describe('ServerHello', () => {
  const base: ServerHello = {
    version: 0x0303,
    random,
    sessionId: new Uint8Array(32).fill(7),
    cipherSuite: 0xc02b,
    compressionMethod: 0,
    extensions: [
      { type: 0xff01, data: fromHex('00') },
      { type: 23, data: new Uint8Array(0) },
    ],
  };

  it('encodes the RFC 5246 §7.4.1.3 layout', () => {
    const expected = fromHex(
      `0303 ${'aa'.repeat(32)} 20 ${'07'.repeat(32)} c02b 00 0009 ff01000100 00170000`,
    );
    expect(encodeSH(base)).toEqual(expected);
    expect(decodeSH(expected)).toEqual(base);
  });

  it('refuses duplicate extension types', () => {
    const bytes = encodeSH({
      ...base,
      extensions: [...base.extensions, { type: 0xff01, data: fromHex('00') }],
    });
    expect(expectTlsError(() => decodeSH(bytes)).code).toBe('duplicate_extension');
  });

  it('refuses a session_id longer than 32 bytes', () => {
    expectTlsError(() => decodeSH(encodeSH({ ...base, sessionId: new Uint8Array(33) })));
  });
});
