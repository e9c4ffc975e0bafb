// The node:tls TLSSocket surface of memtls/node's TlsSocket: the negotiated session in node's names,
// argument orders and result shapes (RFC 5246 §7.4.9 Finished, RFC 8422 groups, RFC 5280 certificates),
// and the net.Socket members delegated to the TCP socket underneath.

import { X509Certificate } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { type SessionInfo, type TlsConnection, TlsServer } from '../index.js';
import {
  type DetailedPeerCertificate,
  localCertificateObject,
  peerCertificateObject,
} from './peer-certificate.js';
import {
  type CipherNameAndProtocol,
  cipherOf,
  type EphemeralKeyInfo,
  ephemeralKeyInfoOf,
} from './tls-socket-info.js';

/**
 * What node:tls code reads of a TLSSocket, answered from the engine's SessionInfo and the TCP socket.
 * bytesRead/bytesWritten count application bytes, as node:tls does (the TCP socket's own counters
 * hold the TLS bytes on the wire).
 */
export abstract class TlsSocketSurface extends Duplex {
  /** The transport underneath. */
  abstract readonly socket: Socket;
  /** The sans-IO engine. */
  abstract readonly connection: TlsConnection;
  /** SessionInfo once the handshake completed. */
  info?: SessionInfo;
  /** Always true: node:tls code tells TLS sockets by it (e.g. `req.socket.encrypted`). */
  readonly encrypted = true;
  protected plainBytesRead = 0;
  protected plainBytesWritten = 0;

  /** True once the peer's certificate verified (memtls refuses the handshake otherwise). */
  get authorized(): boolean {
    return this.info?.peerIdentity !== undefined;
  }

  /**
   * Why the peer is not authorized, as node:tls gives it: OpenSSL's verify code as a string. A
   * certificate that fails verification fails the handshake, so the one case is a server that asked
   * for a client certificate (clientAuth 'optional') and got none: 'UNABLE_TO_GET_ISSUER_CERT', as
   * node:tls says with requestCert and rejectUnauthorized: false. null otherwise, and before the
   * handshake (node's types say Error; node:tls sets the code string).
   */
  get authorizationError(): string | null {
    const asked = this.connection instanceof TlsServer && this.connection.clientAuth !== 'none';
    return asked && this.info !== undefined && this.info.peerIdentity === undefined
      ? 'UNABLE_TO_GET_ISSUER_CERT'
      : null;
  }

  /** The SNI name sent (client) or received (server); false when none, null before the handshake (as node:tls). */
  get servername(): string | false | null {
    return this.info ? (this.info.serverName ?? false) : null;
  }

  /** 'TLSv1.2' once negotiated, 'unknown' while handshaking, null once destroyed (as node:tls). */
  getProtocol(): string | null {
    if (this.destroyed) return null;
    return this.info ? this.info.version : 'unknown';
  }

  /** { name (OpenSSL), standardName (IANA), version }; undefined before the handshake, null once destroyed. */
  getCipher(): CipherNameAndProtocol | undefined | null {
    if (this.destroyed) return null;
    return this.info ? cipherOf(this.info) : undefined;
  }

  /** The peer's certificate in node:tls's shape (`{}` without one, null once destroyed); see peer-certificate.ts. */
  getPeerCertificate(detailed = false): DetailedPeerCertificate | Record<string, never> | null {
    if (this.destroyed) return null;
    return this.info ? peerCertificateObject(this.info, detailed) : {};
  }

  /** Our own certificate in node:tls's shape (`{}` without one, null once destroyed). */
  getCertificate(): DetailedPeerCertificate | Record<string, never> | null {
    if (this.destroyed) return null;
    return localCertificateObject(this.connection.localCertificates);
  }

  /** The peer's leaf as a node:crypto X509Certificate; undefined without one. */
  getPeerX509Certificate(): X509Certificate | undefined {
    const der = this.info?.peerCertificates[0]?.der;
    return der ? new X509Certificate(der) : undefined;
  }

  /** Our own leaf as a node:crypto X509Certificate; undefined without one. */
  getX509Certificate(): X509Certificate | undefined {
    const der = this.connection.localCertificates[0]?.der;
    return der ? new X509Certificate(der) : undefined;
  }

  /** The verify_data of the Finished message we sent (RFC 5246 §7.4.9); undefined before the handshake. */
  getFinished(): Buffer | undefined {
    return this.info ? Buffer.from(this.info.finished.sent) : undefined;
  }

  /** The verify_data of the peer's Finished message; undefined before the handshake. */
  getPeerFinished(): Buffer | undefined {
    return this.info ? Buffer.from(this.info.finished.received) : undefined;
  }

  /** The last resumable session the server gave this client ('session' event), set by TlsSocket. */
  protected lastSession: Buffer | undefined;

  /**
   * The session to offer again with `connect({ session })`, as node:tls: the latest one this
   * client was given (RFC 5077 ticket or session ID, sealed in memtls's opaque format); undefined
   * before one exists and on a server. It is a secret: store it like a key.
   */
  getSession(): Buffer | undefined {
    return this.lastSession;
  }

  /** The ECDHE group: { type: 'ECDH', name, size } on a client, `{}` before the handshake, null on a server (as node:tls). */
  getEphemeralKeyInfo(): EphemeralKeyInfo | null {
    return this.connection.role === 'server' ? null : ephemeralKeyInfoOf(this.info);
  }

  // --- net.Socket, delegated to the TCP socket underneath

  /** Idle timeout on the TCP socket; emits 'timeout' on this socket (the connection stays open, as net). */
  setTimeout(ms: number, callback?: () => void): this {
    this.socket.setTimeout(ms);
    if (callback) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  /** Sets TCP_NODELAY on the underlying socket (net.Socket#setNoDelay). */
  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }

  /** Sets TCP keep-alive on the underlying socket (net.Socket#setKeepAlive). */
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.socket.setKeepAlive(enable, initialDelay);
    return this;
  }

  /** Lets the underlying socket keep the event loop alive again (net.Socket#ref). */
  ref(): this {
    this.socket.ref();
    return this;
  }

  /** Lets the event loop exit while only this socket is open (net.Socket#unref). */
  unref(): this {
    this.socket.unref();
    return this;
  }

  /** The local address of the underlying socket, as net.Socket#address() (`{}` once closed). */
  address(): AddressInfo | Record<string, never> {
    return this.socket.address() as AddressInfo | Record<string, never>;
  }

  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily;
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  get localPort(): number | undefined {
    return this.socket.localPort;
  }

  /** Application bytes received (decrypted), as node:tls counts; the TCP socket's bytesRead has the wire bytes. */
  get bytesRead(): number {
    return this.plainBytesRead;
  }

  /** Application bytes written, as node:tls counts; the TCP socket's bytesWritten has the wire bytes. */
  get bytesWritten(): number {
    return this.plainBytesWritten;
  }
}
