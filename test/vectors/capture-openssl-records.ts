// Captures real TLS 1.2 connections made by OpenSSL (through Node's `tls` module) for each of our six
// suites, and writes test/vectors/openssl-records.json: both directions' raw TCP bytes plus the
// NSS key-log line, so test/record/openssl-records.test.ts can decrypt them without live capture.
//
// Run from the project root (Node 20 cannot run .ts directly, so esbuild transpiles it first):
//   npx esbuild test/vectors/capture-openssl-records.ts --platform=node --format=esm \
//     --outfile=/tmp/capture-openssl-records.mjs && node /tmp/capture-openssl-records.mjs
//
// How: the openssl CLI makes a throwaway self-signed ECDSA P-256 and RSA-2048 certificate; a Node
// `tls` server (maxVersion TLSv1.2, `ciphers` forced to one suite) and a `tls` client talk through a
// tiny TCP proxy on 127.0.0.1 that records every byte each way; the client's `keylog` event gives
// `CLIENT_RANDOM <client_random> <master_secret>`. The client sends one line, the server answers
// one line and closes (close_notify both ways).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';

const SUITES = [
  { name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-ECDSA-AES128-GCM-SHA256', key: 'ecdsa' },
  { name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', openssl: 'ECDHE-RSA-AES128-GCM-SHA256', key: 'rsa' },
  { name: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-ECDSA-AES256-GCM-SHA384', key: 'ecdsa' },
  { name: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', openssl: 'ECDHE-RSA-AES256-GCM-SHA384', key: 'rsa' },
  {
    name: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    openssl: 'ECDHE-ECDSA-CHACHA20-POLY1305',
    key: 'ecdsa',
  },
  { name: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', openssl: 'ECDHE-RSA-CHACHA20-POLY1305', key: 'rsa' },
] as const;

type KeyType = 'ecdsa' | 'rsa';

export interface CapturedConnection {
  suite: string;
  opensslSuite: string;
  certificateKey: KeyType;
  /** NSS key-log line from the client: CLIENT_RANDOM <client_random hex> <master_secret hex>. */
  keyLog: string;
  clientToServer: string;
  serverToClient: string;
  clientMessage: string;
  serverMessage: string;
}

function makeCertificates(dir: string): Record<KeyType, { key: string; cert: string }> {
  const common = [
    '-x509',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost',
  ];
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl([
    'req',
    ...common,
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-keyout',
    join(dir, 'ec.key'),
    '-out',
    join(dir, 'ec.pem'),
  ]);
  openssl([
    'req',
    ...common,
    '-newkey',
    'rsa:2048',
    '-keyout',
    join(dir, 'rsa.key'),
    '-out',
    join(dir, 'rsa.pem'),
  ]);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    ecdsa: { key: read('ec.key'), cert: read('ec.pem') },
    rsa: { key: read('rsa.key'), cert: read('rsa.pem') },
  };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

async function captureOne(
  suite: (typeof SUITES)[number],
  credentials: { key: string; cert: string },
): Promise<CapturedConnection> {
  const clientMessage = `hello from the client over ${suite.openssl}\n`;
  const serverMessage = `hello back from the server over ${suite.openssl}\n`;
  const tlsOptions = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: suite.openssl } as const;

  const server = tls.createServer(
    { ...tlsOptions, key: credentials.key, cert: credentials.cert },
    (socket) => {
      socket.once('data', () => socket.end(serverMessage));
      socket.on('error', () => {});
    },
  );
  const serverPort = await listen(server);

  const clientToServer: Buffer[] = [];
  const serverToClient: Buffer[] = [];
  const proxy = net.createServer();
  const proxyDone = new Promise<void>((resolve) => {
    let open = 2;
    const closed = () => {
      if (--open === 0) resolve();
    };
    proxy.on('connection', (downstream) => {
      const upstream = net.connect(serverPort, '127.0.0.1');
      downstream.on('data', (d: Buffer) => {
        clientToServer.push(Buffer.from(d));
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => {
        serverToClient.push(Buffer.from(d));
        downstream.write(d);
      });
      downstream.on('end', () => upstream.end());
      upstream.on('end', () => downstream.end());
      downstream.on('close', closed);
      upstream.on('close', closed);
    });
  });
  const proxyPort = await listen(proxy);

  let keyLog = '';
  let received = '';
  await new Promise<void>((resolve, reject) => {
    const client = tls.connect({
      ...tlsOptions,
      host: '127.0.0.1',
      port: proxyPort,
      servername: 'localhost',
      ca: credentials.cert,
    });
    client.on('keylog', (line: Buffer) => {
      keyLog = line.toString('utf8').trim();
    });
    client.on('secureConnect', () => client.write(clientMessage));
    client.on('data', (d: Buffer) => {
      received += d.toString('utf8');
    });
    client.on('end', () => client.end());
    client.on('close', () => resolve());
    client.on('error', reject);
  });
  await proxyDone;
  proxy.close();
  server.close();

  if (received !== serverMessage)
    throw new Error(`${suite.openssl}: client received ${JSON.stringify(received)}`);
  if (!keyLog.startsWith('CLIENT_RANDOM ')) throw new Error(`${suite.openssl}: no key log line`);
  return {
    suite: suite.name,
    opensslSuite: suite.openssl,
    certificateKey: suite.key,
    keyLog,
    clientToServer: Buffer.concat(clientToServer).toString('hex'),
    serverToClient: Buffer.concat(serverToClient).toString('hex'),
    clientMessage,
    serverMessage,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-capture-'));
  try {
    const credentials = makeCertificates(dir);
    const connections: CapturedConnection[] = [];
    for (const suite of SUITES) connections.push(await captureOne(suite, credentials[suite.key]));
    const out = {
      source:
        'Real TLS 1.2 connections between a Node tls client and server (OpenSSL), captured on loopback by ' +
        'test/vectors/capture-openssl-records.ts; certificates made with `openssl req -x509 -newkey ec ' +
        '-pkeyopt ec_paramgen_curve:P-256` and `openssl req -x509 -newkey rsa:2048`.',
      node: process.version,
      openssl: process.versions.openssl,
      captured: new Date().toISOString(),
      connections,
    };
    const outPath = process.argv[2] ?? 'test/vectors/openssl-records.json';
    writeFileSync(outPath, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${connections.length} connections to ${outPath}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
