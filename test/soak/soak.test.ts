// The short soak (bench/soak): a memtls/node mutual-TLS echo server in its own process under 60
// connection slots for 4 s, good node:tls clients mixed with every hostile class.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_CLASSES } from '../../bench/soak/hostile.js';
import type { SoakResult } from '../../bench/soak/index.js';

const ROOT = join(import.meta.dirname, '../..');
/** Inside the project (dist-bench is ignored by git) so the bundle finds node_modules. */
const BUNDLE = join(ROOT, 'dist-bench', 'soak-test.mjs');
/** Generous: on a busy machine a good handshake must never come near it. */
const HANDSHAKE_TIMEOUT = 5000;

let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'memtls-soak-'));
  await build({
    entryPoints: [join(ROOT, 'bench/soak/index.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function soak(args: string[]): Promise<{ result: SoakResult; stdout: string }> {
  const json = join(work, `soak-${Date.now()}.json`);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BUNDLE, ...args, '--json', json],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`soak failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve({ result: JSON.parse(readFileSync(json, 'utf8')) as SoakResult, stdout });
      },
    );
  });
}

describe('soak (short)', () => {
  it('serves every good client and refuses or closes every hostile class, memory back to baseline', async () => {
    // The node:crypto provider keeps the server's share of a busy machine small; the pure provider
    // runs in the full soak (npm run soak).
    const { result, stdout } = await soak([
      '--seconds',
      '4',
      '--connections',
      '60',
      '--client-processes',
      '1',
      '--servers',
      'memtls',
      '--crypto',
      'node',
      '--handshake-timeout',
      String(HANDSHAKE_TIMEOUT),
      '--handshakes-in-flight',
      '8',
      '--think-ms',
      '100',
    ]);
    expect(result.runs).toHaveLength(1);
    const run = result.runs[0]!;
    expect(stdout).toContain('memtls/node (node:crypto)');
    // Good clients: none failed, and there were enough of them for that to mean something.
    expect(run.goodFailures).toEqual({});
    expect(run.connectionsCompleted).toBe(run.goodAttempted);
    expect(run.connectionsCompleted).toBeGreaterThanOrEqual(15);
    expect(run.echoBytesPerSecond).toBeGreaterThan(0);
    expect(run.handshakeP99Ms).toBeGreaterThanOrEqual(run.handshakeP50Ms);
    // Every hostile class ran and ended the way a sound server ends it.
    for (const kind of HOSTILE_CLASSES) {
      const h = run.hostile[kind]!;
      expect(h.attempts, kind).toBeGreaterThan(0);
      expect({ kind, outcomes: h.outcomes, acceptable: h.acceptable }).toEqual({
        kind,
        outcomes: h.outcomes,
        acceptable: true,
      });
    }
    // The server refused the bad certificates and the floods itself (alerts the client saw).
    expect(run.hostile['wrong-root-cert']!.details).toHaveProperty('unknown_ca');
    expect(run.hostile['expired-cert']!.details).toHaveProperty('certificate_expired');
    expect(run.serverTally.handshakeErrors).toHaveProperty('too_many_warning_alerts');
    expect(run.serverTally.handshakeErrors).toHaveProperty('handshake_timeout');
    // A stalled handshake lasts until the timeout, not forever.
    expect(run.hostile['stall-handshake']!.minMs).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT * 0.9);
    // The server survived, closed everything, and its heap's data came back within 10 % of the
    // warmed-up baseline; with the code V8 compiled under the load, within 25 %.
    expect(run.aliveAfter).toBe(true);
    expect(run.connectionsLeft).toBe(0);
    expect(run.dataHeapAfterRatio).toBeLessThan(1.1);
    expect(run.heapAfterRatio).toBeLessThan(1.25);
    expect(run.memory.after.compiledCode).toBeGreaterThan(0);
  }, 60_000);
});
