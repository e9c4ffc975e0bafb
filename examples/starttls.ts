// A STARTTLS line protocol on plain TCP: the client sends `STARTTLS\n`, the server answers
// `READY\n`, and both upgrade the same socket to mutual TLS with memtls/node's upgrade(). The
// client's first TLS bytes may arrive in the same TCP chunk as its STARTTLS line; the server
// hands them to upgrade() as `head` so nothing is lost.
// Run: npx esbuild examples/starttls.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/starttls.mjs && node dist-examples/starttls.mjs

import * as net from 'node:net';
import { pathToFileURL } from 'node:url';
import { upgrade } from '../src/adapters/node.js';
import { createRoot, issueCertificate } from '../src/index.js';

export interface StartTlsResult {
  greeting: string;
  reply: string;
  serverSawClient: string | undefined;
  suite: string | undefined;
}

export async function runStartTls(): Promise<StartTlsResult> {
  const root = createRoot({ commonName: 'starttls example root' });
  const issuer = { certificate: root.certificate, key: root.key };
  const serverCert = issueCertificate({ issuer, commonName: 'mail.test', usage: 'server' });
  const clientCert = issueCertificate({ issuer, commonName: 'relay-7', usage: 'client' });
  let serverSawClient: string | undefined;

  const server = net.createServer((socket) => {
    socket.write('220 hello, say STARTTLS\n');
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const nl = buffered.indexOf(10);
      if (nl < 0) return;
      const line = buffered.subarray(0, nl).toString();
      const head = buffered.subarray(nl + 1); // maybe the start of the ClientHello
      socket.off('data', onData);
      if (line !== 'STARTTLS') {
        socket.end('500 expected STARTTLS\n');
        return;
      }
      socket.write('READY\n');
      const tls = upgrade(socket, {
        role: 'server',
        ca: root.certificatePem,
        cert: serverCert.certificatePem,
        key: serverCert.keyPem,
        head,
      });
      tls.once('secure', () => {
        serverSawClient = tls.info?.peerIdentity?.commonName;
      });
      tls.on('data', (d: Buffer) => tls.write(`you said: ${d.toString()}`));
      tls.on('end', () => tls.end());
      tls.on('error', () => socket.destroy());
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const greeting = await new Promise<string>((resolve) =>
    socket.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  socket.write('STARTTLS\n');
  const ready = await new Promise<string>((resolve) =>
    socket.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  if (ready !== 'READY') throw new Error(`server answered '${ready}' to STARTTLS`);
  const tls = upgrade(socket, {
    serverName: 'mail.test',
    ca: root.certificatePem,
    cert: clientCert.certificatePem,
    key: clientCert.keyPem,
  });
  const reply = await new Promise<string>((resolve, reject) => {
    tls.once('error', reject);
    tls.once('secure', () => tls.write('ohai'));
    tls.once('data', (d: Buffer) => resolve(d.toString()));
  });
  const suite = tls.info?.cipherSuite;
  tls.end();
  await new Promise<void>((r) => tls.once('close', () => r()).resume());
  await new Promise<void>((r) => server.close(() => r()));
  return { greeting, reply, serverSawClient, suite };
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href && /starttls[^/]*$/.test(entry)) {
  runStartTls().then(
    (r) => {
      console.log(`plain: ${r.greeting} → STARTTLS → READY`);
      console.log(`tls:   ohai → '${r.reply}' over ${r.suite}; server saw client CN=${r.serverSawClient}`);
    },
    (e: unknown) => {
      console.error(`starttls: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
