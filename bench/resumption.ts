// The `resumption` benchmark: resumed (RFC 5077 ticket, abbreviated handshake) against full mutual-TLS
// handshake latency, in the same run:
//   - in memory, a TlsClient/TlsServer pair with the pure provider and with nodeCryptoProvider;
//   - over 127.0.0.1, memtls/node with nodeCryptoProvider next to node:tls, both resuming a ticket.
// P-256 certificates from the openssl CLI, TLS 1.2, TCP_NODELAY on every socket. Latency is the median over every handshake; the
// loopback implementations take turns in short segments, and the ratio memtls/node:tls is the median
// of the segments' ratios, so load from other processes skews both alike.

import { mkdtempSync, rmSync } from 'node:fs';
import type * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { connect, createServer, nodeCryptoProvider } from '../src/adapters/node.js';
import {
  type CryptoProvider,
  createClientContext,
  createServerContext,
  TlsClient,
  TlsServer,
} from '../src/index.js';
import { setNoDelay } from './adapters-server.js';
import { makePki, nodeTlsServerOptions, type Pki } from './handshake.js';

export interface ResumptionRow {
  /** 'memtls in memory (noble)', 'memtls/node (node:crypto)', 'node:tls', … */
  implementation: string;
  fullMs: number;
  resumedMs: number;
}

export interface ResumptionBenchResult {
  rows: ResumptionRow[];
  /** memtls/node resumed latency ÷ node:tls resumed latency (target ≤ 1.0). */
  resumedRatioVsNodeTls: number;
  handshakesPerCase: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** One in-memory handshake; resolves to its duration and the session it gave. */
function memoryHandshake(
  client: ReturnType<typeof createClientContext>,
  server: ReturnType<typeof createServerContext>,
  session: Uint8Array | undefined,
): { ms: number; session: Uint8Array | undefined; resumed: boolean } {
  const t0 = performance.now();
  const c = new TlsClient(client, session ? { session } : {});
  const s = new TlsServer(server);
  let got: Uint8Array | undefined;
  for (let i = 0; i < 6 && c.state !== 'open'; i++) {
    s.receive(c.takeOutgoing());
    for (const e of c.receive(s.takeOutgoing())) if (e.type === 'session') got = e.session;
  }
  s.receive(c.takeOutgoing());
  const ms = performance.now() - t0;
  if (c.state !== 'open' || s.state !== 'open') throw new Error(`handshake failed: ${c.error?.message}`);
  return { ms, session: got, resumed: c.info?.resumed === true };
}

function memoryRow(pki: Pki, name: string, crypto: CryptoProvider | undefined, count: number): ResumptionRow {
  const provider = crypto ? { crypto } : {};
  const client = createClientContext({
    ca: pki.ca,
    serverName: 'server.test',
    cert: pki.client.cert,
    key: pki.client.key,
    ...provider,
  });
  const server = createServerContext({ ca: pki.ca, cert: pki.server.cert, key: pki.server.key, ...provider });
  const full: number[] = [];
  const resumed: number[] = [];
  const session = memoryHandshake(client, server, undefined).session; // warm-up, and the session
  for (let i = 0; i < count; i++) {
    full.push(memoryHandshake(client, server, undefined).ms);
    const r = memoryHandshake(client, server, session);
    if (!r.resumed) throw new Error('the session did not resume');
    resumed.push(r.ms);
  }
  return { implementation: name, fullMs: median(full), resumedMs: median(resumed) };
}

type Connector = (
  session: Uint8Array | undefined,
) => Promise<{ ms: number; session: Uint8Array | undefined }>;

/** memtls/node client and server (node:crypto), in this process, over 127.0.0.1. */
async function memtlsLoopback(pki: Pki): Promise<{ connect: Connector; close: () => void }> {
  const server = createServer({
    ca: pki.ca,
    cert: pki.server.cert,
    key: pki.server.key,
    crypto: nodeCryptoProvider,
  });
  server.on('secureConnection', (s) => {
    s.on('error', () => {});
    s.end();
    s.resume();
  });
  server.on('tlsClientError', () => {});
  server.on('connection', (socket: net.Socket) => socket.setNoDelay(true));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const client = createClientContext({
    ca: pki.ca,
    serverName: 'server.test',
    cert: pki.client.cert,
    key: pki.client.key,
    crypto: nodeCryptoProvider,
  });
  const connectOnce: Connector = (session) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const s = connect({ host: '127.0.0.1', port, secureContext: client, ...(session ? { session } : {}) });
      setNoDelay(s);
      let got: Uint8Array | undefined;
      s.on('session', (x: Uint8Array) => {
        got = x;
      });
      s.once('secureConnect', () => {
        const ms = performance.now() - t0;
        if (session && !s.isSessionReused()) reject(new Error('memtls/node did not resume'));
        s.destroy();
        resolve({ ms, session: got });
      });
      s.once('error', reject);
    });
  return { connect: connectOnce, close: () => server.close() };
}

/** node:tls client and server, in this process, over 127.0.0.1. */
async function nodeLoopback(pki: Pki): Promise<{ connect: Connector; close: () => void }> {
  const server = tls.createServer(nodeTlsServerOptions(pki), (s) => {
    s.on('error', () => {});
    s.end();
  });
  server.on('tlsClientError', () => {});
  server.on('connection', (socket: net.Socket) => socket.setNoDelay(true));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const connectOnce: Connector = (session) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const s = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'server.test',
        ca: pki.ca,
        cert: pki.client.cert,
        key: pki.client.key,
        maxVersion: 'TLSv1.2',
        ...(session ? { session: Buffer.from(session) } : {}),
      });
      setNoDelay(s);
      s.once('secureConnect', () => {
        const ms = performance.now() - t0;
        const got = s.getSession(); // TLS 1.2: known at secureConnect ('session' may come later)
        if (session && !s.isSessionReused()) reject(new Error('node:tls did not resume'));
        s.destroy();
        resolve({ ms, session: got });
      });
      s.once('error', reject);
    });
  return { connect: connectOnce, close: () => server.close() };
}

export async function runResumptionBench(options: { quick: boolean }): Promise<ResumptionBenchResult> {
  const count = options.quick ? 30 : 200;
  const segments = options.quick ? 3 : 10;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-bench-resume-'));
  try {
    const pki = makePki('p256', dir);
    const rows = [
      memoryRow(pki, 'memtls in memory (noble)', undefined, count),
      memoryRow(pki, 'memtls in memory (node:crypto)', nodeCryptoProvider, count),
    ];
    const impls = [
      { name: 'memtls/node (node:crypto), loopback', ...(await memtlsLoopback(pki)) },
      { name: 'node:tls, loopback', ...(await nodeLoopback(pki)) },
    ];
    try {
      const sessions = await Promise.all(impls.map(async (i) => (await i.connect(undefined)).session));
      if (sessions.some((s) => s === undefined)) throw new Error('a full handshake gave no session');
      const full = impls.map(() => [] as number[]);
      const resumed = impls.map(() => [] as number[]);
      const ratios: number[] = [];
      const perSegment = Math.max(1, Math.floor(count / segments));
      for (let seg = 0; seg < segments; seg++) {
        const segResumed = impls.map(() => [] as number[]);
        for (const [k, impl] of impls.entries()) {
          for (let i = 0; i < perSegment; i++) {
            full[k]!.push((await impl.connect(undefined)).ms);
            const r = (await impl.connect(sessions[k])).ms;
            resumed[k]!.push(r);
            segResumed[k]!.push(r);
          }
        }
        ratios.push(median(segResumed[0]!) / median(segResumed[1]!));
      }
      for (const [k, impl] of impls.entries()) {
        rows.push({ implementation: impl.name, fullMs: median(full[k]!), resumedMs: median(resumed[k]!) });
      }
      return { rows, resumedRatioVsNodeTls: median(ratios), handshakesPerCase: count };
    } finally {
      for (const i of impls) i.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatResumptionTable(r: ResumptionBenchResult): string {
  const lines = [
    `Session resumption (TLS 1.2, P-256 mutual TLS, median of ${r.handshakesPerCase} handshakes each)`,
    'implementation                              full ms   resumed ms',
    ...r.rows.map(
      (row) =>
        `${row.implementation.padEnd(42)}${row.fullMs.toFixed(2).padStart(8)}${row.resumedMs.toFixed(2).padStart(13)}`,
    ),
    `memtls/node ÷ node:tls, resumed: ${r.resumedRatioVsNodeTls.toFixed(2)} (target ≤ 1.0)`,
  ];
  return lines.join('\n');
}
