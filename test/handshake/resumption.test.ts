// Session resumption in memory (RFC 5077 tickets, RFC 5246 §7.4.1.2 session IDs, RFC 7627 §5.3):
// abbreviated handshakes, what a resumed session reports, and every case that must fall back to a
// full handshake instead.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TlsEvent } from '../../src/connection.js';
import { createClientContext, createServerContext, type ServerContext } from '../../src/context.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../../src/handshake/messages/handshake.js';
import { HandshakeType, type ServerHello } from '../../src/handshake/messages/types.js';
import { decodeClientSession, encodeClientSession } from '../../src/handshake/resumption.js';
import { nodeCryptoProvider } from '../../src/providers/node/provider.js';
import { dataOf, errorOf, type Mangle, runPair } from '../helpers/pair.js';
import { p256Configs, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let base: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  pki = testPki();
  base = p256Configs(pki);
}, 120_000);

const sessionOf = (events: TlsEvent[]): Uint8Array | undefined => {
  const e = events.filter((x) => x.type === 'session').at(-1);
  return e && e.type === 'session' ? e.session : undefined;
};
const infoOf = (events: TlsEvent[]) => {
  const e = events.find((x) => x.type === 'handshake');
  return e && e.type === 'handshake' ? e.info : undefined;
};

/** One connection: client (offering `session`) against a server made from `server`. */
function connect(
  client: ClientConfig,
  server: ServerConfig | ServerContext,
  session?: Uint8Array,
): ReturnType<typeof runPair> & { c: TlsClient; s: TlsServer } {
  const c = new TlsClient(client, session ? { session } : {});
  const s = new TlsServer(server);
  c.write(new TextEncoder().encode('ping'));
  const log = runPair(c, s);
  return { ...log, c, s };
}

/** Handshake message types in one direction's plaintext records (before encryption starts). */
function plainHandshakeTypes(chunks: Uint8Array[]): number[] {
  const types: number[] = [];
  for (const chunk of chunks) {
    let o = 0;
    while (o + 5 <= chunk.length) {
      const type = chunk[o]!;
      const len = (chunk[o + 3]! << 8) | chunk[o + 4]!;
      if (type === 22) {
        const body = chunk.subarray(o + 5, o + 5 + len);
        try {
          types.push(decodeHandshakeMessage(body).type);
        } catch {
          types.push(-1); // encrypted Finished
        }
      } else if (type === 20) types.push(-20);
      o += 5 + len;
    }
  }
  return types;
}

describe('session tickets (RFC 5077)', () => {
  it('a full handshake hands out a session; offering it resumes with the abbreviated handshake', () => {
    const server = createServerContext(base.server);
    const first = connect(base.client, server);
    expect(errorOf(first.client)).toBeUndefined();
    expect(infoOf(first.client)?.resumed).toBe(false);
    const session = sessionOf(first.client);
    expect(session).toBeInstanceOf(Uint8Array);
    // Full handshake: the server's second flight is NewSessionTicket, CCS, Finished.
    expect(plainHandshakeTypes(first.toClient.slice(-1))).toEqual([4, -20, -1]);

    const second = connect(base.client, server, session);
    expect(errorOf(second.client)).toBeUndefined();
    expect(errorOf(second.server)).toBeUndefined();
    const ci = infoOf(second.client)!;
    const si = infoOf(second.server)!;
    expect(ci.resumed).toBe(true);
    expect(si.resumed).toBe(true);
    // ServerHello, CCS, Finished in one flight; no Certificate, no ServerKeyExchange.
    expect(plainHandshakeTypes(second.toClient.slice(0, 1))).toEqual([2, -20, -1]);
    // The verified identities and parameters of the full handshake carry over.
    expect(ci.peerIdentity?.fingerprintSha256).toBe(infoOf(first.client)!.peerIdentity?.fingerprintSha256);
    expect(si.peerIdentity?.fingerprintSha256).toBe(infoOf(first.server)!.peerIdentity?.fingerprintSha256);
    expect(ci.cipherSuite).toBe(infoOf(first.client)!.cipherSuite);
    expect(ci.extendedMasterSecret).toBe(true);
    expect(si.serverName).toBe('server.test');
    expect(new TextDecoder().decode(dataOf(second.server))).toBe('ping');
    // Both sides derived the same keys from the stored master secret.
    expect(second.c.exportKeyingMaterial('EXPORTER-test', 16)).toEqual(
      second.s.exportKeyingMaterial('EXPORTER-test', 16),
    );
    // A ticket sealed with the current key is not renewed: no new session event.
    expect(sessionOf(second.client)).toBeUndefined();
    // The session event comes just before the handshake event (node:tls: 'session' before 'secureConnect').
    const types = first.client.map((e) => e.type);
    expect(types.indexOf('session')).toBe(types.indexOf('handshake') - 1);
  });

  it('a session resumes on a second server given the same ticketKeys, not on one with other keys', () => {
    const keys = new Uint8Array(48).fill(5);
    const a = createServerContext({ ...base.server, ticketKeys: keys });
    const session = sessionOf(connect(base.client, a).client)!;
    const b = createServerContext({ ...base.server, ticketKeys: keys.slice() });
    expect(infoOf(connect(base.client, b, session).server)?.resumed).toBe(true);
    const other = createServerContext({ ...base.server, ticketKeys: new Uint8Array(48).fill(6) });
    const full = connect(base.client, other, session);
    expect(errorOf(full.client)).toBeUndefined();
    expect(infoOf(full.server)?.resumed).toBe(false);
    expect(infoOf(full.client)?.resumed).toBe(false);
  });

  it('tickets are sealed by the context crypto provider: node:crypto and noble servers open each other’s', () => {
    const keys = new Uint8Array(48).fill(7);
    const native = createServerContext({ ...base.server, ticketKeys: keys, crypto: nodeCryptoProvider });
    const pure = createServerContext({ ...base.server, ticketKeys: keys });
    const fromNative = sessionOf(connect(base.client, native).client)!;
    expect(infoOf(connect(base.client, pure, fromNative).server)?.resumed).toBe(true);
    const fromPure = sessionOf(connect(base.client, pure).client)!;
    expect(infoOf(connect(base.client, native, fromPure).server)?.resumed).toBe(true);
  });

  it('contexts copy Buffer inputs: the session and ticketKeys Buffers are neither wiped nor read again', () => {
    const keys = Buffer.alloc(48, 4);
    const server = createServerContext({ ...base.server, ticketKeys: keys });
    const session = Buffer.from(sessionOf(connect(base.client, server).client)!);
    keys.fill(0); // the context keeps its own copy
    const saved = Buffer.from(session);
    for (let i = 0; i < 2; i++) {
      expect(infoOf(connect(base.client, server, session).client)?.resumed).toBe(true);
      expect(session).toEqual(saved);
    }
    expect(infoOf(connect({ ...base.client, session }, server).client)?.resumed).toBe(true);
  });

  it('rotation: a ticket from an older period still opens within its lifetime and is renewed', () => {
    let now = Date.now();
    const keys = new Uint8Array(48).fill(9);
    const opts = { ticketKeys: keys, ticketKeyRotation: 60, sessionTimeout: 600, now: () => now };
    const server = createServerContext({ ...base.server, ...opts });
    const client = { ...base.client, now: () => now };
    const session = sessionOf(connect(client, server).client)!;
    now += 120_000; // two rotation periods later
    const second = connect(client, server, session);
    expect(infoOf(second.server)?.resumed).toBe(true);
    const renewed = sessionOf(second.client);
    expect(renewed).toBeInstanceOf(Uint8Array);
    expect(plainHandshakeTypes(second.toClient.slice(0, 1))).toEqual([2, 4, -20, -1]);
    expect(infoOf(connect(client, server, renewed).client)?.resumed).toBe(true);
  });

  it('an expired ticket (by the config clock) gives a full handshake', () => {
    let now = Date.now();
    const server = createServerContext({ ...base.server, sessionTimeout: 60, now: () => now });
    const client = { ...base.client, now: () => now };
    const session = sessionOf(connect(client, server).client)!;
    now += 61_000;
    const r = connect(client, server, session);
    expect(errorOf(r.client)).toBeUndefined();
    expect(infoOf(r.server)?.resumed).toBe(false);
  });

  it('tampered, truncated and wrong-key tickets give a full handshake, never an error', () => {
    const server = createServerContext(base.server);
    const session = sessionOf(connect(base.client, server).client)!;
    const stored = decodeClientSession(session)!;
    const t = stored.ticket;
    const flip = (i: number) => {
      const x = t.slice();
      x[i]! ^= 1;
      return x;
    };
    const variants = [
      flip(0), // key name
      flip(17), // rotation period
      flip(25), // nonce
      flip(t.length - 20), // ciphertext
      flip(t.length - 1), // tag
      t.slice(0, t.length - 1),
      t.slice(0, 47),
      t.slice(0, 1),
      new Uint8Array(t.length), // zeros
    ];
    for (const ticket of variants) {
      const r = connect(base.client, server, encodeClientSession({ ...stored, ticket }));
      expect(errorOf(r.client)).toBeUndefined();
      expect(errorOf(r.server)).toBeUndefined();
      expect(infoOf(r.server)?.resumed).toBe(false);
      expect(infoOf(r.client)?.resumed).toBe(false);
    }
    // The untouched ticket still resumes: the variants failed for their damage alone.
    expect(infoOf(connect(base.client, server, session).server)?.resumed).toBe(true);
  });
});

/** Re-encode the ServerHello (first record toward the client) after `change`. */
function mangleServerHello(change: (h: ServerHello) => ServerHello): Mangle {
  return (bytes, direction, flight) => {
    if (direction !== 'toClient' || flight !== 0) return [bytes];
    const len = (bytes[3]! << 8) | bytes[4]!;
    const m = decodeHandshakeMessage(bytes.subarray(5, 5 + len));
    if (m.type !== HandshakeType.server_hello) return [bytes];
    const raw = encodeHandshakeMessage({ type: m.type, body: change(m.body) });
    const header = new Uint8Array([22, 3, 3, raw.length >> 8, raw.length & 0xff]);
    return [header, raw, bytes.subarray(5 + len)];
  };
}

describe('RFC 7627 §5.3 and the resumed suite', () => {
  it('client: a server resuming an EMS session without EMS is refused (handshake_failure)', () => {
    const client = { ...base.client, requireExtendedMasterSecret: false };
    const server = createServerContext(base.server);
    const session = sessionOf(connect(client, server).client)!;
    const c = new TlsClient(client, { session });
    const log = runPair(
      c,
      new TlsServer(server),
      mangleServerHello((h) => ({ ...h, extensions: h.extensions.filter((e) => e.type !== 23) })),
    );
    expect(errorOf(log.client)?.code).toBe('resumption_ems_mismatch');
    expect(errorOf(log.client)?.alertSent).toBe('handshake_failure');
  });

  it('client: a server resuming with another cipher suite is refused (illegal_parameter)', () => {
    const server = createServerContext(base.server);
    const session = sessionOf(connect(base.client, server).client)!;
    const c = new TlsClient(base.client, { session });
    const log = runPair(
      c,
      new TlsServer(server),
      mangleServerHello((h) => ({ ...h, cipherSuite: h.cipherSuite === 0xc02b ? 0xc02c : 0xc02b })),
    );
    expect(errorOf(log.client)?.code).toBe('resumption_suite_mismatch');
    expect(errorOf(log.client)?.alertSent).toBe('illegal_parameter');
  });

  it('server: a ClientHello without EMS offering an EMS session is refused (handshake_failure), as RFC 7627 §5.3 says', () => {
    const server = createServerContext({ ...base.server, requireExtendedMasterSecret: false });
    const session = sessionOf(connect(base.client, server).client)!;
    const c = new TlsClient(base.client, { session });
    const s = new TlsServer(server);
    const hello = c.takeOutgoing();
    const len = (hello[3]! << 8) | hello[4]!;
    const m = decodeHandshakeMessage(hello.subarray(5, 5 + len));
    if (m.type !== HandshakeType.client_hello) throw new Error('expected ClientHello');
    const withoutEms = (body: typeof m.body) => ({
      ...body,
      extensions: body.extensions.filter((e) => e.type !== 23),
    });
    const raw = encodeHandshakeMessage({ type: m.type, body: withoutEms(m.body) });
    const events = s.receive(new Uint8Array([22, 3, 3, raw.length >> 8, raw.length & 0xff, ...raw]));
    expect(errorOf(events)?.code).toBe('resumption_ems_mismatch');
    expect(errorOf(events)?.alertSent).toBe('handshake_failure');
    // The same ClientHello without EMS and without the session is a full handshake (EMS not required).
    const fresh = new TlsClient(base.client).takeOutgoing();
    const freshLen = (fresh[3]! << 8) | fresh[4]!;
    const f = decodeHandshakeMessage(fresh.subarray(5, 5 + freshLen));
    if (f.type !== HandshakeType.client_hello) throw new Error('expected ClientHello');
    const freshRaw = encodeHandshakeMessage({ type: f.type, body: withoutEms(f.body) });
    const s2 = new TlsServer(server);
    const events2 = s2.receive(
      new Uint8Array([22, 3, 3, freshRaw.length >> 8, freshRaw.length & 0xff, ...freshRaw]),
    );
    expect(errorOf(events2)).toBeUndefined();
  });
});

describe('secrets of an offered session', () => {
  const offeredSecret = (c: TlsClient): Uint8Array =>
    (c as unknown as { handshake: { state: { resumption: { session: { masterSecret: Uint8Array } } } } })
      .handshake.state.resumption.session.masterSecret;
  const isZero = (b: Uint8Array) => b.every((x) => x === 0);

  it('are zeroed when the server does not resume, and when the connection fails first', () => {
    const server = createServerContext(base.server);
    const session = sessionOf(connect(base.client, server).client)!;
    const notResumed = new TlsClient(base.client, { session });
    const secret = offeredSecret(notResumed);
    expect(isZero(secret)).toBe(false);
    runPair(notResumed, new TlsServer(createServerContext(base.server))); // other ticket keys
    expect(notResumed.info?.resumed).toBe(false);
    expect(isZero(secret)).toBe(true);
    const failed = new TlsClient(base.client, { session });
    const secret2 = offeredSecret(failed);
    expect(errorOf(failed.receive(new Uint8Array([21, 3, 3, 0, 2, 2, 40])))?.kind).toBe('alertReceived');
    expect(isZero(secret2)).toBe(true);
  });
});

describe('session IDs (RFC 5246 §7.4.1.2)', () => {
  it('with tickets off the server caches sessions by ID and resumes them', () => {
    const server = createServerContext({ ...base.server, sessionTickets: false });
    const first = connect(base.client, server);
    const session = sessionOf(first.client)!;
    expect(session).toBeInstanceOf(Uint8Array);
    const second = connect(base.client, server, session);
    expect(errorOf(second.client)).toBeUndefined();
    expect(infoOf(second.client)?.resumed).toBe(true);
    expect(infoOf(second.server)?.resumed).toBe(true);
    expect(infoOf(second.server)?.peerIdentity?.commonName).toBe(
      infoOf(first.server)?.peerIdentity?.commonName,
    );
  });

  it('a session ID is invalidated when a connection using it fails (RFC 5246 §7.2), on the full and the resumed connection', () => {
    const server = createServerContext({ ...base.server, sessionTickets: false });
    // A connection whose session is cached, then broken by a record that does not authenticate.
    const first = connect(base.client, server);
    const session = sessionOf(first.client)!;
    const broken = first.s.receive(new Uint8Array([23, 3, 3, 0, 24, ...new Uint8Array(24)]));
    expect(errorOf(broken)?.alertSent).toBe('bad_record_mac');
    expect(infoOf(connect(base.client, server, session).client)?.resumed).toBe(false);
    // A session resumed by ID, whose resumed connection then fails, is dropped the same way.
    const made = connect(base.client, server);
    const again = sessionOf(made.client)!;
    const resumed = connect(base.client, server, again);
    expect(infoOf(resumed.server)?.resumed).toBe(true);
    // A plaintext alert once records are protected does not authenticate: bad_record_mac.
    expect(errorOf(resumed.s.receive(new Uint8Array([21, 3, 3, 0, 2, 2, 40])))?.alertSent).toBe(
      'bad_record_mac',
    );
    expect(infoOf(connect(base.client, server, again).client)?.resumed).toBe(false);
    // Without a failure, the same session resumes again and again.
    const kept = sessionOf(connect(base.client, server).client)!;
    expect(infoOf(connect(base.client, server, kept).client)?.resumed).toBe(true);
    expect(infoOf(connect(base.client, server, kept).client)?.resumed).toBe(true);
  });

  it('the cache is bounded (LRU): the oldest session is evicted', () => {
    const server = createServerContext({ ...base.server, sessionTickets: false, sessionCacheSize: 2 });
    const s1 = sessionOf(connect(base.client, server).client)!;
    const s2 = sessionOf(connect(base.client, server).client)!;
    expect(infoOf(connect(base.client, server, s1).server)?.resumed).toBe(true); // s1 now most recent
    const s3 = sessionOf(connect(base.client, server).client)!; // evicts s2
    expect(infoOf(connect(base.client, server, s3).server)?.resumed).toBe(true);
    expect(infoOf(connect(base.client, server, s1).server)?.resumed).toBe(true);
    expect(infoOf(connect(base.client, server, s2).server)?.resumed).toBe(false);
  });

  it('sessionCacheSize 0 with tickets off: no session at all', () => {
    const server = createServerContext({ ...base.server, sessionTickets: false, sessionCacheSize: 0 });
    expect(sessionOf(connect(base.client, server).client)).toBeUndefined();
  });
});

describe('never resumed under other settings', () => {
  it('another server name, root or client certificate requirement: a full handshake', () => {
    const server = createServerContext(base.server);
    const session = sessionOf(connect(base.client, server).client)!;
    // Another server name at the client: the session is not offered.
    const otherName = connect(
      { ...base.client, verifyHostname: false, serverName: 'other.test' },
      server,
      session,
    );
    expect(infoOf(otherName.client)?.resumed).toBe(false);
    // Another root at the server (the client's certificate is verified against a different pin).
    const both = { ...base.server, ca: [pki.ca, pki.otherCa] };
    const otherRoot = connect(base.client, createServerContext(both), session);
    expect(infoOf(otherRoot.server)?.resumed).toBe(false);
    // Another clientAuth requirement at the server, same keys.
    const keys = new Uint8Array(48).fill(3);
    const req = createServerContext({ ...base.server, ticketKeys: keys });
    const s = sessionOf(connect(base.client, req).client)!;
    const opt = createServerContext({ ...base.server, ticketKeys: keys, clientAuth: 'optional' });
    expect(infoOf(connect(base.client, opt, s).server)?.resumed).toBe(false);
    expect(infoOf(connect(base.client, req, s).server)?.resumed).toBe(true);
  });

  it('a session from a client context with another root is not offered', () => {
    const server = createServerContext(base.server);
    const session = sessionOf(connect(base.client, server).client)!;
    const r = connect({ ...base.client, ca: [pki.ca, pki.otherCa] }, server, session);
    expect(infoOf(r.client)?.resumed).toBe(false);
    expect(errorOf(r.client)).toBeUndefined();
  });

  it('garbage in the session option is a full handshake; a non-Uint8Array is a local error', () => {
    const server = createServerContext(base.server);
    const r = connect(base.client, server, new Uint8Array([1, 2, 3]));
    expect(infoOf(r.client)?.resumed).toBe(false);
    expect(() => new TlsClient(base.client, { session: 'x' as never })).toThrow(
      /session must be a Uint8Array/,
    );
    expect(() => createClientContext({ ...base.client, session: 'x' as never })).toThrow(/session/);
  });
});
