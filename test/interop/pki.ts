// The interop matrix's view of the test PKI made by test/fixtures/make-pki.sh (same cache directory
// as test/x509/pki.ts), located from the project root so it also works from the bundled runner.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest ancestor of this module holding test/fixtures/make-pki.sh. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'test', 'fixtures', 'make-pki.sh'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the memtls project root (test/fixtures/make-pki.sh)');
    dir = parent;
  }
}

let cached: string | undefined;

/** The directory holding the test PKI, made once per version of make-pki.sh. */
export function pkiDir(): string {
  if (cached) return cached;
  const script = join(projectRoot(), 'test', 'fixtures', 'make-pki.sh');
  const version = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `memtls-test-pki-${version}`);
  if (!existsSync(join(dir, '.complete'))) {
    const scratch = mkdtempSync(join(tmpdir(), 'memtls-pki-scratch-'));
    execFileSync('bash', [script, scratch], { stdio: 'pipe' });
    try {
      renameSync(scratch, dir);
    } catch {
      // Another process won the race (or a stale directory is in the way): use or replace it.
      if (!existsSync(join(dir, '.complete'))) {
        rmSync(dir, { recursive: true, force: true });
        renameSync(scratch, dir);
      } else rmSync(scratch, { recursive: true, force: true });
    }
  }
  cached = dir;
  return dir;
}

/** Absolute path of a PKI file. */
export function pkiPath(file: string): string {
  return join(pkiDir(), file);
}

/** Text of a PKI file. */
export function pkiText(file: string): string {
  return readFileSync(pkiPath(file), 'utf8');
}
