// A minimal TCP pump for interop tests: socket bytes → conn.receive → events; conn.takeOutgoing → socket.
// Deliberately independent of src/adapters (the interop matrix checks the engine, not the adapter).

import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TlsConnection, TlsEvent } from '../../src/connection.js';
import type { TlsError } from '../../src/errors.js';
import type { SessionInfo } from '../../src/handshake/session.js';

/** What happened on the memtls side of a connection. */
export interface PumpResult {
  info: SessionInfo | undefined;
  error: TlsError | undefined;
  /** Number of application bytes received and their SHA-256 (hex). */
  receivedBytes: number;
  receivedSha256: string;
  /** The peer sent close_notify. */
  peerClosed: boolean;
  /** A transport-level problem (reset, early EOF), if any. */
  transportError: string | undefined;
}

export interface PumpOptions {
  /** Keep the received bytes (for small exchanges); the hash is always kept. */
  keepData?: boolean;
  /** Write every received byte back (echo server). */
  echo?: boolean;
  /** Echo in separate writes of at most this many bytes, each flushed on its own. */
  echoPieceSize?: number;
  /** Called for every application data chunk. */
  onData?: (data: Uint8Array) => void;
}

/** Drives one TlsConnection over one net.Socket. */
export class Pump {
  readonly handshake: Promise<SessionInfo>;
  /** Settles when the socket has closed (never rejects): the final picture of the connection. */
  readonly done: Promise<PumpResult>;
  private readonly hash = createHash('sha256');
  private receivedBytes = 0;
  private readonly chunks: Uint8Array[] = [];
  private peerClosed = false;
  private transportError: string | undefined;
  private resolveHandshake!: (info: SessionInfo) => void;
  private rejectHandshake!: (e: Error) => void;
  private readonly dataWaiters: Array<() => void> = [];

  constructor(
    readonly conn: TlsConnection,
    readonly socket: Socket,
    private readonly options: PumpOptions = {},
  ) {
    this.handshake = new Promise((resolve, reject) => {
      this.resolveHandshake = resolve;
      this.rejectHandshake = reject;
    });
    this.handshake.catch(() => {}); // observed through `done` as well
    socket.setNoDelay(true);
    this.done = new Promise((resolve) => {
      socket.on('close', () => {
        if (!conn.info) {
          this.rejectHandshake(
            conn.error ??
              new Error(`connection closed before the handshake: ${this.transportError ?? 'EOF'}`),
          );
        }
        this.wakeDataWaiters();
        resolve(this.result());
      });
    });
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('end', () => {
      if (!this.peerClosed && !conn.error) this.transportError ??= 'TCP EOF without close_notify';
      socket.end();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.transportError ??= e.code ?? e.message;
    });
    this.flush();
  }

  /** Application bytes received so far (when keepData is set). */
  data(): Uint8Array {
    return Buffer.concat(this.chunks);
  }

  get received(): number {
    return this.receivedBytes;
  }

  /** Resolves once at least `n` application bytes have arrived (or the socket closed). */
  async waitForBytes(n: number): Promise<void> {
    while (this.receivedBytes < n && !this.socket.destroyed && !this.conn.error) {
      await new Promise<void>((resolve) => this.dataWaiters.push(resolve));
    }
  }

  /** Write application data and flush; waits for the socket to drain when it is backed up. */
  async write(data: Uint8Array): Promise<void> {
    this.conn.write(data);
    if (!this.flush()) await this.drain();
  }

  /** Write `data` as many separate writes of at most `size` bytes, each flushed to the socket at once. */
  async writeInPieces(data: Uint8Array, size: number): Promise<void> {
    for (let offset = 0; offset < data.length; offset += size) {
      this.conn.write(data.subarray(offset, offset + size));
      if (!this.flush()) await this.drain();
    }
  }

  /** Send `total` bytes of the deterministic stream in `chunkSize` writes, hashing them; returns the hash. */
  async writeStream(total: number, chunkSize = 1 << 16): Promise<string> {
    const hash = createHash('sha256');
    for (let offset = 0; offset < total; offset += chunkSize) {
      const chunk = streamChunk(offset, Math.min(chunkSize, total - offset));
      hash.update(chunk);
      this.conn.write(chunk);
      if (!this.flush()) await this.drain();
    }
    return hash.digest('hex');
  }

  /** Send close_notify and half-close the socket once it is written. */
  close(): void {
    if (this.conn.state === 'failed' || this.socket.destroyed) return;
    this.conn.close();
    this.flush();
  }

  private drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Send whatever the engine queued; false when the socket buffer is full. */
  private flush(): boolean {
    const out = this.conn.takeOutgoing();
    if (out.length === 0 || this.socket.destroyed || !this.socket.writable) return true;
    return this.socket.write(out);
  }

  private onBytes(chunk: Buffer): void {
    let events = this.conn.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    // receive() pauses after maxRecordsPerReceive records; the rest is processed here.
    while (this.conn.hasPendingInput) events = events.concat(this.conn.receive(new Uint8Array(0)));
    for (const event of events) this.onEvent(event);
    this.flush();
    if (this.conn.state === 'failed') {
      // The fatal alert is flushed above; end the TCP connection after it.
      this.socket.end();
    } else if (this.peerClosed && this.conn.state !== 'closed') {
      // Answer close_notify with ours (RFC 5246 §7.2.1) and finish.
      this.conn.close();
      this.flush();
      this.socket.end();
    } else if (this.conn.state === 'closed') {
      this.socket.end();
    }
  }

  private onEvent(event: TlsEvent): void {
    switch (event.type) {
      case 'handshake':
        this.resolveHandshake(event.info);
        return;
      case 'data':
        this.hash.update(event.data);
        this.receivedBytes += event.data.length;
        if (this.options.keepData) this.chunks.push(event.data.slice());
        if (this.options.echo && this.conn.state === 'open') this.echo(event.data);
        this.options.onData?.(event.data);
        this.wakeDataWaiters();
        return;
      case 'peerClosed':
        this.peerClosed = true;
        return;
      case 'alert':
        return;
      case 'error':
        this.rejectHandshake(event.error);
        this.wakeDataWaiters();
        return;
    }
  }

  private echo(data: Uint8Array): void {
    const size = this.options.echoPieceSize ?? data.length;
    for (let offset = 0; offset < data.length; offset += size) {
      this.conn.write(data.subarray(offset, offset + size));
      this.flush();
    }
  }

  private wakeDataWaiters(): void {
    for (const w of this.dataWaiters.splice(0)) w();
  }

  private result(): PumpResult {
    return {
      info: this.conn.info,
      error: this.conn.error,
      receivedBytes: this.receivedBytes,
      receivedSha256: this.hash.copy().digest('hex'),
      peerClosed: this.peerClosed,
      transportError: this.transportError,
    };
  }
}

/**
 * The deterministic byte stream both ends of a large transfer agree on: byte i is a mix of i's bits,
 * so a dropped, repeated or reordered record changes the SHA-256.
 */
export function streamChunk(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const n = offset + i;
    out[i] = (n ^ (n >>> 8) ^ (n >>> 16) ^ (n >>> 24) ^ 0x5a) & 0xff;
  }
  return out;
}
