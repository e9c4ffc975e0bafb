// `memtls server` with --cert/--key given twice (pairs in order), against `openssl s_client`: the
// certificate that names the client's SNI, the first for other names, and the line it logs.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { type TestPki, testPki, tlsFlags } from '../helpers/pki.js';

let pki: TestPki;
let cli: CliBundle | undefined;
const running: ChildProcess[] = [];

beforeAll(async () => {
  pki = testPki();
  cli = await bundleCli('memtls-cli-certs-');
}, 120_000);

afterAll(() => cli?.remove());
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function sClient(port: number, serverName: string): Promise<string> {
  const client = pki.leaf('p256', 'client');
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-tls1_2',
        '-servername',
        serverName,
        '-CAfile',
        pki.caPath,
        '-cert',
        client.certPath,
        '-key',
        client.keyPath,
      ],
      { timeout: 15_000, killSignal: 'SIGKILL' },
      (_e, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
    child.stdin!.end();
  });
}

describe('memtls server --cert A --key A --cert B --key B', () => {
  it('serves a.test the ECDSA a.test certificate, b.test the RSA b.test one, other names the first', async () => {
    const a = pki.leaf('p256', 'server', { cn: 'a.test' });
    const b = pki.leaf('rsa2048', 'server', { cn: 'b.test' });
    const server = spawn(
      process.execPath,
      [cli!.bin, 'server', '--port', '0', ...tlsFlags(pki, a)].concat([
        '--cert',
        b.certPath,
        '--key',
        b.keyPath,
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.push(server);
    let stderr = '';
    server.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${stderr}`)), 15_000);
      server.stderr!.on('data', () => {
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    expect(await sClient(port, 'a.test')).toMatch(/subject=.*CN = a\.test[\s\S]*Peer signature type: ECDSA/);
    expect(await sClient(port, 'b.test')).toMatch(
      /subject=.*CN = b\.test[\s\S]*Peer signature type: RSA-PSS/,
    );
    expect(await sClient(port, 'c.test')).toMatch(/subject=.*CN = a\.test/);
    await new Promise((r) => setTimeout(r, 200));
    expect(stderr).toMatch(
      /handshake with .*, SNI b\.test, our certificate O=memtls tests, CN=b\.test, new\n/,
    );
  }, 60_000);

  it('refuses unpaired --cert/--key with a usage error', async () => {
    const a = pki.leaf('p256', 'server', { cn: 'a.test' });
    const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [cli!.bin, 'server', '--port', '0', ...tlsFlags(pki, a), '--cert', a.certPath],
        { timeout: 15_000 },
        (error, _stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
      running.push(child);
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--cert and --key go in pairs');
  }, 30_000);
});
