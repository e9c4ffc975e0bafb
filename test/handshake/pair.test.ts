// In-memory client–server pairs: every suite × group × key type, client certificates, data, record
// sizes and re-fragmentation (lifecycle, close and the exporter: test/connection/lifecycle.test.ts).

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { dataOf, errorOf, runPair } from '../helpers/pair.js';
import { type KeyKind, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = testPki();
}, 120_000);

const ECDSA_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
];
const RSA_SUITES = [
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];
const GROUPS = ['x25519', 'secp256r1', 'secp384r1'];

function configs(
  serverKind: KeyKind,
  clientKind: KeyKind | undefined,
  extra: { client?: Partial<ClientConfig>; server?: Partial<ServerConfig> } = {},
): { client: ClientConfig; server: ServerConfig } {
  const s = pki.leaf(serverKind, 'server');
  const c = clientKind ? pki.leaf(clientKind, 'client') : undefined;
  return {
    server: {
      ca: pki.ca,
      cert: s.cert,
      key: s.key,
      clientAuth: clientKind ? 'required' : 'none',
      ...extra.server,
    },
    client: {
      ca: pki.ca,
      serverName: 'server.test',
      ...(c ? { cert: c.cert, key: c.key } : {}),
      ...extra.client,
    },
  };
}

function handshakeAndExchange(client: TlsClient, server: TlsServer) {
  client.write(new TextEncoder().encode('ohai'));
  const log = runPair(client, server);
  expect(errorOf(log.client)).toBeUndefined();
  expect(errorOf(log.server)).toBeUndefined();
  expect(client.state).toBe('open');
  expect(server.state).toBe('open');
  expect(new TextDecoder().decode(dataOf(log.server))).toBe('ohai');
  server.write(new TextEncoder().encode('cya'));
  const log2 = runPair(client, server);
  expect(new TextDecoder().decode(dataOf(log2.client))).toBe('cya');
  return log;
}

describe('full handshakes', () => {
  const cases: [KeyKind, string, string][] = [];
  for (const suite of ECDSA_SUITES) for (const group of GROUPS) cases.push(['p256', suite, group]);
  for (const suite of RSA_SUITES) for (const group of GROUPS) cases.push(['rsa2048', suite, group]);
  it.each(cases)('%s server, %s over %s, mutual TLS', (kind, suite, group) => {
    // The group is chosen by ordering, not by restricting: in TLS 1.2, supported_groups also names the
    // curves an ECDSA certificate may use (RFC 8422 §5.1.1), so both ends keep P-256 listed.
    const order = [group, ...GROUPS.filter((g) => g !== group)];
    const { client, server } = configs(kind, 'p256', {
      client: { cipherSuites: [suite], groups: order },
      server: { groups: order },
    });
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    handshakeAndExchange(c, s);
    expect(c.info?.cipherSuite).toBe(suite);
    expect(s.info?.cipherSuite).toBe(suite);
    expect(c.info?.group).toBe(group);
    expect(c.info?.extendedMasterSecret).toBe(true);
    expect(c.info?.peerIdentity?.commonName).toBe('server.test');
    expect(s.info?.peerIdentity?.commonName).toBe('client.test');
    expect(c.info?.serverName).toBe('server.test');
    expect(s.info?.serverName).toBe('server.test');
  });

  const kinds: [KeyKind, KeyKind | undefined][] = [
    ['p384', 'rsa2048'],
    ['ed25519', 'ed25519'],
    ['rsa4096', 'p384'],
    ['rsa2048', undefined],
    ['p256', 'rsa4096'],
  ];
  it.each(kinds)('%s server with %s client certificate', (serverKind, clientKind) => {
    const { client, server } = configs(serverKind, clientKind);
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    handshakeAndExchange(c, s);
    if (clientKind) expect(s.info?.peerIdentity?.commonName).toBe('client.test');
    else expect(s.info?.peerIdentity).toBeUndefined();
  });

  it('optional client auth without a client certificate', () => {
    const { client, server } = configs('p256', undefined, { server: { clientAuth: 'optional' } });
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    handshakeAndExchange(c, s);
    expect(s.info?.peerCertificates).toEqual([]);
  });

  it('negotiates ALPN by server preference', () => {
    const { client, server } = configs('p256', 'p256', {
      client: { alpn: ['http/1.1', 'h2'] },
      server: { alpn: ['h2', 'http/1.1'] },
    });
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    handshakeAndExchange(c, s);
    expect(c.info?.alpn).toBe('h2');
    expect(s.info?.alpn).toBe('h2');
  });

  it('honours record_size_limit for large writes', () => {
    const { client, server } = configs('p256', 'p256', { client: { maxRecordSize: 512 } });
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    handshakeAndExchange(c, s);
    const big = new Uint8Array(5000).map((_, i) => i & 0xff);
    s.write(big);
    const out = s.takeOutgoing();
    // Each record carries at most 512 bytes of plaintext: 5000 bytes need at least 10 records.
    let records = 0;
    for (let o = 0; o < out.length; o += 5 + ((out[o + 3]! << 8) | out[o + 4]!)) records++;
    expect(records).toBeGreaterThanOrEqual(10);
    expect(dataOf(c.receive(out))).toEqual(big);
  });

  it('enforces our own record_size_limit on protected records from the peer', () => {
    const { client, server } = configs('p256', 'p256', {
      client: { maxRecordSize: 1024 },
      server: { maxRecordSize: 512 },
    });
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    handshakeAndExchange(c, s);
    const big = new Uint8Array(3000).fill(9);
    c.write(big);
    const out = c.takeOutgoing();
    let records = 0;
    for (let o = 0; o < out.length; o += 5 + ((out[o + 3]! << 8) | out[o + 4]!)) records++;
    expect(records).toBe(6); // ceil(3000 / 512)
    expect(dataOf(s.receive(out))).toEqual(big);
    // A peer that ignores the limit: the server refuses with record_overflow.
    (c as unknown as { records: { setSendLimit(n: number): void } }).records.setSendLimit(16384);
    c.write(big);
    const ev = s.receive(c.takeOutgoing());
    expect(errorOf(ev)?.alertSent).toBe('record_overflow');
  });

  it('splits writes larger than 2^14 and delivers them intact', () => {
    const { client, server } = configs('p256', 'p256');
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    handshakeAndExchange(c, s);
    const big = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    c.write(big);
    expect(dataOf(s.receive(c.takeOutgoing()))).toEqual(big);
  });

  it('accepts Node Buffers at unaligned offsets (pooled socket chunks)', () => {
    const { client, server } = configs('p256', 'p256', {
      client: { cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'] },
    });
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    const asPooledBuffer = (b: Uint8Array) => {
      const pool = Buffer.alloc(b.length + 3);
      pool.set(b, 3);
      return [pool.subarray(3)];
    };
    c.write(Buffer.from('ohai'));
    const log = runPair(c, s, asPooledBuffer);
    expect(errorOf(log.server)).toBeUndefined();
    expect(new TextDecoder().decode(dataOf(log.server))).toBe('ohai');
  });

  it('is reproducible with a fixed random and clock', () => {
    const fixedNow = Date.now();
    const transcript = () => {
      let counter = 0;
      const random = (n: number) => new Uint8Array(n).map(() => (counter++ * 31 + 7) & 0xff);
      const now = () => fixedNow;
      const { client, server } = configs('p256', 'p256', {
        client: { random, now },
        server: { random, now },
      });
      const c = new TlsClient(client);
      const s = new TlsServer(server);
      const log = runPair(c, s);
      expect(c.state).toBe('open');
      return [...log.toServer, ...log.toClient];
    };
    expect(transcript()).toEqual(transcript());
  });

  it('survives any re-fragmentation of the byte stream (fast-check)', () => {
    const { client, server } = configs('p256', 'p256');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }), (cuts) => {
        const c = new TlsClient(client);
        const s = new TlsServer(server);
        c.write(new TextEncoder().encode('ping'));
        const log = runPair(c, s, (bytes) => {
          const parts: Uint8Array[] = [];
          let o = 0;
          let i = 0;
          while (o < bytes.length) {
            const n = cuts[i++ % cuts.length]!;
            parts.push(bytes.subarray(o, o + n));
            o += n;
          }
          return parts;
        });
        expect(c.state).toBe('open');
        expect(s.state).toBe('open');
        expect(new TextDecoder().decode(dataOf(log.server))).toBe('ping');
      }),
      { numRuns: 15 },
    );
  });
});

describe('secrets stay out of logs', () => {
  it('util.inspect and JSON show no key material', async () => {
    const { inspect } = await import('node:util');
    const { parsePrivateKey } = await import('../../src/x509/private-key.js');
    const { client, server } = configs('p256', 'p256');
    const lines: string[] = [];
    const c = new TlsClient({ ...client, keyLog: (l) => lines.push(l) });
    const s = new TlsServer(server);
    handshakeAndExchange(c, s);
    const master = lines[0]!.split(' ')[2]!;
    const text = inspect(c, { depth: 10 });
    expect(text).toMatch(/TlsClient \{ state: 'open', suite: TLS_ECDHE/);
    expect(text).not.toContain(master);
    const key = parsePrivateKey(pki.leaf('p256', 'server').key);
    expect(inspect(key, { depth: 10 })).toBe('PrivateKey { EC P-256 }');
    expect(JSON.stringify(key)).toBe('{"type":"ec","redacted":true}');
    expect(String(key)).toBe('PrivateKey { EC P-256 }');
  });
});
