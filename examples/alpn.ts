// ALPN against node:tls: a memtls/node client offering h2 and http/1.1 to a node:tls server that
// prefers h2, and a node:tls client offering http/1.1 only to a memtls/node server (RFC 7301).
// Run: npx esbuild examples/alpn.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/alpn.mjs && node dist-examples/alpn.mjs

import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { connect, createServer } from '../src/adapters/node.js';
import { createRoot, issueCertificate } from '../src/index.js';

export interface AlpnResult {
  /** memtls client ↔ node:tls server: what each side negotiated. */
  memtlsClient: { memtls: string | undefined; node: string | false | null };
  /** node:tls client ↔ memtls server. */
  nodeClient: { memtls: string | undefined; node: string | false | null };
}

export async function runAlpn(): Promise<AlpnResult> {
  const root = createRoot({ commonName: 'alpn example root' });
  const issuer = { certificate: root.certificate, key: root.key };
  const server = issueCertificate({ issuer, commonName: 'localhost', usage: 'server' });
  const client = issueCertificate({ issuer, commonName: 'alpn-client', usage: 'client' });

  // 1. memtls client → node:tls server (server preference: h2 first).
  let nodeSaw: string | false | null = null;
  const nodeServer = tls.createServer(
    {
      ca: root.certificatePem,
      cert: server.certificatePem,
      key: server.keyPem,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2', 'http/1.1'],
      maxVersion: 'TLSv1.2',
    },
    (s) => {
      nodeSaw = s.alpnProtocol;
      s.end();
    },
  );
  await new Promise<void>((r) => nodeServer.listen(0, '127.0.0.1', r));
  const a = connect({
    host: '127.0.0.1',
    port: (nodeServer.address() as AddressInfo).port,
    serverName: 'localhost',
    ca: root.certificatePem,
    cert: client.certificatePem,
    key: client.keyPem,
    alpn: ['http/1.1', 'h2'],
  });
  await new Promise<void>((resolve, reject) => {
    a.once('secureConnect', resolve);
    a.once('error', reject);
  });
  const memtlsClient = { memtls: a.info?.alpn, node: nodeSaw };
  a.destroy();
  await new Promise<void>((r) => nodeServer.close(() => r()));

  // 2. node:tls client → memtls server.
  let memtlsSaw: string | undefined;
  const ours = createServer(
    {
      ca: root.certificatePem,
      cert: server.certificatePem,
      key: server.keyPem,
      alpn: ['h2', 'http/1.1'],
    },
    (s) => {
      memtlsSaw = s.info?.alpn;
      s.end();
    },
  );
  await new Promise<void>((r) => ours.listen(0, '127.0.0.1', r));
  const b = tls.connect({
    host: '127.0.0.1',
    port: (ours.address() as AddressInfo).port,
    servername: 'localhost',
    ca: root.certificatePem,
    cert: client.certificatePem,
    key: client.keyPem,
    ALPNProtocols: ['http/1.1'],
  });
  const nodeGot = await new Promise<string | false | null>((resolve, reject) => {
    b.once('secureConnect', () => resolve(b.alpnProtocol));
    b.once('error', reject);
  });
  await new Promise<void>((r) => b.once('close', () => r()).resume());
  await new Promise<void>((r) => ours.close(() => r()));
  return { memtlsClient, nodeClient: { memtls: memtlsSaw, node: nodeGot } };
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href && /alpn[^/]*$/.test(entry)) {
  runAlpn().then(
    (r) => {
      console.log(
        `memtls client (offers http/1.1, h2) ↔ node:tls server (prefers h2): ${r.memtlsClient.memtls}`,
      );
      console.log(`node:tls client (offers http/1.1) ↔ memtls server (h2, http/1.1): ${r.nodeClient.node}`);
    },
    (e: unknown) => {
      console.error(`alpn: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
