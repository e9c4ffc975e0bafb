// fast-check arbitraries for the handshake message types, and the shared codec properties
// (round trip, strict prefixes, appended byte, random and mutated bytes) every codec test runs.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes, Reader, Writer } from '../../../src/codec.js';
import { TlsError, type TlsErrorKind } from '../../../src/errors.js';
import type { HandshakeMessageContent } from '../../../src/handshake/messages/handshake.js';
import type {
  CertificateMessage,
  CertificateRequest,
  CertificateVerify,
  ClientHello,
  ClientKeyExchange,
  Extension,
  Finished,
  ServerHello,
  ServerKeyExchange,
} from '../../../src/handshake/messages/types.js';

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const bytes = (minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength, maxLength });

export const extensionList: fc.Arbitrary<Extension[]> = fc.uniqueArray(
  fc.record({ type: u16, data: bytes(0, 40) }),
  { selector: (e) => e.type, maxLength: 8 },
);

export const clientHello: fc.Arbitrary<ClientHello> = fc.record({
  version: u16,
  random: bytes(32, 32),
  sessionId: bytes(0, 32),
  cipherSuites: fc.array(u16, { minLength: 1, maxLength: 40 }),
  compressionMethods: fc.array(u8, { minLength: 1, maxLength: 8 }),
  extensions: extensionList,
});

export const serverHello: fc.Arbitrary<ServerHello> = fc.record({
  version: u16,
  random: bytes(32, 32),
  sessionId: bytes(0, 32),
  cipherSuite: u16,
  compressionMethod: u8,
  extensions: extensionList,
});

export const certificateMessage: fc.Arbitrary<CertificateMessage> = fc.record({
  certificates: fc.array(bytes(1, 200), { maxLength: 4 }),
});

export const certificateRequest: fc.Arbitrary<CertificateRequest> = fc.record({
  certificateTypes: fc.array(u8, { minLength: 1, maxLength: 8 }),
  signatureSchemes: fc.array(u16, { minLength: 1, maxLength: 20 }),
  certificateAuthorities: fc.array(bytes(1, 80), { maxLength: 4 }),
});

export const certificateVerify: fc.Arbitrary<CertificateVerify> = fc.record({
  signatureScheme: u16,
  signature: bytes(0, 300),
});

export const serverKeyExchange: fc.Arbitrary<ServerKeyExchange> = fc.record({
  curveType: fc.constant(3),
  namedGroup: u16,
  publicKey: bytes(1, 255),
  signatureScheme: u16,
  signature: bytes(0, 300),
});

export const clientKeyExchange: fc.Arbitrary<ClientKeyExchange> = fc.record({ publicKey: bytes(1, 255) });

export const finished: fc.Arbitrary<Finished> = fc.record({ verifyData: bytes(12, 12) });

const empty = fc.constant({} as Record<string, never>);

/** Any handshake message we can encode, with its type. */
export const handshakeMessage: fc.Arbitrary<HandshakeMessageContent> = fc.oneof(
  empty.map((body) => ({ type: 0 as const, body })),
  clientHello.map((body) => ({ type: 1 as const, body })),
  serverHello.map((body) => ({ type: 2 as const, body })),
  certificateMessage.map((body) => ({ type: 11 as const, body })),
  serverKeyExchange.map((body) => ({ type: 12 as const, body })),
  certificateRequest.map((body) => ({ type: 13 as const, body })),
  empty.map((body) => ({ type: 14 as const, body })),
  certificateVerify.map((body) => ({ type: 15 as const, body })),
  clientKeyExchange.map((body) => ({ type: 16 as const, body })),
  finished.map((body) => ({ type: 20 as const, body })),
);

/** Run fn; it must throw a TlsError of one of `kinds`. Returns the error. */
export function expectTlsError(fn: () => unknown, kinds: readonly TlsErrorKind[] = ['decode']): TlsError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a TlsError').toBeInstanceOf(TlsError);
  const error = caught as TlsError;
  expect(kinds).toContain(error.kind);
  return error;
}

const mutation = fc.record({
  op: fc.constantFrom('flip', 'insert', 'delete', 'set'),
  position: fc.nat(),
  byte: u8,
});

function mutate(input: Uint8Array, mutations: readonly { op: string; position: number; byte: number }[]) {
  const out = Array.from(input);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.position % (out.length + (m.op === 'insert' ? 1 : 0));
    if (m.op === 'insert') out.splice(at, 0, m.byte);
    else if (out.length === 0) continue;
    else if (m.op === 'delete') out.splice(at, 1);
    else if (m.op === 'flip') out[at] = out[at]! ^ (1 << (m.byte & 7));
    else out[at] = m.byte;
  }
  return Uint8Array.from(out);
}

export interface CodecUnderTest<T> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  readonly encode: (value: T) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => T;
  /**
   * A strict prefix that legitimately decodes: a hello cut right before its optional extension block.
   * Returns that prefix's length and the value it must decode to.
   */
  readonly validPrefix?: (value: T) => { length: number; value: T } | undefined;
  /** Whether bytes that decoded to `value` re-encode acceptably (default: encode(value) equals them). */
  readonly reencodes?: (input: Uint8Array, value: T) => boolean;
  /** Error kinds random input may produce (default decode only). */
  readonly errorKinds?: readonly TlsErrorKind[];
  readonly numRuns?: number;
}

/** From a Writer-style encoder. */
export function encoder<T>(encode: (w: Writer, value: T) => void): (value: T) => Uint8Array {
  return (value) => {
    const w = new Writer();
    encode(w, value);
    return w.finish();
  };
}

/** From a Reader-style decoder (which ends with r.end() itself). */
export function decoder<T>(decode: (r: Reader) => T, context: string): (bytes: Uint8Array) => T {
  return (bytes) => decode(new Reader(bytes, context));
}

/** The five properties every codec must have. */
export function describeCodecProperties<T>(c: CodecUnderTest<T>): void {
  const numRuns = c.numRuns ?? 200;
  const kinds = c.errorKinds ?? ['decode'];
  const reencodes = c.reencodes ?? ((input, value) => equalBytes(input, c.encode(value)));
  describe(`${c.name} codec properties`, () => {
    it('decode(encode(x)) deep-equals x', () => {
      fc.assert(
        fc.property(c.arbitrary, (x) => {
          expect(c.decode(c.encode(x))).toEqual(x);
        }),
        { numRuns },
      );
    });

    it('every strict prefix of an encoding fails with a decode error', () => {
      fc.assert(
        fc.property(c.arbitrary, (x) => {
          const encoded = c.encode(x);
          const allowed = c.validPrefix?.(x);
          for (let n = 0; n < encoded.length; n++) {
            const prefix = encoded.subarray(0, n);
            if (allowed !== undefined && n === allowed.length) {
              expect(c.decode(prefix)).toEqual(allowed.value);
            } else {
              expectTlsError(() => c.decode(prefix));
            }
          }
        }),
        { numRuns: Math.min(numRuns, 100) },
      );
    });

    it('an encoding with one byte appended fails with a decode error', () => {
      fc.assert(
        fc.property(c.arbitrary, u8, (x, extra) => {
          const encoded = c.encode(x);
          const longer = new Uint8Array(encoded.length + 1);
          longer.set(encoded);
          longer[encoded.length] = extra;
          expectTlsError(() => c.decode(longer));
        }),
        { numRuns },
      );
    });

    const roundTripsOrThrows = (input: Uint8Array) => {
      let value: T;
      try {
        value = c.decode(input);
      } catch (e) {
        expect(e).toBeInstanceOf(TlsError);
        expect(kinds).toContain((e as TlsError).kind);
        return;
      }
      expect(reencodes(input, value)).toBe(true);
    };

    it('random bytes either round-trip (encode(decode(b)) = b) or throw a TlsError', () => {
      fc.assert(fc.property(bytes(0, 300), roundTripsOrThrows), { numRuns });
    });

    it('mutated encodings either round-trip or throw a TlsError', () => {
      fc.assert(
        fc.property(c.arbitrary, fc.array(mutation, { minLength: 1, maxLength: 3 }), (x, mutations) => {
          roundTripsOrThrows(mutate(c.encode(x), mutations));
        }),
        { numRuns },
      );
    });
  });
}
