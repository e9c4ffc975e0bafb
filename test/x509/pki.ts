// Test helper: the openssl-made test PKI (test/fixtures/make-pki.sh), built once per script version
// into the OS temp dir and shared by every test file (made in a private dir, then renamed into place,
// so parallel test files never see a half-made PKI).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toDerList } from '../../src/x509/pem.js';

export const MAKE_PKI = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'make-pki.sh');

/** The directory holding the test PKI (see the file list at the top of make-pki.sh). */
export function testPki(): string {
  const version = createHash('sha256').update(readFileSync(MAKE_PKI)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `memtls-test-pki-${version}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const scratch = mkdtempSync(join(tmpdir(), 'memtls-pki-scratch-'));
  execFileSync('bash', [MAKE_PKI, scratch], { stdio: 'pipe' });
  try {
    renameSync(scratch, dir);
  } catch {
    // Another test file won the race (or a stale dir is in the way): use or replace it.
    if (!existsSync(join(dir, '.complete'))) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(scratch, dir);
    } else rmSync(scratch, { recursive: true, force: true });
  }
  return dir;
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
