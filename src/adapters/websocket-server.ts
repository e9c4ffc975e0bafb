// A Node WebSocket server (the `ws` package) whose connections each run a TLS 1.2 server session through
// memtls/websocket (RFC 5246 over RFC 6455), with a cap on concurrent sessions. Node only; browsers use
// wrapWebSocket() alone.

import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { refusalRecord, type ServerConfig, type ServerContext, type TlsError } from '../index.js';
import { DEFAULT_MAX_SESSIONS, tooManySessionsError } from './limits.js';
import { type ServerTls, serverContextOf } from './secure-context.js';
import { type SessionOptions, settleSession, splitSessionOptions } from './session.js';
import { type WrappedTls, wrapWebSocket } from './websocket.js';

/** Options of the WebSocket TLS server: where to listen and how many sessions to hold. */
export interface WebSocketTlsServerOptions {
  /** TCP port; 0 picks a free one (see `port` on the result). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Sessions held at once (handshaking or established); default 1024. A connection beyond it gets a
   * fatal alert and a WebSocket close 1013 (Try Again Later), and onClientError 'too_many_sessions'.
   */
  maxSessions?: number;
  /**
   * Called when a connection's handshake fails (the alert has been sent), times out
   * (handshakeTimeout, default 120 000 ms) or its socket closes early, and when one is refused.
   */
  onClientError?: (error: TlsError) => void;
}

/** A running WebSocket TLS server: its port and URL, certificate rotation and close(). */
export interface WebSocketTlsServer {
  /** The TCP port it listens on. */
  readonly port: number;
  /** ws://host:port/ */
  readonly url: string;
  /**
   * Use `settings` (a server config or a ServerContext) for connections that arrive from now on;
   * sessions already open keep theirs. A bad config throws a local TlsError and changes nothing.
   */
  setSecureContext(settings: ServerConfig | ServerContext): void;
  /** Close every session (close_notify) and the listening socket. */
  close(): Promise<void>;
}

/**
 * Listen for WebSocket connections; onSession gets each one once its TLS handshake is done. The TLS
 * settings (the server config inline or `secureContext` from createServerContext()) are compiled once.
 */
export async function createWebSocketTlsServer(
  opts: ServerTls & SessionOptions & WebSocketTlsServerOptions,
  onSession: (session: WrappedTls) => void | Promise<void>,
): Promise<WebSocketTlsServer> {
  const { port, host = '127.0.0.1', maxSessions = DEFAULT_MAX_SESSIONS, onClientError, ...others } = opts;
  const { session: sessionOptions, rest: tlsSettings } = splitSessionOptions(others);
  let secureContext = serverContextOf(tlsSettings as ServerTls); // a bad configuration throws here, not per connection
  const server = new WebSocketServer({ port, host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const sessions = new Set<WrappedTls>();
  server.on('connection', (socket) => {
    if (sessions.size >= maxSessions) {
      const refusal = tooManySessionsError(maxSessions);
      socket.send(refusalRecord(refusal));
      socket.close(1013, 'too many TLS sessions');
      onClientError?.(refusal);
      return;
    }
    const session = wrapWebSocket(socket, { ...sessionOptions, secureContext }, 'server');
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
    session.ready.then(
      () => settleSession(onSession(session), onClientError),
      (error: TlsError) => onClientError?.(error),
    );
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`,
    setSecureContext(settings) {
      secureContext = serverContextOf(settings);
    },
    async close() {
      await Promise.all([...sessions].map((s) => s.close().catch(() => {})));
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
