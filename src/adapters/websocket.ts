// memtls/websocket: TLS 1.2 inside WebSocket binary messages, for a browser WebSocket or a `ws` socket
// (RFC 5246 over RFC 6455; docs/ARCHITECTURE.md "Where to make a change"). Imports nothing from Node: it runs in browsers.
//
// Every WebSocket binary message carries exactly the bytes one takeOutgoing() call returned; every
// binary message received is fed to receive() as is (any split is fine). A text message is a protocol
// violation and ends the session. A WebSocket that closes before the peer's close_notify ends the session
// with 'unexpected_eof' (the data may be cut off) unless `allowTruncation` is set.
//
// Framing of application data (option `framing`):
// - 'messages' (default, same as memtls/zeromq): each send(m) arrives as exactly one m, carried inside
//   the TLS stream as a 4-byte big-endian length followed by m. Both ends must be memtls.
// - 'stream': application data is a byte stream, chunked however TLS records arrive. Use this to speak
//   to an ordinary TLS server (e.g. through a WebSocket-to-TCP bridge).

import {
  ClientContext,
  localError,
  ServerContext,
  type SessionInfo,
  TlsClient,
  type TlsConnection,
  TlsServer,
} from '../index.js';
import { type ClientTls, clientContextOf, type ServerTls, serverContextOf } from './secure-context.js';
import {
  channelOf,
  SessionCore,
  type SessionOptions,
  splitSessionOptions,
  type TlsChannel,
} from './session.js';

export type { ClientTls, ServerTls } from './secure-context.js';
export type { Framing, SessionOptions, TlsChannel } from './session.js';

/**
 * Anything WebSocket-shaped: a browser `WebSocket` (addEventListener, binaryType 'arraybuffer') or a
 * `ws` WebSocket (on('message', (data, isBinary) => …)).
 */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes given to send() and not yet handed to the network (browser WebSocket and `ws`). */
  readonly bufferedAmount?: number;
  binaryType?: string;
  /** Send one binary message. */
  send(data: Uint8Array): void;
  /** Close the WebSocket. */
  close(code?: number, reason?: string): void;
  /** The browser WebSocket's way to listen. */
  addEventListener?(type: string, listener: (event: unknown) => void): void;
  /** The `ws` package's way to listen. */
  on?(event: string, listener: (...args: never[]) => void): unknown;
}

export interface WrappedTls extends TlsChannel {
  /** Resolves with the SessionInfo after the handshake; rejects with the TlsError if it fails. */
  readonly ready: Promise<SessionInfo>;
  /** The engine, e.g. for exportKeyingMaterial(). */
  readonly connection: TlsConnection;
}

const CONNECTING = 0;
const OPEN = 1;

/**
 * Bytes the WebSocket may hold unsent before send() waits: a peer that does not read must not make
 * the socket's buffer grow without bound. WebSockets have no 'drain' event, so send() polls.
 */
const WEBSOCKET_BUFFER_LIMIT = 1 << 20;
const DRAIN_POLL_MS = 10;

async function drained(ws: WebSocketLike): Promise<void> {
  while (ws.readyState === OPEN && (ws.bufferedAmount ?? 0) > WEBSOCKET_BUFFER_LIMIT) {
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
}

/** A received WebSocket payload as bytes, or undefined for a text message. */
function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) {
    const parts = data.map(bytesOf);
    if (parts.some((p) => p === undefined)) return undefined;
    const out = new Uint8Array(parts.reduce((n, p) => n + p!.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p!, offset);
      offset += p!.length;
    }
    return out;
  }
  return undefined;
}

/**
 * Run TLS over `ws`. The socket may still be connecting: bytes wait for 'open'. The TLS settings are a
 * config inline, or `secureContext` from createClientContext()/createServerContext() beside the
 * session options (as node's tls.connect({ secureContext })), or the context alone.
 */
export function wrapWebSocket(
  ws: WebSocketLike,
  config: (ClientTls & SessionOptions) | ClientContext,
  role: 'client',
): WrappedTls;
export function wrapWebSocket(
  ws: WebSocketLike,
  config: (ServerTls & SessionOptions) | ServerContext,
  role: 'server',
): WrappedTls;
export function wrapWebSocket(
  ws: WebSocketLike,
  config: ((ClientTls | ServerTls) & SessionOptions) | ClientContext | ServerContext,
  role: 'client' | 'server',
): WrappedTls {
  const bare = role === 'client' ? ClientContext.is(config) : ServerContext.is(config);
  const { session: sessionOptions, rest: tlsSettings } = splitSessionOptions(
    bare
      ? ({ secureContext: config } as SessionOptions & { secureContext: unknown })
      : (config as SessionOptions),
  );
  const connection =
    role === 'client'
      ? new TlsClient(clientContextOf(tlsSettings as ClientTls))
      : new TlsServer(serverContextOf(tlsSettings as ServerTls));
  const waiting: Uint8Array[] = [];
  const transmit = async (bytes: Uint8Array) => {
    if (ws.readyState === CONNECTING) waiting.push(bytes);
    else if (ws.readyState === OPEN) {
      ws.send(bytes);
      await drained(ws);
    }
  };
  const core = new SessionCore(connection, transmit, sessionOptions);
  core.onEnd = () => {
    if (ws.readyState === CONNECTING || ws.readyState === OPEN) ws.close(1000);
  };

  const onOpen = () => {
    for (const bytes of waiting.splice(0)) ws.send(bytes);
  };
  const onMessage = (data: unknown, isBinary = true) => {
    const bytes = isBinary ? bytesOf(data) : undefined;
    if (bytes) return core.receive(bytes);
    core.connection.close();
    core.flush();
    core.transportFailed(
      'text_message',
      'the peer sent a text WebSocket message (TLS needs binary messages)',
    );
  };
  const onClose = () => core.transportClosed();
  const onError = (message?: string) =>
    core.transportFailed('connection_closed', `WebSocket error${message ? `: ${message}` : ''}`);

  if (typeof ws.on === 'function') {
    const on = ws.on.bind(ws) as (event: string, listener: (...args: unknown[]) => void) => unknown;
    on('open', onOpen);
    on('message', (data, isBinary) => onMessage(data, isBinary !== false));
    on('close', onClose);
    on('error', (error) => onError(error instanceof Error ? error.message : undefined));
  } else if (typeof ws.addEventListener === 'function') {
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('open', onOpen);
    ws.addEventListener('message', (event) => onMessage((event as { data?: unknown }).data));
    ws.addEventListener('close', onClose);
    ws.addEventListener('error', (event) => onError((event as { message?: string }).message));
  } else {
    throw localError('bad_argument', 'wrapWebSocket() needs a WebSocket with addEventListener() or on()');
  }
  if (ws.readyState === OPEN) onOpen();
  else if (ws.readyState !== CONNECTING)
    core.transportFailed('connection_closed', 'the WebSocket is already closed');

  core.flush(); // the client's ClientHello (waits for 'open' if needed)
  return channelOf(core, { ready: core.ready, connection });
}
