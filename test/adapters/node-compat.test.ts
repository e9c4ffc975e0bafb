// memtls/node's TlsSocket answers node:tls's TLSSocket questions as node:tls does: the same checks run
// on node:tls sockets and memtls sockets for the same connection (same PKI, mutual TLS, ALPN, SNI,
// suite and group), compared field by field; crossed pairs compare the values both ends share
// (Finished verify_data, RFC 5705 exporter, the NSS key-log line).

import type { X509Certificate } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import * as tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EcosystemPki, ecosystemPki } from '../../examples/ecosystem-pki.js';
import { connect, createServer, type TlsSocket } from '../../src/adapters/node.js';

type AnySocket = tls.TLSSocket | TlsSocket;
type Kind = 'node' | 'memtls';

let pki: EcosystemPki;
let clientCredentials: { cert: string; key: string };
beforeAll(() => {
  pki = ecosystemPki();
  clientCredentials = pki.client('device-7');
});

const cleanup: (() => void)[] = [];
/** The client sockets runCrossed() made, for further checks. */
const cleanupSockets: AnySocket[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
  cleanupSockets.length = 0;
});

const SUITE = 'ECDHE-ECDSA-AES128-GCM-SHA256';
const ALPN = ['h2', 'http/1.1'];

function listen(kind: Kind, onSecure: (s: AnySocket) => void, keylog: Buffer[]): Promise<number> {
  const server: Server =
    kind === 'node'
      ? tls.createServer(
          {
            ca: pki.ca,
            ...pki.server,
            requestCert: true,
            rejectUnauthorized: true,
            ALPNProtocols: ALPN,
            maxVersion: 'TLSv1.2',
            ciphers: SUITE,
            ecdhCurve: 'X25519:P-256',
          },
          onSecure,
        )
      : createServer(
          {
            ca: pki.ca,
            ...pki.server,
            alpn: ALPN,
            cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
            groups: ['x25519', 'secp256r1'],
          },
          onSecure,
        );
  server.on('keylog', (line: Buffer) => keylog.push(line));
  cleanup.push(() => server.close());
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function dial(kind: Kind, port: number): AnySocket {
  const socket =
    kind === 'node'
      ? tls.connect({
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          ca: pki.ca,
          ...clientCredentials,
          ALPNProtocols: ALPN,
          maxVersion: 'TLSv1.2',
          ciphers: SUITE,
          ecdhCurve: 'X25519:P-256',
        })
      : connect({
          host: '127.0.0.1',
          port,
          serverName: 'localhost',
          ca: pki.ca,
          ...clientCredentials,
          alpn: ALPN,
          cipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
          groups: ['x25519', 'secp256r1'],
        });
  cleanup.push(() => socket.destroy());
  return socket;
}

/** A detailed certificate as a list (leaf first), each without issuerCertificate, and whether the last points to itself. */
function chainOf(cert: Record<string, unknown> | null): {
  certs: Record<string, unknown>[];
  selfIssuedRoot: boolean;
} {
  const certs: Record<string, unknown>[] = [];
  let current = cert as
    | (Record<string, unknown> & { issuerCertificate?: Record<string, unknown> })
    | undefined;
  const seen = new Set<unknown>();
  while (current && !seen.has(current) && certs.length < 10) {
    seen.add(current);
    const { issuerCertificate: _, ...rest } = current;
    certs.push(rest);
    if (current.issuerCertificate === current) return { certs, selfIssuedRoot: true };
    current = current.issuerCertificate as typeof current;
  }
  return { certs, selfIssuedRoot: false };
}

const fingerprintOf = (x: X509Certificate | undefined) => x?.fingerprint256;

/** Every question node:tls code asks of an established socket. */
function answers(s: AnySocket) {
  return {
    encrypted: s.encrypted,
    authorized: s.authorized,
    authorizationError: s.authorizationError ?? null,
    alpnProtocol: s.alpnProtocol,
    servername: (s as { servername?: unknown }).servername,
    protocol: s.getProtocol(),
    cipher: s.getCipher(),
    ephemeralKeyInfo: s.getEphemeralKeyInfo(),
    peerCertificate: s.getPeerCertificate(),
    peerChain: chainOf(s.getPeerCertificate(true) as unknown as Record<string, unknown>),
    certificate: s.getCertificate(),
    peerX509: fingerprintOf(s.getPeerX509Certificate()),
    x509: fingerprintOf(s.getX509Certificate()),
    finishedLengths: [s.getFinished()?.length, s.getPeerFinished()?.length],
    finishedAreBuffers: Buffer.isBuffer(s.getFinished()) && Buffer.isBuffer(s.getPeerFinished()),
    exporterLength: s.exportKeyingMaterial(24, 'EXPORTER-compat', Buffer.from('ctx')).length,
    // No context at all (node's types ask for one, node does not; RFC 5705 tells the two apart).
    exporterIsBuffer: Buffer.isBuffer(
      (s as { exportKeyingMaterial(n: number, l: string): Buffer }).exportKeyingMaterial(
        8,
        'EXPORTER-compat',
      ),
    ),
    remoteAddress: s.remoteAddress,
    remoteFamily: s.remoteFamily,
    localAddress: s.localAddress,
    addressFamily: (s.address() as AddressInfo).family,
    addressPortIsLocalPort: (s.address() as AddressInfo).port === s.localPort,
    remotePortIsNumber: typeof s.remotePort === 'number',
  };
}

interface Run {
  client: ReturnType<typeof answers>;
  server: ReturnType<typeof answers>;
  before: Record<string, unknown>;
  afterDestroy: Record<string, unknown>;
  bytes: { clientRead: number; clientWritten: number; serverRead: number; serverWritten: number };
  clientKeylog: Buffer[];
  serverKeylog: Buffer[];
  timeoutFired: boolean;
  destroyedByTimeout: boolean;
}

/** One connection client → server of the given kinds; 100 bytes echoed back; then the checks. */
async function run(serverKind: Kind, clientKind: Kind): Promise<Run & { sockets: [AnySocket, AnySocket] }> {
  const serverKeylog: Buffer[] = [];
  let serverSide!: AnySocket;
  const accepted = new Promise<void>((resolve) => {
    void listen(
      serverKind,
      (s) => {
        serverSide = s;
        s.on('data', (d: Buffer) => s.write(d));
        resolve();
      },
      serverKeylog,
    ).then((port) => ports.push(port));
  });
  const ports: number[] = [];
  while (ports.length === 0) await new Promise((r) => setImmediate(r));
  const c = dial(clientKind, ports[0]!);
  const clientKeylog: Buffer[] = [];
  c.on('keylog', (line: Buffer) => clientKeylog.push(line));
  const before = {
    encrypted: c.encrypted,
    authorized: c.authorized,
    alpnProtocol: c.alpnProtocol,
    cipher: c.getCipher(),
    finished: c.getFinished(),
    peerFinished: c.getPeerFinished(),
    peerCertificate: c.getPeerCertificate(),
    ephemeralKeyInfo: c.getEphemeralKeyInfo(),
    session: c.getSession(),
  };
  await new Promise<void>((resolve, reject) => {
    c.once('secureConnect', resolve);
    c.once('error', reject);
  });
  await accepted;
  c.write(Buffer.alloc(100, 7));
  let got = 0;
  await new Promise<void>((resolve) =>
    c.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= 100) resolve();
    }),
  );
  // An idle timeout: 'timeout' fires on the TLS socket, which stays open (as net.Socket).
  let timeoutFired = false;
  await new Promise<void>((resolve) =>
    c.setTimeout(30, () => {
      timeoutFired = true;
      resolve();
    }),
  );
  c.setTimeout(0);
  const destroyedByTimeout = c.destroyed;
  const result = {
    client: answers(c),
    server: answers(serverSide),
    before,
    bytes: {
      clientRead: c.bytesRead,
      clientWritten: c.bytesWritten,
      serverRead: serverSide.bytesRead,
      serverWritten: serverSide.bytesWritten,
    },
    clientKeylog,
    serverKeylog,
    timeoutFired,
    destroyedByTimeout,
    sockets: [c, serverSide] as [AnySocket, AnySocket],
    afterDestroy: {},
  };
  c.setNoDelay(true).setKeepAlive(true, 1000).unref().ref();
  c.destroy();
  await new Promise((r) => c.once('close', r));
  result.afterDestroy = {
    protocol: c.getProtocol(),
    cipher: c.getCipher(),
    peerCertificate: c.getPeerCertificate(),
    bytesRead: c.bytesRead,
    bytesWritten: c.bytesWritten,
  };
  return result;
}

describe('memtls/node TlsSocket against node:tls, same connection, field by field', () => {
  let node: Run;
  let memtls: Run;
  beforeAll(async () => {
    node = await run('node', 'node');
    memtls = await run('memtls', 'memtls');
  }, 30_000);

  it('the client side answers as node:tls does', () => {
    expect(memtls.client).toEqual(node.client);
    // The values themselves, so the comparison cannot pass on two wrong answers.
    expect(node.client.cipher).toEqual({
      name: 'ECDHE-ECDSA-AES128-GCM-SHA256',
      standardName: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      version: 'TLSv1.2',
    });
    expect(memtls.client.ephemeralKeyInfo).toEqual({ type: 'ECDH', name: 'X25519', size: 253 });
    expect(memtls.client.peerChain.certs.map((c) => (c.subject as { CN: string }).CN)).toEqual([
      'localhost',
      'memtls example issuing CA',
      'memtls example root',
    ]);
    expect(memtls.client.peerChain.selfIssuedRoot).toBe(true);
    expect(memtls.client.peerCertificate).toMatchObject({
      subject: { C: 'DE', ST: 'Berlin', L: 'Berlin', O: 'memtls examples', OU: 'Ops', CN: 'localhost' },
      subjectaltname: 'DNS:localhost, IP Address:127.0.0.1',
      asn1Curve: 'prime256v1',
      nistCurve: 'P-256',
      bits: 256,
    });
    expect(memtls.client.peerCertificate).not.toHaveProperty('issuerCertificate');
    const leaf = memtls.client.peerCertificate as { serialNumber: string; valid_to: string; raw: Buffer };
    expect(leaf.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(leaf.valid_to).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
    expect(Buffer.isBuffer(leaf.raw)).toBe(true);
  });

  it('the server side answers as node:tls does (the client certificate, no ephemeral key info)', () => {
    expect(memtls.server).toEqual(node.server);
    expect(memtls.server.ephemeralKeyInfo).toBeNull();
    expect((memtls.server.peerCertificate as { subject: { CN: string } }).subject.CN).toBe('device-7');
    expect(memtls.server.servername).toBe('localhost');
    expect(memtls.server.authorized).toBe(true);
  });

  it('before the handshake and after destroy, the same placeholders', () => {
    expect(memtls.before).toEqual(node.before);
    expect(memtls.afterDestroy).toEqual(node.afterDestroy);
    expect(memtls.afterDestroy).toMatchObject({ protocol: null, cipher: null, peerCertificate: null });
  });

  it('bytesRead/bytesWritten count application bytes, as node:tls', () => {
    expect(memtls.bytes).toEqual(node.bytes);
    expect(memtls.bytes).toEqual({
      clientRead: 100,
      clientWritten: 100,
      serverRead: 100,
      serverWritten: 100,
    });
  });

  it("setTimeout emits 'timeout' and leaves the socket open", () => {
    expect([memtls.timeoutFired, memtls.destroyedByTimeout]).toEqual([
      node.timeoutFired,
      node.destroyedByTimeout,
    ]);
    expect(memtls.timeoutFired).toBe(true);
  });

  it("'keylog' gives one NSS line Buffer with its newline on the client socket and the server", () => {
    for (const r of [node, memtls]) {
      expect(r.clientKeylog).toHaveLength(1);
      expect(r.serverKeylog).toHaveLength(1);
    }
    expect(Buffer.isBuffer(memtls.clientKeylog[0])).toBe(true);
    expect(memtls.clientKeylog[0]!.toString()).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/);
    expect(memtls.serverKeylog[0]!.equals(memtls.clientKeylog[0]!)).toBe(true);
  });

  it('no key-log line is made for a socket nobody listens to for it', async () => {
    const server = createServer({ ca: pki.ca, ...pki.server }, (s) => s.end());
    cleanup.push(() => server.close());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const c = connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      serverName: 'localhost',
      ca: pki.ca,
      ...clientCredentials,
    });
    cleanup.push(() => c.destroy());
    await new Promise<void>((resolve) => c.once('secureConnect', resolve));
    expect(c.connection.onKeyLog).toBeUndefined();
    c.on('keylog', () => {});
    expect(c.connection.onKeyLog).toBeTypeOf('function');
  });
});

describe('crossed with node:tls: the values both ends share are equal', () => {
  for (const [serverKind, clientKind] of [
    ['memtls', 'node'],
    ['node', 'memtls'],
  ] as const) {
    it(`${clientKind} client → ${serverKind} server: Finished, exporter (node's argument order), key log`, async () => {
      const r = await runCrossed(serverKind, clientKind);
      expect(r.clientFinished).toHaveLength(12);
      expect(r.clientFinished).toEqual(r.serverPeerFinished);
      expect(r.serverFinished).toEqual(r.clientPeerFinished);
      expect(r.clientExport).toEqual(r.serverExport);
      expect(r.clientKeylog).toEqual(r.serverKeylog);
      expect(r.clientKeylog).toMatch(/^CLIENT_RANDOM /);
    }, 20_000);
  }
});

async function runCrossed(serverKind: Kind, clientKind: Kind) {
  const serverKeylog: Buffer[] = [];
  let serverSide!: AnySocket;
  let accepted!: () => void;
  const secure = new Promise<void>((resolve) => {
    accepted = resolve;
  });
  const port = await listen(
    serverKind,
    (s) => {
      serverSide = s;
      accepted();
    },
    serverKeylog,
  );
  const c = dial(clientKind, port);
  cleanupSockets.push(c);
  const clientKeylog: Buffer[] = [];
  c.on('keylog', (line: Buffer) => clientKeylog.push(line));
  await new Promise<void>((resolve, reject) => {
    c.once('secureConnect', resolve);
    c.once('error', reject);
  });
  await secure;
  const context = Buffer.from('shared context');
  return {
    clientFinished: c.getFinished(),
    clientPeerFinished: c.getPeerFinished(),
    serverFinished: serverSide.getFinished(),
    serverPeerFinished: serverSide.getPeerFinished(),
    clientExport: c.exportKeyingMaterial(32, 'EXPORTER-compat', context),
    serverExport: serverSide.exportKeyingMaterial(32, 'EXPORTER-compat', context),
    clientKeylog: clientKeylog.map(String).join(''),
    serverKeylog: serverKeylog.map(String).join(''),
  };
}

describe('per group and per argument order', () => {
  for (const [nodeCurve, group] of [
    ['X25519', 'x25519'],
    ['P-256', 'secp256r1'],
    ['P-384', 'secp384r1'],
  ] as const) {
    it(`getEphemeralKeyInfo() for ${nodeCurve} as node:tls reports it, against the same node:tls server`, async () => {
      // P-256 stays offered: the server's ECDSA certificate is on it (RFC 8422 §5.1.1).
      const curves = nodeCurve === 'P-256' ? 'P-256' : `${nodeCurve}:P-256`;
      const groups = group === 'secp256r1' ? [group] : [group, 'secp256r1' as const];
      const server = tls.createServer({ ...pki.server, maxVersion: 'TLSv1.2', ecdhCurve: curves }, (s) =>
        s.end(),
      );
      cleanup.push(() => server.close());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const infoOf = async (s: AnySocket) => {
        cleanup.push(() => s.destroy());
        s.on('error', () => {});
        await new Promise<void>((resolve) => s.once('secureConnect', resolve));
        return s.getEphemeralKeyInfo();
      };
      const nodeInfo = await infoOf(
        tls.connect({
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          ca: pki.ca,
          ecdhCurve: curves,
        }),
      );
      const ours = await infoOf(
        connect({
          host: '127.0.0.1',
          port,
          serverName: 'localhost',
          ca: pki.ca,
          groups,
        }),
      );
      expect(ours).toEqual(nodeInfo);
      expect(ours).toMatchObject({ type: 'ECDH' });
    }, 20_000);
  }

  it("exportKeyingMaterial takes node's (length, label, context) and memtls's (label, length, context) alike", async () => {
    const r = await runCrossed('node', 'memtls');
    expect(r.clientExport).toEqual(r.serverExport);
    const [c] = cleanupSockets.splice(0);
    const context = Buffer.from('shared context');
    const mine = c as TlsSocket;
    expect(mine.exportKeyingMaterial('EXPORTER-compat', 32, context)).toEqual(r.serverExport);
    expect(() => mine.exportKeyingMaterial('EXPORTER-compat' as unknown as number, 'x')).toThrow(
      /non-negative integer length and a string label/,
    );
    expect(() => mine.exportKeyingMaterial(-1, 'EXPORTER-compat')).toThrow(/non-negative integer length/);
  }, 20_000);
});

describe('authorized / authorizationError on a server that asks for a client certificate', () => {
  /** The server side's answers when a node:tls client without a certificate connects. */
  async function serverSeesNoCertificate(kind: Kind, ask: boolean) {
    let onSecure!: (s: AnySocket) => void;
    const secured = new Promise<AnySocket>((resolve) => {
      onSecure = resolve;
    });
    const server: Server =
      kind === 'node'
        ? tls.createServer(
            { ...pki.server, ca: pki.ca, requestCert: ask, rejectUnauthorized: false, maxVersion: 'TLSv1.2' },
            onSecure,
          )
        : createServer({ ...pki.server, ca: pki.ca, clientAuth: ask ? 'optional' : 'none' }, onSecure);
    cleanup.push(() => server.close());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = tls.connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      servername: 'localhost',
      ca: pki.ca,
      maxVersion: 'TLSv1.2',
    });
    client.on('error', () => {});
    cleanup.push(() => client.destroy());
    const s = await secured;
    return { authorized: s.authorized, authorizationError: s.authorizationError ?? null };
  }

  it("clientAuth 'optional' and no certificate: as node:tls with requestCert, rejectUnauthorized false", async () => {
    const node = await serverSeesNoCertificate('node', true);
    const memtls = await serverSeesNoCertificate('memtls', true);
    expect(memtls).toEqual(node);
    expect(node).toEqual({ authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT' });
  });

  it("clientAuth 'none': as node:tls without requestCert (not authorized, no error)", async () => {
    const node = await serverSeesNoCertificate('node', false);
    const memtls = await serverSeesNoCertificate('memtls', false);
    expect(memtls).toEqual(node);
    expect(node).toEqual({ authorized: false, authorizationError: null });
  });
});
