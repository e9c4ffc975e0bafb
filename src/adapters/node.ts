// memtls/node: node:tls-shaped connect / createServer / upgrade (STARTTLS) over net sockets, running the
// sans-IO TlsClient/TlsServer (docs/ARCHITECTURE.md "The layers"), plus the node:crypto provider.

import * as net from 'node:net';
import type { ClientConfig, ClientContext, ServerConfig, ServerContext, TlsError } from '../index.js';
import { TlsClient, TlsServer } from '../index.js';
import { TlsSocket } from './node-socket.js';
import { type ClientTls, clientContextOf, type ServerTls, serverContextOf } from './secure-context.js';

export { nodeCryptoProvider } from '../providers/node/provider.js';
export { DEFAULT_HANDSHAKE_TIMEOUT, TlsSocket, type TlsSocketOptions } from './node-socket.js';
export type { DetailedPeerCertificate } from './peer-certificate.js';
export type { ClientTls, ServerTls } from './secure-context.js';
export type { CipherNameAndProtocol, EphemeralKeyInfo } from './tls-socket-info.js';

/** The adapter's own options, taken out before the rest is compiled as the TLS config. */
export interface NodeSocketOptions {
  /** ms; default 120 000. */
  handshakeTimeout?: number;
  /** Keep our writable side open after the peer's close_notify; default false. */
  allowHalfOpen?: boolean;
  /** A TCP end without close_notify after the handshake ends the stream instead of 'unexpected_eof'. */
  allowTruncation?: boolean;
}

/**
 * connect() options: the TLS config inline (`serverName` defaults to `host`), or, as node's
 * tls.connect({ secureContext }), `secureContext` from createClientContext() (its serverName is used).
 */
export type ConnectOptions = (
  | (Omit<ClientConfig, 'serverName'> & { serverName?: string })
  | { secureContext: ClientContext }
) &
  NodeSocketOptions & {
    host: string;
    port: number;
    /** A session from an earlier 'session' event (a Buffer) to resume, as node's tls.connect({ session }). */
    session?: Uint8Array;
  };

/** createServer() options: the TLS config inline, or `secureContext` from createServerContext(). */
export type CreateServerOptions = ServerTls & NodeSocketOptions;

/**
 * upgrade() options: the TLS settings of the side we play (client unless role: 'server'), the
 * adapter's options, and `head`.
 */
export type UpgradeOptions = ((ClientTls & { role?: 'client' }) | (ServerTls & { role: 'server' })) &
  NodeSocketOptions & {
    /** Bytes the caller already read past the STARTTLS exchange: the first TLS bytes. */
    head?: Uint8Array;
  };

/** The net.Server createServer() returns: setSecureContext() swaps the TLS settings of new handshakes. */
export interface TlsNetServer extends net.Server {
  /**
   * Use `settings` (a server config or a ServerContext) for handshakes that start from now on;
   * connections already accepted keep theirs (certificate and root rotation without a restart, as
   * node's tls.Server#setSecureContext). A bad config throws a local TlsError and changes nothing.
   */
  setSecureContext(settings: ServerConfig | ServerContext): void;
}

/**
 * Connect to a TLS server. The returned socket emits 'secureConnect' and 'secure' after the
 * handshake, 'session' (a Buffer to pass back as `session`) when the server gave a resumable
 * session, and 'error' with a TlsError when it fails. `serverName` defaults to `host`.
 */
export function connect(opts: ConnectOptions, onSecureConnect?: () => void): TlsSocket {
  const { host, port, handshakeTimeout, allowHalfOpen, allowTruncation, session, ...tls } = opts;
  const named = 'secureContext' in tls || (typeof tls.serverName === 'string' && tls.serverName.length > 0);
  const context = clientContextOf(named ? (tls as ClientTls) : { ...tls, serverName: host });
  const client = new TlsClient(context, session === undefined ? {} : { session }); // bad config threw above
  // Our TlsSocket decides when the TCP write side ends (after close_notify), so TCP half-open is on.
  const socket = net.connect({ host, port, allowHalfOpen: true });
  const tlsSocket = new TlsSocket(socket, client, { handshakeTimeout, allowHalfOpen, allowTruncation });
  if (onSecureConnect) tlsSocket.once('secureConnect', onSecureConnect);
  return tlsSocket;
}

/**
 * A net.Server whose connections run TLS. It emits 'secureConnection' (socket) after each handshake,
 * 'keylog' (line, socket) as node's tls.Server, and 'tlsClientError' (error, socket) when one fails;
 * such sockets are already destroyed. A socket that fails after its handshake (e.g. unexpected_eof:
 * the client closed without close_notify) emits 'error'; when it has no 'error' listener of its own
 * the server emits 'tlsClientError' instead, so a client never crashes the server.
 */
export function createServer(
  opts: CreateServerOptions,
  onSecureConnection?: (socket: TlsSocket) => void,
): TlsNetServer {
  const { handshakeTimeout, allowHalfOpen, allowTruncation, ...tlsSettings } = opts;
  const socketOptions = { handshakeTimeout, allowHalfOpen, allowTruncation };
  let context = serverContextOf(tlsSettings); // compiled once, now (a bad config throws here)
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let tls: TlsSocket;
    try {
      tls = new TlsSocket(socket, new TlsServer(context), socketOptions);
    } catch (error) {
      socket.destroy();
      server.emit('tlsClientError', error, undefined);
      return;
    }
    // node:tls's tls.Server 'keylog' (line, socket), for servers that listen for it.
    if (server.listenerCount('keylog') > 0)
      tls.on('keylog', (line: Buffer) => server.emit('keylog', line, tls));
    const onError = (error: TlsError) => server.emit('tlsClientError', error, tls);
    tls.on('error', onError);
    tls.once('secure', () => {
      tls.off('error', onError);
      tls.on('error', (error: TlsError) => {
        if (tls.listenerCount('error') === 1) onError(error); // only this listener: nobody else hears it
      });
      server.emit('secureConnection', tls);
    });
  });
  if (onSecureConnection) server.on('secureConnection', onSecureConnection);
  return Object.assign(server, {
    setSecureContext(settings: ServerConfig | ServerContext): void {
      context = serverContextOf(settings);
    },
  });
}

/**
 * STARTTLS: run TLS over an already-connected socket (client role unless role: 'server'). Pass the
 * bytes already read past the plaintext exchange as `head`; bytes still buffered inside the socket
 * are read out too. Stop reading the socket yourself (remove your 'data' listeners) before calling.
 */
export function upgrade(socket: net.Socket, opts: UpgradeOptions): TlsSocket {
  const { role, head, handshakeTimeout, allowHalfOpen, allowTruncation, ...tls } = opts;
  const engine =
    role === 'server'
      ? new TlsServer(serverContextOf(tls as ServerTls))
      : new TlsClient(clientContextOf(tls as ClientTls));
  return new TlsSocket(socket, engine, { head, handshakeTimeout, allowHalfOpen, allowTruncation });
}
