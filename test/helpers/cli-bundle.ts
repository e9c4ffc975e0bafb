// Build bin/memtls for tests: src/cli bundled with esbuild into a temporary folder laid out like the
// package (bin/memtls imports ../dist/cli/main.js), so CLI tests never depend on a tsc build of the tree.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface CliBundle {
  /** The temporary folder. */
  work: string;
  /** Path of the runnable bin/memtls. */
  bin: string;
  remove(): void;
}

export async function bundleCli(prefix: string): Promise<CliBundle> {
  const work = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(work, 'bin'));
  copyFileSync(join(import.meta.dirname, '../../bin/memtls'), join(work, 'bin/memtls'));
  await build({
    entryPoints: [join(import.meta.dirname, '../../src/cli/main.ts')],
    outfile: join(work, 'dist/cli/main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  writeFileSync(join(work, 'dist/package.json'), '{"type":"module"}');
  return {
    work,
    bin: join(work, 'bin/memtls'),
    remove: () => rmSync(work, { recursive: true, force: true }),
  };
}
