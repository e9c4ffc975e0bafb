// examples/cluster.ts: memtls/node servers in node:cluster workers sharing a ticket key; a session
// made on one worker resumes on the others (RFC 5077). Bundled and run as its own process, since
// cluster workers re-run the program's file.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('examples/cluster.ts', () => {
  it('a session made on one worker resumes on whichever worker the next connection lands on', async () => {
    const outfile = join(root, 'dist-examples/cluster-test.mjs');
    await build({
      entryPoints: [join(root, 'examples/cluster.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
    });
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [outfile, '2', '4'], { timeout: 60_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${out}\n${err}`)) : resolve(out),
      );
    });
    const results = JSON.parse(stdout.trim().split('\n').at(-1)!) as { worker: number; resumed: boolean }[];
    expect(results.map((r) => r.resumed)).toEqual([false, true, true, true]);
    const maker = results[0]!.worker;
    // Round-robin scheduling: the session resumed on the other worker too, not only where it was made.
    expect(results.slice(1).some((r) => r.worker !== maker)).toBe(true);
    expect(new Set(results.map((r) => r.worker)).size).toBe(2);
  }, 90_000);
});
