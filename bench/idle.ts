// The `idle` benchmark (`npm run bench -- --idle N`): N idle mutual-TLS connections (P-256, TLS 1.2)
// held open on one server process, memtls/node with the node:crypto provider against node:tls —
// server heap + external and RSS per connection, and how fast the server accepted them (16
// handshakes in flight). Same server child and clients as the `adapters` section
// (bench/adapters-workloads.ts), which measures the same at a small count in every run; this one is
// for counts like 10,000.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Implementation } from './adapters-server.js';
import { clientFactory, idleMemory, ServerChild } from './adapters-workloads.js';
import { makePki } from './handshake.js';

const COMPARED: readonly Implementation[] = ['node:tls', 'memtls/node:crypto'];
const IN_FLIGHT = 16;

export interface IdleRow {
  implementation: Implementation;
  /** Server (heapUsed + external) growth per connection after forced GC, bytes. */
  memoryPerConnection: number;
  heapPerConnection: number;
  externalPerConnection: number;
  rssPerConnection: number;
  /** Connections established per second while opening all of them. */
  acceptPerSecond: number;
}

export interface IdleBenchResult {
  node: string;
  date: string;
  count: number;
  concurrency: number;
  rows: IdleRow[];
  /** memtls ÷ node:tls (memory: lower is better; accept rate: higher is better). */
  ratios: { memory: number; rss: number; acceptPerSecond: number };
  seconds: number;
}

export async function runIdleBench(options: { count: number }): Promise<IdleBenchResult> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'memtls-bench-idle-'));
  const pki = makePki('p256', dir);
  rmSync(dir, { recursive: true, force: true });
  const rows: IdleRow[] = [];
  for (const implementation of COMPARED) {
    const server = new ServerChild(implementation);
    try {
      await server.listen(pki);
      const m = await idleMemory(server, clientFactory(implementation, pki), options.count, {
        inFlight: IN_FLIGHT,
      });
      rows.push({
        implementation,
        memoryPerConnection: m.perConnection,
        heapPerConnection: m.parts.heapUsed,
        externalPerConnection: m.parts.external,
        rssPerConnection: m.parts.rss,
        acceptPerSecond: m.acceptPerSecond,
      });
    } finally {
      await server.stop();
    }
  }
  const [node, ours] = rows as [IdleRow, IdleRow];
  return {
    node: process.version,
    date: new Date().toISOString(),
    count: options.count,
    concurrency: IN_FLIGHT,
    rows,
    ratios: {
      memory: ours.memoryPerConnection / node.memoryPerConnection,
      rss: ours.rssPerConnection / node.rssPerConnection,
      acceptPerSecond: ours.acceptPerSecond / node.acceptPerSecond,
    },
    seconds: (performance.now() - started) / 1000,
  };
}

export function formatIdleTable(r: IdleBenchResult): string {
  const kib = (b: number) => (b / 1024).toFixed(1);
  const lines = [
    `${r.count} idle mutual-TLS connections on one server process (P-256, TLS 1.2, ${r.concurrency} handshakes in flight)`,
    `${'implementation'.padEnd(22)}${'heap+ext KiB'.padStart(14)}${'heap'.padStart(8)}${'ext'.padStart(8)}${'RSS KiB'.padStart(10)}${'accepts/s'.padStart(11)}`,
    ...r.rows.map(
      (x) =>
        `${x.implementation.padEnd(22)}${kib(x.memoryPerConnection).padStart(14)}${kib(x.heapPerConnection).padStart(8)}${kib(x.externalPerConnection).padStart(8)}${kib(x.rssPerConnection).padStart(10)}${x.acceptPerSecond.toFixed(0).padStart(11)}`,
    ),
    `memtls ÷ node:tls: heap+external ${r.ratios.memory.toFixed(2)}×, RSS ${r.ratios.rss.toFixed(2)}× (target ≤ 1.2×), accept rate ${r.ratios.acceptPerSecond.toFixed(2)}× (target ≥ 1/1.2)`,
    "  node:tls keeps its TLS state in OpenSSL's malloc heap, which heap+external does not see; RSS does.",
  ];
  return lines.join('\n');
}
