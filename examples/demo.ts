// The memtls demo (`npm run demo`): a throwaway PKI made in memory with the code behind `memtls pki`,
// a memtls/node server on 127.0.0.1 and a memtls/node client speaking mutual TLS 1.2 with a hostname
// check; they exchange `ohai` / `cya`, and the demo prints what was negotiated and who each peer is.

import type { AddressInfo } from 'node:net';
import { connect, createServer, type TlsSocket } from '../src/adapters/node.js';
import { createRoot, issueCertificate, type PeerIdentity } from '../src/index.js';

function describePeer(identity: PeerIdentity | undefined): string {
  if (!identity) return '(no certificate)';
  return [
    `CN=${identity.commonName ?? '(none)'}`,
    `      subject: ${identity.subject}`,
    `      SANs:    ${identity.subjectAltNames.join(', ') || '(none)'}`,
    `      SHA-256: ${identity.fingerprintSha256}`,
  ].join('\n');
}

function once<T>(emitter: TlsSocket, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    emitter.once(event, resolve);
    emitter.once('error', reject);
  });
}

async function main(): Promise<void> {
  // 1. A private PKI: one root, a server certificate for localhost/127.0.0.1, a client certificate.
  const root = createRoot({
    commonName: 'memtls demo root',
    keyType: 'p256',
    subject: [{ type: 'O', value: 'memtls demo' }],
  });
  const issuer = { certificate: root.certificate, key: root.key };
  const serverCert = issueCertificate({
    issuer,
    commonName: 'localhost',
    subjectAltNames: ['DNS:localhost', 'IP:127.0.0.1'],
    usage: 'server',
    keyType: 'p256',
  });
  const clientCert = issueCertificate({
    issuer,
    commonName: 'demo-device-1',
    usage: 'client',
    keyType: 'p256',
  });
  console.log('memtls demo: made a throwaway PKI in memory (P-256): root, server and client certificates');

  // 2. The server: mutual TLS (client certificates required by default), echo-style replies.
  let serverSide: TlsSocket | undefined;
  const server = createServer(
    {
      ca: root.certificatePem,
      cert: serverCert.certificatePem,
      key: serverCert.keyPem,
      alpn: ['memtls-demo/1'],
    },
    (socket) => {
      serverSide = socket;
      socket.once('data', (data: Buffer) => {
        console.log(`server got:   ${data.toString()}`);
        socket.end('cya'); // cya, then close_notify
      });
    },
  );
  server.on('tlsClientError', (error) =>
    console.error(`server: handshake failed: ${error.code}: ${error.message}`),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  console.log(`server:       listening on 127.0.0.1:${port}`);

  // 3. The client: pins the same root, presents its certificate, checks the server is 'localhost'.
  const client = connect({
    host: '127.0.0.1',
    port,
    serverName: 'localhost',
    ca: root.certificatePem,
    cert: clientCert.certificatePem,
    key: clientCert.keyPem,
    alpn: ['memtls-demo/1'],
  });
  const received: Buffer[] = [];
  client.on('data', (data: Buffer) => received.push(data));
  const closed = once(client, 'end'); // the server's close_notify
  await once(client, 'secureConnect');
  client.write('ohai');
  await closed;
  console.log(`client got:   ${Buffer.concat(received).toString()}`);

  const info = client.info!;
  console.log(`protocol:     ${info.version}`);
  console.log(`cipher suite: ${info.cipherSuite}`);
  console.log(`group:        ${info.group}`);
  console.log(`signature:    ${info.signatureScheme}`);
  console.log(`ALPN:         ${info.alpn ?? '(none)'}`);
  console.log(`ext. master:  ${info.extendedMasterSecret ? 'yes' : 'no'}`);
  console.log(`client sees server: ${describePeer(info.peerIdentity)}`);
  console.log(`server sees client: ${describePeer(serverSide?.info?.peerIdentity)}`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const e = error as { code?: string; message?: string };
    console.error(`memtls demo: error: ${e.code ?? 'error'}: ${e.message ?? String(error)}`);
    process.exit(1);
  },
);
