// The soak's report: merges the client processes' statistics with the server's, computes latency
// percentiles, throughput and the memtls ÷ node:tls ratios, and formats the table.

import type { ClientStats, HostileStats } from './clients.js';
import { acceptableOutcome, HOSTILE_CLASSES } from './hostile.js';
import type { MemorySample, ServerTally } from './server.js';

export interface ServerRun {
  /** 'memtls/node (pure)', 'memtls/node (node:crypto)' or 'node:tls'. */
  server: string;
  goodAttempted: number;
  /** Good connections that did their echo rounds and closed with close_notify. */
  connectionsCompleted: number;
  goodFailures: Record<string, number>;
  handshakes: number;
  handshakeP50Ms: number;
  handshakeP99Ms: number;
  /** Echoed bytes the good clients got back ÷ the load phase. */
  echoBytesPerSecond: number;
  loadSeconds: number;
  /** Highest number of good connections open at once (summed over client processes). */
  clientPeakOpen: number;
  hostile: Record<string, HostileStats & { acceptable: boolean }>;
  serverTally: ServerTally;
  memory: { before: MemorySample; peak: MemorySample; after: MemorySample };
  /** heapUsed after the load and forced GC ÷ before the load (after warm-up and forced GC). */
  heapAfterRatio: number;
  /**
   * The same for the heap's data: heapUsed less compiled code, its metadata and bytecode
   * (MemorySample.compiledCode). How much code V8 keeps optimized depends on how hot the load ran,
   * not on connections: heap-snapshot diffs put the whole growth of heapAfterRatio there.
   */
  dataHeapAfterRatio: number;
  /** Server connections still open once the clients were done (after waiting for them to close). */
  connectionsLeft: number;
  /** A good connection with echo worked after the load. */
  aliveAfter: boolean;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export function mergeClientStats(parts: ClientStats[]) {
  const handshakeMs: number[] = [];
  const failures: Record<string, number> = {};
  const hostile: Record<string, HostileStats & { acceptable: boolean }> = {};
  let attempted = 0;
  let completed = 0;
  let echoedBytes = 0;
  let peakOpen = 0;
  let elapsedMs = 0;
  for (const part of parts) {
    for (const ms of part.good.handshakeMs) handshakeMs.push(ms);
    add(failures, part.good.failures);
    attempted += part.good.attempted;
    completed += part.good.completed;
    echoedBytes += part.good.echoedBytes;
    peakOpen += part.good.peakOpen;
    elapsedMs = Math.max(elapsedMs, part.elapsedMs);
  }
  for (const kind of HOSTILE_CLASSES) {
    const h = { attempts: 0, outcomes: {}, details: {}, maxMs: 0, minMs: Infinity, maxBytesWritten: 0 };
    for (const part of parts) {
      const p = part.hostile[kind]!;
      h.attempts += p.attempts;
      add(h.outcomes, p.outcomes);
      add(h.details, p.details);
      h.maxMs = Math.max(h.maxMs, p.maxMs);
      h.minMs = Math.min(h.minMs, p.minMs);
      h.maxBytesWritten = Math.max(h.maxBytesWritten, p.maxBytesWritten);
    }
    const acceptable = Object.keys(h.outcomes).every((o) => acceptableOutcome(kind, o as never));
    hostile[kind] = { ...h, minMs: h.attempts > 0 ? h.minMs : 0, acceptable };
  }
  handshakeMs.sort((a, b) => a - b);
  return { handshakeMs, failures, hostile, attempted, completed, echoedBytes, peakOpen, elapsedMs };
}

export interface SoakRatios {
  /** memtls ÷ node:tls (lower is better for latency and memory). */
  handshakeP50: number;
  handshakeP99: number;
  echoThroughput: number;
  connectionsCompleted: number;
  peakHeapGrowth: number;
  peakRss: number;
}

export function ratios(memtls: ServerRun, node: ServerRun): SoakRatios {
  const growth = (r: ServerRun) =>
    r.memory.peak.heapUsed + r.memory.peak.external - r.memory.before.heapUsed - r.memory.before.external;
  return {
    handshakeP50: memtls.handshakeP50Ms / node.handshakeP50Ms,
    handshakeP99: memtls.handshakeP99Ms / node.handshakeP99Ms,
    echoThroughput: memtls.echoBytesPerSecond / node.echoBytesPerSecond,
    connectionsCompleted: memtls.connectionsCompleted / node.connectionsCompleted,
    peakHeapGrowth: growth(memtls) / growth(node),
    peakRss: memtls.memory.peak.rss / node.memory.peak.rss,
  };
}

const mib = (n: number) => (n / 1048576).toFixed(1);
const codes = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** heapUsed less the compiled code and bytecode V8 keeps on the heap. */
export function dataHeap(sample: MemorySample): number {
  return sample.heapUsed - (sample.compiledCode ?? 0);
}

function compiledCodeCell(run: ServerRun): string {
  const mib = (n: number | undefined) => ((n ?? 0) / 2 ** 20).toFixed(2);
  return `${mib(run.memory.before.compiledCode)} / ${mib(run.memory.after.compiledCode)}`;
}

export function formatSoakTable(header: string, runs: ServerRun[], r?: SoakRatios): string {
  const rows: [string, ...string[]][] = [
    ['server', ...runs.map((x) => x.server)],
    ['good connections completed', ...runs.map((x) => String(x.connectionsCompleted))],
    ['good connections failed', ...runs.map((x) => String(x.goodAttempted - x.connectionsCompleted))],
    [
      'hostile connections',
      ...runs.map((x) => String(Object.values(x.hostile).reduce((n, h) => n + h.attempts, 0))),
    ],
    ['peak good connections open', ...runs.map((x) => String(x.clientPeakOpen))],
    ['handshake p50 (ms)', ...runs.map((x) => x.handshakeP50Ms.toFixed(1))],
    ['handshake p99 (ms)', ...runs.map((x) => x.handshakeP99Ms.toFixed(1))],
    ['echo throughput (MB/s)', ...runs.map((x) => (x.echoBytesPerSecond / 1e6).toFixed(2))],
    ['server heap before/peak/after (MiB)', ...runs.map((x) => memoryCell(x, 'heapUsed'))],
    ['server external before/peak/after (MiB)', ...runs.map((x) => memoryCell(x, 'external'))],
    ['server RSS before/peak/after (MiB)', ...runs.map((x) => memoryCell(x, 'rss'))],
    ['heap after GC vs before', ...runs.map((x) => `${((x.heapAfterRatio - 1) * 100).toFixed(1)} %`)],
    ['compiled code before/after (MiB)', ...runs.map((x) => compiledCodeCell(x))],
    [
      'heap less compiled code, after GC vs before',
      ...runs.map((x) => `${((x.dataHeapAfterRatio - 1) * 100).toFixed(1)} %`),
    ],
    ['peak server connections', ...runs.map((x) => String(x.memory.peak.connections))],
    [
      'server alive after, connections left',
      ...runs.map((x) => `${x.aliveAfter ? 'yes' : 'NO'}, ${x.connectionsLeft}`),
    ],
  ];
  for (const kind of HOSTILE_CLASSES) {
    rows.push([
      `hostile: ${kind}`,
      ...runs.map((x) => {
        const h = x.hostile[kind]!;
        return `${h.attempts}: ${codes(h.outcomes)}${h.acceptable ? '' : ' (UNEXPECTED)'}`;
      }),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const out = [header, '', line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  for (const row of rows.slice(1)) out.push(line(row));
  out.push('');
  for (const x of runs) {
    out.push(`${x.server} handshake failures by code (server side): ${codes(x.serverTally.handshakeErrors)}`);
    out.push(
      `${x.server} errors on established connections (server side): ${codes(x.serverTally.connectionErrors)}`,
    );
    out.push(`${x.server} good-client failures: ${codes(x.goodFailures)}`);
    const seen = HOSTILE_CLASSES.map((k) => `${k}: ${codes(x.hostile[k]!.details)}`).join('; ');
    out.push(`${x.server} alerts/errors the hostile clients saw: ${seen}`);
    const stall = x.hostile['stall-handshake']!;
    const reader = x.hostile['stop-reading']!;
    out.push(
      `${x.server} stalled handshakes closed after ${(stall.minMs / 1000).toFixed(1)}–${(stall.maxMs / 1000).toFixed(1)} s; ` +
        `a non-reading client got at most ${mib(reader.maxBytesWritten)} MiB in`,
    );
  }
  if (r) {
    out.push('');
    out.push(
      `memtls ÷ node:tls: handshake p50 ${r.handshakeP50.toFixed(2)}×, p99 ${r.handshakeP99.toFixed(2)}×, ` +
        `echo throughput ${r.echoThroughput.toFixed(2)}×, connections completed ${r.connectionsCompleted.toFixed(2)}×, ` +
        `peak heap+external growth ${r.peakHeapGrowth.toFixed(2)}×, peak RSS ${r.peakRss.toFixed(2)}×`,
    );
  }
  return out.join('\n');
}

function memoryCell(x: ServerRun, field: 'heapUsed' | 'external' | 'rss'): string {
  return `${mib(x.memory.before[field])} / ${mib(x.memory.peak[field])} / ${mib(x.memory.after[field])}`;
}
