// bench/compare.ts: results JSON → named rows, and the change of each row against an earlier run.

import { describe, expect, it } from 'vitest';
import { benchRows, compareResults } from '../../bench/compare.js';

const earlier = {
  adapters: {
    date: '2026-01-01',
    plan: { segments: 8 },
    implementations: [
      {
        implementation: 'node:tls',
        bulkMBps: 800,
        handshakeMedianMs: 4,
        bulkSegmentsMBps: [1, 2],
        memoryParts: { heapUsed: 4000 },
      },
      { implementation: 'memtls/node:crypto', bulkMBps: 300, handshakeMedianMs: 5 },
    ],
    ratios: { 'memtls/node:crypto': { bulk: 0.375, memory: 3 } },
  },
};

describe('benchRows', () => {
  it('names rows by path and identity, skipping settings and per-segment samples', () => {
    const rows = benchRows(earlier);
    expect(rows.map((r) => r.name)).toEqual([
      'adapters.implementations[node:tls].bulkMBps',
      'adapters.implementations[node:tls].handshakeMedianMs',
      'adapters.implementations[node:tls].memoryParts.heapUsed',
      'adapters.implementations[memtls/node:crypto].bulkMBps',
      'adapters.implementations[memtls/node:crypto].handshakeMedianMs',
      'adapters.ratios.memtls/node:crypto.bulk',
      'adapters.ratios.memtls/node:crypto.memory',
    ]);
    const better = Object.fromEntries(rows.map((r) => [r.name, r.better]));
    expect(better['adapters.implementations[node:tls].bulkMBps']).toBe('higher');
    expect(better['adapters.implementations[node:tls].handshakeMedianMs']).toBe('lower');
    expect(better['adapters.ratios.memtls/node:crypto.memory']).toBe('lower');
    expect(better['adapters.implementations[node:tls].memoryParts.heapUsed']).toBe('lower');
  });

  it('gives the same names whatever the order of the implementations', () => {
    const reordered = {
      adapters: { ...earlier.adapters, implementations: [...earlier.adapters.implementations].reverse() },
    };
    expect(new Set(benchRows(reordered).map((r) => r.name))).toEqual(
      new Set(benchRows(earlier).map((r) => r.name)),
    );
  });
});

describe('compareResults', () => {
  it('prints the change of every row and marks regressions by direction', () => {
    const later = structuredClone(earlier);
    later.adapters.implementations[1]!.bulkMBps = 600; // better: +100%
    later.adapters.implementations[1]!.handshakeMedianMs = 10; // worse: latency doubled
    later.adapters.ratios['memtls/node:crypto'].memory = 1; // better: lower
    const table = compareResults(earlier, later);
    const line = (name: string) => table.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    expect(line('adapters.implementations[memtls/node:crypto].bulkMBps')).toMatch(/\+100\.0%$/);
    expect(line('adapters.implementations[memtls/node:crypto].handshakeMedianMs')).toMatch(
      /\+100\.0% {2}WORSE$/,
    );
    expect(line('adapters.ratios.memtls/node:crypto.memory')).toMatch(/-66\.7%$/);
    expect(table).toMatch(/^1 row\(s\) worse/m);
  });

  it('lists rows only one side has as new or gone', () => {
    const later = structuredClone(earlier) as Record<string, unknown>;
    (later.adapters as { ratios: unknown }).ratios = {};
    later.idle = { rows: [{ implementation: 'node:tls', rssPerConnection: 30000 }] };
    const table = compareResults(earlier, later);
    expect(table).toMatch(/^idle\.rows\[node:tls\]\.rssPerConnection .* new$/m);
    expect(table).toMatch(/^adapters\.ratios\.memtls\/node:crypto\.bulk .* gone$/m);
  });
});
