// `npm run bench -- --compare FILE`: every measured figure of a results JSON as a named row, and the
// change of each row against an earlier results JSON (bench/results/*.json), so a regression shows
// in review. Row names are deterministic: the path of the figure in the JSON, with array entries
// named by their identifying fields (implementation, suite, size, operation, key type), never by
// position; per-segment samples and run settings (plan, targets, dates) are not rows.

/** One figure: its name, value, and which way is better. */
export interface BenchRow {
  name: string;
  value: number;
  /** 'lower' for times, latencies and memory; 'higher' for rates. */
  better: 'higher' | 'lower';
}

/** Keys that describe a run rather than measure something. */
const SETTINGS = new Set([
  'plan',
  'targets',
  'targetsMet',
  'quick',
  'date',
  'node',
  'seconds',
  'warmUpMs',
  'batches',
  'iterations',
  'idleConnections',
  'echoRounds',
  'handshakes',
  'count',
  'concurrency',
  'bytes',
]);

/** Fields that name an entry of an array of results, in the order they appear in the row name. */
const IDENTITY = ['implementation', 'keyType', 'suite', 'aead', 'size', 'operation', 'label'];

/** Lower is better for figures named after memory or overhead (anywhere in the key) or in ms (at its end). */
const LOWER_IS_BETTER = /(latency|memory|heap|external|arraybuffers|rss|kib|bytes|overhead|perconnection)/i;
const MILLISECONDS = /ms$/i;

function identityOf(entry: Record<string, unknown>, index: number): string {
  const parts = IDENTITY.filter((k) => entry[k] !== undefined).map((k) => String(entry[k]));
  return parts.length > 0 ? parts.join('/') : String(index);
}

function walk(value: unknown, path: string, out: BenchRow[]): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return;
    const last = path.slice(path.lastIndexOf('.') + 1);
    // Ratios of latency and memory are lower-is-better like the figures they compare; so is the
    // handshake table's `ratio` (memtls ms ÷ node:tls ms).
    const better =
      LOWER_IS_BETTER.test(last) || MILLISECONDS.test(last) || last === 'ratio' ? 'lower' : 'higher';
    out.push({ name: path, value, better });
    return;
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return; // per-segment samples
    value.forEach((entry, i) => {
      if (entry !== null && typeof entry === 'object') {
        walk(entry, `${path}[${identityOf(entry as Record<string, unknown>, i)}]`, out);
      }
    });
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (SETTINGS.has(key) || IDENTITY.includes(key)) continue;
    walk(v, path === '' ? key : `${path}.${key}`, out);
  }
}

/** Every measured figure in a results JSON (the object bench/index.ts writes), as named rows. */
export function benchRows(results: unknown): BenchRow[] {
  const rows: BenchRow[] = [];
  walk(results, '', rows);
  return rows;
}

function format(x: number): string {
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(3);
}

/**
 * A table of every row of `current` next to the same row of `earlier`: both values, the change in
 * percent, and a mark when the change is for the worse by more than `noise` (a fraction; default
 * 0.1). Rows only one side has are listed as new or gone.
 */
export function compareResults(earlier: unknown, current: unknown, noise = 0.1): string {
  const before = new Map(benchRows(earlier).map((r) => [r.name, r]));
  const after = benchRows(current);
  const width = Math.max(20, ...after.map((r) => r.name.length), ...[...before.keys()].map((k) => k.length));
  const lines = [
    `${'row'.padEnd(width)}${'before'.padStart(12)}${'after'.padStart(12)}${'change'.padStart(10)}`,
  ];
  let worse = 0;
  for (const row of after) {
    const old = before.get(row.name);
    before.delete(row.name);
    if (!old) {
      lines.push(
        `${row.name.padEnd(width)}${'—'.padStart(12)}${format(row.value).padStart(12)}${'new'.padStart(10)}`,
      );
      continue;
    }
    const change = old.value === 0 ? 0 : (row.value - old.value) / Math.abs(old.value);
    const regressed = row.better === 'higher' ? change < -noise : change > noise;
    if (regressed) worse++;
    const pct = `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
    lines.push(
      `${row.name.padEnd(width)}${format(old.value).padStart(12)}${format(row.value).padStart(12)}${pct.padStart(10)}${regressed ? '  WORSE' : ''}`,
    );
  }
  for (const gone of before.values()) {
    lines.push(
      `${gone.name.padEnd(width)}${format(gone.value).padStart(12)}${'—'.padStart(12)}${'gone'.padStart(10)}`,
    );
  }
  lines.push(
    `${worse} row(s) worse by more than ${(noise * 100).toFixed(0)}% (${after.length} rows; lower is better for times and memory)`,
  );
  return lines.join('\n');
}
