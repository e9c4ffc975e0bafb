// Build bin/memtls for tests: src/cli bundled with esbuild into a temporary folder laid out like the
// package (bin/memtls imports ../dist/cli/main.js), so CLI tests never depend on a tsc build of the tree;
// and the per-file hooks and runner CLI tests share (cliUnderTest).

import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { killAll, type Proc, run } from './processes.js';

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

/** The bundled CLI for one test file, with a runner for it (see cliUnderTest). */
export interface CliUnderTest {
  /** Path of the runnable bin/memtls (set once the file's beforeAll ran). */
  readonly bin: string;
  /** The bundle's temporary folder, removed after the file's tests (for their scratch files). */
  readonly work: string;
  /** `memtls ARGS` as a child process. */
  memtls(args: string[], env?: NodeJS.ProcessEnv): Proc;
  /** `memtls server --port 0 ARGS`, once it says it is listening, with its port. */
  listen(args: string[]): Promise<{ server: Proc; port: number }>;
}

/**
 * Registers the hooks every CLI test file needs: the CLI bundled before its tests and removed
 * after them, and every child process killed (by PID) after each test.
 */
export function cliUnderTest(prefix: string): CliUnderTest {
  let cli: CliBundle | undefined;
  const bundled = (): CliBundle => {
    if (!cli) throw new Error('the CLI is bundled in beforeAll');
    return cli;
  };
  beforeAll(async () => {
    cli = await bundleCli(prefix);
  }, 60_000);
  afterAll(() => cli?.remove());
  afterEach(killAll);
  const under: CliUnderTest = {
    get bin() {
      return bundled().bin;
    },
    get work() {
      return bundled().work;
    },
    memtls: (args, env) => run(process.execPath, [under.bin, ...args], env),
    async listen(args) {
      const server = under.memtls(['server', '--port', '0', ...args]);
      const [, port] = await server.waitFor('stderr', /listening on 127\.0\.0\.1:(\d+)/);
      return { server, port: Number(port) };
    },
  };
  return under;
}
