// The `adapters` benchmark: memtls/node (node:crypto provider and pure provider) next to node:tls in
// the same run, over 127.0.0.1, TLS 1.2 with P-256 mutual-TLS certificates (openssl CLI):
//   - bulk throughput of one connection, client → server, 16 KiB writes (MB/s, 10^6 bytes);
//   - 64-byte echo round trips per second, sequential ping-pong over one connection;
//   - full mutual-TLS handshakes per second (sequential) and their median latency;
//   - server-side memory per idle established connection.
// Same arrangement for every implementation: the server runs in a child process started with
// `node --expose-gc` (bench/adapters-server.ts), the clients run in this process; each side talks to
// its own kind (memtls ↔ memtls, node:tls ↔ node:tls). Memory is measured inside the server process
// after forced collections, before and after establishing the idle connections. The other
// measurements run in short segments with the implementations taking turns; figures are medians
// over segments (latency: over all handshakes) and ratios are medians of the segments' side-by-side
// ratios, so load from other processes on a shared machine skews both sides alike. Every socket has
// TCP_NODELAY (see setNoDelay).

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { connect as memtlsConnect, nodeCryptoProvider, type TlsSocket } from '../src/adapters/node.js';
import { createClientContext } from '../src/index.js';
import {
  ADAPTERS_CHILD_ENV,
  IMPLEMENTATIONS,
  type Implementation,
  type MemorySample,
  type ServerCommand,
  type ServerReply,
  setNoDelay,
} from './adapters-server.js';
import { makePki, type Pki } from './handshake.js';

export { ADAPTERS_CHILD_ENV, runAdaptersServerChild } from './adapters-server.js';

const CHUNK = 16384;
const ECHO_SIZE = 64;
/**
 * One bulk transfer. Much less would mostly measure filling the kernel's socket buffers (several MiB
 * on loopback) while the receiver catches up, not the steady rate of both ends.
 */
const BULK_TRANSFER = 16 << 20;

interface Plan {
  /**
   * Bulk bytes per implementation: transfers of BULK_TRANSFER bytes over one connection, one in each
   * of the first bulkBytes / BULK_TRANSFER segments.
   */
  bulkBytes: number;
  /** 64-byte round trips per implementation, in `segments` runs over one connection. */
  echoRounds: number;
  /** Sequential handshakes per implementation, in `segments` batches. */
  handshakes: number;
  idleConnections: number;
  /** Measurements run in segments, implementations taking turns, so load from others hits all alike. */
  segments: number;
  /** Upper bound for one echo run or handshake batch, ms (a bulk transfer times out after 60 s). */
  segmentMs: number;
}

const FULL: Plan = {
  bulkBytes: 256 << 20,
  echoRounds: 20_000,
  handshakes: 200,
  idleConnections: 1000,
  segments: 16,
  segmentMs: 5000,
};
const QUICK: Plan = {
  bulkBytes: 32 << 20,
  echoRounds: 8000,
  handshakes: 80,
  idleConnections: 200,
  segments: 8,
  segmentMs: 1500,
};

export const ADAPTER_TARGETS = {
  bulk: '≥ 0.8×',
  echo: '≥ 1.0×',
  handshakesPerSecond: '≥ 1.0×',
  handshakeLatency: '≤ 1.25×',
  memoryPerIdleConnection: '≤ 8 KiB',
  rssPerIdleConnection: '≤ 1.0×',
} as const;

export interface ImplementationResult {
  implementation: Implementation;
  cipherSuite: string;
  group: string;
  /** Median over the segments' transfers (MB = 10^6 bytes). */
  bulkMBps: number;
  bulkSegmentsMBps: number[];
  /** Median over the segments' runs. */
  echoRoundTripsPerSecond: number;
  echoSegmentsPerSecond: number[];
  echoRounds: number;
  /** Handshakes done ÷ the time the batches took (connect, handshake, close). */
  handshakesPerSecond: number;
  /** Median over all handshakes: connect() → secureConnect in the client. */
  handshakeMedianMs: number;
  handshakeSegmentsMedianMs: number[];
  handshakeSegmentsPerSecond: number[];
  handshakes: number;
  /** Server process, after forced GC: (heapUsed + external) after − before, per connection, bytes. */
  memoryPerConnection: number;
  /** The parts of that delta per connection (arrayBuffers is part of external, as Node defines it). */
  memoryParts: { heapUsed: number; external: number; arrayBuffers: number; rss: number };
  /**
   * What one 64-byte echo then adds to each of those idle connections, measured the same way (the
   * memory a connection that has carried data keeps beyond one that has only shaken hands).
   */
  echoAdds: { memoryPerConnection: number; memoryParts: ImplementationResult['memoryParts'] };
  idleConnections: number;
  /** Idle connections established per second while opening them (16 handshakes in flight). */
  acceptPerSecond: number;
}

export interface AdaptersBenchResult {
  node: string;
  date: string;
  quick: boolean;
  plan: Plan;
  targets: typeof ADAPTER_TARGETS;
  implementations: ImplementationResult[];
  /**
   * memtls ÷ node:tls per implementation (for latency and memory, lower is better): medians of the
   * segments' side-by-side ratios; memory is one measurement.
   */
  ratios: Record<
    string,
    {
      bulk: number;
      echo: number;
      handshakesPerSecond: number;
      handshakeLatency: number;
      memory: number;
      rss: number;
      echoAddsMemory: number;
      echoAddsRss: number;
      acceptPerSecond: number;
    }
  >;
  targetsMet: {
    bulk: boolean;
    echo: boolean;
    handshakesPerSecond: boolean;
    handshakeLatency: boolean;
    memoryPerIdleConnection: boolean;
    rssPerIdleConnection: boolean;
  };
  seconds: number;
}

// ---------------------------------------------------------------------------------------------
// The server child

export class ServerChild {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly child;
  port = 0;

  constructor(readonly implementation: Implementation) {
    this.child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, [ADAPTERS_CHILD_ENV]: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (reply: ServerReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) w.reject(new Error(`${implementation} server: ${reply.error}`));
      else w.resolve(reply.result);
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`${implementation} server exited (${code})`));
      this.waiting.clear();
    });
  }

  request<T>(request: ServerCommand, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new Error(`${this.implementation} server did not answer '${request.command}' in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ ...request, id });
    });
  }

  async listen(pki: Pki): Promise<void> {
    this.port = await this.request<number>({ command: 'listen', implementation: this.implementation, pki });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    try {
      await this.request({ command: 'stop' }, 5000);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    } finally {
      if (this.child.exitCode === null) this.child.kill();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Clients (this process)

export type ClientSocket = Duplex & { destroyed: boolean };

/** Per implementation: the client configuration, made once and reused, as an application would. */
export function clientFactory(implementation: Implementation, pki: Pki): (port: number) => ClientSocket {
  if (implementation === 'node:tls') {
    const secureContext = tls.createSecureContext({
      ca: pki.ca,
      cert: pki.client.cert,
      key: pki.client.key,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    return (port) =>
      tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'server.test',
        secureContext,
        minVersion: 'TLSv1.2',
      });
  }
  // Compiled once, as the node:tls client's secureContext above (a config passed inline to connect()
  // would be parsed and checked again for every connection).
  const secureContext = createClientContext({
    serverName: 'server.test',
    ca: pki.ca,
    cert: pki.client.cert,
    key: pki.client.key,
    ...(implementation === 'memtls/node:crypto' ? { crypto: nodeCryptoProvider } : {}),
  });
  return (port) => memtlsConnect({ host: '127.0.0.1', port, secureContext });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function secured(socket: ClientSocket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve();
    });
    socket.once('error', reject);
  });
}

function negotiated(implementation: Implementation, socket: ClientSocket): { suite: string; group: string } {
  if (implementation === 'node:tls') {
    const s = socket as tls.TLSSocket;
    return {
      suite: s.getCipher().standardName,
      group: (s.getEphemeralKeyInfo() as { name?: string } | null)?.name ?? '?',
    };
  }
  const info = (socket as TlsSocket).info;
  return { suite: info?.cipherSuite ?? '?', group: info?.group ?? '?' };
}

async function openConnection(connect: (port: number) => ClientSocket, port: number): Promise<ClientSocket> {
  const socket = connect(port);
  setNoDelay(socket);
  try {
    await withTimeout(secured(socket), 30_000, 'a handshake');
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return socket;
}

/** Sequential full handshakes: each one's latency (connect() → secureConnect), and the batch's time. */
async function handshakeBatch(
  connect: (port: number) => ClientSocket,
  port: number,
  count: number,
  maxMs: number,
): Promise<{ times: number[]; seconds: number }> {
  const times: number[] = [];
  const started = performance.now();
  while (times.length < count && performance.now() - started < maxMs) {
    const t0 = performance.now();
    const socket = await openConnection(connect, port);
    times.push(performance.now() - t0);
    socket.destroy();
  }
  return { times, seconds: (performance.now() - started) / 1000 };
}

/** A connection whose server echoes everything. */
async function openEcho(connect: (port: number) => ClientSocket, port: number): Promise<ClientSocket> {
  const socket = await openConnection(connect, port);
  socket.write(Buffer.from('E'));
  return socket;
}

/** Sequential 64-byte ping-pong: `rounds` round trips (fewer if `maxMs` runs out). */
function echoRun(
  socket: ClientSocket,
  rounds: number,
  maxMs: number,
): Promise<{ perSecond: number; rounds: number }> {
  const message = Buffer.alloc(ECHO_SIZE, 0x62);
  const done = new Promise<{ perSecond: number; rounds: number }>((resolve, reject) => {
    let completed = 0;
    let missing = 0;
    const started = performance.now();
    const send = () => {
      missing = ECHO_SIZE;
      socket.write(message);
    };
    const onData = (chunk: Buffer) => {
      missing -= chunk.length;
      if (missing > 0) return;
      completed++;
      const elapsed = performance.now() - started;
      if (completed >= rounds || elapsed > maxMs) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve({ perSecond: completed / (elapsed / 1000), rounds: completed });
      } else send();
    };
    socket.on('data', onData);
    socket.once('error', reject);
    send();
  });
  return withTimeout(done, maxMs + 10_000, 'an echo run');
}

/** A connection whose server sinks bulk transfers. */
async function openSink(connect: (port: number) => ClientSocket, port: number): Promise<ClientSocket> {
  const socket = await openConnection(connect, port);
  socket.write(Buffer.from('B'));
  return socket;
}

const BULK_CHUNK = Buffer.alloc(CHUNK, 0x61);

/** Client → server, 16 KiB writes with backpressure, until the server acknowledges every byte: MB/s. */
async function bulkTransfer(socket: ClientSocket, total: number): Promise<number> {
  const header = Buffer.alloc(9);
  header[0] = 0x42;
  header.writeBigUInt64BE(BigInt(total), 1);
  let onError: (error: Error) => void = () => {};
  const acknowledged = new Promise<void>((resolve, reject) => {
    onError = reject;
    socket.once('data', () => resolve());
    socket.once('error', onError);
  });
  const started = performance.now();
  socket.write(header);
  for (let sent = 0; sent < total; sent += CHUNK) {
    if (!socket.write(BULK_CHUNK)) await once(socket, 'drain');
  }
  await withTimeout(acknowledged, 60_000, 'a bulk transfer');
  socket.off('error', onError);
  return total / 1e6 / ((performance.now() - started) / 1000);
}

type MemoryParts = ImplementationResult['memoryParts'];

/**
 * Server-side memory per idle established connection, and the rate they were established at. With
 * `thenEcho`, each of those connections then carries one 64-byte echo, and `echoAdds` is what that
 * added per connection.
 */
export async function idleMemory(
  server: ServerChild,
  connect: (port: number) => ClientSocket,
  count: number,
  options: { inFlight?: number; thenEcho?: boolean } = {},
): Promise<{
  perConnection: number;
  parts: MemoryParts;
  acceptPerSecond: number;
  echoAdds?: { perConnection: number; parts: MemoryParts };
}> {
  const inFlight = options.inFlight ?? 16;
  const openMany = async (n: number): Promise<ClientSocket[]> => {
    const sockets: ClientSocket[] = [];
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        sockets.push(await openConnection(connect, server.port));
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
    } catch (error) {
      for (const s of sockets) s.destroy();
      throw error;
    }
    return sockets;
  };
  const closeAll = async (sockets: ClientSocket[]) => {
    for (const s of sockets) s.destroy();
    await server.request({ command: 'waitForConnections', count: 0, timeoutMs: 10_000 }, 15_000);
  };
  // Warm up (code, caches, pools), then measure from a settled baseline.
  await closeAll(await openMany(20));
  const before = await server.request<MemorySample>({ command: 'memory' });
  const opening = performance.now();
  const sockets = await openMany(count);
  try {
    const established = await server.request<number>(
      { command: 'waitForConnections', count, timeoutMs: 10_000 },
      15_000,
    );
    const acceptPerSecond = count / ((performance.now() - opening) / 1000);
    if (established !== count) throw new Error(`server sees ${established} of ${count} idle connections`);
    await new Promise((r) => setTimeout(r, 100));
    const after = await server.request<MemorySample>({ command: 'memory' });
    const growth = (from: MemorySample, to: MemorySample) => {
      const per = (k: keyof MemorySample) => (to[k] - from[k]) / count;
      const parts = {
        heapUsed: per('heapUsed'),
        external: per('external'),
        arrayBuffers: per('arrayBuffers'),
        rss: per('rss'),
      };
      return { perConnection: parts.heapUsed + parts.external, parts };
    };
    if (!options.thenEcho) return { acceptPerSecond, ...growth(before, after) };
    // Each idle connection becomes an echo connection ('E') and carries one 64-byte round trip.
    let next = 0;
    const echoWorker = async () => {
      while (next < sockets.length) {
        const socket = sockets[next++]!;
        socket.write(Buffer.from('E'));
        await echoRun(socket, 1, 5000);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, echoWorker));
    await new Promise((r) => setTimeout(r, 100));
    const echoed = await server.request<MemorySample>({ command: 'memory' });
    return { acceptPerSecond, ...growth(before, after), echoAdds: growth(after, echoed) };
  } finally {
    await closeAll(sockets);
  }
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[middle]! : (s[middle - 1]! + s[middle]!) / 2;
}

// ---------------------------------------------------------------------------------------------

export async function runAdaptersBench(options: { quick: boolean }): Promise<AdaptersBenchResult> {
  const plan = options.quick ? QUICK : FULL;
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'memtls-bench-adapters-'));
  const pki = makePki('p256', dir);
  rmSync(dir, { recursive: true, force: true });

  const servers = IMPLEMENTATIONS.map((implementation) => new ServerChild(implementation));
  const results = new Map<Implementation, ImplementationResult>();
  try {
    for (const s of servers) await s.listen(pki);
    const connectors = new Map(IMPLEMENTATIONS.map((i) => [i, clientFactory(i, pki)]));
    for (const s of servers) {
      const connect = connectors.get(s.implementation)!;
      const probe = await openConnection(connect, s.port);
      const { suite, group } = negotiated(s.implementation, probe);
      probe.destroy();
      const memory = await idleMemory(s, connect, plan.idleConnections, { thenEcho: true });
      results.set(s.implementation, {
        implementation: s.implementation,
        cipherSuite: suite,
        group,
        bulkMBps: 0,
        bulkSegmentsMBps: [],
        echoRoundTripsPerSecond: 0,
        echoSegmentsPerSecond: [],
        echoRounds: 0,
        handshakesPerSecond: 0,
        handshakeMedianMs: 0,
        handshakeSegmentsMedianMs: [],
        handshakeSegmentsPerSecond: [],
        handshakes: 0,
        memoryPerConnection: memory.perConnection,
        memoryParts: memory.parts,
        echoAdds: {
          memoryPerConnection: memory.echoAdds!.perConnection,
          memoryParts: memory.echoAdds!.parts,
        },
        idleConnections: plan.idleConnections,
        acceptPerSecond: memory.acceptPerSecond,
      });
    }
    // One echo and one bulk connection per implementation, warmed up; then the segments, with the
    // implementations taking turns.
    const echoSockets = new Map<Implementation, ClientSocket>();
    const sinks = new Map<Implementation, ClientSocket>();
    const latencies = new Map<Implementation, number[]>(IMPLEMENTATIONS.map((i) => [i, []]));
    const handshakeSeconds = new Map<Implementation, number>(IMPLEMENTATIONS.map((i) => [i, 0]));
    try {
      for (const s of servers) {
        const connect = connectors.get(s.implementation)!;
        await handshakeBatch(connect, s.port, 5, plan.segmentMs);
        const e = await openEcho(connect, s.port);
        echoSockets.set(s.implementation, e);
        await echoRun(e, 200, plan.segmentMs);
        const b = await openSink(connect, s.port);
        sinks.set(s.implementation, b);
        await bulkTransfer(b, 4 << 20);
      }
      const perSegment = (total: number) => Math.ceil(total / plan.segments);
      for (let segment = 0; segment < plan.segments; segment++) {
        for (const s of servers) {
          const r = results.get(s.implementation)!;
          const connect = connectors.get(s.implementation)!;
          const h = await handshakeBatch(connect, s.port, perSegment(plan.handshakes), plan.segmentMs);
          latencies.get(s.implementation)!.push(...h.times);
          r.handshakeSegmentsMedianMs.push(median(h.times));
          r.handshakeSegmentsPerSecond.push(h.times.length / h.seconds);
          handshakeSeconds.set(s.implementation, handshakeSeconds.get(s.implementation)! + h.seconds);
          const e = await echoRun(
            echoSockets.get(s.implementation)!,
            perSegment(plan.echoRounds),
            plan.segmentMs,
          );
          r.echoSegmentsPerSecond.push(e.perSecond);
          r.echoRounds += e.rounds;
          if (segment < plan.bulkBytes / BULK_TRANSFER) {
            r.bulkSegmentsMBps.push(await bulkTransfer(sinks.get(s.implementation)!, BULK_TRANSFER));
          }
        }
      }
    } finally {
      for (const socket of [...echoSockets.values(), ...sinks.values()]) socket.destroy();
    }
    for (const r of results.values()) {
      const times = latencies.get(r.implementation)!;
      r.handshakes = times.length;
      r.handshakeMedianMs = median(times);
      r.handshakesPerSecond = times.length / handshakeSeconds.get(r.implementation)!;
      r.echoRoundTripsPerSecond = median(r.echoSegmentsPerSecond);
      r.bulkMBps = median(r.bulkSegmentsMBps);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }

  // Ratios are medians of side-by-side segment ratios (segment i of memtls ÷ segment i of node:tls).
  const reference = results.get('node:tls')!;
  const sideBySide = (ours: number[], theirs: number[]) => median(ours.map((x, i) => x / theirs[i]!));
  const ratios: AdaptersBenchResult['ratios'] = {};
  for (const r of results.values()) {
    if (r.implementation === 'node:tls') continue;
    ratios[r.implementation] = {
      bulk: sideBySide(r.bulkSegmentsMBps, reference.bulkSegmentsMBps),
      echo: sideBySide(r.echoSegmentsPerSecond, reference.echoSegmentsPerSecond),
      handshakesPerSecond: sideBySide(r.handshakeSegmentsPerSecond, reference.handshakeSegmentsPerSecond),
      handshakeLatency: sideBySide(r.handshakeSegmentsMedianMs, reference.handshakeSegmentsMedianMs),
      memory: r.memoryPerConnection / reference.memoryPerConnection,
      rss: r.memoryParts.rss / reference.memoryParts.rss,
      echoAddsMemory: r.echoAdds.memoryPerConnection / reference.echoAdds.memoryPerConnection,
      echoAddsRss: r.echoAdds.memoryParts.rss / reference.echoAdds.memoryParts.rss,
      acceptPerSecond: r.acceptPerSecond / reference.acceptPerSecond,
    };
  }
  const ours = ratios['memtls/node:crypto']!;
  return {
    node: process.version,
    date: new Date().toISOString(),
    quick: options.quick,
    plan,
    targets: ADAPTER_TARGETS,
    implementations: [...results.values()],
    ratios,
    targetsMet: {
      bulk: ours.bulk >= 0.8,
      echo: ours.echo >= 1.0,
      handshakesPerSecond: ours.handshakesPerSecond >= 1.0,
      handshakeLatency: ours.handshakeLatency <= 1.25,
      memoryPerIdleConnection: results.get('memtls/node:crypto')!.memoryPerConnection <= 8 * 1024,
      rssPerIdleConnection: ours.rss <= 1.0,
    },
    seconds: (performance.now() - started) / 1000,
  };
}

export function formatAdaptersTable(r: AdaptersBenchResult): string {
  const get = (i: Implementation) => r.implementations.find((x) => x.implementation === i)!;
  const node = get('node:tls');
  const ours = get('memtls/node:crypto');
  const pure = get('memtls/pure');
  const ratioOurs = r.ratios['memtls/node:crypto']!;
  const ratioPure = r.ratios['memtls/pure']!;
  const kib = (b: number) => (b / 1024).toFixed(1);
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const rows: [string, (x: ImplementationResult) => string, keyof typeof ratioOurs, string, boolean][] = [
    [
      `bulk MB/s (${r.plan.bulkBytes >> 20} MiB as ${BULK_TRANSFER >> 20} MiB transfers)`,
      (x) => x.bulkMBps.toFixed(0),
      'bulk',
      r.targets.bulk,
      r.targetsMet.bulk,
    ],
    [
      `64 B echo round trips/s (${r.plan.echoRounds})`,
      (x) => x.echoRoundTripsPerSecond.toFixed(0),
      'echo',
      r.targets.echo,
      r.targetsMet.echo,
    ],
    [
      `mTLS handshakes/s (${r.plan.handshakes} sequential)`,
      (x) => x.handshakesPerSecond.toFixed(1),
      'handshakesPerSecond',
      r.targets.handshakesPerSecond,
      r.targetsMet.handshakesPerSecond,
    ],
    [
      'handshake latency ms (median)',
      (x) => x.handshakeMedianMs.toFixed(2),
      'handshakeLatency',
      r.targets.handshakeLatency,
      r.targetsMet.handshakeLatency,
    ],
    [
      `KiB per idle conn, server (${r.plan.idleConnections})`,
      (x) => kib(x.memoryPerConnection),
      'memory',
      r.targets.memoryPerIdleConnection,
      r.targetsMet.memoryPerIdleConnection,
    ],
    [
      'RSS KiB per idle conn, server',
      (x) => kib(x.memoryParts.rss),
      'rss',
      r.targets.rssPerIdleConnection,
      r.targetsMet.rssPerIdleConnection,
    ],
    [
      '… KiB one 64 B echo adds to each',
      (x) => kib(x.echoAdds.memoryPerConnection),
      'echoAddsMemory',
      '',
      true,
    ],
    ['… RSS KiB one 64 B echo adds to each', (x) => kib(x.echoAdds.memoryParts.rss), 'echoAddsRss', '', true],
    [
      'idle conns accepted/s (16 in flight)',
      (x) => x.acceptPerSecond.toFixed(0),
      'acceptPerSecond',
      '',
      true,
    ],
  ];
  const lines = [
    'memtls/node vs node:tls over 127.0.0.1 (TLS 1.2, P-256 mTLS, TCP_NODELAY; server in a child process,',
    `clients here; ratios: medians of ${r.plan.segments} side-by-side segments; 16 KiB writes)`,
    `suites: node:tls ${node.cipherSuite}/${node.group}; memtls ${ours.cipherSuite}/${ours.group}`,
    `${'metric'.padEnd(46)}${'node:tls'.padStart(10)}${'node:crypto'.padStart(13)}${'ratio'.padStart(8)}  ${'target'.padEnd(9)}${''.padEnd(7)}${'pure'.padStart(9)}${'ratio'.padStart(8)}`,
    ...rows.map(
      ([label, value, key, target, met]) =>
        `${label.padEnd(46)}${value(node).padStart(10)}${value(ours).padStart(13)}${`${ratioOurs[key].toFixed(2)}×`.padStart(8)}  ${target.padEnd(9)}${(target ? mark(met) : '').padEnd(7)}${value(pure).padStart(9)}${`${ratioPure[key].toFixed(2)}×`.padStart(8)}`,
    ),
    'memory: server process, (heapUsed + external) after − before, forced GC (arrayBuffers is part of external);',
    `  node:tls keeps its TLS state in OpenSSL's malloc heap, which that does not see; the RSS row does (it`,
    '  includes heap growth). `npm run bench -- --idle 10000` measures 10,000 idle connections.',
  ];
  return lines.join('\n');
}
