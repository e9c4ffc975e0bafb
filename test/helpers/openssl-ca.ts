// A tiny `openssl ca` directory for the CRL tests (RFC 5280 §5): a P-256 root, leaves issued and
// revoked with `openssl ca`, and CRLs made with `openssl ca -gencrl` (optionally with extra CRL extensions).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslCa {
  dir: string;
  caPath: string;
  ca: string;
  /** Issue a P-256 leaf for `usage` with CN and SAN `cn`; returns the paths of its cert and key. */
  issue(cn: string, usage: 'server' | 'client'): { certPath: string; keyPath: string };
  revoke(certPath: string, reason?: string): void;
  /** `openssl ca -gencrl`; `extensions` are config lines for the CRL extensions section. */
  gencrl(options?: { hours?: number; extensions?: string[] }): { path: string; pem: string };
}

function openssl(args: string[], cwd: string, cn = 'unused'): string {
  return execFileSync('openssl', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: { ...process.env, MEMTLS_CN: cn },
  });
}

/** A fresh openssl CA in a temp dir (subject "/O=memtls tests/CN=openssl ca root"). */
export function opensslCa(): OpensslCa {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-openssl-ca-'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  const conf = join(dir, 'ca.cnf');
  const write = (crlExtensions: string[]) =>
    writeFileSync(
      conf,
      [
        '[ca]',
        'default_ca = d',
        '[d]',
        `dir = ${dir}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir',
        'certificate = $dir/ca.pem',
        'private_key = $dir/ca.key',
        'serial = $dir/serial',
        'crlnumber = $dir/crlnumber',
        'default_md = sha256',
        'default_crl_days = 7',
        'policy = p',
        'unique_subject = no',
        'copy_extensions = none',
        ...(crlExtensions.length > 0 ? ['crl_extensions = crl_ext'] : []),
        '[p]',
        'commonName = supplied',
        'organizationName = optional',
        '[server_ext]',
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth',
        'subjectAltName = DNS:$ENV::MEMTLS_CN',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '[client_ext]',
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = clientAuth',
        'subjectAltName = DNS:$ENV::MEMTLS_CN',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '[root_ext]',
        'basicConstraints = critical, CA:TRUE',
        'keyUsage = critical, keyCertSign, cRLSign',
        'subjectKeyIdentifier = hash',
        '[crl_ext]',
        ...crlExtensions,
        '',
      ].join('\n'),
    );
  write([]);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  openssl(
    [
      'req',
      '-new',
      '-x509',
      '-key',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      '/O=memtls tests/CN=openssl ca root',
      '-config',
      conf,
      '-extensions',
      'root_ext',
    ],
    dir,
  );
  return {
    dir,
    caPath: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    issue(cn, usage) {
      const keyPath = join(dir, `${cn}.key`);
      const certPath = join(dir, `${cn}.pem`);
      openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath], dir);
      openssl(['req', '-new', '-key', keyPath, '-out', `${cn}.csr`, '-subj', `/CN=${cn}`], dir);
      openssl(
        [
          'ca',
          '-batch',
          '-config',
          conf,
          '-in',
          `${cn}.csr`,
          '-out',
          certPath,
          '-days',
          '30',
          '-extensions',
          `${usage}_ext`,
          '-notext',
        ],
        dir,
        cn,
      );
      return { certPath, keyPath };
    },
    revoke(certPath, reason) {
      openssl(['ca', '-config', conf, '-revoke', certPath, ...(reason ? ['-crl_reason', reason] : [])], dir);
    },
    gencrl(options = {}) {
      write(options.extensions ?? []);
      const path = join(dir, `crl-${Date.now()}-${Math.random().toString(16).slice(2)}.pem`);
      openssl(
        [
          'ca',
          '-config',
          conf,
          '-gencrl',
          '-out',
          path,
          ...(options.hours === undefined ? [] : ['-crlhours', String(options.hours)]),
        ],
        dir,
      );
      return { path, pem: readFileSync(path, 'utf8') };
    },
  };
}
