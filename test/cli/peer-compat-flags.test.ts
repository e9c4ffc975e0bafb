// The flags for peers that need leniency, run as commands: --no-require-ems against a Python ssl server
// without extended master secret (RFC 7627), --handshake-timeout against a silent server, and
// --allow-truncation against a node:tls server that closes without close_notify; errors name flags.

import * as net from 'node:net';
import * as tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliUnderTest } from '../helpers/cli-bundle.js';
import { type TestPki, testPki } from '../helpers/pki.js';
import { type Proc, run } from '../helpers/processes.js';

let pki: TestPki;
const cli = cliUnderTest('memtls-cli-compat-');
const { memtls } = cli;

beforeAll(() => {
  pki = testPki();
}, 60_000);

/** memtls client to 127.0.0.1:port trusting the test root; stdin closed at once. */
async function client(port: number, extra: string[]): Promise<{ code: number | null; proc: Proc }> {
  const proc = memtls(['client', `127.0.0.1:${port}`, '--ca', pki.caPath, ...extra]);
  proc.child.stdin!.end();
  return { code: await proc.exit(), proc };
}

describe('--no-require-ems against a Python ssl server without extended master secret', () => {
  const script = `
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
ctx.options |= 1  # SSL_OP_NO_EXTENDED_MASTER_SECRET (OpenSSL 3: bit 0)
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
try:
    t = ctx.wrap_socket(c, server_side=True)
    t.sendall(b'no ems\\n'); t.unwrap()
except Exception as e:
    print('server:', e, flush=True)
`;
  async function pythonServer(): Promise<{ proc: Proc; port: number }> {
    const sid = pki.leaf('p256', 'server');
    const proc = run('python3', ['-c', script, sid.certPath, sid.keyPath]);
    const [, port] = await proc.waitFor('stdout', /^(\d+)\n/);
    return { proc, port: Number(port) };
  }

  it('refused by default, naming the flag; accepted with it', async () => {
    const first = await pythonServer();
    const strict = await client(first.port, ['--servername', 'server.test']);
    expect(strict.code).toBe(1);
    expect(strict.proc.stderr).toMatch(
      /extended_master_secret_required: .*use --no-require-ems to let an old server in/,
    );
    const second = await pythonServer();
    const lax = await client(second.port, ['--servername', 'server.test', '--no-require-ems']);
    expect(lax.proc.stdout).toBe('no ems\n');
    expect(lax.code).toBe(0);
  });
});

describe('transport flags', () => {
  it('--handshake-timeout: a server that never answers fails the client within the time', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const r = await client((silent.address() as net.AddressInfo).port, [
        '--servername',
        'server.test',
        '--handshake-timeout',
        '300',
      ]);
      expect(r.code).toBe(1);
      expect(r.proc.stderr).toMatch(/memtls: error: handshake_timeout: /);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.close();
    }
  });

  it('--allow-truncation: a server that closes without close_notify after the handshake ends the data (exit 0)', async () => {
    const sid = pki.leaf('p256', 'server');
    const server = tls.createServer({ key: sid.key, cert: sid.cert, maxVersion: 'TLSv1.2' }, (socket) => {
      socket.on('error', () => {});
      socket.write('cut short\n', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      // stdin stays open: a close_notify of ours could make the server's close a reset.
      const args = ['client', `127.0.0.1:${port}`, '--ca', pki.caPath, '--servername', 'server.test'];
      const strict = memtls(args);
      expect(await strict.exit()).toBe(1);
      expect(strict.stderr).toMatch(/unexpected_eof: .*\(--allow-truncation accepts this\)/);
      const lax = memtls([...args, '--allow-truncation']);
      expect(await lax.exit()).toBe(0);
      expect(lax.stdout).toBe('cut short\n');
    } finally {
      server.close();
    }
  });
});
