// Node's http server and client over memtls/node: every secure connection from createServer() is fed
// to http.createServer() ('connection'), and http.request() reaches it through a keep-alive
// http.Agent whose createConnection() returns a memtls connection (HTTP/1.1 over TLS 1.2, RFC 9112,
// RFC 2818). Node 20's global fetch() cannot take a socket factory without the undici package, so
// the client side is http.request.
// Run: npx esbuild examples/https-over-memtls.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/https.mjs && node dist-examples/https.mjs

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { connect, createServer, type TlsSocket } from '../src/adapters/node.js';
import { ecosystemPki } from './ecosystem-pki.js';

export interface HttpsResult {
  /** The bodies of the two responses. */
  bodies: string[];
  /** TLS connections the server accepted for both requests (1: the agent kept the connection alive). */
  connections: number;
  /** What the handler read from req.socket, as it would from a node:tls socket. */
  seenByHandler: { encrypted: boolean; authorized: boolean; clientCN: string; protocol: string | null };
}

export async function runHttps(): Promise<HttpsResult> {
  const pki = ecosystemPki();
  const clientCredentials = pki.client('web-client-1');

  // The HTTP application: plain node:http, unaware of memtls.
  let seenByHandler: HttpsResult['seenByHandler'] | undefined;
  const app = http.createServer((req, res) => {
    const socket = req.socket as unknown as TlsSocket; // node:http types it as net.Socket
    const peer = socket.getPeerCertificate();
    seenByHandler = {
      encrypted: socket.encrypted,
      authorized: socket.authorized,
      clientCN: peer && 'subject' in peer ? String(peer.subject.CN) : '',
      protocol: socket.getProtocol(),
    };
    res.setHeader('content-type', 'text/plain');
    res.end(`hello ${seenByHandler.clientCN}, you asked for ${req.url}`);
  });

  // TLS in front: each secure connection goes to the HTTP server as if it had accepted it.
  let connections = 0;
  const tlsServer = createServer({ ca: pki.ca, ...pki.server, alpn: ['http/1.1'] }, (socket) => {
    connections++;
    app.emit('connection', socket);
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const port = (tlsServer.address() as AddressInfo).port;

  // The client: a keep-alive agent whose connections are memtls connections.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: () => TlsSocket }).createConnection = () =>
    connect({
      host: '127.0.0.1',
      port,
      serverName: 'localhost',
      ca: pki.ca,
      ...clientCredentials,
      alpn: ['http/1.1'],
    });

  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = http.request({ host: 'localhost', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve(body));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  try {
    const bodies = [await get('/first'), await get('/second')];
    if (!seenByHandler) throw new Error('the handler never ran');
    return { bodies, connections, seenByHandler };
  } finally {
    agent.destroy();
    app.close();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href && /https[^/]*$/.test(entry)) {
  runHttps().then(
    (r) => {
      for (const body of r.bodies) console.log(body);
      console.log(`${r.connections} TLS connection(s); handler saw ${JSON.stringify(r.seenByHandler)}`);
    },
    (e: unknown) => {
      console.error(`https: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
