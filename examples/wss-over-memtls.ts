// A wss-style WebSocket over memtls/node with the `ws` package (RFC 6455 over TLS 1.2): the server is
// node:http on memtls connections handing upgrades to a WebSocketServer({ noServer: true }); the
// client is `new WebSocket('wss://…', { createConnection })` whose connection is a memtls one.
// Run: npx esbuild examples/wss-over-memtls.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/wss.mjs && node dist-examples/wss.mjs

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, createServer, type TlsSocket } from '../src/adapters/node.js';
import { ecosystemPki } from './ecosystem-pki.js';

export interface WssResult {
  /** The server's greeting and its echo of our message, in order. */
  received: string[];
  /** The client certificate's CN, as the upgrade handler read it from the socket. */
  clientCN: string;
  /** The close code the client saw. */
  closeCode: number;
}

export async function runWss(): Promise<WssResult> {
  const pki = ecosystemPki();
  const clientCredentials = pki.client('ws-client-1');

  const wss = new WebSocketServer({ noServer: true });
  const app = http.createServer((_req, res) => res.writeHead(426).end('WebSocket only'));
  let clientCN = '';
  app.on('upgrade', (req, socket, head) => {
    const peer = (socket as TlsSocket).getPeerCertificate();
    clientCN = peer && 'subject' in peer ? String(peer.subject.CN) : '';
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(`hello ${clientCN}`);
      ws.on('message', (data) => ws.send(`echo: ${String(data)}`));
    });
  });
  const tlsServer = createServer({ ca: pki.ca, ...pki.server }, (socket) => app.emit('connection', socket));
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const port = (tlsServer.address() as AddressInfo).port;

  try {
    const ws = new WebSocket(`wss://localhost:${port}/chat`, {
      createConnection: () =>
        connect({ host: '127.0.0.1', port, serverName: 'localhost', ca: pki.ca, ...clientCredentials }),
    });
    const received: string[] = [];
    const closeCode = await new Promise<number>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data) => {
        received.push(String(data));
        if (received.length === 1) ws.send('ping over memtls');
        else ws.close(1000, 'done');
      });
      ws.on('close', (code) => resolve(code));
    });
    return { received, clientCN, closeCode };
  } finally {
    wss.close();
    app.close();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href && /wss[^/]*$/.test(entry)) {
  runWss().then(
    (r) => {
      for (const line of r.received) console.log(line);
      console.log(`closed with ${r.closeCode}; the server saw client certificate CN=${r.clientCN}`);
    },
    (e: unknown) => {
      console.error(`wss: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
