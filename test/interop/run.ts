// `npm run interop`: the interoperability matrix as a standalone program. Prints one row per case
// (peer × case → pass/FAIL with the error) and ends with the line `N passed, M failed`.
// Arguments: substrings to select cases by id (all must match), `--concurrency N` (default 2).

import { CASES } from './cases.js';
import { pkiDir } from './pki.js';
import { type CaseResult, Limit, runCase } from './runner.js';

function parseArgs(argv: string[]): { filters: string[]; concurrency: number } {
  const filters: string[] = [];
  let concurrency = 2;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--concurrency') concurrency = Math.max(1, Number(argv[++i]) || 1);
    else filters.push(arg);
  }
  return { filters, concurrency };
}

function row(r: CaseResult, width: number): string {
  const c = r.case;
  const status = r.ok ? 'pass' : 'FAIL';
  const head = `${c.peer.padEnd(8)} ${`memtls-${c.role}`.padEnd(14)} ${c.id.split('/').slice(2).join('/').padEnd(width)} ${status} ${String(r.ms).padStart(6)} ms`;
  return r.ok ? head : `${head}\n${r.problems.map((p) => `    ${p.replace(/\n/g, '\n    ')}`).join('\n')}`;
}

async function main(): Promise<void> {
  const { filters, concurrency } = parseArgs(process.argv.slice(2));
  const selected = CASES.filter((c) => filters.every((f) => c.id.includes(f)));
  const started = performance.now();
  pkiDir();
  const limit = new Limit(concurrency);
  const width = Math.max(...selected.map((c) => c.id.split('/').slice(2).join('/').length), 10);
  process.stdout.write(`${'peer'.padEnd(8)} ${'memtls role'.padEnd(14)} ${'case'.padEnd(width)} result\n`);
  const results = await Promise.all(
    selected.map((c) =>
      limit.run(async () => {
        const r = await runCase(c);
        process.stdout.write(`${row(r, width)}\n`);
        return r;
      }),
    ),
  );
  const failed = results.filter((r) => !r.ok);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failed.length > 0) {
    process.stdout.write(`\nfailures:\n${failed.map((r) => row(r, width)).join('\n')}\n`);
  }
  process.stdout.write(`\n${selected.length} cases in ${seconds} s\n`);
  process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed\n`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`interop: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exitCode = 1;
});
