// memtls/node: node:tls-shaped connect / createServer / upgrade (STARTTLS) over net sockets, running the
// sans-IO TlsClient/TlsServer (DESIGN.md "Adapters"), plus the node:crypto provider.

import * as net from 'node:net';
import { type ClientConfig, type ServerConfig, TlsClient, type TlsError, TlsServer } from '../index.js';
import { TlsSocket, type TlsSocketOptions } from './node-socket.js';

export { nodeCryptoProvider } from '../providers/node/provider.js';
export { DEFAULT_HANDSHAKE_TIMEOUT, TlsSocket, type TlsSocketOptions } from './node-socket.js';

export interface ConnectOptions extends ClientConfig {
  host: string;
  port: number;
  /** ms; default 120 000. */
  handshakeTimeout?: number;
  /** Keep our writable side open after the peer's close_notify; default false. */
  allowHalfOpen?: boolean;
  /** A TCP end without close_notify after the handshake ends the stream instead of 'unexpected_eof'. */
  allowTruncation?: boolean;
}

export interface CreateServerOptions extends ServerConfig {
  /** ms; default 120 000. */
  handshakeTimeout?: number;
  allowHalfOpen?: boolean;
  allowTruncation?: boolean;
}

export type UpgradeOptions = ((ClientConfig & { role?: 'client' }) | (ServerConfig & { role: 'server' })) & {
  /** Bytes the caller already read past the STARTTLS exchange: the first TLS bytes. */
  head?: Uint8Array;
  handshakeTimeout?: number;
  allowHalfOpen?: boolean;
  allowTruncation?: boolean;
};

/** Copies of options objects without `serverName`, made once per options object (see clientConfig). */
const withServerName = new WeakMap<ConnectOptions, ClientConfig>();

/**
 * The client config for `opts`: `opts` itself when it names the server, else a copy with `serverName`
 * = `host`, kept per options object while its fields stay the same. The engine caches parsed
 * certificates and keys per config object, so repeated connect() calls with one options object must
 * pass one config object: a fresh copy each time would re-parse the PEMs and re-check the key.
 */
function clientConfig(opts: ConnectOptions): ClientConfig {
  if (typeof opts.serverName === 'string' && opts.serverName.length > 0) return opts;
  const cached = withServerName.get(opts);
  if (cached !== undefined && cached.serverName === opts.host && sameFields(opts, cached)) return cached;
  const copy = { ...opts, serverName: opts.host };
  withServerName.set(opts, copy);
  return copy;
}

/** True when every field but serverName is the same in both (fields added or removed count). */
function sameFields(opts: ConnectOptions, copy: ClientConfig): boolean {
  const a = opts as unknown as Record<string, unknown>;
  const b = copy as unknown as Record<string, unknown>;
  for (const key of Object.keys(a)) if (key !== 'serverName' && a[key] !== b[key]) return false;
  for (const key of Object.keys(b)) if (key !== 'serverName' && !(key in a)) return false;
  return true;
}

function socketOptions(opts: TlsSocketOptions): TlsSocketOptions {
  const { handshakeTimeout, allowHalfOpen, allowTruncation, head } = opts;
  return { handshakeTimeout, allowHalfOpen, allowTruncation, head };
}

/**
 * Connect to a TLS server. The returned socket emits 'secureConnect' and 'secure' after the
 * handshake, and 'error' with a TlsError when it fails. `serverName` defaults to `host`.
 */
export function connect(opts: ConnectOptions, onSecureConnect?: () => void): TlsSocket {
  const client = new TlsClient(clientConfig(opts)); // bad config throws here
  // Our TlsSocket decides when the TCP write side ends (after close_notify), so TCP half-open is on.
  const socket = net.connect({ host: opts.host, port: opts.port, allowHalfOpen: true });
  const tls = new TlsSocket(socket, client, socketOptions(opts));
  if (onSecureConnect) tls.once('secureConnect', onSecureConnect);
  return tls;
}

/**
 * A net.Server whose connections run TLS. It emits 'secureConnection' (socket) after each handshake
 * and 'tlsClientError' (error, socket) when one fails; such sockets are already destroyed. A socket
 * that fails after its handshake (e.g. unexpected_eof: the client closed without close_notify)
 * emits 'error'; when it has no 'error' listener of its own the server emits 'tlsClientError'
 * instead, so a client never crashes the server.
 */
export function createServer(
  opts: CreateServerOptions,
  onSecureConnection?: (socket: TlsSocket) => void,
): net.Server {
  new TlsServer(opts); // validate the configuration once, now (throws a local TlsError)
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let tls: TlsSocket;
    try {
      tls = new TlsSocket(socket, new TlsServer(opts), socketOptions(opts));
    } catch (error) {
      socket.destroy();
      server.emit('tlsClientError', error, undefined);
      return;
    }
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
  return server;
}

/**
 * STARTTLS: run TLS over an already-connected socket (client role unless role: 'server'). Pass the
 * bytes already read past the plaintext exchange as `head`; bytes still buffered inside the socket
 * are read out too. Stop reading the socket yourself (remove your 'data' listeners) before calling.
 */
export function upgrade(socket: net.Socket, opts: UpgradeOptions): TlsSocket {
  const engine = opts.role === 'server' ? new TlsServer(opts) : new TlsClient(opts);
  return new TlsSocket(socket, engine, socketOptions(opts));
}
