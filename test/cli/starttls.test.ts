// `--starttls smtp|line`: memtls client through an SMTP dialogue (RFC 3207) to a node:tls server on the
// same socket, memtls server answering `openssl s_client -starttls smtp`, and the line protocol
// between memtls client and memtls server; a server that does not offer STARTTLS is refused.

import * as net from 'node:net';
import * as tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliUnderTest } from '../helpers/cli-bundle.js';
import { type TestPki, testPki, tlsFlags } from '../helpers/pki.js';
import { run } from '../helpers/processes.js';

let pki: TestPki;
const cli = cliUnderTest('memtls-cli-starttls-');
const { memtls, listen } = cli;

beforeAll(() => {
  pki = testPki();
}, 60_000);

/** A minimal SMTP server: greeting, EHLO (offering STARTTLS unless told not to), then node:tls. */
async function smtpServer(
  offerStartTls: boolean,
): Promise<{ port: number; commands: string[]; close(): void }> {
  const sid = pki.leaf('p256', 'server');
  const commands: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.write('220-mail.test ESMTP\r\n220 second greeting line\r\n');
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        commands.push(line);
        if (/^EHLO /i.test(line)) {
          socket.write(
            `250-mail.test\r\n250-SIZE 1000000\r\n${offerStartTls ? '250-STARTTLS\r\n' : ''}250 8BITMIME\r\n`,
          );
        } else if (/^STARTTLS$/i.test(line)) {
          socket.off('data', onData);
          socket.write('220 2.0.0 Ready to start TLS\r\n');
          const secure = new tls.TLSSocket(socket, {
            isServer: true,
            key: sid.key,
            cert: sid.cert,
            maxVersion: 'TLSv1.2',
          });
          secure.on('error', () => {});
          secure.on('secure', () => secure.write('250 hello over TLS\r\n'));
          secure.on('data', (d: Buffer) => {
            if (d.toString().startsWith('QUIT')) secure.end('221 bye\r\n');
          });
          return;
        } else socket.write('502 5.5.2 what?\r\n');
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, commands, close: () => server.close() };
}

describe('memtls client --starttls smtp → an SMTP server that upgrades with node:tls', () => {
  it('runs EHLO and STARTTLS, then TLS on the same socket', async () => {
    const smtp = await smtpServer(true);
    try {
      const client = memtls([
        'client',
        '-connect',
        `127.0.0.1:${smtp.port}`,
        '-starttls',
        'smtp',
        '-servername',
        'server.test',
        '-CAfile',
        pki.caPath,
      ]);
      await client.waitFor('stdout', /250 hello over TLS/);
      client.child.stdin!.write('QUIT\r\n');
      await client.waitFor('stdout', /221 bye/);
      client.child.stdin!.end();
      expect(await client.exit()).toBe(0);
      expect(client.stderr).toMatch(/STARTTLS: 220 2\.0\.0 Ready to start TLS/);
      expect(client.stderr).toMatch(/memtls: connected: TLSv1\.2, .*CN=server\.test/);
      expect(smtp.commands).toEqual(['EHLO memtls.invalid', 'STARTTLS']);
    } finally {
      smtp.close();
    }
  });

  it('refuses a server whose EHLO reply does not offer STARTTLS', async () => {
    const smtp = await smtpServer(false);
    try {
      const client = memtls([
        'client',
        `127.0.0.1:${smtp.port}`,
        '--starttls',
        'smtp',
        '--servername',
        'server.test',
        '--ca',
        pki.caPath,
      ]);
      expect(await client.exit()).toBe(1);
      expect(client.stderr).toMatch(
        /memtls: error: starttls_failed: STARTTLS: the SMTP server does not offer STARTTLS/,
      );
      expect(smtp.commands).toEqual(['EHLO memtls.invalid']);
    } finally {
      smtp.close();
    }
  });
});

describe('memtls server --starttls', () => {
  it('smtp: openssl s_client -starttls smtp gets through EHLO/STARTTLS and completes mutual TLS', async () => {
    const sid = pki.leaf('p256', 'server');
    const cid = pki.leaf('p256', 'client');
    const { server, port } = await listen([...tlsFlags(pki, sid), '--starttls', 'smtp', '--echo']);
    const client = run('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-starttls',
      'smtp',
      '-tls1_2',
      '-servername',
      'server.test',
      '-CAfile',
      pki.caPath,
      '-verify_return_error',
      '-cert',
      cid.certPath,
      '-key',
      cid.keyPath,
      '-quiet',
      '-no_ign_eof',
    ]);
    client.child.stdin!.write('echo over smtp starttls\n');
    await client.waitFor('stdout', /echo over smtp starttls/);
    client.child.stdin!.end();
    expect(await client.exit()).toBe(0);
    await server.waitFor('stderr', /handshake with 127\.0\.0\.1:\d+: TLSv1\.2, .*CN=client\.test/);
    server.child.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
  });

  it('line: memtls client --starttls line ↔ memtls server --starttls line -quiet', async () => {
    const sid = pki.leaf('p256', 'server');
    const cid = pki.leaf('p256', 'client');
    const { server, port } = await listen([...tlsFlags(pki, sid), '--starttls', 'line', '--echo', '-quiet']);
    const client = memtls([
      'client',
      `127.0.0.1:${port}`,
      '--starttls',
      'line',
      '--servername',
      'server.test',
      ...tlsFlags(pki, cid),
    ]);
    client.child.stdin!.write('echo over line starttls\n');
    await client.waitFor('stdout', /echo over line starttls/);
    client.child.stdin!.end();
    expect(await client.exit()).toBe(0);
    expect(client.stderr).toMatch(/STARTTLS: greeting 'memtls: send STARTTLS'/);
    expect(client.stderr).toMatch(/STARTTLS: reply 'READY'/);
    server.child.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
    expect(server.stderr).not.toMatch(/handshake with/); // -quiet: no line per handshake
  });

  it('smtp: a client that never sends STARTTLS is told to (530) and logged when it quits', async () => {
    const sid = pki.leaf('p256', 'server');
    const { server, port } = await listen([...tlsFlags(pki, sid), '--starttls', 'smtp']);
    const socket = net.connect(Number(port), '127.0.0.1');
    let seen = '';
    socket.on('data', (d: Buffer) => {
      seen += d.toString();
    });
    socket.write('MAIL FROM:<a@b>\r\nQUIT\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    expect(seen).toMatch(
      /^220 memtls ESMTP ready\r\n530 5\.7\.0 Must issue a STARTTLS command first\r\n221 2\.0\.0 Bye\r\n$/,
    );
    await server.waitFor(
      'stderr',
      /handshake failed with unknown peer: starttls_failed: STARTTLS: the client quit before STARTTLS/,
    );
  });
});
