// `memtls pki revoke` → `memtls pki crl` → `--crl` (RFC 5280 §5, §6.3) against OpenSSL: `openssl crl`
// accepts our CRL, `openssl verify -crl_check` agrees with `memtls verify --crl`, `openssl ca -gencrl`
// CRLs work in memtls, and real handshakes with openssl s_client / s_server end in certificate_revoked.

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { opensslCa } from '../helpers/openssl-ca.js';
import { opensslVerify } from '../helpers/pki.js';

let cli: CliBundle | undefined;
let bin: string;
let pki: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function memtls(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** `openssl crl -in CRL -CAfile CA -noout`: its verdict line ("verify OK" / "verify failure"). */
function opensslCrlCheck(crl: string, ca: string): string {
  try {
    execFileSync('openssl', ['crl', '-in', crl, '-CAfile', ca, '-noout'], {
      stdio: 'pipe',
      encoding: 'utf8',
    });
    return 'verify OK';
  } catch (error) {
    return `failed: ${(error as { stderr?: string }).stderr ?? ''}`;
  }
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Proc {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

function run(command: string, args: string[]): Proc {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => {
    out.stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out.stderr += d.toString();
  });
  return {
    child,
    out,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    waitFor(stream, pattern) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`timed out waiting for ${pattern}; stdout ${out.stdout} stderr ${out.stderr}`)),
          15_000,
        );
        const check = () => {
          const match = out[stream].match(pattern);
          if (!match) return;
          clearTimeout(timer);
          child[stream]!.off('data', check);
          resolve(match);
        };
        child[stream]!.on('data', check);
        check();
      });
    },
  };
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const p = (file: string) => join(pki, file);

beforeAll(async () => {
  cli = await bundleCli('memtls-cli-crl-');
  bin = cli.bin;
  pki = join(cli.work, 'pki');
  for (const args of [
    ['pki', 'init', pki],
    ['pki', 'issue', pki, '--cn', 'server.test'],
    ['pki', 'issue', pki, '--cn', 'revoked.test'],
    ['pki', 'issue', pki, '--cn', 'device-1', '--usage', 'client'],
    ['pki', 'issue', pki, '--cn', 'device-2', '--usage', 'client'],
  ]) {
    const r = await memtls(...args);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  const revoke = await memtls('pki', 'revoke', pki, 'device-1', '--reason', 'keyCompromise');
  expect(revoke.code).toBe(0);
  expect(revoke.stdout).toMatch(/revoked CN=device-1 \(serial [0-9a-f]+\).*memtls pki crl/);
  expect((await memtls('pki', 'revoke', pki, p('revoked.test.pem'))).code).toBe(0);
  const crl = await memtls('pki', 'crl', pki, '--days', '7');
  expect(crl.code).toBe(0);
  expect(crl.stdout).toMatch(/wrote .*crl\.pem: CRL number 1, 2 revoked certificates/);
}, 120_000);

afterAll(() => cli?.remove());

describe('memtls pki revoke / pki crl', () => {
  it('writes DIR/crl.pem that `openssl crl -CAfile DIR/ca.pem` accepts, listing the serials', () => {
    expect(opensslCrlCheck(p('crl.pem'), p('ca.pem'))).toBe('verify OK');
    const text = execFileSync('openssl', ['crl', '-in', p('crl.pem'), '-noout', '-text'], {
      encoding: 'utf8',
    });
    expect(text).toMatch(/Key Compromise/);
    expect(text.match(/Serial Number:/g)).toHaveLength(2);
    expect(readFileSync(p('revoked.txt'), 'utf8')).toMatch(/\tkeyCompromise\tCN=device-1\n/);
    expect(readFileSync(p('crlnumber'), 'utf8')).toBe('02\n');
  });

  it('revoking twice says so; a certificate of another CA or a missing name is refused', async () => {
    const again = await memtls('pki', 'revoke', pki, 'device-1');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already revoked since/);
    const ca = opensslCa();
    const foreign = ca.issue('foreign.test', 'client');
    const refused = await memtls('pki', 'revoke', pki, foreign.certPath);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad_argument: .* was not issued by the CA of/);
    const missing = await memtls('pki', 'revoke', pki, 'nobody');
    expect(missing.stderr).toMatch(/file_not_found: no certificate 'nobody'/);
  });
});

describe('usage errors (exit 2, with the usage)', () => {
  it('pki revoke needs DIR and NAME and a known reason; pki crl one DIR and whole --days', async () => {
    for (const [argv, message] of [
      [['pki', 'revoke', 'd'], /needs DIR and NAME/],
      [
        ['pki', 'revoke', 'd', 'x', '--reason', 'stolen'],
        /--reason must be one of unspecified, keyCompromise/,
      ],
      [['pki', 'crl'], /exactly one DIR/],
      [['pki', 'crl', 'd', '--days', '0'], /--days must be a whole number/],
    ] as const) {
      let stderr = '';
      const code = await runCli(argv, {
        out: () => {},
        err: (text) => {
          stderr += text;
        },
      });
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain('memtls pki revoke DIR NAME');
    }
  });
});

describe('memtls verify --crl agrees with openssl verify -crl_check', () => {
  for (const [file, usage, revoked] of [
    ['device-1.pem', 'client', true],
    ['device-2.pem', 'client', false],
    ['revoked.test.pem', 'server', true],
    ['server.test.pem', 'server', false],
  ] as const) {
    it(`${file}: ${revoked ? 'revoked' : 'good'}`, async () => {
      const ours = await memtls(
        'verify',
        '--ca',
        p('ca.pem'),
        '--crl',
        p('crl.pem'),
        '--usage',
        usage,
        p(file),
      );
      const theirs = opensslVerify(pki, ['-crl_check', '-CAfile', 'ca.pem', '-CRLfile', 'crl.pem', file]);
      expect(ours.code === 0).toBe(theirs.ok);
      expect(theirs.ok).toBe(!revoked);
      if (revoked) {
        expect(theirs.errors).toContain(23); // X509_V_ERR_CERT_REVOKED
        expect(ours.stdout).toMatch(/^error: revoked: certificate '.*' \(serial [0-9a-f]+\) was revoked/);
      } else {
        expect(ours.stdout).toMatch(/^ok: /);
      }
    });
  }

  it('with a CRL from `openssl ca -gencrl`, too', async () => {
    const ca = opensslCa();
    const bad = ca.issue('bad.client', 'client');
    const good = ca.issue('good.client', 'client');
    ca.revoke(bad.certPath, 'keyCompromise');
    const crl = ca.gencrl();
    for (const [leaf, revoked] of [
      [bad.certPath, true],
      [good.certPath, false],
    ] as const) {
      const ours = await memtls('verify', '--ca', ca.caPath, '--crl', crl.path, '--usage', 'client', leaf);
      const theirs = opensslVerify(ca.dir, ['-crl_check', '-CAfile', ca.caPath, '-CRLfile', crl.path, leaf]);
      expect(ours.code === 0).toBe(theirs.ok);
      expect(ours.code).toBe(revoked ? 1 : 0);
    }
  });

  it('a CRL from neither the root nor an intermediate of the chain is an error', async () => {
    const other = opensslCa().gencrl();
    const r = await memtls(
      'verify',
      '--ca',
      p('ca.pem'),
      '--crl',
      other.path,
      '--usage',
      'client',
      p('device-2.pem'),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /error: bad_config: the CRL .* is issued by 'O=memtls tests, CN=openssl ca root', which is neither/,
    );
  });
});

describe('handshakes with OpenSSL and --crl', () => {
  it('memtls server --crl refuses openssl s_client presenting a revoked certificate (certificate_revoked)', async () => {
    const server = run(process.execPath, [
      bin,
      'server',
      '--port',
      '0',
      '--ca',
      p('ca.pem'),
      '--cert',
      p('server.test.pem'),
      '--key',
      p('server.test.key'),
      '--crl',
      p('crl.pem'),
      '--echo',
    ]);
    const [, port] = await server.waitFor('stderr', /listening on 127\.0\.0\.1:(\d+)/);
    const sClient = (device: string) =>
      run('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-tls1_2',
        '-servername',
        'server.test',
        '-CAfile',
        p('ca.pem'),
        '-verify_return_error',
        '-cert',
        p(`${device}.pem`),
        '-key',
        p(`${device}.key`),
        '-quiet',
        '-no_ign_eof',
      ]);
    const refused = sClient('device-1');
    refused.child.stdin!.end('hello\n');
    await server.waitFor(
      'stderr',
      /handshake failed with 127\.0\.0\.1:\d+: revoked: certificate 'CN=device-1'/,
    );
    expect(await refused.exited).not.toBe(0);
    expect(refused.out.stderr).toMatch(/alert certificate revoked/);
    const accepted = sClient('device-2');
    accepted.child.stdin!.write('hello from device-2\n');
    await accepted.waitFor('stdout', /hello from device-2/);
    accepted.child.stdin!.end();
    expect(await accepted.exited).toBe(0);
  });

  it('memtls client --crl refuses an openssl s_server whose certificate is revoked', async () => {
    const port = await freePort();
    const sServer = run('openssl', [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-cert',
      p('revoked.test.pem'),
      '-key',
      p('revoked.test.key'),
      '-naccept',
      '1',
    ]);
    await sServer.waitFor('stdout', /ACCEPT/);
    const client = run(process.execPath, [
      bin,
      'client',
      `127.0.0.1:${port}`,
      '--servername',
      'revoked.test',
      '--ca',
      p('ca.pem'),
      '--crl',
      p('crl.pem'),
      '--quiet',
    ]);
    expect(await client.exited).toBe(1);
    expect(client.out.stderr).toMatch(/^memtls: error: revoked: certificate 'CN=revoked\.test'/m);
    await sServer.waitFor('stderr', /alert certificate revoked/);
  });
});
