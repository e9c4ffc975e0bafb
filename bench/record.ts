// Record protection benchmark: seal and open of whole TLS records (RecordLayer.write + takeOutgoing,
// RecordLayer.feed + read) for every suite at 64 B, 1 KiB and 16 KiB, next to the bare keyed-once
// AEAD the record layer uses (provider.aead seal/open) and noble's per-message API
// (gcm(key, nonce, aad).encrypt, chacha20poly1305(key, nonce, aad).encrypt), all in the same run.
//
// Ratios: "framing overhead" = keyed-once rate ÷ record rate − 1 (what deframing, headers, nonces,
// AAD, sequence numbers and copies cost on top of the AEAD); "keyed ÷ noble" = keyed-once rate ÷
// noble per-message rate (what keying once buys). The variants run interleaved in ~1 ms batches and
// each figure is the median batch rate, so other processes on a shared machine skew them alike.

import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { nobleProvider } from '../src/ciphers/noble-provider.js';
import type { CryptoProvider } from '../src/ciphers/provider.js';
import { SUITES, type SuiteParams } from '../src/ciphers/suites.js';
import { RecordLayer } from '../src/record/record-layer.js';
import { ContentType, type DirectionKeys } from '../src/record/types.js';

export const RECORD_SIZES = [64, 1024, 16384] as const;

export interface RecordBenchRow {
  suite: string;
  aead: string;
  size: number;
  operation: 'seal' | 'open';
  /** Whole records per second through the RecordLayer. */
  recordsPerSecond: number;
  recordMBps: number;
  /** The bare keyed-once AEAD (provider.aead) on the same plaintext size. */
  keyedOncePerSecond: number;
  keyedOnceMBps: number;
  /** noble's per-message API: key setup on every call. */
  noblePerMessagePerSecond: number;
  noblePerMessageMBps: number;
  /** keyedOncePerSecond / recordsPerSecond − 1. */
  framingOverhead: number;
  /** keyedOncePerSecond / noblePerMessagePerSecond. */
  keyedOnceSpeedup: number;
}

export interface RecordBenchResult {
  provider: string;
  node: string;
  date: string;
  quick: boolean;
  /** Interleaved batches of about 1 ms per variant; rates are per-batch medians. */
  batches: number;
  warmUpMs: number;
  targets: {
    framingOverheadAt16KiB: string;
    framingOverheadAt64B: string;
    keyedOnceAesGcmSpeedupAt64B: string;
  };
  rows: RecordBenchRow[];
}

/**
 * Interleaved measurement: the variants take turns running batches of about one millisecond, so
 * load from other processes falls on all of them alike; each variant's rate is the median of its
 * per-batch rates (robust to a batch that was descheduled). `warmUpMs` per variant first (JIT, and
 * to size the batches).
 */
function measure(variants: Variant[], batches: number, warmUpMs: number): Record<Variant['name'], number> {
  const batchSizes = variants.map((v) => {
    let operations = 0;
    let elapsed = 0;
    while (elapsed < warmUpMs) {
      elapsed += v.batch(1);
      operations++;
    }
    return Math.max(1, Math.round(operations / elapsed)); // ≈ 1 ms of work
  });
  const rates: number[][] = variants.map(() => []);
  for (let b = 0; b < batches; b++) {
    variants.forEach((v, i) => {
      const n = batchSizes[i]!;
      rates[i]!.push((n * 1000) / v.batch(n));
    });
  }
  const result = { record: 0, keyed: 0, noble: 0 };
  variants.forEach((v, i) => {
    const sorted = rates[i]!.sort((a, b) => a - b);
    result[v.name] = sorted[Math.floor(sorted.length / 2)]!;
  });
  return result;
}

function timed(n: number, f: () => void): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) f();
  return performance.now() - start;
}

function keysFor(suite: SuiteParams): DirectionKeys {
  return {
    suite,
    key: new Uint8Array(suite.keyLength).map((_, i) => i + 1),
    fixedIv: new Uint8Array(suite.fixedIvLength).map((_, i) => 0xa0 + i),
  };
}

interface Variant {
  name: 'record' | 'keyed' | 'noble';
  batch: (n: number) => number;
}

function variants(
  provider: CryptoProvider,
  suite: SuiteParams,
  size: number,
  operation: 'seal' | 'open',
): Variant[] {
  const keys = keysFor(suite);
  const plaintext = new Uint8Array(size).map((_, i) => i & 0xff);
  const nonce = new Uint8Array(12).fill(7);
  const aad = new Uint8Array(13).fill(9);
  const aead = provider.aead(suite.aead, keys.key);
  const sealed = aead.seal(nonce, aad, plaintext);
  const perMessage =
    suite.aead === 'CHACHA20-POLY1305'
      ? () => chacha20poly1305(keys.key, nonce, aad)
      : () => gcm(keys.key, nonce, aad);

  const sender = new RecordLayer({ provider });
  sender.setPendingWrite(keys);
  sender.activateWrite();
  const { application_data } = ContentType;

  if (operation === 'seal') {
    return [
      {
        name: 'record',
        batch: (n) =>
          timed(n, () => {
            sender.write(application_data, plaintext);
            sender.takeOutgoing();
          }),
      },
      { name: 'keyed', batch: (n) => timed(n, () => aead.seal(nonce, aad, plaintext)) },
      { name: 'noble', batch: (n) => timed(n, () => perMessage().encrypt(plaintext)) },
    ];
  }
  // Records with sequence numbers 0, 1, 2, … sealed once; each batch opens a prefix of them with a
  // fresh receiver (keyed outside the timed part), each record arriving as its own network chunk.
  const pool: Uint8Array[] = [];
  return [
    {
      name: 'record',
      batch: (n) => {
        while (pool.length < n) {
          sender.write(application_data, plaintext);
          pool.push(sender.takeOutgoing());
        }
        const receiver = new RecordLayer({ provider });
        receiver.setPendingRead(keys);
        receiver.activateRead();
        receiver.lockVersion();
        let i = 0;
        const elapsed = timed(n, () => {
          receiver.feed(pool[i++]!);
          if (receiver.read() === undefined) throw new Error('record bench: no record');
        });
        receiver.dispose();
        return elapsed;
      },
    },
    {
      name: 'keyed',
      batch: (n) =>
        timed(n, () => {
          if (aead.open(nonce, aad, sealed) === undefined) throw new Error('record bench: open failed');
        }),
    },
    { name: 'noble', batch: (n) => timed(n, () => perMessage().decrypt(sealed)) },
  ];
}

const MB = 1e6;

export function runRecordBench(options: { quick: boolean; provider?: CryptoProvider }): RecordBenchResult {
  const provider = options.provider ?? nobleProvider;
  const batches = options.quick ? 40 : 200;
  const warmUpMs = options.quick ? 20 : 100;
  const rows: RecordBenchRow[] = [];
  // JIT warm-up of the shared code paths, so the first row is not measured on cold code.
  for (const operation of ['seal', 'open'] as const) {
    measure(variants(provider, SUITES.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 64, operation), 10, warmUpMs);
  }
  for (const suite of Object.values(SUITES)) {
    for (const size of RECORD_SIZES) {
      for (const operation of ['seal', 'open'] as const) {
        const rate = measure(variants(provider, suite, size, operation), batches, warmUpMs);
        rows.push({
          suite: suite.name,
          aead: suite.aead,
          size,
          operation,
          recordsPerSecond: rate.record,
          recordMBps: (rate.record * size) / MB,
          keyedOncePerSecond: rate.keyed,
          keyedOnceMBps: (rate.keyed * size) / MB,
          noblePerMessagePerSecond: rate.noble,
          noblePerMessageMBps: (rate.noble * size) / MB,
          framingOverhead: rate.keyed / rate.record - 1,
          keyedOnceSpeedup: rate.keyed / rate.noble,
        });
      }
    }
  }
  return {
    provider: provider.name,
    node: process.version,
    date: new Date().toISOString(),
    quick: options.quick,
    batches,
    warmUpMs,
    targets: {
      framingOverheadAt16KiB: '≤ 10%',
      framingOverheadAt64B: '≤ 30%',
      keyedOnceAesGcmSpeedupAt64B: '≥ 2.5×',
    },
    rows,
  };
}

function formatRate(n: number): string {
  return n >= 1e5 ? `${(n / 1e3).toFixed(0)}k` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
}

/** The table people read: one line per suite × size × operation. */
export function formatRecordTable(result: RecordBenchResult): string {
  const header = [
    'suite'.padEnd(46),
    'size'.padStart(6),
    'op'.padEnd(5),
    'record/s'.padStart(9),
    'MB/s'.padStart(7),
    'keyed/s'.padStart(9),
    'MB/s'.padStart(7),
    'noble/s'.padStart(9),
    'MB/s'.padStart(7),
    'overhead'.padStart(9),
    'keyed÷noble'.padStart(12),
  ].join(' ');
  const lines = [
    `Record protection (${result.provider} provider, ${result.node}${result.quick ? ', --quick' : ''}): ` +
      'record = RecordLayer whole records; keyed = bare keyed-once AEAD; noble = per-message API',
    header,
    '-'.repeat(header.length),
  ];
  for (const r of result.rows) {
    lines.push(
      [
        r.suite.padEnd(46),
        String(r.size).padStart(6),
        r.operation.padEnd(5),
        formatRate(r.recordsPerSecond).padStart(9),
        r.recordMBps.toFixed(1).padStart(7),
        formatRate(r.keyedOncePerSecond).padStart(9),
        r.keyedOnceMBps.toFixed(1).padStart(7),
        formatRate(r.noblePerMessagePerSecond).padStart(9),
        r.noblePerMessageMBps.toFixed(1).padStart(7),
        `${(r.framingOverhead * 100).toFixed(1)}%`.padStart(9),
        `${r.keyedOnceSpeedup.toFixed(2)}×`.padStart(12),
      ].join(' '),
    );
  }
  const worst = (size: number) =>
    Math.max(...result.rows.filter((r) => r.size === size).map((r) => r.framingOverhead)) * 100;
  const aes64 = result.rows.filter((r) => r.size === 64 && r.aead !== 'CHACHA20-POLY1305');
  const minSpeedup = Math.min(...aes64.map((r) => r.keyedOnceSpeedup));
  lines.push(
    '',
    `worst framing overhead: ${worst(16384).toFixed(1)}% at 16 KiB (target ≤ 10%), ` +
      `${worst(64).toFixed(1)}% at 64 B (target ≤ 30%); ` +
      `keyed-once AES-GCM vs noble per-message at 64 B: ≥ ${minSpeedup.toFixed(2)}× (target ≥ 2.5×)`,
  );
  return lines.join('\n');
}
