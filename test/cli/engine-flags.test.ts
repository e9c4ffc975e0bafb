// The flags that reach the engine's options, each run as a command against a real peer (openssl
// s_server / s_client, Python's ssl): --pass in OpenSSL's forms, --allow-cn-fallback,
// --no-verify-hostname, --min-rsa-bits, --ciphers (OpenSSL cipher strings), --groups, --sigalgs,
// --crypto, --max-chain-certificates; errors name flags (more in peer-compat-flags.test.ts).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliUnderTest } from '../helpers/cli-bundle.js';
import { type Identity, type TestPki, testPki } from '../helpers/pki.js';
import { type Proc, run, sServer } from '../helpers/processes.js';

let pki: TestPki;
let encryptedKey: string;
const cli = cliUnderTest('memtls-cli-flags-');
const { memtls } = cli;

beforeAll(() => {
  pki = testPki();
  encryptedKey = join(cli.work, 'server-enc.key');
  execFileSync('openssl', [
    'pkcs8',
    '-topk8',
    '-in',
    pki.leaf('p256', 'server').keyPath,
    '-out',
    encryptedKey,
    '-passout',
    'pass:sekret',
    '-v2',
    'aes-256-cbc',
  ]);
}, 60_000);

/** memtls client to 127.0.0.1:port trusting the test root; stdin closed at once. */
async function client(port: number, extra: string[]): Promise<{ code: number | null; proc: Proc }> {
  const proc = memtls(['client', `127.0.0.1:${port}`, '--ca', pki.caPath, ...extra]);
  proc.child.stdin!.end();
  return { code: await proc.exit(), proc };
}

function serverWith(id: Identity, extra: string[] = []): Promise<{ server: Proc; port: number }> {
  return sServer(['-cert', id.certPath, '-key', id.keyPath, ...extra]);
}

describe('--pass: OpenSSL pass-phrase forms for an encrypted key', () => {
  const serverArgs = () => [
    'server',
    '--port',
    '0',
    '--ca',
    pki.caPath,
    '--cert',
    pki.leaf('p256', 'server').certPath,
    '--key',
    encryptedKey,
    '--client-auth',
    'none',
    '--echo',
  ];

  it('pass: decrypts the key and openssl s_client completes a handshake', async () => {
    const server = memtls([...serverArgs(), '--pass', 'pass:sekret']);
    const [, port] = await server.waitFor('stderr', /listening on 127\.0\.0\.1:(\d+)/);
    const s = run('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-CAfile',
      pki.caPath,
      '-verify_return_error',
      '-quiet',
      '-no_ign_eof',
    ]);
    s.child.stdin!.write('over an encrypted key\n');
    await s.waitFor('stdout', /over an encrypted key/);
    s.child.stdin!.end();
    expect(await s.exit()).toBe(0);
  });

  it('env:, file: and stdin read it too; a wrong one is bad_passphrase; a bare one is a usage error', async () => {
    const passFile = join(cli!.work, 'pass.txt');
    writeFileSync(passFile, 'sekret\nsecond line ignored\n');
    const forms: [string, NodeJS.ProcessEnv | undefined, string | undefined][] = [
      ['env:MEMTLS_TEST_PASS', { ...process.env, MEMTLS_TEST_PASS: 'sekret' }, undefined],
      [`file:${passFile}`, undefined, undefined],
      ['stdin', undefined, 'sekret\n'],
    ];
    for (const [form, env, stdin] of forms) {
      const server = memtls([...serverArgs(), '--pass', form], env);
      if (stdin !== undefined) server.child.stdin!.write(stdin);
      await server.waitFor('stderr', /listening on/);
      server.child.kill('SIGTERM');
      expect(await server.exit()).toBe(0);
    }
    const wrong = memtls([...serverArgs(), '--pass', 'pass:nope']);
    expect(await wrong.exit()).toBe(1);
    expect(wrong.stderr).toMatch(/^memtls: error: bad_passphrase: /m);
    const bare = memtls([...serverArgs(), '--pass', 'sekret']);
    expect(await bare.exit()).toBe(2);
    expect(bare.stderr).toMatch(/--pass takes pass:TEXT, env:VAR, file:PATH, fd:N or stdin/);
    expect(bare.stderr).not.toContain('sekret');
  });

  it('client: -pass stdin takes the first line, the rest of stdin is data (openssl s_server -Verify 1)', async () => {
    const cid = pki.leaf('p256', 'client');
    const clientKey = join(cli!.work, 'client-enc.key');
    execFileSync('openssl', [
      'pkcs8',
      '-topk8',
      '-in',
      cid.keyPath,
      '-out',
      clientKey,
      '-passout',
      'pass:clientpass',
    ]);
    const { server, port } = await serverWith(pki.leaf('p256', 'server'), [
      '-CAfile',
      pki.caPath,
      '-Verify',
      '1',
      '-verify_return_error',
    ]);
    const c = memtls([
      'client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      'server.test',
      '-CAfile',
      pki.caPath,
      '-cert',
      cid.certPath,
      '-key',
      clientKey,
      '-pass',
      'stdin',
    ]);
    c.child.stdin!.write('clientpass\nhello after the passphrase\n');
    await server.waitFor('stdout', /hello after the passphrase/);
    expect(server.stdout).not.toContain('clientpass');
    c.child.stdin!.end();
    expect(await c.exit()).toBe(0);
  });
});

describe('hostname flags', () => {
  it('--allow-cn-fallback: a Common-Name-only certificate is refused naming the flag, accepted with it', async () => {
    const dir = pki.dir;
    const ext = join(dir, 'cn-only.ext');
    writeFileSync(
      ext,
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
        'cn-only.key',
        '-out',
        'cn-only.csr',
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
        'cn-only.csr',
        '-CA',
        'root.pem',
        '-CAkey',
        'root.key',
        '-set_serial',
        '777',
        '-days',
        '30',
        '-out',
        'cn-only.pem',
        '-extfile',
        'cn-only.ext',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    const id = { certPath: join(dir, 'cn-only.pem'), keyPath: join(dir, 'cn-only.key') } as Identity;
    const refused = await serverWith(id);
    const without = await client(refused.port, ['--servername', 'legacy.test']);
    expect(without.code).toBe(1);
    expect(without.proc.stderr).toMatch(
      /hostname_mismatch: .*use --allow-cn-fallback to accept the Common Name/,
    );
    expect(without.proc.stderr).not.toContain('allowCommonNameFallback');
    await refused.server.exit();
    const accepted = await serverWith(id);
    const withFlag = await client(accepted.port, ['--servername', 'legacy.test', '--allow-cn-fallback']);
    expect(withFlag.proc.stderr).toMatch(/memtls: connected: .*CN=legacy\.test/);
    expect(withFlag.code).toBe(0);
  });

  it('--no-verify-hostname: accepts a certificate for another name, with a warning; the chain is still checked', async () => {
    const sid = pki.leaf('p256', 'server');
    const first = await serverWith(sid);
    const strict = await client(first.port, ['--servername', 'other.test']);
    expect(strict.code).toBe(1);
    expect(strict.proc.stderr).toMatch(/hostname_mismatch/);
    await first.server.exit();
    const second = await serverWith(sid);
    const lax = await client(second.port, ['--servername', 'other.test', '--no-verify-hostname']);
    expect(lax.proc.stderr).toMatch(
      /^memtls: warning: --no-verify-hostname: the server's certificate is not checked against 'other\.test'/m,
    );
    expect(lax.proc.stderr).toMatch(/memtls: connected: /);
    expect(lax.code).toBe(0);
    await second.server.exit();
    const third = await serverWith(pki.leaf('p256', 'server', { otherRoot: true }));
    const untrusted = await client(third.port, ['--servername', 'server.test', '--no-verify-hostname']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.proc.stderr).toMatch(/memtls: error: unknown_ca|memtls: error: \w+: .*root/);
  });
});

describe('algorithm flags against openssl s_server', () => {
  it('--min-rsa-bits 3072 refuses a 2048-bit server key, naming the flag', async () => {
    const { server, port } = await serverWith(pki.leaf('rsa2048', 'server'));
    const r = await client(port, ['--servername', 'server.test', '--min-rsa-bits', '3072']);
    expect(r.code).toBe(1);
    expect(r.proc.stderr).toMatch(/2048-bit RSA key, below the 3072 bits required \(--min-rsa-bits\)/);
    await server.exit();
  });

  it('-cipher takes OpenSSL cipher strings: no overlap fails, a matching string connects', async () => {
    const sid = pki.leaf('p256', 'server');
    const first = await serverWith(sid, ['-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305']);
    const gcmOnly = await client(first.port, ['--servername', 'server.test', '-cipher', 'ECDH+AESGCM']);
    expect(gcmOnly.code).toBe(1);
    expect(gcmOnly.proc.stderr).toMatch(/memtls: error: /);
    await first.server.exit();
    const second = await serverWith(sid, ['-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305']);
    const ok = await client(second.port, [
      '--servername',
      'server.test',
      '-cipher',
      'ECDH+AESGCM:ECDH+CHACHA20:!aNULL',
    ]);
    expect(ok.proc.stderr).toMatch(/connected: TLSv1\.2, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,/);
    expect(ok.code).toBe(0);
  });

  it('--ciphers RSA selects only suites memtls does not have: the error lists them', async () => {
    const r = await client(1, ['--ciphers', 'RSA']);
    expect(r.code).toBe(1);
    expect(r.proc.stderr).toMatch(
      /bad_config: cipher string 'RSA' selects \d+ suites, none of which memtls speaks: AES256-GCM-SHA384 \(RSA key exchange, no forward secrecy\)/,
    );
  });

  it('-groups with a colon list and -sigalgs with OpenSSL names reach the ClientHello and the server', async () => {
    const { server, port } = await serverWith(pki.leaf('p256', 'server'));
    const r = await client(port, [
      '--servername',
      'server.test',
      '-groups',
      'P-384:P-256:X25519',
      '-sigalgs',
      'ECDSA+SHA384:RSA-PSS+SHA256',
      '--trace',
    ]);
    expect(r.proc.stderr).toMatch(
      /^>>> ClientHello .* groups=\[secp384r1,secp256r1,x25519\] sigalgs=\[ecdsa_secp384r1_sha384,rsa_pss_rsae_sha256\] /m,
    );
    expect(r.proc.stderr).toMatch(/^<<< ServerKeyExchange group=secp384r1 sigalg=ecdsa_secp384r1_sha384 /m);
    expect(r.code).toBe(0);
    await server.exit();
  });

  it('--crypto node: a handshake on the node:crypto provider', async () => {
    const { server, port } = await serverWith(pki.leaf('rsa2048', 'server'));
    const r = await client(port, ['--servername', 'server.test', '--crypto', 'node']);
    expect(r.proc.stderr).toMatch(/connected: TLSv1\.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,/);
    expect(r.code).toBe(0);
    await server.exit();
  });

  it('--max-chain-certificates 1 refuses a two-certificate chain, naming the flag', async () => {
    const { server, port } = await serverWith(pki.leaf('p256', 'server'), ['-cert_chain', pki.caPath]);
    const r = await client(port, ['--servername', 'server.test', '--max-chain-certificates', '1']);
    expect(r.code).toBe(1);
    expect(r.proc.stderr).toMatch(
      /the peer sent 2 certificates; at most 1 are accepted \(the --max-chain-certificates option raises the bound\)/,
    );
    await server.exit();
  });
});
