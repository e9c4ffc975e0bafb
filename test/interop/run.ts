// `npm run interop`: the interoperability matrix as a standalone program. Prints the table (peer ×
// case → pass/FAIL with the problems) and ends with the line `N passed, M failed`; exit code 1 on
// any failure. Arguments: substrings selecting cases by id (all must match), `--concurrency N`
// (default 2). INTEROP_DEBUG=1 prints each peer's output.

import { pkiDir } from '../helpers/pki.js';
import { CASES } from './cases.js';
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

function caseName(r: CaseResult): string {
  return r.case.id.split('/').slice(2).join('/');
}

function row(r: CaseResult, width: number): string {
  const c = r.case;
  const head = [
    c.peer.padEnd(8),
    `memtls-${c.role}`.padEnd(14),
    caseName(r).padEnd(width),
    r.ok ? 'pass' : 'FAIL',
    `${String(r.ms).padStart(6)} ms`,
  ].join(' ');
  if (r.ok) return head;
  const details = [`(${c.title})`, ...r.problems].map((p) => `    ${p.replace(/\n/g, '\n    ')}`);
  return `${head}\n${details.join('\n')}`;
}

async function main(): Promise<void> {
  const { filters, concurrency } = parseArgs(process.argv.slice(2));
  const selected = CASES.filter((c) => filters.every((f) => c.id.includes(f)));
  const started = performance.now();
  pkiDir();
  const limit = new Limit(concurrency);
  const progress = process.stderr.isTTY === true;
  const results = await Promise.all(
    selected.map((c) =>
      limit.run(async () => {
        const r = await runCase(c);
        if (progress) process.stderr.write(r.ok ? '.' : 'F');
        return r;
      }),
    ),
  );
  if (progress) process.stderr.write('\n');
  const width = Math.max(10, ...results.map((r) => caseName(r).length));
  const lines = [`${'peer'.padEnd(8)} ${'memtls role'.padEnd(14)} ${'case'.padEnd(width)} result`];
  lines.push(...results.map((r) => row(r, width)));
  const failed = results.filter((r) => !r.ok);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  lines.push('', `${selected.length} cases in ${seconds} s (concurrency ${concurrency})`);
  lines.push(`${results.length - failed.length} passed, ${failed.length} failed`);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exitCode = failed.length > 0 || selected.length === 0 ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`interop: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exitCode = 1;
});
