// The test PKI, one module for the Vitest tests and the esbuild-bundled runners (npm run interop,
// npm run fuzz): the fixed PKI of test/fixtures/make-pki.sh (pkiDir, pkiPath, pkiText, certOf) and
// leaves issued on demand with the openssl CLI (testPki), plus `openssl verify` for comparisons.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { toDerList } from '../../src/x509/pem.js';

/**
 * The project root: the nearest ancestor of this module holding test/fixtures/make-pki.sh. Found by
 * walking up, so it works from test/helpers/ and from a bundle under node_modules/.cache/ alike.
 */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'test', 'fixtures', 'make-pki.sh'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the memtls project root (test/fixtures/make-pki.sh)');
    dir = parent;
  }
}

let fixedDir: string | undefined;

/**
 * The directory holding the fixed test PKI (see the file list at the top of make-pki.sh), built once
 * per script version into the OS temp dir and shared by every process: one builds it in a private dir
 * and renames it into place (the others wait on a lock), so nobody ever sees a half-made PKI.
 */
export function pkiDir(): string {
  if (fixedDir) return fixedDir;
  const script = join(projectRoot(), 'test', 'fixtures', 'make-pki.sh');
  const version = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `memtls-test-pki-${version}`);
  const complete = (): boolean => existsSync(join(dir, '.complete'));
  if (!complete()) buildFixedPki(script, dir, complete);
  fixedDir = dir;
  return dir;
}

function buildFixedPki(script: string, dir: string, complete: () => boolean): void {
  // One process builds; the others wait for it (a lock older than a minute is stale).
  const lock = `${dir}.lock`;
  let locked = false;
  try {
    mkdirSync(lock);
    locked = true;
  } catch {
    const deadline = Date.now() + 60_000;
    while (!complete() && Date.now() < deadline && Date.now() - statSafe(lock) < 60_000) sleep(100);
    if (complete()) return;
  }
  try {
    const scratch = mkdtempSync(join(tmpdir(), 'memtls-pki-scratch-'));
    execFileSync('bash', [script, scratch], { stdio: 'pipe' });
    if (complete()) rmSync(scratch, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(scratch, dir);
    }
  } finally {
    if (locked) rmSync(lock, { recursive: true, force: true });
  }
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

/** Absolute path of a file of the fixed PKI. */
export function pkiPath(file: string): string {
  return join(pkiDir(), file);
}

/** Text of a file of the fixed PKI. */
export function pkiText(file: string): string {
  return readFileSync(pkiPath(file), 'utf8');
}

/** The DER certificates in a PEM file of a PKI directory. */
export function certsOf(dir: string, file: string): Uint8Array[] {
  return toDerList(readFileSync(join(dir, file), 'utf8'), 'CERTIFICATE');
}

/** The single DER certificate in a PEM file of a PKI directory. */
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

/** `openssl verify` with the given arguments, run in `dir`; the last argument is the leaf file. */
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

// Leaves on demand: one root per process (plus an unrelated one), leaves of any key type and usage.

export type KeyKind = 'p256' | 'p384' | 'rsa2048' | 'rsa4096' | 'ed25519';

export interface Identity {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface TestPki {
  dir: string;
  ca: string;
  caPath: string;
  /** A second, unrelated root. */
  otherCa: string;
  otherCaPath: string;
  leaf(kind: KeyKind, usage: 'server' | 'client', options?: LeafOptions): Identity;
}

export interface LeafOptions {
  cn?: string;
  san?: string;
  days?: number;
  /** Use the other (untrusted) root as issuer. */
  otherRoot?: boolean;
  /** openssl -not_before/-not_after are not in 3.0: use a start date in the past via `openssl ca`. */
  expired?: boolean;
  eku?: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function genKey(kind: KeyKind, path: string, cwd: string): void {
  if (existsSync(path)) return;
  const args: Record<KeyKind, string[]> = {
    p256: ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path],
    p384: ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', path],
    rsa2048: ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path],
    rsa4096: ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096', '-out', path],
    ed25519: ['genpkey', '-algorithm', 'ED25519', '-out', path],
  };
  openssl(args[kind], cwd);
}

let onDemand: TestPki | undefined;

/** A fresh PKI for this process (a root and another root), issuing leaves on demand. */
export function testPki(): TestPki {
  if (onDemand) return onDemand;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-pki-'));
  mkdirSync(join(dir, 'ca'), { recursive: true });
  for (const root of ['root', 'other']) {
    genKey('p256', join(dir, `${root}.key`), dir);
    openssl(
      [
        'req',
        '-new',
        '-x509',
        '-key',
        `${root}.key`,
        '-out',
        `${root}.pem`,
        '-days',
        '3650',
        '-subj',
        `/O=memtls tests/CN=${root} CA`,
      ],
      dir,
    );
  }
  let serial = 1;
  const made = new Map<string, Identity>();
  onDemand = {
    dir,
    ca: readFileSync(join(dir, 'root.pem'), 'utf8'),
    caPath: join(dir, 'root.pem'),
    otherCa: readFileSync(join(dir, 'other.pem'), 'utf8'),
    otherCaPath: join(dir, 'other.pem'),
    leaf(kind, usage, options = {}) {
      const cn = options.cn ?? (usage === 'server' ? 'server.test' : 'client.test');
      const name =
        `${kind}-${usage}-${cn}-${options.otherRoot ? 'o' : 'r'}-${options.expired ? 'x' : 'v'}-${options.san ?? ''}-${options.eku ?? ''}`.replace(
          /[^a-zA-Z0-9.-]/g,
          '_',
        );
      const hit = made.get(name);
      if (hit) return hit;
      const keyPath = join(dir, `${name}.key`);
      const certPath = join(dir, `${name}.pem`);
      genKey(kind, keyPath, dir);
      openssl(
        ['req', '-new', '-key', keyPath, '-out', `${name}.csr`, '-subj', `/O=memtls tests/CN=${cn}`],
        dir,
      );
      const eku = options.eku ?? (usage === 'server' ? 'serverAuth' : 'clientAuth');
      const ext = [
        'basicConstraints=critical,CA:FALSE',
        `keyUsage=critical,digitalSignature${kind.startsWith('rsa') ? ',keyEncipherment' : ''}`,
        `extendedKeyUsage=${eku}`,
        `subjectAltName=${options.san ?? `DNS:${cn}`}`,
      ].join('\n');
      writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
      const issuer = options.otherRoot ? 'other' : 'root';
      if (options.expired) {
        const conf = join(dir, `${name}.ca.cnf`);
        writeFileSync(join(dir, 'ca', 'index.txt'), '');
        writeFileSync(
          conf,
          `[ca]\ndefault_ca=d\n[d]\ndatabase=${join(dir, 'ca', 'index.txt')}\nnew_certs_dir=${join(dir, 'ca')}\n` +
            `default_md=sha256\npolicy=p\nunique_subject=no\nserial=${join(dir, 'ca', 'serial')}\n[p]\ncommonName=supplied\norganizationName=optional\n`,
        );
        writeFileSync(join(dir, 'ca', 'serial'), `${(serial++).toString(16).padStart(2, '0')}\n`);
        openssl(
          [
            'ca',
            '-batch',
            '-config',
            conf,
            '-cert',
            `${issuer}.pem`,
            '-keyfile',
            `${issuer}.key`,
            '-in',
            `${name}.csr`,
            '-out',
            certPath,
            '-startdate',
            '20200101000000Z',
            '-enddate',
            '20210101000000Z',
            '-extfile',
            `${name}.ext`,
            '-notext',
          ],
          dir,
        );
      } else {
        openssl(
          [
            'x509',
            '-req',
            '-in',
            `${name}.csr`,
            '-CA',
            `${issuer}.pem`,
            '-CAkey',
            `${issuer}.key`,
            '-set_serial',
            String(serial++),
            '-out',
            certPath,
            '-days',
            String(options.days ?? 365),
            '-sha256',
            '-extfile',
            `${name}.ext`,
          ],
          dir,
        );
      }
      const id = {
        cert: readFileSync(certPath, 'utf8'),
        key: readFileSync(keyPath, 'utf8'),
        certPath,
        keyPath,
      };
      made.set(name, id);
      return id;
    },
  };
  return onDemand;
}

/** The usual pair: mutual TLS with P-256 leaves for 'server.test' and a client, under `pki`'s root. */
export function p256Configs(pki: TestPki): { client: ClientConfig; server: ServerConfig } {
  const s = pki.leaf('p256', 'server');
  const c = pki.leaf('p256', 'client');
  return {
    server: { ca: pki.ca, cert: s.cert, key: s.key },
    client: { ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key },
  };
}

/** `--ca ROOT --cert C --key K`: the CLI flags for `id` under the test root. */
export function tlsFlags(pki: TestPki, id: Identity): string[] {
  return ['--ca', pki.caPath, '--cert', id.certPath, '--key', id.keyPath];
}
