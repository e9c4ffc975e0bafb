// Test PKI made with the openssl CLI: one root per key type, server and client leaves, cached per process.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

let cached: TestPki | undefined;

export function testPki(): TestPki {
  if (cached) return cached;
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
  cached = {
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
  return cached;
}
