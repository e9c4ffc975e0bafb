// `npm run fuzz -- --runs N [--seed S] [--workers W] [--path P] [--provider node|noble]`: long pair-fuzzing
// runs (RFC 5246 §6–7 invariants, see outcome.ts) in batches over worker threads, with progress.

import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { nobleProvider } from '../../src/ciphers/noble-provider.js';
import { nodeCryptoProvider } from '../../src/providers/node/provider.js';
import { testPki } from '../helpers/pki.js';
import { type FuzzPki, makeFuzzPki, pairFixtures } from './fixtures.js';
import { pairCase, runPairCase } from './pair-case.js';

interface Options {
  runs: number;
  seed: number;
  workers: number;
  batch: number;
  path?: string;
  provider: 'node' | 'noble';
}

interface Job {
  batch: number;
  seed: number;
  runs: number;
}

interface BatchResult {
  batch: number;
  seed: number;
  runs: number;
  outcomes: Record<string, number>;
  finding?: { path: string; counterexample: string; error: string };
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 10_000, seed: 20261205, workers: 1, batch: 5000, provider: 'node' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    const num = () => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${a} needs a whole number, got ${v}`);
      i++;
      return n;
    };
    if (a === '--runs') o.runs = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--workers') o.workers = Math.max(1, Math.min(num(), availableParallelism() * 2));
    else if (a === '--batch') o.batch = Math.max(1, num());
    else if (a === '--path') {
      o.path = v;
      i++;
    } else if (a === '--provider' && (v === 'node' || v === 'noble')) {
      o.provider = v;
      i++;
    } else {
      throw new Error(
        `unknown argument ${a}\nusage: npm run fuzz -- --runs N [--seed S] [--workers W] [--batch B] [--path P] [--provider node|noble]`,
      );
    }
  }
  return o;
}

/** Batch b runs with seed + b, so a finding replays with `--seed <its seed> --runs <its runs> --path <path>`. */
function jobs(o: Options): Job[] {
  const out: Job[] = [];
  for (let b = 0, left = o.runs; left > 0; b++, left -= o.batch) {
    out.push({ batch: b, seed: (o.seed + b) % 0x7fffffff, runs: Math.min(o.batch, left) });
  }
  return out;
}

function runBatch(pki: FuzzPki, now: number, o: Options, job: Job): BatchResult {
  const fixtures = pairFixtures(pki);
  const crypto = o.provider === 'node' ? nodeCryptoProvider : nobleProvider;
  const outcomes: Record<string, number> = {};
  const details = new Map<unknown, string>();
  const report = fc.check(
    fc.property(pairCase(fixtures.length), (c) => {
      const r = runPairCase(fixtures[c.fixture]!, c, { now, crypto });
      const key = `${r.hostile ? 'hostile' : 'benign'}:${r.outcome}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (r.violations.length > 0) {
        details.set(c, `${fixtures[c.fixture]!.name}\n${r.violations.join('\n')}`);
        return false;
      }
      return true;
    }),
    { seed: job.seed, numRuns: job.runs, ...(o.path ? { path: o.path } : {}), endOnFailure: true },
  );
  const result: BatchResult = { batch: job.batch, seed: job.seed, runs: report.numRuns, outcomes };
  if (report.failed) {
    const ce = report.counterexample?.[0];
    result.finding = {
      path: report.counterexamplePath ?? '',
      counterexample: fc.stringify(ce),
      error: details.get(ce) ?? String(report.errorInstance),
    };
  }
  return result;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  process.stdout.write('building the test PKI (openssl)…\n');
  const pki = makeFuzzPki(testPki());
  // One fixed clock, an hour into the certificates' validity (they start the second they are made).
  const now = Date.now() + 3_600_000;
  const fixtureCount = pairFixtures(pki).length;
  const queue = jobs(o);
  process.stdout.write(
    `pair fuzzing: ${o.runs} cases, seed ${o.seed}, ${o.workers} worker(s), ${queue.length} batch(es) of ≤ ${o.batch}, ` +
      `${fixtureCount} suite × group × key configurations, ${o.provider} crypto\n`,
  );
  const started = performance.now();
  let done = 0;
  const outcomes: Record<string, number> = {};
  const findings: BatchResult[] = [];
  const onResult = (r: BatchResult) => {
    done += r.runs;
    for (const [k, n] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + n;
    const s = (performance.now() - started) / 1000;
    const rate = done / s;
    const eta = (o.runs - done) / rate;
    process.stdout.write(
      `[${new Date().toISOString()}] ${done}/${o.runs} cases, ${s.toFixed(0)} s, ${rate.toFixed(0)} cases/s, ETA ${eta.toFixed(0)} s, findings ${findings.length + (r.finding ? 1 : 0)}\n`,
    );
    if (r.finding) {
      findings.push(r);
      process.stdout.write(
        `FINDING in batch ${r.batch}: ${r.finding.error}\n  case: ${r.finding.counterexample}\n` +
          `  reproduce: npm run fuzz -- --seed ${r.seed} --runs ${o.batch} --path ${r.finding.path} --provider ${o.provider}\n`,
      );
    }
  };
  if (o.workers === 1) {
    for (const job of queue) {
      onResult(runBatch(pki, now, o, job));
      await new Promise((resolve) => setImmediate(resolve));
    }
  } else {
    await Promise.all(
      Array.from({ length: Math.min(o.workers, queue.length) }, () => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { pki, now, o } });
        return new Promise<void>((resolve, reject) => {
          const next = () => {
            const job = queue.shift();
            if (job) worker.postMessage(job);
            else void worker.terminate().then(() => resolve());
          };
          worker.on('message', (r: BatchResult) => {
            onResult(r);
            next();
          });
          worker.on('error', reject);
          next();
        });
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `\n${done} cases in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(0)} cases/s); outcomes ${JSON.stringify(outcomes)}; ` +
      `findings: ${findings.length}\n`,
  );
  process.exitCode = findings.length > 0 ? 1 : 0;
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
} else {
  const { pki, now, o } = workerData as { pki: FuzzPki; now: number; o: Options };
  parentPort!.on('message', (job: Job) => parentPort!.postMessage(runBatch(pki, now, o, job)));
}
