// Full mutual-TLS handshake latency: an in-memory memtls pair (pure provider) next to node:tls over
// loopback with the same certificates, in the same run; plus in-memory bulk throughput.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import {
  type ClientContext,
  createClientContext,
  createServerContext,
  type ServerContext,
  TlsClient,
  TlsServer,
} from '../src/index.js';

export type KeyKind = 'p256' | 'rsa2048' | 'rsa4096';

export interface Pki {
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
}

/** A CA, a server leaf (server.test) and a client leaf (client.test) made with the openssl CLI in `dir`. */
export function makePki(kind: KeyKind, dir: string): Pki {
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const keyArgs =
    kind === 'p256'
      ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${kind === 'rsa2048' ? 2048 : 4096}`];
  run(['genpkey', ...keyArgs, '-out', `${kind}-ca.key`]);
  run([
    'req',
    '-new',
    '-x509',
    '-key',
    `${kind}-ca.key`,
    '-out',
    `${kind}-ca.pem`,
    '-days',
    '30',
    '-subj',
    `/CN=bench ${kind} CA`,
  ]);
  const leaf = (name: string, eku: string) => {
    run(['genpkey', ...keyArgs, '-out', `${kind}-${name}.key`]);
    run([
      'req',
      '-new',
      '-key',
      `${kind}-${name}.key`,
      '-out',
      `${kind}-${name}.csr`,
      '-subj',
      `/CN=${name}.test`,
    ]);
    writeFileSync(
      join(dir, `${kind}-${name}.ext`),
      `subjectAltName=DNS:${name}.test\nextendedKeyUsage=${eku}\n`,
    );
    run([
      'x509',
      '-req',
      '-in',
      `${kind}-${name}.csr`,
      '-CA',
      `${kind}-ca.pem`,
      '-CAkey',
      `${kind}-ca.key`,
      '-CAcreateserial',
      '-out',
      `${kind}-${name}.pem`,
      '-days',
      '30',
      '-extfile',
      `${kind}-${name}.ext`,
    ]);
    return {
      cert: readFileSync(join(dir, `${kind}-${name}.pem`), 'utf8'),
      key: readFileSync(join(dir, `${kind}-${name}.key`), 'utf8'),
    };
  };
  return {
    ca: readFileSync(join(dir, `${kind}-ca.pem`), 'utf8'),
    server: leaf('server', 'serverAuth'),
    client: leaf('client', 'clientAuth'),
  };
}

const configs = new WeakMap<Pki, { client: ClientContext; server: ServerContext }>();

/** One handshake. Contexts are compiled once and shared by every connection, as a server does. */
function memtlsHandshake(pki: Pki): void {
  let cfg = configs.get(pki);
  if (!cfg) {
    cfg = {
      client: createClientContext({
        ca: pki.ca,
        serverName: 'server.test',
        cert: pki.client.cert,
        key: pki.client.key,
      }),
      server: createServerContext({ ca: pki.ca, cert: pki.server.cert, key: pki.server.key }),
    };
    configs.set(pki, cfg);
  }
  const client = new TlsClient(cfg.client);
  const server = new TlsServer(cfg.server);
  for (let i = 0; i < 6 && client.state !== 'open'; i++) {
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
  }
  if (client.state !== 'open' || server.state !== 'open') {
    throw new Error(`memtls handshake did not complete: ${client.error?.message ?? server.error?.message}`);
  }
}

/** The node:tls reference server: mutual TLS 1.2 with the same certificates memtls uses. */
export function nodeTlsServerOptions(pki: Pki): tls.TlsOptions {
  return {
    ca: pki.ca,
    cert: pki.server.cert,
    key: pki.server.key,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
  };
}

async function nodeHandshakes(pki: Pki, count: number): Promise<number[]> {
  const server = tls.createServer(nodeTlsServerOptions(pki));
  server.on('secureConnection', (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const s = tls.connect({
          host: '127.0.0.1',
          port,
          servername: 'server.test',
          ca: pki.ca,
          cert: pki.client.cert,
          key: pki.client.key,
          maxVersion: 'TLSv1.2',
          session: undefined,
        });
        s.on('secureConnect', () => {
          times.push(performance.now() - t0);
          s.destroy();
          resolve();
        });
        s.on('error', reject);
      });
    }
  } finally {
    server.close();
  }
  return times;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export interface HandshakeBenchRow {
  keyType: KeyKind;
  memtlsMs: number;
  nodeTlsMs: number;
  ratio: number;
  iterations: number;
}

export interface HandshakeBenchResult {
  rows: HandshakeBenchRow[];
  bulk: { bytes: number; memtlsMBps: number; suite: string };
}

export async function runHandshakeBench(options: { quick: boolean }): Promise<HandshakeBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-bench-'));
  const rows: HandshakeBenchRow[] = [];
  for (const kind of ['p256', 'rsa2048', 'rsa4096'] as KeyKind[]) {
    const pki = makePki(kind, dir);
    const n = options.quick ? (kind === 'rsa4096' ? 8 : 15) : kind === 'rsa4096' ? 30 : 60;
    for (let i = 0; i < 3; i++) memtlsHandshake(pki); // warm up the JIT
    const ours: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      memtlsHandshake(pki);
      ours.push(performance.now() - t0);
    }
    await nodeHandshakes(pki, 3);
    const theirs = await nodeHandshakes(pki, n);
    const memtlsMs = median(ours);
    const nodeTlsMs = median(theirs);
    rows.push({ keyType: kind, memtlsMs, nodeTlsMs, ratio: memtlsMs / nodeTlsMs, iterations: n });
  }
  // In-memory bulk transfer: client writes, server reads, 16 KiB records.
  const pki = makePki('p256', dir);
  const client = new TlsClient({
    ca: pki.ca,
    serverName: 'server.test',
    cert: pki.client.cert,
    key: pki.client.key,
  });
  const server = new TlsServer({ ca: pki.ca, cert: pki.server.cert, key: pki.server.key });
  for (let i = 0; i < 6 && client.state !== 'open'; i++) {
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
  }
  const chunk = new Uint8Array(16384).fill(0x61);
  const total = options.quick ? 16 << 20 : 64 << 20;
  const t0 = performance.now();
  let received = 0;
  for (let sent = 0; sent < total; sent += chunk.length) {
    client.write(chunk);
    for (const e of server.receive(client.takeOutgoing())) if (e.type === 'data') received += e.data.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (received !== total) throw new Error(`bulk transfer lost data: ${received} of ${total}`);
  return {
    rows,
    bulk: { bytes: total, memtlsMBps: total / 1e6 / seconds, suite: client.info?.cipherSuite ?? '?' },
  };
}

export function formatHandshakeTable(r: HandshakeBenchResult): string {
  const lines = [
    'Full mutual-TLS handshake (median ms; memtls in-memory pair, pure provider; node:tls over loopback)',
    'key type   memtls ms   node:tls ms   memtls/node',
    ...r.rows.map(
      (x) =>
        `${x.keyType.padEnd(10)} ${x.memtlsMs.toFixed(2).padStart(9)}   ${x.nodeTlsMs.toFixed(2).padStart(11)}   ${x.ratio.toFixed(2).padStart(10)}×`,
    ),
    `In-memory bulk transfer (${r.bulk.suite}, ${(r.bulk.bytes / 1048576).toFixed(0)} MiB, seal+open): ${r.bulk.memtlsMBps.toFixed(1)} MB/s`,
  ];
  return lines.join('\n');
}
