// The `adapters` benchmark: memtls/node (node:crypto provider and pure provider) next to node:tls in
// the same run, over 127.0.0.1, TLS 1.2 with P-256 mutual-TLS certificates (openssl CLI):
//   - bulk throughput of one connection, client → server, 16 KiB writes (MB/s, 10^6 bytes);
//   - 64-byte echo round trips per second, sequential ping-pong over one connection;
//   - full mutual-TLS handshakes per second (sequential) and their median latency;
//   - server-side memory per idle established connection, and what one 64-byte echo then adds to it.
// Same arrangement for every implementation: the server runs in a child process started with
// `node --expose-gc` (bench/adapters-server.ts), the clients run in this process; each side talks to
// its own kind (memtls ↔ memtls, node:tls ↔ node:tls). Memory is measured inside the server process
// after forced collections, before and after establishing the idle connections. The other
// measurements run in short segments with the implementations taking turns; figures are medians
// over segments (latency: over all handshakes) and ratios are medians of the segments' side-by-side
// ratios, so load from other processes on a shared machine skews both sides alike. Every socket has
// TCP_NODELAY (setNoDelay in bench/adapters-server.ts). The server child, the clients and the
// workloads are in bench/adapters-workloads.ts; this file plans the run and prints its table.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPLEMENTATIONS, type Implementation } from './adapters-server.js';
import {
  bulkTransfer,
  type ClientSocket,
  clientFactory,
  echoRun,
  handshakeBatch,
  idleMemory,
  type MemoryParts,
  negotiated,
  openConnection,
  openEcho,
  openSink,
  ServerChild,
} from './adapters-workloads.js';
import { makePki } from './handshake.js';

export { ADAPTERS_CHILD_ENV, runAdaptersServerChild } from './adapters-server.js';

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
  /** The parts of that delta per connection. */
  memoryParts: MemoryParts;
  /**
   * What one 64-byte echo then adds to each of those idle connections, measured the same way (the
   * memory a connection that has carried data keeps beyond one that has only shaken hands).
   */
  echoAdds: { memoryPerConnection: number; memoryParts: MemoryParts };
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
