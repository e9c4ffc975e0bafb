// TlsSocket: a stream.Duplex running a sans-IO TlsClient/TlsServer over a net.Socket — socket bytes →
// receive() → events; write() → takeOutgoing() → socket — with backpressure both ways, close_notify
// half-close (RFC 5246 §7.2.1), unexpected_eof for a TCP end without close_notify, and a handshake timeout.

import type { Socket } from 'node:net';
import { localError, type PeerIdentity, type SessionInfo, type TlsConnection, TlsError } from '../index.js';
import { plainBytes } from './framing.js';
import { ReceiveLoop, type TlsEventHandlers } from './receive-loop.js';
import { exporterArguments, keylogLine } from './tls-socket-info.js';
import { TlsSocketSurface } from './tls-socket-surface.js';

export { DEFAULT_HANDSHAKE_TIMEOUT } from './limits.js';

/** TlsSocket's own options (the TLS settings are the engine's). */
export interface TlsSocketOptions {
  /** ms until an unfinished handshake fails with code 'handshake_timeout'; default 120 000 (as node:tls). */
  handshakeTimeout?: number;
  /** Bytes already read from the socket by the caller (STARTTLS): fed to the engine first. */
  head?: Uint8Array;
  /** Keep our writable side open after the peer's close_notify; default false (as node:tls). */
  allowHalfOpen?: boolean;
  /**
   * End the stream quietly when TCP ends after the handshake without close_notify (node:tls's
   * behaviour); default false: an 'error' with code 'unexpected_eof', since the data may be cut off.
   */
  allowTruncation?: boolean;
}
/** How long a failing socket may take to flush its fatal alert before it is destroyed anyway. */
const ALERT_FLUSH_MS = 1000;

type WriteCallback = (error?: Error | null) => void;

const EMPTY = new Uint8Array(0);

/** 'newListener' handler (`this` is the TlsSocket): the first 'keylog' listener turns key logging on. */
function startKeyLog(this: TlsSocket, event: string | symbol): void {
  const connection = this.connection;
  if (event === 'keylog' && !connection.onKeyLog) {
    connection.onKeyLog = (line) => this.emit('keylog', keylogLine(line));
  }
}

/** process.nextTick callback of TlsSocket#sent() (defined in its static block). */
let endBatch: (socket: TlsSocket) => void;

/** TlsSocket's TlsEventHandlers (defined in its static block). */
let SocketEvents: new (socket: TlsSocket) => TlsEventHandlers;

/**
 * Sealed bytes that may wait in the socket before a write holds its callback until 'drain'. The
 * socket's own mark (16 KiB) is below one full record (16 KiB + 29), so waiting whenever
 * socket.write() returns false would wait for the socket to empty after every 16 KiB write: an
 * extra turn of the event loop per record in bulk transfers. Backpressure still holds: beyond this
 * the callback waits for 'drain' (the socket only emits it once its queue is empty).
 */
const SOCKET_QUEUE_LIMIT = 64 * 1024;

/** Plaintext bytes that writes following one another in one turn gather before they are sent. */
const WRITE_BATCH = 64 * 1024;

/**
 * A TLS connection as a stream.Duplex, with node:tls's TLSSocket surface (TlsSocketSurface; README
 * "Using memtls/node where node:tls is expected"). Events: 'secureConnect' (client), 'secure',
 * 'keylog' (line), 'timeout', 'tlsAlert' (a tolerated warning alert) and the stream events.
 */
export class TlsSocket extends TlsSocketSurface {
  private readonly initial: Uint8Array[] = [];
  private readonly loop: ReceiveLoop;
  private pausedByUs = false;
  /** The engine paused at maxRecordsPerReceive: the socket waits until the buffered records are read. */
  private pausedForInput = false;
  private flushingAlert = false;
  /** A write went to the socket in this turn of the event loop: later ones gather (see sent()). */
  private batching = false;
  /** Plaintext bytes given to the engine since the last flush. */
  private unflushed = 0;
  private pushedEnd = false;
  private peer: { address: string; port: number } | undefined;
  private waitingForHandshake: (() => void)[] = [];

  constructor(
    /** The transport underneath; owned by this TlsSocket from now on. */
    readonly socket: Socket,
    /** The sans-IO engine (a TlsClient or TlsServer). */
    readonly connection: TlsConnection,
    options: TlsSocketOptions = {},
  ) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false });
    if (socket.readableEncoding) {
      throw localError(
        'bad_argument',
        `the socket has an encoding (${socket.readableEncoding}) set; TLS needs raw bytes`,
      );
    }
    if (options.head && options.head.length > 0) this.initial.push(plainBytes(options.head));
    // Bytes still buffered inside the socket (read ahead, or unshift()ed back by the caller).
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
      this.initial.push(plainBytes(chunk));
    }
    this.loop = new ReceiveLoop(connection, new SocketEvents(this), {
      handshakeTimeout: options.handshakeTimeout,
      allowTruncation: options.allowTruncation,
      onTimeout: (error) => this.destroy(error),
    });
    socket.on('timeout', () => this.emit('timeout'));
    // As node:tls, key-log lines are made only once someone listens for them.
    this.on('newListener', startKeyLog); // one function for every socket: no closure per connection
    // Start on the next tick so listeners attached after construction see every event.
    process.nextTick(() => this.start());
  }

  /** The verified peer: subject CN, SANs, SHA-256 fingerprint (undefined before 'secure' or without a certificate). */
  getPeerIdentity(): PeerIdentity | undefined {
    return this.info?.peerIdentity;
  }

  /** Whether the handshake resumed an earlier session (as node:tls's isSessionReused()). */
  isSessionReused(): boolean {
    return this.info?.resumed === true;
  }

  /** The negotiated ALPN protocol, false when none was agreed, null before the handshake (as node:tls). */
  get alpnProtocol(): string | false | null {
    return this.info ? (this.info.alpn ?? false) : null;
  }

  /** The peer's address and port (kept after the socket closes, for logging failures). */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress ?? this.peer?.address;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort ?? this.peer?.port;
  }

  private rememberPeer(): void {
    const { remoteAddress: address, remotePort: port } = this.socket;
    if (address !== undefined && port !== undefined) this.peer = { address, port };
  }

  /**
   * RFC 5705 keying material (needs a completed handshake), in node:tls's argument order
   * (length, label, context); memtls's own order (label, length, context) is understood too.
   */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer;
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Buffer;
  exportKeyingMaterial(first: number | string, second: string | number, context?: Uint8Array): Buffer {
    const a = exporterArguments(first, second, context);
    const bytes = this.connection.exportKeyingMaterial(a.label, a.length, a.context);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  private start(): void {
    if (this.destroyed) return;
    const socket = this.socket;
    this.rememberPeer();
    if (socket.connecting) socket.once('connect', () => this.rememberPeer()); // not kept on accepted sockets
    socket.on('data', (chunk: Buffer) => this.onNetworkData(plainBytes(chunk)));
    socket.on('end', () => this.onNetworkEnd());
    socket.on('error', (error) => this.destroy(error));
    // After our readable side ended, let the reader drain it; autoDestroy follows.
    socket.on('close', () => {
      if (!this.destroyed && !this.pushedEnd) this.destroy();
    });
    for (const chunk of this.initial.splice(0)) this.onNetworkData(chunk);
    this.flush();
    if (!this.pausedByUs && !this.pausedForInput) socket.resume();
  }

  private onNetworkData(chunk: Uint8Array): void {
    if (this.destroyed) return;
    const more = this.loop.receive(chunk);
    if (this.destroyed || this.connection.error) return;
    if (more) {
      // More records are buffered than one receive() processes: stop reading from the network and
      // continue on the next turn of the event loop, so one large read cannot hog it.
      if (!this.pausedForInput) {
        this.pausedForInput = true;
        this.socket.pause();
      }
      setImmediate(() => this.onNetworkData(EMPTY));
    } else if (this.pausedForInput) {
      this.pausedForInput = false;
      if (!this.pausedByUs) this.socket.resume();
    }
  }

  private onHandshake(info: SessionInfo): void {
    this.info = info;
    this.flush();
    if (this.connection.role === 'client') this.emit('secureConnect');
    this.emit('secure');
    for (const resume of this.waitingForHandshake.splice(0)) resume();
  }

  private onData(data: Uint8Array): boolean {
    this.plainBytesRead += data.length;
    if (!this.push(data) && !this.pausedByUs) {
      this.pausedByUs = true;
      this.socket.pause();
    }
    return false;
  }

  private onSession(session: Uint8Array): void {
    this.lastSession = Buffer.from(session);
    this.emit('session', this.lastSession);
  }

  static {
    // The end of a turn of the event loop in which a write went out: what gathered since goes too.
    endBatch = (socket) => {
      socket.batching = false;
      if (socket.unflushed > 0) socket.flush();
    };
    // The engine's events as a TlsSocket answers them: a class (defined here, where it may call the
    // socket's private methods) so each socket holds one small object, not a closure per event.
    SocketEvents = class implements TlsEventHandlers {
      constructor(private readonly socket: TlsSocket) {}
      done(): boolean {
        return this.socket.destroyed;
      }
      handshake(info: SessionInfo): void {
        this.socket.onHandshake(info);
      }
      data(bytes: Uint8Array): boolean {
        return this.socket.onData(bytes);
      }
      peerClosed(): boolean {
        this.socket.endReadable();
        return false;
      }
      alert(description: string): void {
        this.socket.emit('tlsAlert', description);
      }
      session(session: Uint8Array): void {
        this.socket.onSession(session);
      }
      error(error: TlsError): void {
        this.socket.fail(error);
      }
      flush(): void {
        this.socket.flush();
      }
    };
  }

  /** TCP FIN: the engine tells a clean end (close_notify came first) from a cut-off one (unexpected_eof). */
  private onNetworkEnd(): void {
    this.loop.transportEnded(); // records still buffered come before the FIN
    if (this.destroyed) return;
    this.endReadable();
  }

  private endReadable(): void {
    if (this.pushedEnd) return;
    this.pushedEnd = true;
    this.push(null);
  }

  /**
   * Sends whatever the engine queued; false when the socket's buffer is full. Several chunks (the
   * records of one write, each a header and its sealed body) go to the kernel in one writev: the
   * socket is corked while they are handed over, and nothing is joined or copied.
   */
  private flush(): boolean {
    this.unflushed = 0;
    const chunks = this.connection.takeOutgoingChunks();
    const socket = this.socket;
    if (chunks.length === 0 || socket.destroyed || socket.writableEnded) return true;
    if (chunks.length === 1) return socket.write(chunks[0]!);
    socket.cork();
    let room = true;
    for (const chunk of chunks) room = socket.write(chunk);
    socket.uncork();
    return room;
  }

  /** A fatal engine error: the alert goes out first, then the socket closes. */
  private fail(error: TlsError): void {
    const alert = this.connection.takeOutgoing();
    const socket = this.socket;
    if (!socket.destroyed && !socket.writableEnded) {
      this.flushingAlert = true;
      if (alert.length > 0) socket.end(alert);
      else socket.end();
      socket.once('finish', () => socket.destroy());
      setTimeout(() => socket.destroy(), ALERT_FLUSH_MS).unref?.();
    }
    this.destroy(error);
  }

  /** Runs `then` once the handshake completes (writes and close_notify wait for it). */
  private afterHandshake(then: () => void): void {
    if (this.info || this.connection.error) then();
    else this.waitingForHandshake.push(then);
  }

  /** @internal Node stream hook. */
  override _read(): void {
    if (this.pausedByUs) {
      this.pausedByUs = false;
      if (!this.pausedForInput) this.socket.resume();
    }
  }

  /** @internal Node stream hook. */
  override _writev(chunks: { chunk: Buffer }[], callback: WriteCallback): void {
    if (!this.info && !this.connection.error) {
      this.waitingForHandshake.push(() => this._writev(chunks, callback));
      return;
    }
    if (this.refuseWrite(callback)) return;
    try {
      for (const { chunk } of chunks) this.writeToEngine(plainBytes(chunk));
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.sent(callback);
  }

  /** @internal Node stream hook: after the handshake, one chunk goes straight to the engine. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    if (!this.info && !this.connection.error) {
      this.waitingForHandshake.push(() => this._write(chunk, _encoding, callback));
      return;
    }
    if (this.refuseWrite(callback)) return;
    try {
      this.writeToEngine(plainBytes(chunk));
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.sent(callback);
  }

  /** True (and the callback has its error) when the socket underneath can no longer take writes. */
  private refuseWrite(callback: WriteCallback): boolean {
    if (!this.socket.destroyed && !this.socket.writableEnded) return false;
    callback(localError('socket_closed', 'write() after the underlying socket closed'));
    return true;
  }

  /**
   * Hands the sealed records to the socket; the write completes now, or at 'drain' when it is full.
   * The first write of a turn of the event loop goes to the socket at once; the writes that follow it
   * in the same turn (a loop of write() calls) are sent together, in one writev, when they reach
   * WRITE_BATCH bytes or at the end of the turn (process.nextTick), much as node:tls gathers
   * encrypted output in OpenSSL's buffer while a socket write is in flight.
   */
  private sent(callback: WriteCallback): void {
    if (this.batching && this.unflushed < WRITE_BATCH) return callback();
    this.flush();
    if (!this.batching) {
      this.batching = true;
      process.nextTick(endBatch, this);
    }
    if (this.socket.writableLength <= SOCKET_QUEUE_LIMIT) return callback();
    const resume = () => {
      this.socket.off('drain', resume).off('close', closed);
      callback();
    };
    const closed = () => {
      this.socket.off('drain', resume).off('close', closed);
      callback(localError('socket_closed', 'the underlying socket closed before the data was sent'));
    };
    this.socket.on('drain', resume).on('close', closed);
  }

  /** connection.write(), handing queued records to the socket first if the engine's queue is full. */
  private writeToEngine(data: Uint8Array): void {
    this.unflushed += data.length;
    try {
      this.connection.write(data);
      this.plainBytesWritten += data.length;
    } catch (error) {
      if (!(error instanceof TlsError) || error.code !== 'outgoing_buffer_full') throw error;
      this.flush();
      this.connection.write(data); // onto an empty queue: always accepted
      this.plainBytesWritten += data.length;
    }
  }

  /** @internal Node stream hook. */
  override _final(callback: WriteCallback): void {
    this.afterHandshake(() => {
      if (this.connection.error) return callback(this.connection.error);
      this.connection.close();
      const out = this.connection.takeOutgoing();
      if (this.socket.destroyed || this.socket.writableEnded) return callback();
      this.socket.end(out, () => callback()); // callback once the close_notify is handed to the kernel
    });
  }

  /** @internal Node stream hook. */
  override _destroy(error: Error | null, callback: WriteCallback): void {
    this.loop.stopDeadline();
    this.waitingForHandshake = [];
    // Writes gathered in this turn (see sent()) go to the socket first, as they would have without
    // the gathering; what the kernel then does with them is as for any destroyed socket.
    if (this.unflushed > 0 && !this.connection.error) this.flush();
    if (!this.flushingAlert && !this.socket.destroyed) this.socket.destroy();
    callback(error);
  }
}
