// Record protection benchmark: seal and open of whole TLS records (RecordLayer.write + takeOutgoing,
// RecordLayer.feed + read) for every suite at 64 B, 1 KiB and 16 KiB, next to the bare keyed-once
// AEAD the record layer uses (provider.aead seal/open) and noble's per-message API
// (gcm(key, nonce, aad).encrypt, chacha20poly1305(key, nonce, aad).encrypt), all in the same run.
//
// Ratios: "framing overhead" = keyed-once rate ÷ record rate − 1 (what deframing, headers, nonces,
// AAD, sequence numbers and copies cost on top of the AEAD); "keyed ÷ noble" = keyed-once rate ÷
// noble per-message rate (what keying once buys). The variants run interleaved in ~1 ms batches;
// rates are median batch rates and ratios are medians of side-by-side ratios, so other processes on
// a shared machine skew them alike. Every message gets its own nonce, as records do.

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
  /** keyed-once ÷ record − 1: median of per-round ratios (not exactly the ratio of the medians). */
  framingOverhead: number;
  /** keyed-once ÷ noble per-message: median of per-round ratios. */
  keyedOnceSpeedup: number;
}

export interface RecordBenchResult {
  provider: string;
  node: string;
  date: string;
  quick: boolean;
  /** Rounds of interleaved ~1 ms batches, one per variant; rates are per-batch medians. */
  batches: number;
  warmUpMs: number;
  targets: {
    framingOverheadAt16KiB: string;
    framingOverheadAt64B: string;
    keyedOnceAesGcmSpeedupAt64B: string;
  };
  rows: RecordBenchRow[];
}

interface Measurement {
  /** Median per-batch rate (operations per second) of each variant. */
  rate: Record<Variant['name'], number>;
  /** Median over batch rounds of keyed ÷ record and keyed ÷ noble, from batches run side by side. */
  keyedOverRecord: number;
  keyedOverNoble: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Interleaved measurement: the variants take turns running batches of about one millisecond, so
 * load from other processes falls on all of them alike. Rates are medians of per-batch rates;
 * ratios are medians of the ratios within each round (neighbouring batches see the same load).
 * `warmUpMs` per variant first (JIT, and to size the batches).
 */
function measure(variants: Variant[], rounds: number, warmUpMs: number): Measurement {
  const batchSizes = variants.map((v) => {
    let operations = 0;
    let elapsed = 0;
    while (elapsed < warmUpMs) {
      elapsed += v.batch(1);
      operations++;
    }
    return Math.max(1, Math.round(operations / elapsed)); // ≈ 1 ms of work
  });
  const rates: Record<Variant['name'], number[]> = { record: [], keyed: [], noble: [] };
  for (let round = 0; round < rounds; round++) {
    variants.forEach((v, i) => {
      const n = batchSizes[i]!;
      rates[v.name].push((n * 1000) / v.batch(n));
    });
  }
  const ratio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));
  return {
    rate: { record: median(rates.record), keyed: median(rates.keyed), noble: median(rates.noble) },
    keyedOverRecord: ratio(rates.keyed, rates.record),
    keyedOverNoble: ratio(rates.keyed, rates.noble),
  };
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

/**
 * A message as the references see it: a fresh nonce and additional data per message, as a record
 * has (a fixed nonce would let the branch predictor learn GHASH's input and flatter the reference).
 */
interface Message {
  nonce: Uint8Array;
  aad: Uint8Array;
  sealed: Uint8Array;
}

function variants(
  provider: CryptoProvider,
  suite: SuiteParams,
  size: number,
  operation: 'seal' | 'open',
): Variant[] {
  const keys = keysFor(suite);
  const plaintext = new Uint8Array(size).map((_, i) => i & 0xff);
  const aead = provider.aead(suite.aead, keys.key);
  const perMessage =
    suite.aead === 'CHACHA20-POLY1305'
      ? (nonce: Uint8Array, aad: Uint8Array) => chacha20poly1305(keys.key, nonce, aad)
      : (nonce: Uint8Array, aad: Uint8Array) => gcm(keys.key, nonce, aad);
  // Nonce and additional data that change every message: a 64-bit counter in both.
  const nonce = new Uint8Array(12).fill(7);
  const aad = new Uint8Array(13).fill(9);
  aad.set([0, 0, 0, 0, 0, 0, 0, 0, 23, 3, 3, size >>> 8, size & 0xff]);
  let counter = 0;
  const nextNonce = () => {
    counter = (counter + 1) >>> 0;
    for (let i = 0; i < 4; i++) nonce[8 + i] = aad[4 + i] = (counter >>> (24 - 8 * i)) & 0xff;
  };

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
      {
        name: 'keyed',
        batch: (n) =>
          timed(n, () => {
            nextNonce();
            aead.seal(nonce, aad, plaintext);
          }),
      },
      {
        name: 'noble',
        batch: (n) =>
          timed(n, () => {
            nextNonce();
            perMessage(nonce, aad).encrypt(plaintext);
          }),
      },
    ];
  }
  // Messages sealed once (records with sequence numbers 0, 1, 2, …; AEAD messages with nonces
  // 1, 2, 3, …); each batch opens a prefix of them. Records arrive as their own network chunks and
  // are opened by a fresh receiver, keyed outside the timed part.
  const records: Uint8Array[] = [];
  const messages: Message[] = [];
  const fill = (n: number) => {
    while (records.length < n) {
      sender.write(application_data, plaintext);
      records.push(sender.takeOutgoing());
    }
    while (messages.length < n) {
      nextNonce();
      messages.push({ nonce: nonce.slice(), aad: aad.slice(), sealed: aead.seal(nonce, aad, plaintext) });
    }
  };
  return [
    {
      name: 'record',
      batch: (n) => {
        fill(n);
        const receiver = new RecordLayer({ provider });
        receiver.setPendingRead(keys);
        receiver.activateRead();
        receiver.lockVersion();
        let i = 0;
        const elapsed = timed(n, () => {
          receiver.feed(records[i++]!);
          if (receiver.read() === undefined) throw new Error('record bench: no record');
        });
        receiver.dispose();
        return elapsed;
      },
    },
    {
      name: 'keyed',
      batch: (n) => {
        fill(n);
        let i = 0;
        return timed(n, () => {
          const m = messages[i++]!;
          if (aead.open(m.nonce, m.aad, m.sealed) === undefined) throw new Error('record bench: open failed');
        });
      },
    },
    {
      name: 'noble',
      batch: (n) => {
        fill(n);
        let i = 0;
        return timed(n, () => {
          const m = messages[i++]!;
          perMessage(m.nonce, m.aad).decrypt(m.sealed);
        });
      },
    },
  ];
}

const MB = 1e6;

export function runRecordBench(options: { quick: boolean; provider?: CryptoProvider }): RecordBenchResult {
  const provider = options.provider ?? nobleProvider;
  const batches = options.quick ? 80 : 400;
  const warmUpMs = options.quick ? 20 : 100;
  const rows: RecordBenchRow[] = [];
  // JIT warm-up of the shared code paths, so the first row is not measured on cold code.
  for (const operation of ['seal', 'open'] as const) {
    measure(variants(provider, SUITES.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 64, operation), 10, warmUpMs);
  }
  for (const suite of Object.values(SUITES)) {
    for (const size of RECORD_SIZES) {
      for (const operation of ['seal', 'open'] as const) {
        const { rate, keyedOverRecord, keyedOverNoble } = measure(
          variants(provider, suite, size, operation),
          batches,
          warmUpMs,
        );
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
          framingOverhead: keyedOverRecord - 1,
          keyedOnceSpeedup: keyedOverNoble,
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
