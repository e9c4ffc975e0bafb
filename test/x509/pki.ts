// Test helper: the openssl-made test PKI (test/fixtures/make-pki.sh), built once per script version
// into the OS temp dir and shared by every test file: one process builds it in a private dir and
// renames it into place (others wait on a lock), so no test file ever sees a half-made PKI.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toDerList } from '../../src/x509/pem.js';

export const MAKE_PKI = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'make-pki.sh');

/** The directory holding the test PKI (see the file list at the top of make-pki.sh). */
export function testPki(): string {
  const version = createHash('sha256').update(readFileSync(MAKE_PKI)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `memtls-test-pki-${version}`);
  const complete = (): boolean => existsSync(join(dir, '.complete'));
  if (complete()) return dir;
  // One test process builds; the others wait for it (a lock older than a minute is stale).
  const lock = `${dir}.lock`;
  let locked = false;
  try {
    mkdirSync(lock);
    locked = true;
  } catch {
    const deadline = Date.now() + 60_000;
    while (!complete() && Date.now() < deadline && Date.now() - statSafe(lock) < 60_000) sleep(100);
    if (complete()) return dir;
  }
  try {
    const scratch = mkdtempSync(join(tmpdir(), 'memtls-pki-scratch-'));
    execFileSync('bash', [MAKE_PKI, scratch], { stdio: 'pipe' });
    if (complete()) rmSync(scratch, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(scratch, dir);
    }
  } finally {
    if (locked) rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

function statSafe(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The DER certificates in a PEM file of the PKI. */
export function certsOf(dir: string, file: string): Uint8Array[] {
  return toDerList(readFileSync(join(dir, file), 'utf8'), 'CERTIFICATE');
}

/** The single DER certificate in a PEM file of the PKI. */
export function certOf(dir: string, file: string): Uint8Array {
  const [der] = certsOf(dir, file);
  if (!der) throw new Error(`no certificate in ${file}`);
  return der;
}

export interface OpensslVerdict {
  ok: boolean;
  /** Every X509_V_ERR number reported (openssl verify goes on after the first and lists them all). */
  errors: number[];
  output: string;
}

/** `openssl verify` with the given arguments; the last argument is the leaf file. */
export function opensslVerify(dir: string, args: string[]): OpensslVerdict {
  let output: string;
  try {
    output = execFileSync('openssl', ['verify', ...args], { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
  const errors = [...output.matchAll(/error (\d+) at \d+ depth/g)].map((m) => Number(m[1]));
  return { ok: /: OK\s*$/m.test(output) && errors.length === 0, errors, output };
}
