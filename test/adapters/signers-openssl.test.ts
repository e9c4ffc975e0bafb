// Over memtls/node against OpenSSL: signers backed by node:crypto KeyObjects (answering at once and
// later) as client (to `openssl s_server -Verify 1`) and as server (for `openssl s_client` with a
// client certificate), and a server with two certificates chosen by -servername, -cipher and -sigalgs.

import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type TlsNetServer, type TlsSocket } from '../../src/adapters/node.js';
import type { ServerConfig } from '../../src/index.js';
import { type Identity, type TestPki, testPki } from '../helpers/pki.js';
import { keyObjectSigner } from '../helpers/signers.js';
import { type OpensslServer, startOpensslRevServer } from './openssl-server.js';

let pki: TestPki;
let ecServer: Identity;
let rsaServer: Identity;
let ecClient: Identity;
let rsaClient: Identity;
let ecA: Identity;
let rsaA: Identity;
let rsaB: Identity;

beforeAll(() => {
  pki = testPki();
  ecServer = pki.leaf('p256', 'server');
  rsaServer = pki.leaf('rsa2048', 'server');
  ecClient = pki.leaf('p256', 'client');
  rsaClient = pki.leaf('rsa2048', 'client');
  ecA = pki.leaf('p256', 'server', { cn: 'a.test' });
  rsaA = pki.leaf('rsa2048', 'server', { cn: 'a.test' });
  rsaB = pki.leaf('rsa2048', 'server', { cn: 'b.test' });
}, 60_000);

/** `openssl s_client` with a client certificate; stdin ends at once; resolves with all it printed. */
function sClient(port: number, args: string[], input = ''): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-tls1_2',
        '-CAfile',
        pki.caPath,
        '-cert',
        ecClient.certPath,
        '-key',
        ecClient.keyPath,
        ...args,
      ],
      { timeout: 15_000, killSignal: 'SIGKILL' },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
    child.stdin!.end(input);
  });
}

async function listen(
  config: ServerConfig,
  onSocket?: (tls: TlsSocket) => void,
): Promise<{ server: TlsNetServer; port: number }> {
  const server = createServer({ ...config, handshakeTimeout: 15_000 }, onSocket);
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('memtls/node client with a signer ↔ openssl s_server -Verify 1', () => {
  const servers: OpensslServer[] = [];
  afterAll(() => {
    for (const s of servers) s.stop();
  });

  for (const [kind, mode] of [
    ['p256', 'async'],
    ['rsa2048', 'async'],
    ['p256', 'sync'],
  ] as const) {
    it(`${kind} client key in a KeyObject (${mode}): OpenSSL verifies our CertificateVerify`, async () => {
      const openssl = await startOpensslRevServer({
        ca: pki.caPath,
        cert: ecServer.certPath,
        key: ecServer.keyPath,
      });
      servers.push(openssl);
      const id = kind === 'p256' ? ecClient : rsaClient;
      const signer = keyObjectSigner(id.key, mode);
      const tls = connect({
        host: '127.0.0.1',
        port: openssl.port,
        serverName: 'server.test',
        ca: pki.ca,
        cert: id.cert,
        key: signer,
        handshakeTimeout: 10_000,
      });
      const reply = await new Promise<string>((resolve, reject) => {
        let text = '';
        tls.on('error', (e) =>
          reject(new Error(`${String(e)}\nopenssl s_server said:\n${openssl.output()}`)),
        );
        tls.on('secureConnect', () => tls.write('hello signer\n'));
        tls.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('\n')) resolve(text);
        });
      });
      expect(reply).toBe('rengis olleh\n');
      expect(signer.calls).toHaveLength(1);
      tls.end();
    });
  }
});

describe('memtls/node server with a signer ↔ openssl s_client', () => {
  for (const [name, id] of [
    ['p256', () => ecServer],
    ['rsa2048', () => rsaServer],
  ] as const) {
    it(`${name} server key in a KeyObject answering later: s_client verifies our ServerKeyExchange`, async () => {
      const signer = keyObjectSigner(id().key, 'async');
      const received: string[] = [];
      const { server, port } = await listen({ ca: pki.ca, cert: id().cert, key: signer }, (tls) => {
        tls.on('data', (d: Buffer) => received.push(d.toString()));
      });
      try {
        const out = await sClient(port, ['-servername', 'server.test', '-verify_return_error'], 'ping\n');
        expect(out).toContain('Verify return code: 0 (ok)');
        expect(out).toMatch(/Peer signature type: (ECDSA|RSA-PSS)/);
        expect(signer.calls).toHaveLength(1);
        await new Promise((r) => setTimeout(r, 100));
        expect(received.join('')).toBe('ping\n');
      } finally {
        server.close();
      }
    });
  }
});

describe('a memtls/node server with two certificates ↔ openssl s_client', () => {
  const subject = (out: string) => /^subject=(.*)$/m.exec(out)?.[1];

  it('-servername picks the certificate that names it', async () => {
    const { server, port } = await listen({
      ca: pki.ca,
      certificates: [
        { cert: ecA.cert, key: ecA.key },
        { cert: rsaB.cert, key: rsaB.key },
      ],
    });
    try {
      const a = await sClient(port, [
        '-servername',
        'a.test',
        '-verify_hostname',
        'a.test',
        '-verify_return_error',
      ]);
      expect(subject(a)).toContain('CN = a.test');
      expect(a).toContain('Peer signature type: ECDSA');
      const b = await sClient(port, [
        '-servername',
        'b.test',
        '-verify_hostname',
        'b.test',
        '-verify_return_error',
      ]);
      expect(subject(b)).toContain('CN = b.test');
      expect(b).toContain('Peer signature type: RSA-PSS');
      // A name neither carries: the first certificate (s_client without hostname check completes).
      const c = await sClient(port, ['-servername', 'c.test', '-verify_return_error']);
      expect(subject(c)).toContain('CN = a.test');
      expect(c).toContain('Verify return code: 0 (ok)');
    } finally {
      server.close();
    }
  });

  it('for one name, -cipher and -sigalgs get the RSA or the ECDSA certificate', async () => {
    const { server, port } = await listen({
      ca: pki.ca,
      certificates: [
        { cert: rsaA.cert, key: rsaA.key },
        { cert: ecA.cert, key: ecA.key },
      ],
    });
    const keyOf = (out: string) => /Server public key is (\d+) bit/.exec(out)?.[1];
    try {
      const rsaCipher = await sClient(port, [
        '-servername',
        'a.test',
        '-cipher',
        'ECDHE-RSA-AES128-GCM-SHA256',
      ]);
      expect(keyOf(rsaCipher)).toBe('2048');
      expect(rsaCipher).toContain('ECDHE-RSA-AES128-GCM-SHA256');
      const ecCipher = await sClient(port, [
        '-servername',
        'a.test',
        '-cipher',
        'ECDHE-ECDSA-AES128-GCM-SHA256',
      ]);
      expect(keyOf(ecCipher)).toBe('256');
      const rsaSigalgs = await sClient(port, ['-servername', 'a.test', '-sigalgs', 'RSA-PSS+SHA256']);
      expect(keyOf(rsaSigalgs)).toBe('2048');
      const ecSigalgs = await sClient(port, ['-servername', 'a.test', '-sigalgs', 'ECDSA+SHA256']);
      expect(keyOf(ecSigalgs)).toBe('256');
      expect(ecSigalgs).toContain('Verify return code: 0 (ok)');
    } finally {
      server.close();
    }
  });

  it('strictServerName: s_client asking for an unknown name gets the unrecognized_name alert', async () => {
    const { server, port } = await listen({
      ca: pki.ca,
      strictServerName: true,
      certificates: [
        { cert: ecA.cert, key: ecA.key },
        { cert: rsaB.cert, key: rsaB.key },
      ],
    });
    try {
      const out = await sClient(port, ['-servername', 'c.test']);
      expect(out).toMatch(/tlsv1 unrecognized name:.*SSL alert number 112/);
      const ok = await sClient(port, ['-servername', 'b.test', '-verify_return_error']);
      expect(subject(ok)).toContain('CN = b.test');
    } finally {
      server.close();
    }
  });
});
