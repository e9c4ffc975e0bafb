// Node's http server and client over memtls/node: every secure connection from createServer() is fed
// to http.createServer() ('connection'), and two clients reach it (HTTP/1.1 over TLS 1.2, RFC 9112,
// RFC 2818): http.request() through a keep-alive http.Agent whose createConnection() returns a
// memtls connection, and fetch() from the undici package with an Agent({ connect }) whose connect
// hands undici a memtls connection once its handshake is done.
// Run: npx esbuild examples/https-over-memtls.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/https.mjs && node dist-examples/https.mjs

import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { fetch, Agent as UndiciAgent } from 'undici';
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

type Pki = ReturnType<typeof ecosystemPki>;

/** The HTTP application (plain node:http, unaware of memtls) behind a memtls/node server. */
async function startHttpsApp(pki: Pki) {
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
  return {
    port: (tlsServer.address() as AddressInfo).port,
    result(bodies: string[]): HttpsResult {
      if (!seenByHandler) throw new Error('the handler never ran');
      return { bodies, connections, seenByHandler };
    },
    async close(): Promise<void> {
      app.close();
      await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    },
  };
}

/** A memtls client connection to the app, with a client certificate, as both clients below use. */
function connectToApp(pki: Pki, port: number, clientName: string): TlsSocket {
  return connect({
    host: '127.0.0.1',
    port,
    serverName: 'localhost',
    ca: pki.ca,
    ...pki.client(clientName),
    alpn: ['http/1.1'],
  });
}

/** Two GETs with http.request through a keep-alive http.Agent whose connections are memtls connections. */
export async function runHttps(): Promise<HttpsResult> {
  const pki = ecosystemPki();
  const server = await startHttpsApp(pki);
  const { port } = server;

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  (agent as unknown as { createConnection: () => TlsSocket }).createConnection = () =>
    connectToApp(pki, port, 'web-client-1');

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
    return server.result([await get('/first'), await get('/second')]);
  } finally {
    agent.destroy();
    await server.close();
  }
}

/**
 * Two fetch() calls (undici's) through an undici Agent whose connect() gives undici a memtls
 * connection: undici takes any connected Duplex with node:tls's surface, handed over once the
 * handshake is done (as its own TLS connector does on 'secureConnect'), and keeps it alive.
 */
export async function runFetch(): Promise<HttpsResult> {
  const pki = ecosystemPki();
  const server = await startHttpsApp(pki);

  const dispatcher = new UndiciAgent({
    connections: 1,
    connect: (_options, callback) => {
      const socket = connectToApp(pki, server.port, 'fetch-client-1');
      const onError = (error: Error) => callback(error, null);
      socket.once('error', onError);
      socket.once('secureConnect', () => {
        socket.off('error', onError);
        callback(null, socket as unknown as Socket); // undici's type names net.Socket; it uses the Duplex and TLS surface
      });
    },
  });

  const get = async (path: string) => {
    const response = await fetch(`https://localhost:${server.port}${path}`, { dispatcher });
    if (!response.ok) throw new Error(`fetch ${path}: HTTP ${response.status}`);
    return response.text();
  };

  try {
    return server.result([await get('/first'), await get('/second')]);
  } finally {
    await dispatcher.close();
    await server.close();
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href && /https[^/]*$/.test(entry)) {
  const show = (client: string, r: HttpsResult) => {
    for (const body of r.bodies) console.log(`${client}: ${body}`);
    console.log(
      `${client}: ${r.connections} TLS connection(s); handler saw ${JSON.stringify(r.seenByHandler)}`,
    );
  };
  (async () => {
    show('http.request', await runHttps());
    show('fetch', await runFetch());
  })().then(
    () => {},
    (e: unknown) => {
      console.error(`https: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
