// The memtls command end to end: bin/memtls run as a subprocess over an esbuild bundle of src/cli
// (pki init → pki issue → verify → inspect, checked with the openssl CLI too), and in-process runs of
// the dispatcher for usage errors, exit codes and refusals.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, notImplemented, runCli } from '../../src/cli/main.js';
import { createRoot, issueCertificate } from '../../src/x509/issue.js';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { pkiDir } from '../helpers/pki.js';

let work: string;
let bin: string;

let cli: CliBundle | undefined;

beforeAll(async () => {
  cli = await bundleCli('memtls-cli-');
  work = cli.work;
  bin = cli.bin;
}, 60_000);

afterAll(() => cli?.remove());

/** Run bin/memtls; never rejects — resolves to exit code and both streams. */
function memtls(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: work }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** Run the dispatcher in-process with captured output. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe('bin/memtls (subprocess)', () => {
  it('pki init + pki issue + verify + inspect round trip', async () => {
    const pki = join(work, 'pki');
    const init = await memtls('pki', 'init', pki, '--cn', 'Round Trip Root', '--days', '100');
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/wrote .*ca\.pem and .*ca\.key: CN=Round Trip Root, EC P-256, valid until/);
    expect(statSync(join(pki, 'ca.key')).mode & 0o777).toBe(0o600);

    const server = await memtls(
      'pki',
      'issue',
      pki,
      '--cn',
      'server.test',
      '--san',
      'DNS:server.test,IP:127.0.0.1',
    );
    expect(server.code).toBe(0);
    expect(server.stdout).toContain('DNS:server.test, IP:127.0.0.1');
    expect(statSync(join(pki, 'server.test.key')).mode & 0o777).toBe(0o600);
    const client = await memtls('pki', 'issue', pki, '--cn', 'device-1', '--usage', 'client');
    expect(client.code).toBe(0);

    // openssl agrees with what we wrote.
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(pki, 'ca.pem'), join(pki, 'server.test.pem'), join(pki, 'device-1.pem')],
      { encoding: 'utf8' },
    );
    expect(verified).toMatch(/server\.test\.pem: OK\n.*device-1\.pem: OK/);
    expect(
      execFileSync('openssl', ['pkey', '-in', join(pki, 'device-1.key'), '-noout', '-text'], {
        encoding: 'utf8',
      }),
    ).toContain('NIST CURVE: P-256');

    const ok = await memtls(
      'verify',
      '--ca',
      join(pki, 'ca.pem'),
      '--hostname',
      '127.0.0.1',
      join(pki, 'server.test.pem'),
    );
    expect(ok).toEqual({ code: 0, stdout: 'ok: CN=server.test\n', stderr: '' });
    const okClient = await memtls(
      'verify',
      '--ca',
      join(pki, 'ca.pem'),
      '--usage',
      'client',
      join(pki, 'device-1.pem'),
    );
    expect(okClient.stdout).toBe('ok: CN=device-1\n');

    const inspect = await memtls('inspect', join(pki, 'server.test.pem'));
    expect(inspect.code).toBe(0);
    for (const line of [
      /subject: +CN=server\.test/,
      /issuer: +CN=Round Trip Root/,
      /serial: +[0-9a-f]{32}/,
      /not after: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(valid, 99 days left\)/,
      /SANs: +DNS:server\.test, IP:127\.0\.0\.1/,
      /key: +EC P-256/,
      /signature: +ecdsa-with-SHA256/,
      /CA: +no/,
      /ext key usage: +serverAuth/,
      /SHA-256: +([0-9a-f]{2}:){31}[0-9a-f]{2}/,
    ]) {
      expect(inspect.stdout).toMatch(line);
    }
  });

  it('verify fails with exit 1 and `error: unknown_ca:` against another root', async () => {
    const other = join(work, 'other');
    expect((await memtls('pki', 'init', other)).code).toBe(0);
    expect((await memtls('pki', 'issue', other, '--cn', 'a.test')).code).toBe(0);
    const mine = join(work, 'mine');
    expect((await memtls('pki', 'init', mine)).code).toBe(0);
    const result = await memtls('verify', '--ca', join(mine, 'ca.pem'), join(other, 'a.test.pem'));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^error: unknown_ca: .+/);
    const wrongName = await memtls(
      'verify',
      '--ca',
      join(other, 'ca.pem'),
      '--hostname',
      'b.test',
      join(other, 'a.test.pem'),
    );
    expect(wrongName.code).toBe(1);
    expect(wrongName.stdout).toMatch(/^error: hostname_mismatch: .*a\.test/);
  });

  it('usage errors exit 2, failures print `memtls: error: CODE: message`', async () => {
    const unknown = await memtls('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(unknown.stderr).toContain('usage: memtls COMMAND');
    const missing = await memtls('inspect', join(work, 'nope.pem'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^memtls: error: file_not_found: .*nope\.pem' does not exist\n$/);
  });
});

describe('runCli (in-process)', () => {
  it('prints help for memtls, help COMMAND and COMMAND --help', async () => {
    const overview = await run();
    expect(overview.code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(overview.stdout).toContain(`  ${name}`);
    expect((await run('help', 'verify')).stdout).toContain('usage: memtls verify --ca ROOT.pem');
    expect((await run('pki', '--help')).stdout).toContain('memtls pki init DIR');
  });

  it('placeholders for commands not written yet exit 2', async () => {
    const placeholder = notImplemented('later', 'a later command', 'usage: memtls later');
    const stderr: string[] = [];
    const code = await placeholder.run([], { out: () => {}, err: (text) => stderr.push(text) });
    expect(code).toBe(2);
    expect(stderr).toEqual(['memtls: later: not implemented yet\n']);
  });

  it('turns bad flags into the command usage and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['verify', 'leaf.pem'], /verify needs --ca/],
      [['verify', '--ca', 'r.pem'], /at least one CHAIN/],
      [['verify', '--ca', 'r.pem', '--usage', 'both', 'x.pem'], /--usage must be one of server, client/],
      [['verify', '--ca', 'r.pem', '--at', 'tomorrow', 'x.pem'], /ISO-8601/],
      [['pki'], /init, issue, revoke or crl/],
      [['pki', 'init'], /exactly one DIR/],
      [['pki', 'init', 'd', '--key', 'rsa1024'], /--key must be one of/],
      [['pki', 'issue', 'd'], /needs --cn/],
      [['pki', 'issue', 'd', '--cn', 'x', '--days', '0'], /--days must be a whole number/],
      [['inspect'], /needs a FILE/],
      [['inspect', '--verbose', 'x'], /unknown option '--verbose'/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(message);
      expect(result.stderr).toContain('usage: memtls');
    }
  });

  it('verify applies --min-rsa-key-bits to the RSA keys of the chain', async () => {
    const dir = pkiDir();
    const args = ['--ca', join(dir, 'root.pem'), '--hostname', 'server.test', join(dir, 'server-rsa.pem')];
    expect((await run('verify', ...args)).code).toBe(0);
    const strict = await run('verify', '--min-rsa-key-bits', '3072', ...args);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^error: weak_key: .*2048-bit RSA key, below the 3072 bits/);
  });

  it('bench prints its usage with --help (running it is npm run bench)', async () => {
    const help = await run('bench', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: memtls bench \[--quick\]/);
  });

  it('pki init refuses to replace an existing root key; pki issue refuses to overwrite a key', async () => {
    const dir = join(work, 'refuse');
    expect((await run('pki', 'init', dir)).code).toBe(0);
    const before = readFileSync(join(dir, 'ca.key'), 'utf8');
    const again = await run('pki', 'init', dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^memtls: error: file_exists: .*ca\.key' already exists/);
    expect(readFileSync(join(dir, 'ca.key'), 'utf8')).toBe(before);
    expect((await run('pki', 'issue', dir, '--cn', '*.svc.test')).code).toBe(0);
    expect(existsSync(join(dir, 'wildcard.svc.test.pem'))).toBe(true);
    const twice = await run('pki', 'issue', dir, '--cn', '*.svc.test');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('file_exists');
    const noSan = await run('pki', 'issue', dir, '--cn', 'Not A Host');
    expect(noSan.code).toBe(1);
    expect(noSan.stderr).toMatch(/bad_config: .*--san/);
  });

  it('inspect lists every certificate of a chain file and names keys without printing them', async () => {
    const root = createRoot({ commonName: 'Inspect Root', keyType: 'p384' });
    const inter = issueCertificate({
      issuer: { certificate: root.certificate, key: root.key },
      commonName: 'Inspect CA 2',
      ca: true,
      pathLength: 0,
    });
    const leaf = issueCertificate({
      issuer: { certificate: inter.certificate, key: inter.key },
      commonName: 'leaf.test',
      usage: 'both',
    });
    const path = join(work, 'chain.pem');
    writeFileSync(path, leaf.certificatePem + inter.certificatePem + leaf.keyPem);
    const result = await run('inspect', path);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/certificate 1 of 2[^\n]*\n {2}subject: +CN=leaf\.test/);
    expect(result.stdout).toMatch(
      /certificate 2 of 2\n {2}subject: +CN=Inspect CA 2\n {2}issuer: +CN=Inspect Root/,
    );
    expect(result.stdout).toMatch(/CA: +yes, pathlen 0/);
    expect(result.stdout).toMatch(/signature: +ecdsa-with-SHA384/);
    expect(result.stdout).toMatch(/ext key usage: +serverAuth, clientAuth/);
    expect(result.stdout).toContain('private key: EC P-256 (PKCS#8)');
    expect(result.stdout).not.toContain('BEGIN');

    // The same file is a whole chain for verify (the key block in it is ignored).
    const rootPath = join(work, 'inspect-root.pem');
    writeFileSync(rootPath, root.certificatePem);
    expect(await run('verify', '--ca', rootPath, '--hostname', 'leaf.test', path)).toEqual({
      code: 0,
      stdout: 'ok: CN=leaf.test\n',
      stderr: '',
    });
    const later = await run('verify', '--ca', rootPath, '--at', '2099-01-01T00:00:00Z', path);
    expect(later.code).toBe(1);
    expect(later.stdout).toMatch(/^error: expired: /);
  });
});
