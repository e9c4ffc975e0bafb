// Shared adapter core for message transports (ZeroMQ, WebSocket), RFC 5246 §6.2 and §7.2.1 (closure): drives
// one sans-IO connection, frames application messages with a 4-byte big-endian length prefix inside the TLS
// stream, and exposes received messages as an async iterator. No I/O and no node:* here: it runs in browsers.

import type { SessionInfo, TlsConnection } from '../index.js';
import { localError, TlsError, type TransportCode, transportError } from '../index.js';
import { frameMessage, Inbox, MessageDeframer, plainBytes } from './framing.js';
import { ReceiveLoop, type TlsEventHandlers } from './receive-loop.js';

export { frameMessage, Inbox, MessageDeframer, plainBytes } from './framing.js';

/** 'messages': each send() is one received message (length-prefixed); 'stream': raw TLS byte stream. */
export type Framing = 'messages' | 'stream';

/** Options of a message-transport session (ZeroMQ, WebSocket): framing, sizes, timeout, truncation. */
export interface SessionOptions {
  /** Default 'messages'. */
  framing?: Framing | undefined;
  /** Largest message accepted in 'messages' framing; default 16 MiB. */
  maxMessageSize?: number | undefined;
  /**
   * Fail the session with 'handshake_timeout' if the handshake is not done within this many ms of
   * its start, however slowly bytes trickle in; default 120 000 (as memtls/node); 0 turns it off.
   */
  handshakeTimeout?: number | undefined;
  /**
   * End the session quietly when the transport ends after the handshake without close_notify;
   * default false: the session ends with a TlsError 'unexpected_eof', since data may be cut off.
   */
  allowTruncation?: boolean | undefined;
}

/** What every adapter session and client offers: send, an async iterator of received data, info, close. */
export interface TlsChannel extends AsyncIterable<Uint8Array> {
  /** SessionInfo once the handshake is done. */
  readonly info: SessionInfo | undefined;
  /** Queue application data; resolves once the transport took the bytes. */
  send(data: Uint8Array): Promise<void>;
  /** Send close_notify, wait (bounded) for the peer's, then release the transport. */
  close(): Promise<void>;
}

const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;
const EMPTY = new Uint8Array(0);
/** How long close() waits for the peer's close_notify. */
const CLOSE_GRACE_MS = 2000;

/** The public face of a session: only the TlsChannel members of `core`, plus `extra`. */
export function channelOf<T extends object>(core: SessionCore, extra: T): TlsChannel & T {
  const channel: TlsChannel = {
    get info() {
      return core.info;
    },
    send: (data) => core.send(data),
    close: () => core.close(),
    [Symbol.asyncIterator]: () => core[Symbol.asyncIterator](),
  };
  return Object.assign(channel, extra);
}

/**
 * One TLS connection on a message transport. The adapter calls receive() with each transport
 * message, transportClosed() when the transport ends, transportFailed() when it breaks, and gives
 * `transmit` to send bytes.
 */
export class SessionCore implements TlsChannel {
  readonly ready: Promise<SessionInfo>;
  private readonly inbox = new Inbox<Uint8Array>();
  private readonly deframer: MessageDeframer | undefined;
  private resolveReady!: (info: SessionInfo) => void;
  private rejectReady!: (error: TlsError) => void;
  private readonly loop: ReceiveLoop;
  private ended = false;
  private endError: TlsError | undefined;
  private readonly endWaiters: (() => void)[] = [];
  /** Called once when the session ends (cleanly or not), after the last bytes were transmitted. */
  onEnd: ((error: TlsError | undefined) => void) | undefined;

  constructor(
    readonly connection: TlsConnection,
    private readonly transmit: (bytes: Uint8Array) => Promise<void>,
    options: SessionOptions = {},
  ) {
    const framing = options.framing ?? 'messages';
    if (framing !== 'messages' && framing !== 'stream') {
      throw localError('bad_config', `framing must be 'messages' or 'stream', got '${String(framing)}'`);
    }
    if (framing === 'messages')
      this.deframer = new MessageDeframer(options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE);
    this.ready = new Promise<SessionInfo>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // a caller that never awaits `ready` must not see an unhandled rejection
    this.loop = new ReceiveLoop(connection, this.eventHandlers(), {
      handshakeTimeout: options.handshakeTimeout,
      allowTruncation: options.allowTruncation,
      onTimeout: (error) => this.end(error),
    });
  }

  get info(): SessionInfo | undefined {
    return this.connection.info;
  }

  /** Transmit whatever the engine has queued (one transport message per takeOutgoing()). */
  flush(): void {
    const bytes = this.connection.takeOutgoing();
    if (bytes.length > 0) this.transmit(bytes).catch(() => {});
  }

  /** One transport message in. */
  receive(bytes: Uint8Array): void {
    // The engine paused at maxRecordsPerReceive: continue on a later turn of the event loop.
    if (this.loop.receive(plainBytes(bytes))) setTimeout(() => this.receive(EMPTY), 0);
  }

  /** The transport ended: the engine says whether that was clean (close_notify) or unexpected_eof. */
  transportClosed(): void {
    if (this.ended) return;
    // Records the engine paused on (maxRecordsPerReceive) arrived before the end: read them first.
    this.loop.transportEnded();
    this.end(this.truncatedMessage()); // nothing more can arrive
  }

  /** A message cut off by the end of the data (close_notify, or a tolerated truncation) is an error. */
  private truncatedMessage(): TlsError | undefined {
    const partial = this.deframer?.partialBytes ?? 0;
    if (partial === 0) return undefined;
    return transportError(
      'truncated_message',
      `the peer's data ended inside a message (${partial} bytes of it arrived); the last message is incomplete`,
    );
  }

  /** The transport broke (an error, a frame TLS cannot carry): the session ends with `code`. */
  transportFailed(code: TransportCode, message: string): void {
    if (this.ended) return;
    this.end(transportError(code, message));
  }

  /** The session's answer to each engine event, for the receive loop. */
  private eventHandlers(): TlsEventHandlers {
    return {
      done: () => this.ended,
      handshake: (info) => this.resolveReady(info),
      data: (data) => {
        if (!this.deframer) {
          this.inbox.push(data);
          return false;
        }
        try {
          for (const message of this.deframer.push(data)) this.inbox.push(message);
          return false;
        } catch (e) {
          this.connection.close();
          this.flush();
          this.end(e as TlsError);
          return true;
        }
      },
      peerClosed: () => {
        this.connection.close(); // answer close_notify with ours (RFC 5246 §7.2.1)
        this.flush();
        this.end(this.truncatedMessage());
        return true;
      },
      error: (error) => {
        this.flush(); // the fatal alert
        this.end(error);
      },
      flush: () => this.flush(),
    };
  }

  async send(data: Uint8Array): Promise<void> {
    if (!(data instanceof Uint8Array)) throw localError('bad_argument', 'send() takes a Uint8Array');
    if (this.endError) throw this.endError;
    if (this.ended) throw localError('write_after_close', 'send() after the session ended');
    // Data waits for the handshake here, not in the engine (whose buffer stops at maxPendingWriteBytes).
    if (this.connection.state === 'handshaking') await this.ready;
    if (this.endError) throw this.endError;
    if (this.ended) throw localError('write_after_close', 'send() after the session ended');
    this.connection.write(this.deframer ? frameMessage(data) : plainBytes(data));
    const bytes = this.connection.takeOutgoing();
    if (bytes.length > 0) await this.transmit(bytes);
  }

  async close(): Promise<void> {
    if (!this.ended) {
      this.connection.close();
      this.flush();
      if (this.connection.state === 'handshaking') {
        this.end(localError('closed', 'close() before the TLS handshake completed'));
      }
    }
    if (this.ended) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.endWaiters.push(resolve);
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    clearTimeout(timer);
    this.end(undefined);
  }

  /** End the session: iterator finishes (or throws), `ready` rejects if still pending, onEnd runs. */
  end(error: TlsError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.endError = error;
    this.loop.stopDeadline();
    this.rejectReady(
      error ?? transportError('connection_closed', 'the peer closed before the TLS handshake completed'),
    );
    this.inbox.end(error);
    for (const waiter of this.endWaiters.splice(0)) waiter();
    this.onEnd?.(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.inbox[Symbol.asyncIterator]();
  }
}

/**
 * An async onSession handler that rejects because its session ended with a TlsError (a peer that
 * closed without close_notify, an idle timeout) would otherwise be an unhandled rejection, which
 * ends a Node process: that error goes to onClientError instead. Other rejections are the
 * application's own bugs and stay unhandled.
 */
export function settleSession(
  result: void | Promise<void>,
  onClientError: ((error: TlsError) => void) | undefined,
): void {
  if (!(result instanceof Promise)) return;
  result.catch((error: unknown) => {
    if (error instanceof TlsError) onClientError?.(error);
    else throw error;
  });
}

/** An adapter's options split into the session's own (SessionOptions) and the rest (the TLS settings). */
export function splitSessionOptions<T extends SessionOptions>(
  options: T,
): { session: SessionOptions; rest: Omit<T, keyof SessionOptions> } {
  const { framing, maxMessageSize, handshakeTimeout, allowTruncation, ...rest } = options;
  return { session: { framing, maxMessageSize, handshakeTimeout, allowTruncation }, rest };
}
