// `memtls bench [--quick] [SECTION…]`: the benchmark table, the same as `npm run bench`. The benchmarks
// live in bench/ of a source checkout (they compare against raw noble calls and node:tls); they are
// bundled with esbuild, a development dependency, and run in a child process.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localError } from '../index.js';
import type { CliIo, Command } from './command.js';

const USAGE = `usage: memtls bench [--quick] [SECTION...]

Runs the benchmark table (record protection, handshakes, adapters), each next to a reference measured
in the same run (raw noble AEAD calls, node:tls), and writes bench/results/latest.json.
  --quick     shorter rounds (under a minute)
  SECTION     run only the named sections (record, handshake, adapters)
Needs a source checkout with development dependencies installed (npm install).
`;

/** The project root: the nearest folder above this file with package.json. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw localError('no_checkout', 'cannot find the memtls package folder');
    dir = parent;
  }
  return dir;
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark table (same as npm run bench)',
  usage: USAGE,
  async run(argv: readonly string[], _io: CliIo): Promise<number> {
    const root = projectRoot();
    const entry = join(root, 'bench', 'index.ts');
    if (!existsSync(entry)) {
      throw localError(
        'no_checkout',
        `the benchmarks are not part of the installed package (no ${entry}); run them from a source checkout`,
      );
    }
    let esbuild: string;
    try {
      esbuild = createRequire(join(root, 'package.json')).resolve('esbuild/bin/esbuild');
    } catch {
      throw localError(
        'missing_dependency',
        'the benchmarks need esbuild: run `npm install` in the checkout first',
      );
    }
    const out = join(root, 'dist-bench', 'index.mjs');
    // esbuild's bin is a native executable once installed (a JS shim with a shebang before): run it as is.
    const build = spawnSync(
      esbuild,
      [
        entry,
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--packages=external',
        `--outfile=${out}`,
        '--log-level=warning',
      ],
      { cwd: root, stdio: 'inherit' },
    );
    if (build.status !== 0)
      throw localError('bench_build_failed', 'bundling bench/index.ts failed (see above)');
    const run = spawnSync(process.execPath, [out, ...argv], { cwd: root, stdio: 'inherit' });
    return run.status ?? 1;
  },
};
