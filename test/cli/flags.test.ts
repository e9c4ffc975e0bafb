// In-process checks of the CLI's option plumbing: config option names in errors become flags, OpenSSL
// spellings become memtls flags, every limit flag reaches its option (an out-of-range value is refused
// naming the flag), OpenSSL -sigalgs names, and the fd: pass-phrase form.

import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeCryptoProvider } from '../../src/adapters/node.js';
import { engineConfig } from '../../src/cli/engine-options.js';
import { LIMIT_OPTIONS, withFlagNames } from '../../src/cli/flag-names.js';
import { runCli } from '../../src/cli/main.js';
import { fromOpensslSpelling } from '../../src/cli/openssl-args.js';
import { readPassphrase } from '../../src/cli/passphrase.js';
import { pkiPath, testPki } from '../helpers/pki.js';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

const io = { out: () => {}, err: () => {} };

describe('error messages name flags, not config options', () => {
  it.each([
    [
      'or set allowCommonNameFallback: true to accept the Common Name',
      'or use --allow-cn-fallback to accept the Common Name',
    ],
    [
      '(use verifyHostname: false explicitly to skip the check)',
      '(use --no-verify-hostname explicitly to skip the check)',
    ],
    [
      'set requireExtendedMasterSecret: false to let an old client in',
      'use --no-require-ems to let an old client in',
    ],
    ['or set minRsaKeyBits: 1024 if you must keep it', 'or use --min-rsa-bits 1024 if you must keep it'],
    ['below the 3072 bits required (minRsaKeyBits)', 'below the 3072 bits required (--min-rsa-bits)'],
    [
      'exceeds the limit of 4 (option maxHelloExtensions)',
      'exceeds the limit of 4 (flag --max-hello-extensions)',
    ],
    [
      '(the maxChainCertificates option raises the bound)',
      '(the --max-chain-certificates option raises the bound)',
    ],
    ["use 'cipherSuites': an array", 'use --ciphers: an array'],
    ["'key' is given without 'cert'", '--key is given without --cert'],
    ['wrong passphrase for the private key', 'wrong passphrase for the private key'],
    ['the key and its groups', 'the key and its groups'],
  ])('%s', (message, expected) => {
    expect(withFlagNames(message)).toBe(expected);
  });

  it('the client prints the flag in a config error (in-process run)', async () => {
    const r = await run('client', '127.0.0.1:1', '--ca', pkiPath('root.pem'), '--min-rsa-bits', '512');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^memtls: error: bad_config: --min-rsa-bits must be an integer from 1024 to 16384, got 512/,
    );
  });
});

describe('every limit flag reaches its option', () => {
  const refusedAtZero = LIMIT_OPTIONS.filter(
    (o) => !['maxEmptyRecords', 'maxWarningAlerts', 'maxPendingWriteBytes'].includes(o),
  );
  it.each(refusedAtZero.map((o) => [o]))('%s: 0 is refused, naming the flag', async (option) => {
    const flag = `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const r = await run('client', '127.0.0.1:1', '--ca', pkiPath('root.pem'), flag, '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^memtls: error: bad_config: ${flag} must be`));
  });

  it('the limits 0 is valid for are set too (--max-empty-records, --max-warning-alerts, --max-pending-write-bytes)', () => {
    const { config } = engineConfig(
      {
        'max-empty-records': '0',
        'max-warning-alerts': '3',
        'max-pending-write-bytes': '4096',
        'max-chain-bytes': '9000',
      },
      io,
      'server',
    );
    expect(config).toMatchObject({
      maxEmptyRecords: 0,
      maxWarningAlerts: 3,
      maxPendingWriteBytes: 4096,
      maxChainBytes: 9000,
    });
  });

  it('a limit that is not a whole number is a usage error', async () => {
    const r = await run('client', '127.0.0.1:1', '--ca', pkiPath('root.pem'), '--max-chain-bytes', '12k');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-chain-bytes must be a whole number, not '12k'/);
  });
});

describe('OpenSSL spellings', () => {
  const specs = { servername: { type: 'string' }, quiet: { type: 'boolean' } } as const;
  it('client: -connect becomes the positional, value-taking options become flags, -tls1_2 is accepted', () => {
    const notes: string[] = [];
    expect(
      fromOpensslSpelling(
        [
          '-connect',
          'h:443',
          '-servername',
          'h',
          '-CAfile',
          'ca.pem',
          '-cipher',
          'ECDH+AESGCM',
          '-curves',
          'P-256',
          '-tls1_2',
          '-msg',
          '-showcerts',
          '-keylogfile',
          'k',
        ],
        'client',
        specs,
        notes,
      ),
    ).toEqual([
      'h:443',
      '--servername',
      'h',
      '--ca',
      'ca.pem',
      '--ciphers',
      'ECDH+AESGCM',
      '--groups',
      'P-256',
      '--trace',
      '--showcerts',
      '--keylog',
      'k',
    ]);
    expect(notes).toEqual(['-tls1_2: memtls speaks TLS 1.2 only']);
  });

  it("server: -accept [host:]port, -Verify/-verify set client auth; our own flags' values pass untouched", () => {
    expect(
      fromOpensslSpelling(
        ['-accept', '[::1]:8443', '-Verify', '2', '--servername', '-cert'],
        'server',
        specs,
      ),
    ).toEqual(['--host', '::1', '--port', '8443', '--client-auth', 'required', '--servername', '-cert']);
    expect(fromOpensslSpelling(['-verify', '1'], 'server', specs)).toEqual(['--client-auth', 'optional']);
  });

  it('TLS 1.3 options are refused with the reason (exit 2); an unknown one stays unknown', async () => {
    const r = await run('client', '-connect', 'h:1', '-tls1_3');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-tls1_3: memtls speaks TLS 1.2 only/);
    const unknown = await run('client', '-connect', 'h:1', '-reconnect_maybe');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '-reconnect_maybe'/);
    const mode = await run('client', 'h:1', '--ca', pkiPath('root.pem'), '--starttls', 'imap');
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/--starttls must be one of line, smtp, not 'imap'/);
  });
});

describe('sigalgs and pass phrases', () => {
  it('OpenSSL -sigalgs names map to IANA scheme names; IANA names pass through', () => {
    const { config } = engineConfig(
      { sigalgs: ['ECDSA+SHA256:RSA-PSS+SHA384', 'rsa_pkcs1_sha256,ed25519'] },
      io,
      'server',
    );
    expect(config.signatureSchemes).toEqual([
      'ecdsa_secp256r1_sha256',
      'rsa_pss_rsae_sha384',
      'rsa_pkcs1_sha256',
      'ed25519',
    ]);
  });

  it('fd:N reads the first line of that descriptor; pass: and env: read the text', () => {
    const path = join(tmpdir(), `memtls-pass-${process.pid}.txt`);
    writeFileSync(path, 'from a descriptor\r\nnot this\n');
    const fd = openSync(path, 'r');
    try {
      expect(readPassphrase(`fd:${fd}`)).toBe('from a descriptor');
    } finally {
      closeSync(fd);
    }
    expect(readPassphrase('pass:a:b c')).toBe('a:b c');
    expect(readPassphrase('env:X', { X: 'from env' })).toBe('from env');
    expect(() => readPassphrase('env:UNSET_HERE', {})).toThrow(/environment variable UNSET_HERE is not set/);
  });
});

describe('--crypto', () => {
  it('node selects the node:crypto provider, noble (the default) leaves the config alone', async () => {
    expect(engineConfig({ crypto: 'node' }, io, 'server').config.crypto).toBe(nodeCryptoProvider);
    expect(engineConfig({ crypto: 'noble' }, io, 'server').config.crypto).toBeUndefined();
    const r = await run('client', 'h:1', '--ca', pkiPath('root.pem'), '--crypto', 'openssl');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--crypto must be one of noble, node, not 'openssl'/);
  });
});

describe('memtls verify --allow-cn-fallback', () => {
  it('a Common-Name-only leaf fails naming the flag, and verifies with it', async () => {
    const { dir } = testPki();
    writeFileSync(
      join(dir, 'verify-cn.ext'),
      'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'verify-cn.key',
        '-out',
        'verify-cn.csr',
        '-subj',
        '/CN=legacy.test',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        'verify-cn.csr',
        '-CA',
        'root.pem',
        '-CAkey',
        'root.key',
        '-set_serial',
        '778',
        '-days',
        '30',
        '-out',
        'verify-cn.pem',
        '-extfile',
        'verify-cn.ext',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    const args = [
      'verify',
      '--ca',
      join(dir, 'root.pem'),
      '--hostname',
      'legacy.test',
      join(dir, 'verify-cn.pem'),
    ];
    const refused = await run(...args);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /^error: hostname_mismatch: .*use --allow-cn-fallback to accept the Common Name/,
    );
    expect(refused.stdout).not.toContain('allowCommonNameFallback');
    const accepted = await run(...args, '--allow-cn-fallback');
    expect(accepted.stdout).toMatch(/^ok: .*CN=legacy\.test/);
    expect(accepted.code).toBe(0);
  });
});
