// `npm run bench`: runs the benchmarks, prints their tables and merges their results into
// bench/results/latest.json (each benchmark owns one top-level key; other keys are kept).
//   --quick        shorter rounds (the whole run finishes in under a minute)
//   NAME …         run only the named sections (e.g. `record`)
//   --compare FILE after the run, print the change of every row against an earlier results JSON
//                  (bench/compare.ts); with --to FILE2, compare FILE2 against FILE without running
//   --idle N       only the `idle` section: N idle mutual-TLS connections on one server process,
//                  memory and accept rate, memtls/node (node:crypto) against node:tls
// Each run also writes its own sections to bench/results/run-<date>.json, for later --compare.
// With MEMTLS_BENCH_ADAPTERS_SERVER set, this file is the `adapters` section's server child instead.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ADAPTERS_CHILD_ENV,
  formatAdaptersTable,
  runAdaptersBench,
  runAdaptersServerChild,
} from './adapters.js';
import { compareResults } from './compare.js';
import { formatHandshakeTable, runHandshakeBench } from './handshake.js';
import { formatIdleTable, runIdleBench } from './idle.js';
import { formatPureTable, runPureBench } from './pure.js';
import { formatRecordTable, runRecordBench } from './record.js';
import { formatResumptionTable, runResumptionBench } from './resumption.js';

/** One benchmark: its JSON result (stored under its name) and the table people read. */
interface Section {
  run(quick: boolean): Promise<{ result: unknown; table: string }>;
}

/** `--idle N`: the idle-connection count (the section is not part of a default run). */
let idleCount = 0;

const SECTIONS: Record<string, Section> = {
  record: {
    async run(quick) {
      const result = runRecordBench({ quick });
      return { result, table: formatRecordTable(result) };
    },
  },
  handshake: {
    async run(quick) {
      const result = await runHandshakeBench({ quick });
      return { result, table: formatHandshakeTable(result) };
    },
  },
  adapters: {
    async run(quick) {
      const result = await runAdaptersBench({ quick });
      return { result, table: formatAdaptersTable(result) };
    },
  },
  resumption: {
    async run(quick) {
      const result = await runResumptionBench({ quick });
      return { result, table: formatResumptionTable(result) };
    },
  },
  pure: {
    async run(quick) {
      const result = await runPureBench({ quick });
      return { result, table: formatPureTable(result) };
    },
  },
  idle: {
    async run() {
      const result = await runIdleBench({ count: idleCount });
      return { result, table: formatIdleTable(result) };
    },
  },
};
/** Sections of a run that names none. */
const DEFAULT_SECTIONS = ['record', 'handshake', 'adapters', 'resumption', 'pure'];

/** The value after `flag` in args (removed from args with it), or undefined. */
function option(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
  args.splice(at, 2);
  return value;
}

/** The project root: the nearest directory above this file (source or bundle) with a package.json. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const compareWith = option(args, '--compare');
  const compareTo = option(args, '--to');
  const idle = option(args, '--idle');
  const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8'));
  if (compareTo !== undefined) {
    if (compareWith === undefined) throw new Error('--to FILE needs --compare EARLIER');
    console.log(compareResults(readJson(compareWith), readJson(compareTo)));
    return;
  }
  if (idle !== undefined) {
    idleCount = Number(idle);
    if (!Number.isInteger(idleCount) || idleCount < 1) throw new Error(`--idle needs a count, got '${idle}'`);
  }
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  for (const n of names) {
    if (!(n in SECTIONS))
      throw new Error(`unknown benchmark '${n}'; known: ${Object.keys(SECTIONS).join(', ')}`);
  }
  if (names.includes('idle') && idleCount === 0) throw new Error('the idle section needs --idle N');
  const selected = idleCount > 0 ? ['idle'] : names.length > 0 ? names : DEFAULT_SECTIONS;
  const earlier = compareWith === undefined ? undefined : readJson(compareWith);

  const dir = join(projectRoot(), 'bench', 'results');
  const file = join(dir, 'latest.json');
  const runFile = join(dir, `run-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const merged: Record<string, unknown> = existsSync(file) ? readJson(file) : {};
  const run: Record<string, unknown> = {};
  const started = performance.now();
  for (const name of selected) {
    const { result, table } = await SECTIONS[name]!.run(quick);
    console.log(`${table}\n`);
    merged[name] = result;
    run[name] = result;
    // Write after every section so a long run keeps what it measured.
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
    writeFileSync(runFile, `${JSON.stringify(run, null, 2)}\n`);
  }
  console.log(
    `results merged into ${file}, this run in ${runFile} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  if (earlier !== undefined) {
    // Only the sections this run measured: the others are neither better nor worse.
    const same = Object.fromEntries(Object.entries(earlier).filter(([k]) => k in run));
    console.log(`\nchange against ${compareWith}:\n${compareResults(same, run)}`);
  }
}

if (process.env[ADAPTERS_CHILD_ENV]) await runAdaptersServerChild();
else await main();
