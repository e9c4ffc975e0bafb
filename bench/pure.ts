// The `pure` benchmark: the pure (noble) provider's own costs, in one process and in memory —
// P-256 mutual-TLS full handshakes (a reconnecting device, a new device, first contact),
// ChaCha20-Poly1305 bulk through the record layer and through memtls/node over loopback next to the
// bare keyed-once AEAD, and the heap each idle server connection keeps. Run alone with
//   npx esbuild bench/pure.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist-bench/pure.mjs && node --expose-gc dist-bench/pure.mjs [--quick]
// or as the `pure` section of `npm run bench` (`npm run bench -- pure`); the heap figures need
// --expose-gc (NODE_OPTIONS=--expose-gc) and are left out without it.

import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from '../src/adapters/node.js';
import {
  type ClientConfig,
  createClientContext,
  createRoot,
  createServerContext,
  issueCertificate,
  nobleProvider,
  type ServerConfig,
  TlsClient,
  TlsServer,
} from '../src/index.js';
import { makePki, type Pki } from './handshake.js';

export interface PureBenchResult {
  node: string;
  date: string;
  quick: boolean;
  /**
   * Median ms of one full mutual-TLS P-256 handshake, both sides in this process: a reconnecting
   * device (both contexts reused), a new device (its own new context and certificate) to a server
   * whose context has seen other devices, and first contact (both contexts new).
   */
  handshake: {
    reconnectMs: number;
    newDeviceMs: number;
    firstContactMs: number;
    /** Median CPU time (user + system) of the same handshakes. */
    cpuMs: { reconnect: number; newDevice: number; firstContact: number };
    /** Least CPU time of the same handshakes. */
    cpuMinMs: { reconnect: number; newDevice: number; firstContact: number };
    iterations: number;
  };
  /** ChaCha20-Poly1305, 16 KiB records; rates in MB/s (10^6 bytes) of plaintext moved. */
  bulk: {
    bareAeadMBps: number;
    recordLayerMBps: number;
    nodeAdapterMBps: number;
    recordLayerRatio: number;
    nodeAdapterRatio: number;
  };
  /** Heap per idle established server connection (in memory), bytes; per suite. */
  idleHeapBytes?: Record<string, number>;
}

const SUITE_CHACHA = 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256';
const SUITE_AES128 = 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function configs(pki: Pki, suites?: string[]): { client: ClientConfig; server: ServerConfig } {
  return {
    client: {
      ca: pki.ca,
      serverName: 'server.test',
      cert: pki.client.cert,
      key: pki.client.key,
      ...(suites ? { cipherSuites: suites } : {}),
    },
    server: { ca: pki.ca, cert: pki.server.cert, key: pki.server.key },
  };
}

function pair(client: TlsClient, server: TlsServer): void {
  for (let i = 0; i < 6 && client.state !== 'open'; i++) {
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
  }
  if (client.state !== 'open' || server.state !== 'open') {
    throw new Error(`handshake did not complete: ${client.error?.message ?? server.error?.message}`);
  }
}

function handshakes(n: number): PureBenchResult['handshake'] {
  // A memtls-issued P-256 PKI, so that every new device can have a certificate of its own.
  const root = createRoot({ commonName: 'bench pure root' });
  const issuer = { certificate: root.certificate, key: root.key };
  const server = issueCertificate({ commonName: 'server.test', issuer });
  const device = () => {
    const leaf = issueCertificate({ commonName: 'device.test', usage: 'client', issuer });
    return {
      ca: root.certificatePem,
      serverName: 'server.test',
      cert: leaf.certificatePem,
      key: leaf.keyPem,
    };
  };
  const serverConfig: ServerConfig = {
    ca: root.certificatePem,
    cert: server.certificatePem,
    key: server.keyPem,
  };
  const clientConfig = device();
  const clientCtx = createClientContext(clientConfig);
  const serverCtx = createServerContext(serverConfig);
  const devices = Array.from({ length: n + 3 }, () => createClientContext(device()));
  for (let i = 0; i < 3; i++) pair(new TlsClient(devices[n + i]!), new TlsServer(serverCtx)); // JIT, server warm
  const times = { reconnect: new Samples(), newDevice: new Samples(), first: new Samples() };
  for (let i = 0; i < n; i++) {
    times.reconnect.time(() => pair(new TlsClient(clientCtx), new TlsServer(serverCtx)));
    times.newDevice.time(() => pair(new TlsClient(devices[i]!), new TlsServer(serverCtx)));
    // First contact: contexts compiled beforehand (as a server does once), nothing remembered.
    const c = createClientContext(clientConfig);
    const s = createServerContext(serverConfig);
    times.first.time(() => pair(new TlsClient(c), new TlsServer(s)));
  }
  return {
    reconnectMs: times.reconnect.wallMs(),
    newDeviceMs: times.newDevice.wallMs(),
    firstContactMs: times.first.wallMs(),
    cpuMs: {
      reconnect: times.reconnect.cpuMs(),
      newDevice: times.newDevice.cpuMs(),
      firstContact: times.first.cpuMs(),
    },
    cpuMinMs: {
      reconnect: times.reconnect.cpuMinMs(),
      newDevice: times.newDevice.cpuMinMs(),
      firstContact: times.first.cpuMinMs(),
    },
    iterations: n,
  };
}

/** Wall-clock and CPU time of repeated runs (CPU time is steadier on a machine shared with others). */
class Samples {
  private readonly wall: number[] = [];
  private readonly cpu: number[] = [];

  time(run: () => void): void {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    this.wall.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    this.cpu.push((cpu.user + cpu.system) / 1000);
  }

  wallMs(): number {
    return median(this.wall);
  }

  cpuMs(): number {
    return median(this.cpu);
  }

  /** The least CPU time: the closest to an uncontended run when other processes share the cores. */
  cpuMinMs(): number {
    return Math.min(...this.cpu);
  }
}

/** MB/s of one call of `run`, which moves `bytes`. */
function timed(bytes: number, run: () => void): number {
  const t0 = performance.now();
  run();
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

async function bulk(pki: Pki, quick: boolean): Promise<PureBenchResult['bulk']> {
  const chunk = new Uint8Array(16384).fill(0x61);
  const perRound = (quick ? 2 : 4) << 20;
  const rounds = quick ? 5 : 15;
  // Bare: one keyed-once seal and one open per 16 KiB, as one record costs the two ends together.
  const key = new Uint8Array(32).fill(7);
  const aead = nobleProvider.aead('CHACHA20-POLY1305', key);
  const nonce = new Uint8Array(12);
  const aad = new Uint8Array(13);
  const bare = () => {
    for (let sent = 0; sent < perRound; sent += chunk.length) {
      nonce[11] = (nonce[11]! + 1) & 0xff;
      if (aead.open(nonce, aad, aead.seal(nonce, aad, chunk)) === undefined) throw new Error('open');
    }
  };
  const cfg = configs(pki, [SUITE_CHACHA]);
  const client = new TlsClient(cfg.client);
  const server = new TlsServer(cfg.server);
  pair(client, server);
  const records = () => {
    let received = 0;
    for (let sent = 0; sent < perRound; sent += chunk.length) {
      client.write(chunk);
      for (const e of server.receive(client.takeOutgoing())) if (e.type === 'data') received += e.data.length;
    }
    if (received !== perRound) throw new Error(`lost data: ${received} of ${perRound}`);
  };
  // Warm up both (JIT), then alternate rounds so load from other processes falls on both alike.
  const warmUntil = performance.now() + (quick ? 1000 : 3000);
  while (performance.now() < warmUntil) {
    bare();
    records();
  }
  const bareRates: number[] = [];
  const recordRates: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const b = timed(perRound, bare);
    const r = timed(perRound, records);
    bareRates.push(b);
    recordRates.push(r);
    ratios.push(r / b);
  }
  const bareAeadMBps = median(bareRates);
  const nodeAdapterMBps = await adapterBulk(cfg, perRound, rounds, chunk);
  const bareAfter = median(Array.from({ length: rounds }, () => timed(perRound, bare)));
  return {
    bareAeadMBps,
    recordLayerMBps: median(recordRates),
    nodeAdapterMBps,
    recordLayerRatio: median(ratios),
    // The adapter's rounds are async; compared with the bare rate measured around them.
    nodeAdapterRatio: nodeAdapterMBps / ((bareAeadMBps + bareAfter) / 2),
  };
}

/** memtls/node client → memtls/node server over 127.0.0.1, both in this process, pure provider. */
async function adapterBulk(
  cfg: { client: ClientConfig; server: ServerConfig },
  perRound: number,
  rounds: number,
  chunk: Uint8Array,
): Promise<number> {
  let received = 0;
  let wanted = 0;
  let done: (() => void) | undefined;
  const server = createServer(cfg.server, (socket) => {
    socket.on('data', (d: Uint8Array) => {
      received += d.length;
      if (received >= wanted && done) done();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const socket = connect({ ...cfg.client, host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const oneRound = async (): Promise<number> => {
    const t0 = performance.now();
    wanted = received + perRound;
    const arrived = new Promise<void>((resolve) => {
      done = resolve;
    });
    for (let sent = 0; sent < perRound; sent += chunk.length) {
      if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
    }
    await arrived;
    return perRound / 1e6 / ((performance.now() - t0) / 1000);
  };
  try {
    await oneRound();
    const rates: number[] = [];
    for (let i = 0; i < rounds; i++) rates.push(await oneRound());
    return median(rates);
  } finally {
    socket.destroy();
    server.close();
  }
}

/** Heap per idle established server connection, in memory (clients dropped), after forced GC. */
function idleHeap(pki: Pki, suite: string, count: number): number {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const cfg = configs(pki, [suite]);
  const clientCtx = createClientContext(cfg.client);
  const serverCtx = createServerContext(cfg.server);
  const open = (n: number): TlsServer[] => {
    const servers: TlsServer[] = [];
    for (let i = 0; i < n; i++) {
      const server = new TlsServer(serverCtx);
      pair(new TlsClient(clientCtx), server);
      servers.push(server);
    }
    return servers;
  };
  open(20);
  gc();
  gc();
  const before = process.memoryUsage();
  const servers = open(count);
  gc();
  gc();
  const after = process.memoryUsage();
  if (servers.length !== count) throw new Error('lost connections');
  return (after.heapUsed + after.external - before.heapUsed - before.external) / count;
}

export async function runPureBench(options: { quick: boolean }): Promise<PureBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-bench-pure-'));
  const pki = makePki('p256', dir);
  rmSync(dir, { recursive: true, force: true });
  const result: PureBenchResult = {
    node: process.version,
    date: new Date().toISOString(),
    quick: options.quick,
    handshake: handshakes(options.quick ? 15 : 60),
    bulk: await bulk(pki, options.quick),
  };
  if (typeof (globalThis as { gc?: unknown }).gc === 'function') {
    const n = options.quick ? 100 : 400;
    result.idleHeapBytes = {
      [SUITE_AES128]: idleHeap(pki, SUITE_AES128, n),
      [SUITE_CHACHA]: idleHeap(pki, SUITE_CHACHA, n),
    };
  }
  return result;
}

export function formatPureTable(r: PureBenchResult): string {
  const b = r.bulk;
  const lines = [
    'Pure provider (in one process): P-256 mutual-TLS full handshake, median ms (both sides)',
    `  reconnecting device ${r.handshake.reconnectMs.toFixed(2)} ms (target ≤ 8 ms), new device to a warm server ` +
      `${r.handshake.newDeviceMs.toFixed(2)} ms, first contact (both contexts new) ${r.handshake.firstContactMs.toFixed(2)} ms`,
    `  CPU time, median: ${r.handshake.cpuMs.reconnect.toFixed(2)} / ${r.handshake.cpuMs.newDevice.toFixed(2)} / ${r.handshake.cpuMs.firstContact.toFixed(2)} ms; ` +
      `least: ${r.handshake.cpuMinMs.reconnect.toFixed(2)} / ${r.handshake.cpuMinMs.newDevice.toFixed(2)} / ${r.handshake.cpuMinMs.firstContact.toFixed(2)} ms`,
    'ChaCha20-Poly1305 bulk, 16 KiB writes, MB/s of plaintext (one seal + one open per record)',
    `  bare keyed-once AEAD ${b.bareAeadMBps.toFixed(1)}, record layer ${b.recordLayerMBps.toFixed(1)} (${b.recordLayerRatio.toFixed(2)}×), ` +
      `memtls/node over loopback ${b.nodeAdapterMBps.toFixed(1)} (${b.nodeAdapterRatio.toFixed(2)}×, target ≥ 0.9×)`,
  ];
  if (r.idleHeapBytes) {
    lines.push('Heap + external per idle server connection, in memory (target ≤ 40 KiB)');
    for (const [suite, bytes] of Object.entries(r.idleHeapBytes)) {
      lines.push(`  ${suite.padEnd(48)} ${(bytes / 1024).toFixed(1)} KiB`);
    }
  } else {
    lines.push('Heap per idle connection: run node with --expose-gc to measure it');
  }
  return lines.join('\n');
}

// Standalone: `node --expose-gc dist-bench/pure.mjs [--quick]`.
if (process.argv[1]?.endsWith('pure.mjs')) {
  const result = await runPureBench({ quick: process.argv.includes('--quick') });
  console.log(formatPureTable(result));
  console.log(JSON.stringify(result));
}
