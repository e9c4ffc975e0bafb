// Session resumption through memtls/node against real peers (RFC 5077 tickets, RFC 5246 §7.4.1.2
// session IDs): memtls client ↔ openssl s_server (tickets, -no_ticket), node:tls and Python ssl
// servers; openssl s_client -sess_out/-sess_in and a Python client (SSLSocket.session) ↔ memtls
// server; two memtls servers sharing ticketKeys; another root or server name does not resume.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EcosystemPki, ecosystemPki } from '../../examples/ecosystem-pki.js';
import {
  connect,
  createServer,
  type DetailedPeerCertificate,
  type TlsNetServer,
  type TlsSocket,
} from '../../src/adapters/node.js';
import type { ServerConfig } from '../../src/config.js';
import { type Identity, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let serverId: Identity;
let clientId: Identity;
beforeAll(() => {
  pki = testPki();
  serverId = pki.leaf('p256', 'server');
  clientId = pki.leaf('p256', 'client');
}, 120_000);

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** A child process printing a port (matched by `portPattern`), killed by PID after the test. */
async function startPeer(
  command: string,
  args: string[],
  portPattern: RegExp,
): Promise<{ port: number; output: () => string }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.push(() => kill(child));
  let output = '';
  child.stdout!.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${output}`)), 10_000);
    const check = () => {
      const m = portPattern.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}):\n${output}`)));
  });
  return { port, output: () => output };
}

interface Outcome {
  reused: boolean;
  session: Buffer | undefined;
}

/** One memtls/node client connection: handshake, note the session, close cleanly. */
async function memtlsOnce(
  port: number,
  options: { session?: Uint8Array; serverName?: string; ca?: string; verifyHostname?: boolean } = {},
): Promise<Outcome> {
  const socket: TlsSocket = connect({
    host: '127.0.0.1',
    port,
    serverName: options.serverName ?? 'server.test',
    ca: options.ca ?? pki.ca,
    cert: clientId.cert,
    key: clientId.key,
    ...(options.session ? { session: options.session } : {}),
    ...(options.verifyHostname === false ? { verifyHostname: false } : {}),
  });
  cleanup.push(() => socket.destroy());
  let session: Buffer | undefined;
  socket.on('session', (s: Buffer) => {
    session = s;
  });
  await once(socket, 'secureConnect');
  const sessionBeforeSecureConnect = session;
  const reused = socket.isSessionReused();
  socket.end();
  socket.resume();
  await once(socket, 'close');
  // getSession() answers with the latest 'session' event's session, as node:tls.
  expect(socket.getSession()).toEqual(session);
  // As node:tls: 'session' (when there is one) comes before 'secureConnect'.
  if (session !== undefined && !reused) expect(sessionBeforeSecureConnect).toBe(session);
  return { reused, session };
}

const opensslServerArgs = (extra: string[]) => [
  's_server',
  '-accept',
  '0',
  '-tls1_2',
  '-Verify',
  '1',
  '-CAfile',
  pki.caPath,
  '-cert',
  serverId.certPath,
  '-key',
  serverId.keyPath,
  '-rev',
  ...extra,
];

describe('memtls client resumes with real servers', () => {
  for (const [name, extra] of [
    ['tickets', []],
    ['session IDs (-no_ticket)', ['-no_ticket']],
  ] as const) {
    it(`openssl s_server -Verify 1, ${name}`, async () => {
      const peer = await startPeer('openssl', opensslServerArgs([...extra]), /ACCEPT .*:(\d+)/);
      const first = await memtlsOnce(peer.port);
      expect(first.reused).toBe(false);
      expect(first.session).toBeInstanceOf(Buffer);
      const second = await memtlsOnce(peer.port, { session: first.session! });
      expect(second.reused, peer.output()).toBe(true);
    }, 30_000);
  }

  it('node:tls server (requestCert): both sides report the resumption', async () => {
    const reusedOnServer: boolean[] = [];
    const server = tls.createServer(
      {
        key: serverId.key,
        cert: serverId.cert,
        ca: pki.ca,
        requestCert: true,
        rejectUnauthorized: true,
        maxVersion: 'TLSv1.2',
      },
      (s) => {
        reusedOnServer.push(s.isSessionReused());
        s.resume();
        s.on('end', () => s.end());
      },
    );
    cleanup.push(() => server.close());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const first = await memtlsOnce(port);
    const second = await memtlsOnce(port, { session: first.session! });
    expect(second.reused).toBe(true);
    expect(reusedOnServer).toEqual([false, true]);
  }, 30_000);

  it('Python ssl server (CERT_REQUIRED): session_reused on the second connection', async () => {
    const script = [
      'import socket, ssl, sys',
      'ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)',
      'ctx.maximum_version = ssl.TLSVersion.TLSv1_2',
      'ctx.load_cert_chain(sys.argv[1], sys.argv[2])',
      'ctx.load_verify_locations(sys.argv[3])',
      'ctx.verify_mode = ssl.CERT_REQUIRED',
      "ls = socket.create_server(('127.0.0.1', 0))",
      "print('PORT', ls.getsockname()[1], flush=True)",
      'for _ in range(2):',
      '    c, _ = ls.accept()',
      '    t = ctx.wrap_socket(c, server_side=True)',
      "    print('reused' if t.session_reused else 'new', flush=True)",
      '    while t.recv(1024): pass',
      '    t.unwrap(); c.close()',
    ].join('\n');
    const peer = await startPeer(
      'python3',
      ['-c', script, serverId.certPath, serverId.keyPath, pki.caPath],
      /PORT (\d+)/,
    );
    const first = await memtlsOnce(peer.port);
    const second = await memtlsOnce(peer.port, { session: first.session! });
    expect(second.reused, peer.output()).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(peer.output()).toMatch(/new\s+reused/);
  }, 30_000);
});

/** A memtls/node server on a free port that answers nothing and closes cleanly. */
async function memtlsServer(
  config: Partial<ServerConfig> = {},
): Promise<{ port: number; reused: boolean[]; server: TlsNetServer }> {
  const reused: boolean[] = [];
  const server = createServer(
    { ca: pki.ca, cert: serverId.cert, key: serverId.key, ...config } as ServerConfig,
    (socket) => {
      reused.push(socket.isSessionReused());
      socket.on('error', () => {});
      socket.resume();
      socket.on('end', () => socket.end());
    },
  );
  server.on('tlsClientError', () => {});
  cleanup.push(() => server.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, reused, server };
}

function run(command: string, args: string[], input = ''): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: 15_000 }, (_e, stdout, stderr) =>
      resolve(stdout + stderr),
    );
    child.stdin!.end(input);
    cleanup.push(() => kill(child));
  });
}

describe('real clients resume with a memtls server', () => {
  it('openssl s_client -sess_out, then -sess_in: Reused (tickets, and session IDs with sessionTickets: false)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memtls-sess-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    for (const config of [{}, { sessionTickets: false }]) {
      const { port, reused } = await memtlsServer(config);
      const sess = join(dir, `sess-${reused.length}-${port}.pem`);
      const base = ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-CAfile', pki.caPath];
      const auth = ['-cert', clientId.certPath, '-key', clientId.keyPath, '-servername', 'server.test'];
      const first = await run('openssl', [...base, ...auth, '-sess_out', sess]);
      expect(first).toMatch(/^New, TLSv1\.2/m);
      const second = await run('openssl', [...base, ...auth, '-sess_in', sess]);
      expect(second, second).toMatch(/^Reused, TLSv1\.2/m);
      expect(reused).toEqual([false, true]);
    }
  }, 30_000);

  it('setSecureContext with the same ticketKeys keeps tickets valid; with other keys they are not', async () => {
    const ticketKeys = Buffer.alloc(48, 8);
    const base = { ca: pki.ca, cert: serverId.cert, key: serverId.key };
    const a = await memtlsServer({ ticketKeys });
    const first = await memtlsOnce(a.port);
    a.server.setSecureContext({ ...base, ticketKeys: Buffer.alloc(48, 8) });
    expect((await memtlsOnce(a.port, { session: first.session! })).reused).toBe(true);
    a.server.setSecureContext({ ...base, ticketKeys: Buffer.alloc(48, 9) });
    expect((await memtlsOnce(a.port, { session: first.session! })).reused).toBe(false);
  }, 30_000);

  it('Python ssl client: SSLSocket.session resumes (session_reused)', async () => {
    const { port, reused } = await memtlsServer();
    const script = [
      'import socket, ssl, sys',
      'ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)',
      'ctx.maximum_version = ssl.TLSVersion.TLSv1_2',
      'ctx.load_verify_locations(sys.argv[2])',
      'ctx.load_cert_chain(sys.argv[3], sys.argv[4])',
      'def once(session=None):',
      "    t = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))), server_hostname='server.test', session=session)",
      '    s, r = t.session, t.session_reused',
      '    t.unwrap(); t.close()',
      '    return s, r',
      's, r1 = once()',
      '_, r2 = once(s)',
      "print('first', r1, 'second', r2)",
    ].join('\n');
    const out = await run('python3', [
      '-c',
      script,
      String(port),
      pki.caPath,
      clientId.certPath,
      clientId.keyPath,
    ]);
    expect(out).toContain('first False second True');
    expect(reused).toEqual([false, true]);
  }, 30_000);

  it('a session from one memtls server resumes on a second sharing ticketKeys; not under another root or name', async () => {
    const ticketKeys = Buffer.alloc(48, 7);
    const a = await memtlsServer({ ticketKeys });
    const b = await memtlsServer({ ticketKeys });
    const first = await memtlsOnce(a.port);
    const saved = Buffer.from(first.session!);
    expect((await memtlsOnce(b.port, { session: first.session! })).reused).toBe(true);
    // The same Buffer resumes again: offering it neither consumes nor wipes it.
    expect(first.session).toEqual(saved);
    expect((await memtlsOnce(a.port, { session: first.session! })).reused).toBe(true);
    // Another pinned root at the client (both roots, so the handshake itself succeeds).
    const otherRoot = await memtlsOnce(b.port, { session: first.session!, ca: pki.ca + pki.otherCa });
    expect(otherRoot.reused).toBe(false);
    // Another server name (hostname check off so the handshake itself succeeds).
    const otherName = await memtlsOnce(b.port, {
      session: first.session!,
      serverName: 'other.test',
      verifyHostname: false,
    });
    expect(otherName.reused).toBe(false);
    // Another root at the server.
    const c = await memtlsServer({ ticketKeys, ca: [pki.ca, pki.otherCa] });
    expect((await memtlsOnce(c.port, { session: first.session! })).reused).toBe(false);
    expect(b.reused).toEqual([true, false, false]);
  }, 30_000);
});

describe('a resumed session keeps the verified path of its full handshake', () => {
  /** getPeerCertificate(true) as a list: each certificate's fingerprint, and whether the last is its own issuer. */
  function chainOf(socket: TlsSocket): { fingerprints: string[]; subjects: string[]; rootIsSelf: boolean } {
    const fingerprints: string[] = [];
    const subjects: string[] = [];
    let current = socket.getPeerCertificate(true) as DetailedPeerCertificate | null;
    let rootIsSelf = false;
    while (current && fingerprints.length < 10) {
      fingerprints.push(current.fingerprint256);
      subjects.push(String(current.subject.CN));
      if (current.issuerCertificate === current) {
        rootIsSelf = true;
        break;
      }
      current = current.issuerCertificate ?? null;
    }
    return { fingerprints, subjects, rootIsSelf };
  }

  /** One connection between memtls/node sockets (root → issuing CA → leaf on both sides); both sides' chains. */
  async function connectOnce(
    port: number,
    example: EcosystemPki,
    credentials: { cert: string; key: string },
    session?: Uint8Array,
  ) {
    const client = connect({
      host: '127.0.0.1',
      port,
      serverName: 'localhost',
      ca: example.ca,
      ...credentials,
      ...(session ? { session } : {}),
    });
    cleanup.push(() => client.destroy());
    let newSession: Buffer | undefined;
    client.on('session', (s: Buffer) => {
      newSession = s;
    });
    await once(client, 'secureConnect');
    return { client, newSession };
  }

  for (const sessionTickets of [true, false]) {
    it(`getPeerCertificate(true) on both sides equals the full handshake's (${sessionTickets ? 'ticket' : 'session ID'})`, async () => {
      const example = ecosystemPki();
      const serverSockets: TlsSocket[] = [];
      const server = createServer({ ca: example.ca, ...example.server, sessionTickets }, (socket) => {
        serverSockets.push(socket);
        socket.on('error', () => {});
        socket.resume();
      });
      cleanup.push(() => server.close());
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as net.AddressInfo).port;

      // One client certificate for both connections: a session is bound to our own chain too.
      const credentials = example.client('device-9');
      const full = await connectOnce(port, example, credentials);
      expect(full.client.isSessionReused()).toBe(false);
      const resumed = await connectOnce(port, example, credentials, full.newSession);
      expect(full.newSession?.length, 'session').toBeGreaterThan(0);
      expect(resumed.client.isSessionReused()).toBe(true);
      while (serverSockets.length < 2) await new Promise((r) => setImmediate(r));

      const fullClientChain = chainOf(full.client);
      expect(fullClientChain.subjects).toEqual([
        'localhost',
        'memtls example issuing CA',
        'memtls example root',
      ]);
      expect(fullClientChain.rootIsSelf).toBe(true);
      expect(chainOf(resumed.client)).toEqual(fullClientChain);

      const fullServerChain = chainOf(serverSockets[0]!);
      expect(fullServerChain.subjects).toEqual([
        'device-9',
        'memtls example issuing CA',
        'memtls example root',
      ]);
      expect(serverSockets[1]!.isSessionReused()).toBe(true);
      expect(chainOf(serverSockets[1]!)).toEqual(fullServerChain);
    }, 30_000);
  }
});
