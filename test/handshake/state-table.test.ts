// The state table: every handshake message type sent in every state of each side.
// Anything but the expected message(s) is unexpected_message; ChangeCipherSpec likewise.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { decodeHandshakeBody, encodeHandshakeMessage } from '../../src/handshake/messages/handshake.js';
import { type HandshakeMessage, HandshakeType } from '../../src/handshake/messages/types.js';
import { testPki } from '../helpers/pki.js';

let client: ClientConfig;
let server: ServerConfig;
beforeAll(() => {
  const pki = testPki();
  const s = pki.leaf('p256', 'server');
  const c = pki.leaf('p256', 'client');
  server = { ca: pki.ca, cert: s.cert, key: s.key };
  client = { ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key };
}, 120_000);

const rnd = new Uint8Array(32).fill(7);
/** One syntactically valid instance of every handshake message type. */
function samples(): HandshakeMessage[] {
  const contents = [
    { type: HandshakeType.hello_request, body: {} },
    {
      type: HandshakeType.client_hello,
      body: {
        version: 0x0303,
        random: rnd,
        sessionId: new Uint8Array(0),
        cipherSuites: [0xc02b],
        compressionMethods: [0],
        extensions: [],
      },
    },
    {
      type: HandshakeType.server_hello,
      body: {
        version: 0x0303,
        random: rnd,
        sessionId: new Uint8Array(0),
        cipherSuite: 0xc02b,
        compressionMethod: 0,
        extensions: [],
      },
    },
    { type: HandshakeType.certificate, body: { certificates: [new Uint8Array([0x30, 0])] } },
    {
      type: HandshakeType.server_key_exchange,
      body: {
        curveType: 3,
        namedGroup: 0x1d,
        publicKey: rnd,
        signatureScheme: 0x0403,
        signature: new Uint8Array([1]),
      },
    },
    {
      type: HandshakeType.certificate_request,
      body: { certificateTypes: [64], signatureSchemes: [0x0403], certificateAuthorities: [] },
    },
    { type: HandshakeType.server_hello_done, body: {} },
    {
      type: HandshakeType.certificate_verify,
      body: { signatureScheme: 0x0403, signature: new Uint8Array([1]) },
    },
    { type: HandshakeType.client_key_exchange, body: { publicKey: rnd } },
    { type: HandshakeType.finished, body: { verifyData: new Uint8Array(12) } },
  ] as const;
  return contents.map((m) => {
    // biome-ignore lint/suspicious/noExplicitAny: the table holds one of each union member
    const raw = encodeHandshakeMessage(m as any);
    return decodeHandshakeBody(m.type, raw.subarray(4), raw);
  });
}

interface Internals {
  handshake: { state: { step: string }; handle(m: HandshakeMessage): void; onChangeCipherSpec(): void };
}

/** Split a byte stream into whole records. */
function records(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; ) {
    const len = 5 + ((bytes[o + 3]! << 8) | bytes[o + 4]!);
    out.push(bytes.subarray(o, o + len));
    o += len;
  }
  return out;
}

/** Split a plaintext handshake record into one record per handshake message. */
function perMessage(record: Uint8Array): Uint8Array[] {
  if (record[0] !== 22) return [record];
  const out: Uint8Array[] = [];
  const body = record.subarray(5);
  for (let o = 0; o < body.length; ) {
    const len = 4 + ((body[o + 1]! << 16) | (body[o + 2]! << 8) | body[o + 3]!);
    const msg = body.subarray(o, o + len);
    out.push(new Uint8Array([22, 3, 3, msg.length >> 8, msg.length & 0xff, ...msg]));
    o += len;
  }
  return out;
}

/** Each step's legal messages, by side. */
const EXPECTED: Record<string, number[]> = {
  awaitServerHello: [HandshakeType.server_hello, HandshakeType.hello_request],
  awaitCertificate: [HandshakeType.certificate, HandshakeType.hello_request],
  awaitServerKeyExchange: [HandshakeType.server_key_exchange, HandshakeType.hello_request],
  awaitCertificateRequestOrDone: [
    HandshakeType.certificate_request,
    HandshakeType.server_hello_done,
    HandshakeType.hello_request,
  ],
  awaitServerHelloDone: [HandshakeType.server_hello_done, HandshakeType.hello_request],
  awaitChangeCipherSpec: [HandshakeType.hello_request],
  awaitFinished: [HandshakeType.finished, HandshakeType.hello_request],
};
const EXPECTED_SERVER: Record<string, number[]> = {
  awaitClientHello: [HandshakeType.client_hello],
  awaitCertificate: [HandshakeType.certificate],
  awaitClientKeyExchange: [HandshakeType.client_key_exchange],
  awaitCertificateVerify: [HandshakeType.certificate_verify],
  awaitChangeCipherSpec: [],
  awaitFinished: [HandshakeType.finished],
};

function checkState(h: Internals['handshake'], expected: number[], ccsExpected: boolean, seen: Set<string>) {
  const step = h.state.step;
  seen.add(step);
  for (const m of samples()) {
    if (expected.includes(m.type)) continue;
    let thrown: unknown;
    try {
      h.handle(m);
    } catch (e) {
      thrown = e;
    }
    expect(thrown, `${step} + type ${m.type}`).toBeInstanceOf(TlsError);
    expect((thrown as TlsError).alertSent, `${step} + type ${m.type}`).toBe('unexpected_message');
    expect(h.state.step).toBe(step);
  }
  if (!ccsExpected) {
    expect(() => h.onChangeCipherSpec(), `${step} + CCS`).toThrowError(
      expect.objectContaining({ alertSent: 'unexpected_message' }),
    );
  }
}

describe('state table', () => {
  it('client: every message in every state', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    const h = (c as unknown as Internals).handshake;
    const seen = new Set<string>();
    s.receive(c.takeOutgoing());
    const flight = records(s.takeOutgoing()).flatMap(perMessage);
    for (const rec of flight) {
      checkState(h, EXPECTED[h.state.step]!, false, seen);
      expect(c.receive(rec).filter((e) => e.type === 'error')).toEqual([]);
    }
    checkState(h, EXPECTED[h.state.step]!, true, seen);
    s.receive(c.takeOutgoing());
    const [ccs, finished] = records(s.takeOutgoing());
    c.receive(ccs!);
    checkState(h, EXPECTED[h.state.step]!, false, seen);
    c.receive(finished!);
    expect(c.state).toBe('open');
    expect([...seen].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('server: every message in every state', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    const h = (s as unknown as Internals).handshake;
    const seen = new Set<string>();
    checkState(h, EXPECTED_SERVER[h.state.step]!, false, seen);
    s.receive(c.takeOutgoing());
    c.receive(s.takeOutgoing());
    const flight = records(c.takeOutgoing());
    for (const rec of flight) {
      const step = h.state.step;
      checkState(h, EXPECTED_SERVER[step]!, step === 'awaitChangeCipherSpec', seen);
      expect(s.receive(rec).filter((e) => e.type === 'error')).toEqual([]);
    }
    expect(s.state).toBe('open');
    expect([...seen].sort()).toEqual(Object.keys(EXPECTED_SERVER).sort());
  });

  it('after the handshake: unexpected messages are fatal, renegotiation is refused', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    for (let i = 0; i < 4; i++) {
      s.receive(c.takeOutgoing());
      c.receive(s.takeOutgoing());
    }
    expect(c.state).toBe('open');
    const inject = (conn: unknown, type: number) => {
      const raw = encodeHandshakeMessage(samples().find((m) => m.type === type)! as never);
      (conn as { records: { write(t: number, d: Uint8Array): void } }).records.write(22, raw);
    };
    inject(s, HandshakeType.hello_request);
    const ev = c.receive(s.takeOutgoing());
    expect(ev).toContainEqual({ type: 'alert', level: 'warning', description: 'renegotiation_refused' });
    expect(c.state).toBe('open');
    // A flood of renegotiation requests ends the connection.
    for (let i = 0; i < 8; i++) inject(s, HandshakeType.hello_request);
    const flood = c.receive(s.takeOutgoing());
    expect(flood.at(-1)).toMatchObject({ type: 'error', error: { code: 'too_many_renegotiation_requests' } });
    expect(c.state).toBe('failed');
  });

  it('after the handshake, other handshake messages are fatal', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    for (let i = 0; i < 4; i++) {
      s.receive(c.takeOutgoing());
      c.receive(s.takeOutgoing());
    }
    const inject = (conn: unknown, type: number) => {
      const raw = encodeHandshakeMessage(samples().find((m) => m.type === type)! as never);
      (conn as { records: { write(t: number, d: Uint8Array): void } }).records.write(22, raw);
    };
    inject(s, HandshakeType.finished);
    const ev2 = c.receive(s.takeOutgoing());
    expect(ev2.at(-1)).toMatchObject({ type: 'error', error: { alertSent: 'unexpected_message' } });
  });
});
