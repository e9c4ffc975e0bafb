// `npm run bench`: runs the benchmarks, prints their tables and merges their results into
// bench/results/latest.json (each benchmark owns one top-level key; other keys are kept).
//   --quick        shorter rounds (the whole run finishes in under a minute)
//   NAME …         run only the named sections (e.g. `record`)
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
import { formatHandshakeTable, runHandshakeBench } from './handshake.js';
import { formatPureTable, runPureBench } from './pure.js';
import { formatRecordTable, runRecordBench } from './record.js';
import { formatResumptionTable, runResumptionBench } from './resumption.js';

/** One benchmark: its JSON result (stored under its name) and the table people read. */
interface Section {
  run(quick: boolean): Promise<{ result: unknown; table: string }>;
}

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
};

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
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  for (const n of names) {
    if (!(n in SECTIONS))
      throw new Error(`unknown benchmark '${n}'; known: ${Object.keys(SECTIONS).join(', ')}`);
  }
  const selected = names.length > 0 ? names : Object.keys(SECTIONS);

  const file = join(projectRoot(), 'bench', 'results', 'latest.json');
  const merged: Record<string, unknown> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const started = performance.now();
  for (const name of selected) {
    const { result, table } = await SECTIONS[name]!.run(quick);
    console.log(`${table}\n`);
    merged[name] = result;
    // Write after every section so a long run keeps what it measured.
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  }
  console.log(`results merged into ${file} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (process.env[ADAPTERS_CHILD_ENV]) await runAdaptersServerChild();
else await main();
