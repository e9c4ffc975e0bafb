import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '../../../src/codec.js';
import {
  decodeHandshakeBody,
  decodeHandshakeMessage,
  encodeHandshake,
  encodeHandshakeMessage,
  type HandshakeMessageContent,
  HandshakeReassembler,
} from '../../../src/handshake/messages/handshake.js';
import { HandshakeType } from '../../../src/handshake/messages/types.js';
import { bytes, expectTlsError, handshakeMessage } from './arbitraries.js';

/** Cut `stream` at the given offsets (taken modulo its length), in order. */
function split(stream: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % (stream.length + 1))))].sort(
    (a, b) => a - b,
  );
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(stream.subarray(from, p));
    from = p;
  }
  out.push(stream.subarray(from));
  return out;
}

/** Push fragments one by one, draining after each, as the connection does. */
function reassemble(fragments: readonly Uint8Array[], reassembler = new HandshakeReassembler()) {
  const messages: { type: number; body: Uint8Array; raw: Uint8Array }[] = [];
  for (const fragment of fragments) {
    reassembler.push(fragment);
    for (let m = reassembler.next(); m !== undefined; m = reassembler.next()) messages.push(m);
  }
  return { messages, reassembler };
}

describe('handshake header (RFC 5246 §7.4)', () => {
  it('encodeHandshake writes type ‖ u24 length ‖ body', () => {
    expect(encodeHandshake(HandshakeType.finished, (w) => w.bytes(fromHex('0102')))).toEqual(
      fromHex('1400000201' + '02'),
    );
    expect(encodeHandshake(HandshakeType.server_hello_done, () => {})).toEqual(fromHex('0e000000'));
  });

  it('decodeHandshakeMessage(encodeHandshakeMessage(m)) returns m with its raw bytes', () => {
    fc.assert(
      fc.property(handshakeMessage, (m) => {
        const raw = encodeHandshakeMessage(m);
        const decoded = decodeHandshakeMessage(raw);
        expect({ type: decoded.type, body: decoded.body }).toEqual(m);
        expect(decoded.raw).toEqual(raw);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an unknown handshake type with unexpected_message', () => {
    for (const type of [3, 5, 8, 17, 21, 22, 24, 67, 254]) {
      const error = expectTlsError(
        () => decodeHandshakeBody(type, new Uint8Array(0), fromHex('00000000')),
        ['peer'],
      );
      expect(error.code).toBe('unknown_handshake_type');
      expect(error.alertSent).toBe('unexpected_message');
    }
  });

  it('decodes Finished with another verify_data length when asked', () => {
    const verifyData = new Uint8Array(32).fill(1);
    const raw = encodeHandshake(HandshakeType.finished, (w) => w.bytes(verifyData));
    expect(decodeHandshakeMessage(raw, 32).body).toEqual({ verifyData });
    expectTlsError(() => decodeHandshakeMessage(raw));
  });

  it('random bodies of every type decode or throw a TlsError, never another exception', () => {
    const types = Object.values(HandshakeType);
    fc.assert(
      fc.property(fc.constantFrom(...types), bytes(0, 200), (type, body) => {
        const raw = concatBytes(Uint8Array.of(type, 0, body.length >> 8, body.length & 0xff), body);
        try {
          const m = decodeHandshakeMessage(raw);
          expect(m.type).toBe(type);
        } catch {
          expectTlsError(() => decodeHandshakeMessage(raw), ['decode', 'peer']);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('HandshakeReassembler', () => {
  it('any split of a stream of messages into fragments yields the same messages', () => {
    fc.assert(
      fc.property(
        fc.array(handshakeMessage, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (contents: HandshakeMessageContent[], cuts) => {
          const raws = contents.map(encodeHandshakeMessage);
          const { messages, reassembler } = reassemble(split(concatBytes(...raws), cuts));
          expect(messages.map((m) => m.raw)).toEqual(raws);
          expect(reassembler.hasPartial).toBe(false);
          expect(reassembler.next()).toBeUndefined();
          messages.forEach((m, i) => {
            expect(m.type).toBe(contents[i]!.type);
            expect(m.body).toEqual(m.raw.subarray(4));
            const decoded = decodeHandshakeBody(m.type, m.body, m.raw);
            expect({ type: decoded.type, body: decoded.body }).toEqual(contents[i]);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hasPartial is true exactly while a message is half-received', () => {
    fc.assert(
      fc.property(handshakeMessage, fc.nat(), (m, cut) => {
        const raw = encodeHandshakeMessage(m);
        const at = 1 + (cut % raw.length); // 1..raw.length
        const reassembler = new HandshakeReassembler();
        expect(reassembler.hasPartial).toBe(false);
        reassembler.push(raw.subarray(0, at));
        if (at < raw.length) {
          expect(reassembler.next()).toBeUndefined();
          expect(reassembler.hasPartial).toBe(true);
          reassembler.push(raw.subarray(at));
        }
        expect(reassembler.hasPartial).toBe(true);
        expect(reassembler.next()?.raw).toEqual(raw);
        expect(reassembler.hasPartial).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('ignores empty fragments', () => {
    const reassembler = new HandshakeReassembler();
    reassembler.push(new Uint8Array(0));
    expect(reassembler.hasPartial).toBe(false);
    expect(reassembler.next()).toBeUndefined();
  });

  it('copies what it is given: later changes to a pushed buffer do not leak in', () => {
    const raw = fromHex('0e000000');
    const reassembler = new HandshakeReassembler();
    reassembler.push(raw);
    raw[0] = 0xff;
    expect(reassembler.next()?.type).toBe(HandshakeType.server_hello_done);
  });

  it('refuses a message longer than maxMessageSize as soon as its header is complete', () => {
    const reassembler = new HandshakeReassembler(1000);
    reassembler.push(fromHex('0b0003'));
    expect(reassembler.next()).toBeUndefined();
    reassembler.push(fromHex('e9'));
    const error = expectTlsError(() => reassembler.next(), ['limit']);
    expect(error.code).toBe('handshake_message_too_large');
    expect(error.alertSent).toBe('illegal_parameter');
    expect(error.message).toContain('certificate');
  });

  it('accepts a message of exactly maxMessageSize', () => {
    const body = new Uint8Array(1000).fill(5);
    const raw = encodeHandshake(HandshakeType.finished, (w) => w.bytes(body));
    const { messages } = reassemble(split(raw, [1, 4, 500]), new HandshakeReassembler(1000));
    expect(messages.map((m) => m.raw)).toEqual([raw]);
  });

  it('refuses with the default limit of 64 KiB', () => {
    const reassembler = new HandshakeReassembler();
    reassembler.push(fromHex('0b010001'));
    expectTlsError(() => reassembler.next(), ['limit']);
    const ok = new HandshakeReassembler();
    ok.push(fromHex('0b010000'));
    expect(ok.next()).toBeUndefined();
    expect(ok.hasPartial).toBe(true);
  });
});
