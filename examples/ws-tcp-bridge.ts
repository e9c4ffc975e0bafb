// A WebSocket-to-TCP bridge: every WebSocket connection opens a TCP connection to one fixed target and
// shuttles bytes both ways (binary messages ↔ TCP bytes). It holds no keys and sees only TLS ciphertext:
// the browser runs memtls/websocket with framing 'stream' and the TCP side is any TLS server.
//
// Run: npx esbuild examples/ws-tcp-bridge.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/bridge.mjs && node dist-examples/bridge.mjs --listen 8080 --target 127.0.0.1:4433

import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';
import { type WebSocket, WebSocketServer } from 'ws';

export interface BridgeOptions {
  /** WebSocket port; 0 picks a free one. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  target: { host: string; port: number };
  log?: (line: string) => void;
}

export interface Bridge {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Pause reading TCP while this much is waiting to go out on the WebSocket. */
const HIGH_WATER = 1 << 20;

function shuttle(ws: WebSocket, target: BridgeOptions['target'], log: (line: string) => void): void {
  const tcp = connect(target.port, target.host);
  tcp.on('connect', () => log(`bridge: connected to ${target.host}:${target.port}`));
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return ws.close(1003, 'binary messages only');
    tcp.write(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer));
  });
  tcp.on('data', (chunk) => {
    ws.send(chunk, () => {
      if (tcp.isPaused() && ws.bufferedAmount < HIGH_WATER) tcp.resume();
    });
    if (ws.bufferedAmount >= HIGH_WATER) tcp.pause();
  });
  tcp.on('end', () => ws.close(1000));
  tcp.on('error', (error) => {
    log(`bridge: tcp error: ${error.message}`);
    ws.close(1011, 'target unreachable');
  });
  tcp.on('close', () => ws.readyState === ws.OPEN && ws.close(1000));
  ws.on('close', () => tcp.end());
  ws.on('error', () => tcp.destroy());
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const { port, host = '127.0.0.1', target, log = () => {} } = options;
  const server = new WebSocketServer({ port, host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (ws) => shuttle(ws, target, log));
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `ws://${host}:${actual}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of server.clients) ws.terminate();
        server.close(() => resolve());
      }),
  };
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Run as a program (its own file or bundle; a bundle that merely includes this module does not count). */
const script = process.argv[1];
if (script && import.meta.url === pathToFileURL(script).href && /bridge[^/]*$/.test(script)) {
  const listen = Number(argument('--listen') ?? '8080');
  const [targetHost, targetPort] = (argument('--target') ?? '127.0.0.1:4433').split(/:(?=\d+$)/);
  const bridge = await startBridge({
    port: listen,
    target: { host: targetHost ?? '127.0.0.1', port: Number(targetPort) },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(`bridge listening on ${bridge.url} → ${targetHost}:${targetPort}\n`);
}
