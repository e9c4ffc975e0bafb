// Session resumption on the command line: `memtls pki ticket-key`, `memtls server --ticket-keys`,
// `memtls client --sess-out/--sess-in/--reconnect` and the summary lines saying "new" or "resumed",
// against memtls servers sharing a key file and against openssl s_server.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOpensslRevServer } from '../adapters/openssl-server.js';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { type Identity, type TestPki, testPki, tlsFlags } from '../helpers/pki.js';

let cli: CliBundle | undefined;
let pki: TestPki;
let serverId: Identity;
let clientId: Identity;

beforeAll(async () => {
  pki = testPki();
  serverId = pki.leaf('p256', 'server');
  clientId = pki.leaf('p256', 'client');
  cli = await bundleCli('memtls-cli-resume-');
}, 120_000);
afterAll(() => cli?.remove());

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A long-running process whose stderr is collected; resolves the first match of `pattern`. */
function start(args: string[]): {
  stderr: () => string;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
} {
  const child = spawn(process.execPath, [cli!.bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return {
    stderr: () => stderr,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}: ${stderr}`)),
          15_000,
        );
        const check = () => {
          const m = stderr.match(pattern);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        };
        child.stderr!.on('data', check);
        check();
      }),
  };
}

/** Run memtls to completion with empty stdin; resolves to { code, stdout, stderr }. */
function memtls(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli!.bin, ...args],
      { timeout: 20_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    running.push(child);
    child.stdin!.end();
  });
}

async function memtlsServer(extra: string[] = []) {
  const server = start(['server', '--port', '0', ...tlsFlags(pki, serverId), ...extra]);
  const [, port] = await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
  return { server, port: Number(port) };
}

const clientArgs = (port: number, extra: string[]) => [
  'client',
  `127.0.0.1:${port}`,
  '--servername',
  'server.test',
  ...tlsFlags(pki, clientId),
  ...extra,
];

describe('memtls CLI session resumption', () => {
  it('pki ticket-key writes 48 secret bytes once; two servers given the file resume each other’s sessions', async () => {
    const keyFile = join(cli!.work, 'ticket.key');
    const made = await memtls(['pki', 'ticket-key', keyFile]);
    expect(made.code).toBe(0);
    expect(readFileSync(keyFile).length).toBe(48);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = await memtls(['pki', 'ticket-key', keyFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    const a = await memtlsServer(['--ticket-keys', keyFile]);
    const b = await memtlsServer(['--ticket-keys', keyFile]);
    const sess = join(cli!.work, 'session.pem');
    const first = await memtls(clientArgs(a.port, ['--sess-out', sess]));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/connected: TLSv1\.2, .*, new\n/);
    expect(readFileSync(sess, 'utf8')).toMatch(/^-----BEGIN MEMTLS SESSION-----\n/);
    expect(statSync(sess).mode & 0o777).toBe(0o600);
    const second = await memtls(clientArgs(b.port, ['--sess-in', sess]));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/connected: TLSv1\.2, .*, resumed\n/);
    await b.server.waitFor(/handshake with .*, resumed\n/);
    // A server with its own (random) ticket key does not resume it.
    const c = await memtlsServer();
    const third = await memtls(clientArgs(c.port, ['--sess-in', sess]));
    expect(third.stderr).toMatch(/connected: .*, new\n/);
  }, 60_000);

  it('--reconnect against openssl s_server: new, then resumed (tickets and -no_ticket)', async () => {
    for (const extra of [[], ['-no_ticket']]) {
      const peer = await startOpensslRevServer(
        { ca: pki.caPath, cert: serverId.certPath, key: serverId.keyPath },
        extra,
      );
      try {
        const r = await memtls(clientArgs(peer.port, ['--reconnect']));
        expect(r.stderr).toMatch(/connected: .*, new\nmemtls: connected: .*, resumed\n/);
      } finally {
        peer.stop();
      }
    }
  }, 60_000);

  it('a file that is not a session or not a ticket key is refused with a message', async () => {
    const bogus = join(cli!.work, 'bogus');
    await memtls(['pki', 'ticket-key', bogus]);
    const r = await memtls(clientArgs(1, ['--sess-in', join(cli!.work, 'ticket.key')]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('holds no MEMTLS SESSION block');
    const s = await memtls([
      'server',
      '--port',
      '0',
      ...tlsFlags(pki, serverId),
      '--ticket-keys',
      pki.caPath,
    ]);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('must hold 48-byte keys');
  }, 30_000);
});
