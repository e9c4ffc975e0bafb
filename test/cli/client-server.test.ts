// `memtls server` and `memtls client` as spawned processes (bin/memtls over an esbuild bundle of
// src/cli) against `openssl s_client` / `openssl s_server`, TLS 1.2 with client certificates, for an
// ECDSA and an RSA certificate.

import { readFileSync } from 'node:fs';
import type * as net from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../helpers/cli-bundle.js';
import { type Identity, type KeyKind, type TestPki, testPki, tlsFlags } from '../helpers/pki.js';
import { freePort, killAll, type Proc, run } from '../helpers/processes.js';

let work: string;
let bin: string;
let pki: TestPki;

let cli: CliBundle | undefined;

beforeAll(async () => {
  pki = testPki();
  cli = await bundleCli('memtls-cli-tls-');
  work = cli.work;
  bin = cli.bin;
}, 120_000);

afterAll(() => cli?.remove());

afterEach(killAll);

function memtlsServer(id: Identity, extra: string[] = []): Proc {
  return run(process.execPath, [bin, 'server', '--port', '0', ...tlsFlags(pki, id), ...extra]);
}

const KINDS: [KeyKind, string][] = [
  ['p256', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'],
  ['rsa2048', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
];

describe('memtls server --echo ↔ openssl s_client', () => {
  for (const [kind, suite] of KINDS) {
    it(`${kind}: mutual TLS 1.2, echo, close_notify at EOF`, async () => {
      const server = memtlsServer(pki.leaf(kind, 'server'), ['--echo']);
      const [, port] = await server.waitFor('stderr', /listening on 127\.0\.0\.1:(\d+)/);
      const id = pki.leaf(kind, 'client');
      const client = run('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-tls1_2',
        '-servername',
        'server.test',
        '-CAfile',
        pki.caPath,
        '-verify_return_error',
        '-verify_hostname',
        'server.test',
        '-cert',
        id.certPath,
        '-key',
        id.keyPath,
        '-quiet',
        '-no_ign_eof',
      ]);
      client.child.stdin!.write('hello memtls\n');
      await client.waitFor('stdout', /hello memtls/);
      client.child.stdin!.end();
      expect(await client.exit(10_000)).toBe(0);
      const [line] = await server.waitFor('stderr', /handshake with .*\n/);
      expect(line).toContain(suite);
      expect(line).toContain('CN=client.test');
      expect(line).toContain('DNS:client.test');
      server.child.kill('SIGTERM');
      expect(await server.exit(10_000)).toBe(0);
    });
  }

  it('logs a failed handshake with its code (client without a certificate)', async () => {
    const server = memtlsServer(pki.leaf('p256', 'server'));
    const [, port] = await server.waitFor('stderr', /listening on 127\.0\.0\.1:(\d+)/);
    const client = run('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-CAfile',
      pki.caPath,
      '-quiet',
      '-no_ign_eof',
    ]);
    client.child.stdin!.end();
    await server.waitFor('stderr', /handshake failed with 127\.0\.0\.1:\d+: certificate_required: /);
    await client.exit(10_000);
  });
});

describe('memtls client ↔ openssl s_server -Verify 1', () => {
  for (const [kind, suite] of KINDS) {
    it(`${kind}: mutual TLS 1.2, data both ways, exit 0 after close`, async () => {
      const port = await freePort();
      const sid = pki.leaf(kind, 'server');
      const server = run('openssl', [
        's_server',
        '-accept',
        `127.0.0.1:${port}`,
        '-tls1_2',
        '-cert',
        sid.certPath,
        '-key',
        sid.keyPath,
        '-CAfile',
        pki.caPath,
        '-Verify',
        '1',
        '-verify_return_error',
        '-naccept',
        '1',
      ]);
      await server.waitFor('stdout', /ACCEPT/);
      const id = pki.leaf(kind, 'client');
      const client = run(process.execPath, [
        bin,
        'client',
        `127.0.0.1:${port}`,
        '--servername',
        'server.test',
        ...tlsFlags(pki, id),
        '--keylog',
        join(work, `keylog-${kind}.txt`),
      ]);
      const [summary] = await client.waitFor('stderr', /connected: .*\n/);
      expect(summary).toContain('TLSv1.2');
      expect(summary).toContain(suite);
      expect(summary).toContain('CN=server.test');
      client.child.stdin!.write('hello from memtls\n');
      await server.waitFor('stdout', /hello from memtls/);
      server.child.stdin!.write('hello from openssl\n');
      await client.waitFor('stdout', /hello from openssl/);
      client.child.stdin!.end(); // close_notify; s_server answers and exits (-naccept 1)
      expect(await client.exit(10_000)).toBe(0);
      expect(readFileSync(join(work, `keylog-${kind}.txt`), 'utf8')).toMatch(
        /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}\n$/,
      );
      await server.exit(10_000);
    });
  }

  it('fails with "memtls: error: CODE: message" and exit 1 on a hostname mismatch', async () => {
    const server = memtlsServer(pki.leaf('p256', 'server'));
    const [, port] = await server.waitFor('stderr', /listening on 127\.0\.0\.1:(\d+)/);
    const id = pki.leaf('p256', 'client');
    const client = run(process.execPath, [
      bin,
      'client',
      `127.0.0.1:${port}`,
      '--servername',
      'wrong.test',
      ...tlsFlags(pki, id),
      '--quiet',
    ]);
    expect(await client.exit(10_000)).toBe(1);
    expect(client.stderr).toMatch(/^memtls: error: hostname_mismatch: .*wrong\.test/m);
    await server.waitFor('stderr', /handshake failed with .*: bad_certificate: /);
  });
});

describe('openssl s_client -sigalgs → memtls server (a TLS 1.2 ECDSA hash is not tied to the curve)', () => {
  /** `openssl s_client -tls1_2 -sigalgs SIGALGS` against a P-256 memtls server; both processes. */
  async function sClientWith(sigalgs: string): Promise<{ server: Proc; client: Proc; code: number | null }> {
    const server = memtlsServer(pki.leaf('p256', 'server'), ['--client-auth', 'none', '--echo']);
    const [, port] = await server.waitFor('stderr', /listening on 127\.0\.0\.1:(\d+)/);
    const client = run('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-sigalgs',
      sigalgs,
      '-servername',
      'server.test',
      '-CAfile',
      pki.caPath,
      '-verify_return_error',
      '-no_ign_eof',
    ]);
    client.child.stdin!.end();
    const code = await client.exit(10_000);
    return { server, client, code };
  }

  it('ECDSA+SHA512 only: the P-256 server signs with SHA-512 and OpenSSL verifies it', async () => {
    const { client, code } = await sClientWith('ECDSA+SHA512');
    expect(code).toBe(0);
    expect(client.stdout).toMatch(/Peer signing digest: SHA512/);
    expect(client.stdout).toMatch(/Peer signature type: ECDSA/);
    expect(client.stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });

  it('ECDSA+SHA224 only: a clean handshake_failure naming the refused scheme', async () => {
    const { server, client, code } = await sClientWith('ECDSA+SHA224');
    expect(code).not.toBe(0);
    expect(client.stderr).toMatch(/alert handshake failure/);
    await server.waitFor('stderr', /handshake failed with .*: no_common_signature_scheme: .*ecdsa_sha224/);
  });
});

describe('memtls client: a server that closes without close_notify', () => {
  /** A node:tls server that sends `text` after the handshake, then closes with or without close_notify. */
  async function nodeTlsServer(text: string, closeNotify: boolean): Promise<{ port: number; stop(): void }> {
    const id = pki.leaf('p256', 'server');
    const server = tls.createServer({ key: id.key, cert: id.cert, maxVersion: 'TLSv1.2' }, (socket) => {
      socket.on('error', () => {});
      if (closeNotify) socket.end(text);
      else socket.write(text, () => socket.destroy()); // destroy() sends no close_notify
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as net.AddressInfo).port, stop: () => server.close() };
  }

  function memtlsClient(port: number): Proc {
    return run(process.execPath, [
      bin,
      'client',
      `127.0.0.1:${port}`,
      '--servername',
      'server.test',
      '--ca',
      pki.caPath,
    ]);
  }

  it('exits 1 with "memtls: error: unexpected_eof: …" after the data it got; 0 after a real close_notify', async () => {
    const cut = await nodeTlsServer('partial\n', false);
    try {
      const client = memtlsClient(cut.port);
      expect(await client.exit(10_000)).toBe(1);
      expect(client.stdout).toBe('partial\n');
      expect(client.stderr).toMatch(/^memtls: error: unexpected_eof: .*close_notify/m);
    } finally {
      cut.stop();
    }
    const clean = await nodeTlsServer('complete\n', true);
    try {
      const client = memtlsClient(clean.port);
      expect(await client.exit(10_000)).toBe(0);
      expect(client.stdout).toBe('complete\n');
      expect(client.stderr).not.toMatch(/error/);
    } finally {
      clean.stop();
    }
  });
});
