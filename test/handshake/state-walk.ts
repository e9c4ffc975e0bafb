// Shared by the per-side state machine tests: one valid sample of every handshake message type,
// record splitting, and the check that a state refuses every message it does not expect (RFC 5246 §7.4).

import { beforeAll, expect } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { decodeHandshakeBody, encodeHandshakeMessage } from '../../src/handshake/messages/handshake.js';
import { type HandshakeMessage, HandshakeType } from '../../src/handshake/messages/types.js';
import { p256Configs, testPki } from '../helpers/pki.js';

/** Configs for a p256 server requiring a client certificate and a p256 client, made in beforeAll. */
export function usePairConfigs(): {
  client: () => ClientConfig;
  server: () => ServerConfig;
} {
  let client: ClientConfig;
  let server: ServerConfig;
  beforeAll(() => {
    const configs = p256Configs(testPki());
    server = { ...configs.server, clientAuth: 'required' };
    client = configs.client;
  }, 120_000);
  return { client: () => client, server: () => server };
}

/** A handshake state as the state machine holds it. */
export type State = { step: string; [field: string]: unknown };

/** The current state of a connection's handshake state machine (undefined once it was dropped). */
export const stateOf = (c: TlsClient | TlsServer): State =>
  (c as unknown as { handshake: { state: State } }).handshake.state;

/** The handshake object a connection holds: its state machine, or a FinishedHandshake once done. */
export const handshakeOf = (c: TlsClient | TlsServer): unknown =>
  (c as unknown as { handshake: unknown }).handshake;

/** Write a raw handshake message of `type` (the sample) into a connection's protected record stream. */
export function injectHandshake(conn: unknown, type: number): void {
  const raw = encodeHandshakeMessage(samples().find((m) => m.type === type)! as never);
  (conn as { records: { write(t: number, d: Uint8Array): void } }).records.write(22, raw);
}

const rnd = new Uint8Array(32).fill(7);
/** One syntactically valid instance of every handshake message type. */
export function samples(): HandshakeMessage[] {
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
    { type: HandshakeType.new_session_ticket, body: { lifetimeHint: 60, ticket: new Uint8Array([1, 2]) } },
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

export interface Internals {
  handshake: { state: { step: string }; handle(m: HandshakeMessage): void; onChangeCipherSpec(): void };
}

/** Split a byte stream into whole records. */
export function records(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; ) {
    const len = 5 + ((bytes[o + 3]! << 8) | bytes[o + 4]!);
    out.push(bytes.subarray(o, o + len));
    o += len;
  }
  return out;
}

/** Split a plaintext handshake record into one record per handshake message. */
export function perMessage(record: Uint8Array): Uint8Array[] {
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

/** The client's legal messages in each step. */
export const EXPECTED_CLIENT: Record<string, number[]> = {
  awaitServerHello: [HandshakeType.server_hello, HandshakeType.hello_request],
  awaitCertificate: [HandshakeType.certificate, HandshakeType.hello_request],
  awaitServerKeyExchange: [HandshakeType.server_key_exchange, HandshakeType.hello_request],
  awaitCertificateRequestOrDone: [
    HandshakeType.certificate_request,
    HandshakeType.server_hello_done,
    HandshakeType.hello_request,
  ],
  awaitServerHelloDone: [HandshakeType.server_hello_done, HandshakeType.hello_request],
  awaitNewSessionTicket: [HandshakeType.new_session_ticket, HandshakeType.hello_request],
  awaitChangeCipherSpec: [HandshakeType.hello_request],
  awaitFinished: [HandshakeType.finished, HandshakeType.hello_request],
  awaitResumedNewSessionTicket: [HandshakeType.new_session_ticket, HandshakeType.hello_request],
  awaitResumedChangeCipherSpec: [HandshakeType.hello_request],
  awaitResumedFinished: [HandshakeType.finished, HandshakeType.hello_request],
};
/** The server's legal messages in each step. */
export const EXPECTED_SERVER: Record<string, number[]> = {
  awaitClientHello: [HandshakeType.client_hello],
  awaitCertificate: [HandshakeType.certificate],
  awaitClientKeyExchange: [HandshakeType.client_key_exchange],
  awaitCertificateVerify: [HandshakeType.certificate_verify],
  awaitChangeCipherSpec: [],
  awaitFinished: [HandshakeType.finished],
  awaitResumedChangeCipherSpec: [],
  awaitResumedFinished: [HandshakeType.finished],
};

/** Every message (and ChangeCipherSpec unless expected) not legal in the current step is unexpected_message. */
export function checkState(
  h: Internals['handshake'],
  expected: number[],
  ccsExpected: boolean,
  seen: Set<string>,
) {
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
