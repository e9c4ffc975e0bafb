// The connection's lifecycle and output side: its phase (handshaking → open → closing → closed, or
// failed), application data out, close_notify, fatal alerts and the wiping of secrets when it ends
// (RFC 5246 §7.2, §7.2.1, §6.2; RFC 5705 §4 for the exporter's lifetime).

import type { ResolvedConfig, ResolvedServerConfig } from './config.js';
import type { TlsEvent } from './connection-events.js';
import {
  bufferPendingWrite,
  type ConnectionPhase,
  type ConnectionState,
  weHaveClosed,
} from './connection-phase.js';
import {
  AlertDescription,
  type AlertDescriptionName,
  alertForFailure,
  asTlsError,
  localError,
  type TlsError,
} from './errors.js';
import { exportFromPhase } from './exporter.js';
import type { SessionInfo } from './handshake/session.js';
import { outgoingFull } from './limits.js';
import { RecordLayer } from './record/record-layer.js';
import { ContentType } from './record/types.js';
import { traceAlert } from './trace.js';
import type { Certificate } from './x509/types.js';

/**
 * What every connection has whatever it receives: its phase, the record layer it writes to, and the
 * ways it ends. TlsConnection (connection.ts) adds the input side and the handshake.
 */
export abstract class ConnectionLifecycle {
  protected readonly records: RecordLayer;
  /** Where this connection is in its life, with the data that phase needs (see connection-phase.ts). */
  protected phase: ConnectionPhase = {
    name: 'handshaking',
    pendingWrites: [],
    pendingWriteBytes: 0,
    closeRequested: false,
  };
  /** Server: the session-ID cache entry of this connection's session, dropped if it fails. */
  protected cachedSessionId: Uint8Array | undefined;
  /** What the connection wipes when it ends (the state machine's ephemeral key and secrets). */
  protected abstract handshake: { wipe(): void };

  protected constructor(
    protected readonly resolved: ResolvedConfig,
    /** Which side of the connection this is. */
    readonly role: 'client' | 'server',
  ) {
    this.records = new RecordLayer({
      provider: resolved.provider,
      maxEmptyRecords: resolved.limits.maxEmptyRecords,
    });
    if (resolved.maxRecordSize !== undefined) this.records.setSendLimit(resolved.maxRecordSize);
  }

  /** Our own certificate chain from the config, leaf first (empty when none is configured). */
  get localCertificates(): readonly Certificate[] {
    return this.resolved.chainCertificates;
  }

  get state(): ConnectionState {
    return this.phase.name;
  }

  /** SessionInfo once the handshake is done, else undefined. */
  get info(): SessionInfo | undefined {
    return this.phase.name === 'handshaking' ? undefined : this.phase.info;
  }

  /** The fatal error that ended this connection, if any. */
  get error(): TlsError | undefined {
    return this.phase.name === 'failed' ? this.phase.error : undefined;
  }

  /** What console.log and util.inspect show: state and negotiated parameters, never key material. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const i = this.info;
    const who = i?.peerIdentity ? `, peer: ${i.peerIdentity.subject}` : '';
    return `${this.constructor.name} { state: '${this.state}'${i ? `, suite: ${i.cipherSuite}${who}` : ''} }`;
  }

  /** State and negotiated parameters for JSON.stringify (never key material). */
  toJSON(): { state: ConnectionState; info: SessionInfo | undefined } {
    return { state: this.state, info: this.info };
  }

  /**
   * Application data out; buffered until the handshake completes. Throws a TlsError kind 'limit'
   * (nothing queued, connection still usable) over maxPendingWriteBytes or maxOutgoingBytes.
   */
  write(data: Uint8Array): void {
    const phase = this.phase;
    if (phase.name === 'failed') throw phase.error;
    if (!(data instanceof Uint8Array)) throw localError('bad_argument', 'write() takes a Uint8Array');
    if (weHaveClosed(phase)) {
      throw localError('write_after_close', 'write() after close(): the connection is closing');
    }
    if (data.length === 0) return;
    const limits = this.resolved.limits;
    if (phase.name === 'handshaking') return bufferPendingWrite(phase, data, limits.maxPendingWriteBytes);
    const queued = this.records.pendingOutgoing;
    if (queued > 0 && queued + data.length > limits.maxOutgoingBytes) {
      throw outgoingFull(queued, data.length, limits.maxOutgoingBytes);
    }
    this.records.write(ContentType.application_data, data);
  }

  /** Send close_notify (after any buffered writes, once the handshake is done). */
  close(): void {
    const phase = this.phase;
    if (phase.name === 'failed' || weHaveClosed(phase)) return;
    if (phase.name === 'handshaking') phase.closeRequested = true;
    else this.sendCloseNotify();
  }

  /** Network bytes to send now; length 0 when none. */
  takeOutgoing(): Uint8Array {
    return this.records.takeOutgoing();
  }

  /**
   * The same bytes as takeOutgoing(), as the chunks they were queued in (records, or a record's
   * header and its sealed body), for transports that send several buffers in one call (writev):
   * this saves joining them. An empty array when nothing is queued. Send them in order.
   */
  takeOutgoingChunks(): readonly Uint8Array[] {
    return this.records.takeOutgoingChunks();
  }

  /**
   * RFC 5705 keying material exporter: from handshake completion until the connection is 'closed'
   * (allowed while 'closing'); after 'closed' or 'failed' the master secret is wiped and this
   * throws a local error (code 'closed' or 'failed').
   */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    return exportFromPhase(this.phase, label, length, context);
  }

  /** Our close_notify: open → closing, or closing (the peer's already came) → closed. */
  protected sendCloseNotify(): void {
    const phase = this.phase;
    if (phase.name !== 'open' && phase.name !== 'closing') return;
    this.sendAlert('warning', 'close_notify');
    if (phase.name === 'closing') this.enterClosed(phase.info);
    else this.phase = { ...phase, name: 'closing', sentClose: true, receivedClose: false };
  }

  /** The peer's close_notify (or an accepted end of the transport). */
  protected peerClosed(): void {
    // Nothing after it is read (receive() returns at once from now on): drop what is buffered.
    this.records.discardInput();
    const phase = this.phase;
    if (phase.name === 'handshaking') this.enterClosed(undefined);
    else if (phase.name === 'closing') this.enterClosed(phase.info);
    else if (phase.name === 'open')
      this.phase = { ...phase, name: 'closing', sentClose: false, receivedClose: true };
  }

  /** Once close_notify went both ways (or the peer closed mid-handshake) no key is needed again. */
  private enterClosed(info: SessionInfo | undefined): void {
    this.wipeSecrets();
    this.phase = { name: 'closed', info };
  }

  protected sendAlert(level: 'warning' | 'fatal', description: AlertDescriptionName): void {
    this.records.write(
      ContentType.alert,
      new Uint8Array([level === 'warning' ? 1 : 2, AlertDescription[description]]),
    );
    traceAlert(this.resolved.trace, 'sent', level === 'warning' ? 1 : 2, AlertDescription[description]);
  }

  protected fail(cause: unknown, events: TlsEvent[]): void {
    const error = asTlsError(cause);
    // RFC 5246 §7.2: after a fatal alert the session ID MUST NOT resume another connection; like
    // OpenSSL, any failure (a cut-off transport too) drops it. Tickets are stateless and stay valid.
    if (this.cachedSessionId && 'sessions' in this.resolved) {
      (this.resolved as ResolvedServerConfig).sessions.remove(this.cachedSessionId);
      this.cachedSessionId = undefined;
    }
    const ended = this.phase;
    this.phase = { name: 'failed', error, info: this.info };
    const alert = alertForFailure(error);
    if (alert !== undefined) {
      try {
        this.sendAlert('fatal', alert);
      } catch {
        // The record layer itself is broken (e.g. sequence overflow): nothing more can be sent.
      }
    }
    this.wipeSecrets(ended);
    events.push({ type: 'error', error });
  }

  /**
   * Zero every secret this connection holds: the master secret, the handshake state's ephemeral
   * key and master secret, and the record layer's keyed AEADs (queued bytes stay for
   * takeOutgoing(), so a fatal alert or our close_notify still goes out).
   */
  private wipeSecrets(phase: ConnectionPhase = this.phase): void {
    if (phase.name === 'open' || phase.name === 'closing') phase.secrets.masterSecret.fill(0);
    this.handshake.wipe();
    this.records.dispose();
  }
}
