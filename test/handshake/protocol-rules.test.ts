// Record and message rules the RFCs name: the ChangeCipherSpec body (RFC 5246 §7.1), message types
// checked against the state before their bodies are decoded (§7.4), trailing bytes (§7.4.1.2), no
// other record type inside a split handshake message (RFC 8446 §5.1, RFC 5246 §6.2.1), the
// always-fatal alerts (RFC 5246 §7.2.2, RFC 8446 §6) and the ClientHello size bound.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Writer } from '../../src/codec.js';
import { type ClientConfig, resolveClientConfig, type ServerConfig } from '../../src/config.js';
import type { TlsEvent } from '../../src/connection.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { buildClientHello } from '../../src/handshake/build-client-hello.js';
import { encodeHandshake } from '../../src/handshake/messages/handshake.js';
import { encodeClientHello, encodeServerHello } from '../../src/handshake/messages/hello.js';
import type { ClientHello, Extension } from '../../src/handshake/messages/types.js';
import { errorOf, type Mangle, runPair } from '../helpers/pair.js';
import { p256Configs, testPki } from '../helpers/pki.js';

let client: ClientConfig;
let server: ServerConfig;
beforeAll(() => {
  const configs = p256Configs(testPki());
  server = { ...configs.server, clientAuth: 'none' };
  client = configs.client;
}, 120_000);

/** One plaintext record. */
function record(type: number, body: Uint8Array | number[]): Uint8Array {
  const b = body instanceof Uint8Array ? body : new Uint8Array(body);
  const out = new Uint8Array(5 + b.length);
  out.set([type, 3, 3, b.length >> 8, b.length & 0xff]);
  out.set(b, 5);
  return out;
}

/** Handshake bytes in plaintext records of at most 16384 bytes. */
function handshakeRecords(message: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let o = 0; o < message.length; o += 16384) parts.push(record(22, message.subarray(o, o + 16384)));
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A real ClientHello of our client's, as a value we can alter. */
function helloValue(overrides: Partial<ClientConfig> = {}): ClientHello {
  return buildClientHello(resolveClientConfig({ ...client, ...overrides }));
}

function clientHelloMessage(hello: ClientHello, trailing: number[] = []): Uint8Array {
  return encodeHandshake(1, (w: Writer) => {
    encodeClientHello(w, hello);
    w.bytes(new Uint8Array(trailing));
  });
}

function serverGets(bytes: Uint8Array): { s: TlsServer; events: TlsEvent[] } {
  const s = new TlsServer(server);
  return { s, events: s.receive(bytes) };
}

/** The client's first flight (its ClientHello record). */
function clientFirstFlight(): Uint8Array {
  return new TlsClient(client).takeOutgoing();
}

describe('ChangeCipherSpec body (RFC 5246 §7.1)', () => {
  it('a ChangeCipherSpec whose body is not the single byte 1 is unexpected_message, at the right moment too', () => {
    // Alter the client's CCS (plaintext, its second flight) to the byte 2.
    const mangle: Mangle = (bytes, dir, n) => {
      if (dir !== 'toServer' || n !== 1) return [bytes];
      const copy = bytes.slice();
      for (let o = 0; o < copy.length; o += 5 + ((copy[o + 3]! << 8) | copy[o + 4]!)) {
        if (copy[o] === 20) copy[o + 5] = 2;
      }
      return [copy];
    };
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    const log = runPair(c, s, mangle);
    expect(errorOf(log.server)?.alertSent).toBe('unexpected_message');
    expect(errorOf(log.server)?.code).toBe('bad_change_cipher_spec');
  });

  it('a two-byte ChangeCipherSpec is unexpected_message on either side', () => {
    const { events } = serverGets(record(20, [1, 1]));
    expect(errorOf(events)?.alertSent).toBe('unexpected_message');
    const c = new TlsClient(client);
    c.takeOutgoing();
    expect(errorOf(c.receive(record(20, [1, 1])))?.alertSent).toBe('unexpected_message');
  });
});

describe('handshake message type checked against the state before decoding (RFC 5246 §7.4)', () => {
  it('a ClientHello whose type byte says NewSessionTicket is unexpected_message, not decode_error', () => {
    const flight = clientFirstFlight().slice();
    flight[5] = 4; // new_session_ticket
    const error = errorOf(serverGets(flight).events);
    expect(error?.alertSent).toBe('unexpected_message');
    expect(error?.message).toMatch(/new_session_ticket/);
  });

  it('a ServerHello whose type byte says Certificate is unexpected_message at the client', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    s.receive(c.takeOutgoing());
    const flight = s.takeOutgoing().slice();
    flight[5] = 11; // certificate
    const error = errorOf(c.receive(flight));
    expect(error?.alertSent).toBe('unexpected_message');
    expect(error?.message).toMatch(/certificate/);
  });
});

describe('trailing bytes and extension framing (RFC 5246 §7.4.1.2–4)', () => {
  it('bytes after a ClientHello extension block are decode_error', () => {
    const { events } = serverGets(handshakeRecords(clientHelloMessage(helloValue(), [0, 0])));
    expect(errorOf(events)?.alertSent).toBe('decode_error');
  });

  it('a padding extension whose length runs past the block is decode_error', () => {
    const hello = helloValue();
    const message = clientHelloMessage(hello, [0, 21, 0, 9, 0, 0]).slice();
    // Grow the extension block length to cover the padding header, whose own length (9) overruns it.
    const extStart = 4 + 2 + 32 + 1 + 2 + 2 * hello.cipherSuites.length + 2;
    const blockLength = ((message[extStart]! << 8) | message[extStart + 1]!) + 6;
    message[extStart] = blockLength >> 8;
    message[extStart + 1] = blockLength & 0xff;
    const { events } = serverGets(handshakeRecords(message));
    expect(errorOf(events)?.alertSent).toBe('decode_error');
  });

  it('bytes after a ServerHello extension block are decode_error at the client', () => {
    const c = new TlsClient(client);
    c.takeOutgoing();
    const hello = encodeHandshake(2, (w) => {
      encodeServerHello(w, {
        version: 0x0303,
        random: new Uint8Array(32),
        sessionId: new Uint8Array(0),
        cipherSuite: 0xc02b,
        compressionMethod: 0,
        extensions: [{ type: 23, data: new Uint8Array(0) }],
      });
      w.u8(0);
    });
    expect(errorOf(c.receive(handshakeRecords(hello)))?.alertSent).toBe('decode_error');
  });
});

describe('no other record inside a split handshake message (RFC 8446 §5.1, RFC 5246 §6.2.1)', () => {
  function splitWith(inserted: Uint8Array): Uint8Array {
    const flight = clientFirstFlight();
    const message = flight.subarray(5);
    return concat([record(22, message.subarray(0, 10)), inserted, record(22, message.subarray(10))]);
  }

  it('a warning alert between the fragments of a ClientHello is unexpected_message', () => {
    const { events } = serverGets(splitWith(record(21, [1, 90])));
    expect(events.some((e) => e.type === 'alert')).toBe(false);
    expect(errorOf(events)?.alertSent).toBe('unexpected_message');
    expect(errorOf(events)?.code).toBe('interleaved_record');
  });

  it("a fatal alert between the fragments of a ClientHello ends the connection with the peer's alert", () => {
    const { events } = serverGets(splitWith(record(21, [2, 40])));
    expect(errorOf(events)?.kind).toBe('alertReceived');
    expect(errorOf(events)?.code).toBe('handshake_failure');
  });

  it('plaintext application data between the fragments of a ClientHello is unexpected_message', () => {
    const { events } = serverGets(splitWith(record(23, [1, 2, 3])));
    expect(errorOf(events)?.alertSent).toBe('unexpected_message');
  });

  it('after the handshake, application data inside a split HelloRequest is not delivered', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    runPair(c, s);
    expect(c.state).toBe('open');
    const records = (s as unknown as { records: { write(t: number, d: Uint8Array): void } }).records;
    records.write(22, new Uint8Array([0, 0]));
    records.write(23, new TextEncoder().encode('smuggled'));
    records.write(22, new Uint8Array([0, 0]));
    const events = c.receive(s.takeOutgoing());
    expect(events.some((e) => e.type === 'data')).toBe(false);
    expect(errorOf(events)?.alertSent).toBe('unexpected_message');
    expect(errorOf(events)?.code).toBe('interleaved_record');
  });

  it('a ChangeCipherSpec between the fragments of a handshake message is unexpected_message', () => {
    const { events } = serverGets(splitWith(record(20, [1])));
    expect(errorOf(events)?.code).toBe('interleaved_record');
    expect(errorOf(events)?.alertSent).toBe('unexpected_message');
  });
});

describe('always-fatal alerts end the connection even at warning level (RFC 5246 §7.2.2, RFC 8446 §6)', () => {
  for (const [name, code] of [
    ['unexpected_message', 10],
    ['bad_record_mac', 20],
    ['record_overflow', 22],
    ['handshake_failure', 40],
    ['illegal_parameter', 47],
    ['decode_error', 50],
    ['internal_error', 80],
    ['unknown_alert_200', 200],
  ] as const) {
    it(`server: a warning-level ${name} is fatal`, () => {
      const { s, events } = serverGets(concat([clientFirstFlight(), record(21, [1, code])]));
      const error = errorOf(events);
      expect(error?.kind).toBe('alertReceived');
      expect(error?.code).toBe(name);
      expect(error?.message).toMatch(/warning level/);
      expect(s.state).toBe('failed');
      expect(s.takeOutgoing().length).toBeGreaterThan(0); // its own flight; no alert is sent back
    });
  }

  it('client: a warning-level handshake_failure from the server is fatal', () => {
    const c = new TlsClient(client);
    c.takeOutgoing();
    const error = errorOf(c.receive(record(21, [1, 40])));
    expect(error?.kind).toBe('alertReceived');
    expect(error?.code).toBe('handshake_failure');
    expect(c.state).toBe('failed');
  });

  it('warnings that may be warnings (user_canceled, unrecognized_name, certificate ones) are still events', () => {
    for (const code of [90, 112, 42, 45, 46]) {
      const { s, events } = serverGets(concat([clientFirstFlight(), record(21, [1, code])]));
      expect(errorOf(events)).toBeUndefined();
      expect(events.filter((e) => e.type === 'alert')).toHaveLength(1);
      expect(s.state).toBe('handshaking');
    }
  });
});

describe('ClientHello size (RFC 5246 §7.4.1.2: up to 2^16−2 bytes of suites and 2^16−1 of extensions)', () => {
  /** Our client's hello with `suiteCount` suites and a padding extension (RFC 7685) filling the block. */
  function bigHello(suiteCount: number, extensionBlock: number, trailing: number[] = []): Uint8Array {
    const base = helloValue();
    const cipherSuites = [...base.cipherSuites];
    for (let i = 0; cipherSuites.length < suiteCount; i++)
      cipherSuites.push(0x0a0a + 0x1000 * (i % 16) + (i >> 4));
    const used = base.extensions.reduce((n, e) => n + 4 + e.data.length, 0);
    const padding: Extension = { type: 21, data: new Uint8Array(extensionBlock - used - 4) };
    return clientHelloMessage({ ...base, cipherSuites, extensions: [...base.extensions, padding] }, trailing);
  }

  it('a well-formed ClientHello of 128 KiB (many suites, large padding) gets a ServerHello', () => {
    const message = bigHello(32_767, 65_535);
    expect(message.length - 4).toBeGreaterThanOrEqual(128 * 1024);
    const { s, events } = serverGets(handshakeRecords(message));
    expect(errorOf(events)).toBeUndefined();
    expect(s.takeOutgoing()[5]).toBe(2); // server_hello
  });

  it('a 100 KiB ClientHello with bytes after its extensions is decode_error, not a size refusal', () => {
    const message = bigHello(24_000, 60_000, [0, 0, 0]);
    expect(message.length).toBeGreaterThan(100 * 1024);
    const error = errorOf(serverGets(handshakeRecords(message)).events);
    expect(error?.alertSent).toBe('decode_error');
    expect(error?.message).toMatch(/trailing/);
  });

  it('a ClientHello declared larger than any well-formed one is refused before it is buffered', () => {
    const header = new Uint8Array([1, 0x02, 0x01, 0x45]); // 131397 bytes
    const { events } = serverGets(record(22, [...header, 3, 3]));
    const error = errorOf(events);
    expect(error?.kind).toBe('limit');
    expect(error?.code).toBe('handshake_message_too_large');
  });

  it('other handshake messages keep maxHandshakeMessageSize (a 64 KiB + 1 Certificate is refused)', () => {
    const c = new TlsClient(client);
    c.takeOutgoing();
    const error = errorOf(c.receive(record(22, [11, 0x01, 0x00, 0x01, 0, 0])));
    expect(error?.kind).toBe('limit');
    expect(error?.code).toBe('handshake_message_too_large');
  });
});

describe('every extension the server knows is parsed, used or not', () => {
  it('a malformed ALPN extension is decode_error even when the server has no ALPN configured', () => {
    const base = helloValue();
    const badAlpn: Extension = { type: 16, data: new Uint8Array([0, 3, 5, 0x68, 0x32]) }; // name overruns the list
    const { events } = serverGets(
      handshakeRecords(clientHelloMessage({ ...base, extensions: [...base.extensions, badAlpn] })),
    );
    expect(errorOf(events)?.alertSent).toBe('decode_error');
  });
});
