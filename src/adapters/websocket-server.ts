// A Node WebSocket server (the `ws` package) whose connections each run a TLS 1.2 server session through
// memtls/websocket (RFC 5246 over RFC 6455). Node only; browsers use wrapWebSocket() alone.

import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ServerConfig, TlsError } from '../index.js';
import type { SessionOptions } from './session.js';
import { type WrappedTls, wrapWebSocket } from './websocket.js';

export interface WebSocketTlsServerOptions {
  /** TCP port; 0 picks a free one (see `port` on the result). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Called when a connection's handshake fails (the alert has been sent) or its socket closes early. */
  onClientError?: (error: TlsError) => void;
}

export interface WebSocketTlsServer {
  readonly port: number;
  /** ws://host:port/ */
  readonly url: string;
  /** Close every session (close_notify) and the listening socket. */
  close(): Promise<void>;
}

/** Listen for WebSocket connections; onSession gets each one once its TLS handshake is done. */
export async function createWebSocketTlsServer(
  opts: ServerConfig & SessionOptions & WebSocketTlsServerOptions,
  onSession: (session: WrappedTls) => void,
): Promise<WebSocketTlsServer> {
  const { port, host = '127.0.0.1', onClientError, ...config } = opts;
  const server = new WebSocketServer({ port, host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const sessions = new Set<WrappedTls>();
  server.on('connection', (socket) => {
    const session = wrapWebSocket(socket, config, 'server');
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
    session.ready.then(
      () => onSession(session),
      (error: TlsError) => onClientError?.(error),
    );
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`,
    async close() {
      await Promise.all([...sessions].map((s) => s.close().catch(() => {})));
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
