// `memtls client/server --trace` and `--showcerts` (and OpenSSL spellings of them) against openssl
// s_server and s_client: one line per handshake message and alert, the peer's chain with its details
// and PEM as openssl has it.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliUnderTest } from '../helpers/cli-bundle.js';
import { type TestPki, testPki } from '../helpers/pki.js';
import { run, sServer } from '../helpers/processes.js';

let pki: TestPki;
const cli = cliUnderTest('memtls-cli-trace-');
const { memtls } = cli;

beforeAll(() => {
  pki = testPki();
}, 60_000);

describe('memtls client -msg -showcerts (OpenSSL spellings) ↔ openssl s_server -Verify 1', () => {
  it('traces every message both ways and prints the chain the server sent, with details and PEM', async () => {
    const sid = pki.leaf('p256', 'server');
    const cid = pki.leaf('p256', 'client');
    const { server, port } = await sServer([
      '-cert',
      sid.certPath,
      '-key',
      sid.keyPath,
      '-cert_chain',
      pki.caPath,
      '-CAfile',
      pki.caPath,
      '-Verify',
      '1',
    ]);
    const client = memtls([
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
      cid.keyPath,
      '-msg',
      '-showcerts',
    ]);
    await client.waitFor('stderr', /memtls: connected/);
    client.child.stdin!.end();
    expect(await client.exit()).toBe(0);
    const trace = client.stderr.split('\n').filter((l) => /^(>>>|<<<) /.test(l));
    const names = trace.map((l) => l.split(' ').slice(0, 2).join(' '));
    // openssl s_server issues a session ticket (RFC 5077): NewSessionTicket comes before its ChangeCipherSpec.
    expect(names.slice(0, 14)).toEqual([
      '>>> ClientHello',
      '<<< ServerHello',
      '<<< Certificate',
      '<<< ServerKeyExchange',
      '<<< CertificateRequest',
      '<<< ServerHelloDone',
      '>>> Certificate',
      '>>> ClientKeyExchange',
      '>>> CertificateVerify',
      '>>> ChangeCipherSpec',
      '>>> Finished',
      '<<< NewSessionTicket',
      '<<< ChangeCipherSpec',
      '<<< Finished',
    ]);
    expect(trace[11]).toMatch(/^<<< NewSessionTicket lifetime_hint=\d+s ticket=\d+ bytes len=\d+$/);
    expect(trace[0]).toMatch(
      /^>>> ClientHello suites=\[TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,.*\] groups=\[x25519,secp256r1,secp384r1\] sigalgs=\[.*\] sni=server\.test alpn=none ems=yes len=\d+$/,
    );
    expect(trace[1]).toMatch(
      /^<<< ServerHello suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ems=yes alpn=none secure_renegotiation=yes/,
    );
    expect(trace[2]).toMatch(/^<<< Certificate 2 certs leaf CN=server\.test len=\d+$/);
    expect(trace[4]).toMatch(/^<<< CertificateRequest types=\[.*ecdsa_sign.*\] sigalgs=\[.*\] cas=1/);
    expect(trace[6]).toMatch(/^>>> Certificate 1 cert leaf CN=client\.test/);
    expect(client.stderr).toMatch(/^>>> Alert warning close_notify$/m);

    // The chain on stdout: the two certificates s_server sent, each as openssl has it.
    const pems = client.stdout.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
    const norm = (pem: string) => pem.replace(/\s+/g, '');
    expect(pems.map(norm)).toEqual([norm(readFileSync(sid.certPath, 'utf8')), norm(pki.ca)]);
    expect(client.stdout).toMatch(/Certificate chain \(2 as sent by the server, leaf first\)/);
    expect(client.stdout).toMatch(/ 0 s:O=memtls tests, CN=server\.test\n {3}i:O=memtls tests, CN=root CA/);
    expect(client.stdout).toMatch(/SANs: +DNS:server\.test/);
    expect(client.stdout).toMatch(/key: +EC P-256/);
    const fingerprint = execFileSync(
      'openssl',
      ['x509', '-in', sid.certPath, '-noout', '-fingerprint', '-sha256'],
      { encoding: 'utf8' },
    )
      .trim()
      .replace(/^.*=/, '')
      .toLowerCase();
    expect(client.stdout.toLowerCase()).toContain(`sha-256:       ${fingerprint}`);
    await server.exit();
  });

  it('traces the fatal alert it sends when the chain does not verify, and the one it receives', async () => {
    const sid = pki.leaf('p256', 'server');
    const first = await sServer(['-cert', sid.certPath, '-key', sid.keyPath]);
    const untrusting = memtls([
      'client',
      `127.0.0.1:${first.port}`,
      '--servername',
      'server.test',
      '--ca',
      pki.otherCaPath,
      '--trace',
    ]);
    expect(await untrusting.exit()).toBe(1);
    expect(untrusting.stderr).toMatch(/^<<< Certificate 1 cert leaf CN=server\.test/m);
    expect(untrusting.stderr).toMatch(/^>>> Alert fatal unknown_ca$/m);
    await first.server.exit();

    const second = await sServer([
      '-cert',
      sid.certPath,
      '-key',
      sid.keyPath,
      '-CAfile',
      pki.caPath,
      '-Verify',
      '1',
      '-verify_return_error',
    ]);
    const anonymous = memtls([
      'client',
      `127.0.0.1:${second.port}`,
      '--servername',
      'server.test',
      '--ca',
      pki.caPath,
      '--trace',
    ]);
    expect(await anonymous.exit()).toBe(1);
    expect(anonymous.stderr).toMatch(/^>>> Certificate 0 certs leaf none/m);
    expect(anonymous.stderr).toMatch(/^<<< Alert fatal handshake_failure$/m);
    expect(anonymous.stderr).toMatch(/^memtls: error: handshake_failure: /m);
    await second.server.exit();
  });
});

describe('memtls server -msg -showcerts (OpenSSL spellings) ↔ openssl s_client', () => {
  it("traces the handshake from the server's side and prints the client's chain", async () => {
    const sid = pki.leaf('p256', 'server');
    const cid = pki.leaf('rsa2048', 'client');
    const server = memtls([
      'server',
      '-accept',
      '127.0.0.1:0',
      '-CAfile',
      pki.caPath,
      '-cert',
      sid.certPath,
      '-key',
      sid.keyPath,
      '-Verify',
      '1',
      '-msg',
      '-showcerts',
      '--echo',
    ]);
    const [, port] = await server.waitFor('stderr', /listening on 127\.0\.0\.1:(\d+)/);
    const client = run('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-servername',
      'server.test',
      '-CAfile',
      pki.caPath,
      '-cert',
      cid.certPath,
      '-key',
      cid.keyPath,
      '-quiet',
      '-no_ign_eof',
    ]);
    client.child.stdin!.write('ping\n');
    await client.waitFor('stdout', /ping/);
    client.child.stdin!.end();
    expect(await client.exit()).toBe(0);
    await server.waitFor('stderr', /handshake with /);
    expect(server.stderr).toMatch(
      /^<<< ClientHello suites=\[.*TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256.*\] .*sni=server\.test/m,
    );
    expect(server.stderr).toMatch(/^>>> ServerHello suite=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ems=yes/m);
    expect(server.stderr).toMatch(/^>>> CertificateRequest types=\[/m);
    expect(server.stderr).toMatch(/^<<< Certificate \d certs? leaf CN=client\.test/m);
    expect(server.stderr).toMatch(/^<<< CertificateVerify sigalg=rsa_pss_rsae_sha256 /m);
    expect(server.stdout).toMatch(/ 0 s:O=memtls tests, CN=client\.test/);
    expect(server.stdout).toMatch(/key: +RSA-2048/);
    server.child.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
  });
});
