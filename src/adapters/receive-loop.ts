// The receive-event loop every transport adapter runs over a sans-IO connection (RFC 5246 §6, §7.2.1):
// transport bytes in, the engine's events to the adapter's handlers in order, records the engine paused
// on read before the transport's end, and the handshake deadline. No I/O and no node:* here.

import type { SessionInfo, TlsConnection, TlsError, TlsEvent } from '../index.js';
import { DEFAULT_HANDSHAKE_TIMEOUT, handshakeTimeoutError, isDeadline } from './limits.js';

const EMPTY = new Uint8Array(0);

/** What one adapter does with each engine event. */
export interface TlsEventHandlers {
  /** True once the adapter is finished (destroyed, ended): no more events are handed out. */
  done(): boolean;
  /** The handshake completed (the deadline is already stopped). */
  handshake(info: SessionInfo): void;
  /** Application data in order; return true when the adapter ended itself (dispatch stops). */
  data(bytes: Uint8Array): boolean | undefined;
  /** The peer's close_notify; return true when the adapter ended itself (dispatch stops). */
  peerClosed(): boolean | undefined;
  /** A warning alert the engine tolerated. */
  alert?(description: string): void;
  /** Client: a resumable session (secret; see README "Session resumption"). */
  session?(session: Uint8Array): void;
  /** Fatal: the engine queued its alert; the adapter sends it and ends. Dispatch stops. */
  error(error: TlsError): void;
  /** After a batch of events the adapter survived: transmit what the engine queued. */
  flush(): void;
}

export interface ReceiveLoopOptions {
  /** ms from now until an unfinished handshake fails; default DEFAULT_HANDSHAKE_TIMEOUT, 0 turns it off. */
  handshakeTimeout?: number | undefined;
  /** A transport end without close_notify after the handshake is a clean end, not unexpected_eof. */
  allowTruncation?: boolean | undefined;
  /** Called with a 'handshake_timeout' TlsError when the deadline passes first. */
  onTimeout(error: TlsError): void;
}

/** Drives one connection's receive side for an adapter: the part every transport shares. */
export class ReceiveLoop {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly allowTruncation: boolean;

  constructor(
    private readonly connection: TlsConnection,
    private readonly handlers: TlsEventHandlers,
    options: ReceiveLoopOptions,
  ) {
    this.allowTruncation = options.allowTruncation === true;
    const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    if (isDeadline(timeout)) {
      this.timer = setTimeout(() => options.onTimeout(handshakeTimeoutError(timeout)), timeout);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /**
   * Transport bytes in (EMPTY to continue on records the engine paused on). Returns true when the
   * engine still holds unread records (it paused at maxRecordsPerReceive): the adapter calls again
   * with EMPTY on a later turn of its event loop, so one large read cannot hog it.
   */
  receive(bytes: Uint8Array): boolean {
    if (this.handlers.done()) return false;
    this.dispatch(this.connection.receive(bytes));
    return !this.handlers.done() && !this.connection.error && this.connection.hasPendingInput;
  }

  /** The transport ended: read the records that came before the end, then let the engine judge the end. */
  transportEnded(): void {
    while (!this.handlers.done() && this.connection.hasPendingInput)
      this.dispatch(this.connection.receive(EMPTY));
    if (this.handlers.done()) return;
    this.dispatch(this.connection.receiveEnd({ allowTruncation: this.allowTruncation }));
  }

  /** Stop the handshake deadline (the adapter ended for another reason). */
  stopDeadline(): void {
    clearTimeout(this.timer);
    this.timer = undefined; // an idle connection should not keep the spent Timeout alive
  }

  /**
   * The engine paused its handshake for a signer that answers later: wait for it here (the engine
   * never awaits), hand the answer back, and go on with what the engine does next, including any
   * records that arrived meanwhile. The handshake deadline keeps running.
   */
  private awaitSignature(signature: PromiseLike<Uint8Array>): void {
    const connection = this.connection;
    Promise.resolve(signature).then(
      (bytes) => this.afterSignature(() => connection.provideSignature(bytes)),
      (reason: unknown) => this.afterSignature(() => connection.failSignature(reason)),
    );
  }

  private afterSignature(answer: () => readonly TlsEvent[]): void {
    if (this.handlers.done() || this.connection.error || !this.connection.pendingSignature) return;
    this.dispatch(answer());
    // Records that came while we waited and did not fit one receive(): bounded by what the engine
    // kept while paused (maxHandshakeMessageSize).
    while (!this.handlers.done() && this.connection.hasPendingInput)
      this.dispatch(this.connection.receive(EMPTY));
  }

  /** Hand `events` to the handlers in order; stop at an error or a handler that ended the adapter. */
  dispatch(events: readonly TlsEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case 'handshake':
          this.stopDeadline();
          this.handlers.handshake(event.info);
          break;
        case 'data':
          if (this.handlers.data(event.data) === true) return;
          break;
        case 'peerClosed':
          if (this.handlers.peerClosed() === true) return;
          break;
        case 'alert':
          this.handlers.alert?.(event.description);
          break;
        case 'session':
          this.handlers.session?.(event.session);
          break;
        case 'error':
          this.stopDeadline();
          this.handlers.error(event.error);
          return;
        case 'signatureRequest':
          this.awaitSignature(event.signature);
          break;
      }
    }
    this.handlers.flush();
  }
}
