// The sans-IO connection: bytes in, events and bytes out. Wires the record layer, handshake
// reassembly and the client/server state machines (RFC 5246 §6–7, RFC 5705, RFC 5746).

import type { ResolvedConfig } from './config.js';
import type { TlsEvent } from './connection-events.js';
import { recordLayerIo } from './connection-io.js';
import { ConnectionLifecycle } from './connection-lifecycle.js';
import { packSessionSecrets, peerHasClosed, weHaveClosed } from './connection-phase.js';
import { AlertDescription, alertName, localError, peerError } from './errors.js';
import type { ClientHandshake } from './handshake/client.js';
import { FinishedHandshake } from './handshake/finished.js';
import type { HandshakeIo } from './handshake/io.js';
import { decodeHandshakeBody, HandshakeReassembler } from './handshake/messages/handshake.js';
import { HandshakeType } from './handshake/messages/types.js';
import type { ServerHandshake } from './handshake/server.js';
import type { SessionInfo } from './handshake/session.js';
import { Transcript } from './handshake/transcript.js';
import { badChangeCipherSpecError, interleavedRecordError } from './handshake/unexpected.js';
import { checkHelloExtensions, checkInputWhileSigning, tooManyWarningAlerts } from './limits.js';
import {
  checkPostHandshakeType,
  checkRenegotiationRefusals,
  readWarningAlert,
  unexpectedEof,
} from './received-alerts.js';
import { ContentType, type PlainRecord } from './record/types.js';
import { type SignatureRequest, signerFailed } from './signer.js';
import { traceChangeCipherSpec, traceHandshake } from './trace.js';

export type { TlsEvent } from './connection-events.js';
export type { ConnectionState } from './connection-phase.js';

/** The Finished values before there are any (shared, never written). */
const NO_BYTES = new Uint8Array(0);

/**
 * The sans-IO connection both TlsClient and TlsServer are: bytes in with receive(), bytes out with
 * takeOutgoing(), application data with write(), close() for close_notify.
 */
export abstract class TlsConnection extends ConnectionLifecycle {
  protected readonly transcript = new Transcript();
  /** The state machine while handshaking; a FinishedHandshake (no per-connection data) after. */
  protected abstract override handshake: ClientHandshake | ServerHandshake | FinishedHandshake;
  private readonly reassembler: HandshakeReassembler;
  /** receive() stopped at maxRecordsPerReceive with bytes still buffered. */
  private inputPending = false;
  private warningAlerts = 0;
  private renegotiationRefusals = 0;
  /** verify_data of the Finished we sent and the one we received, for SessionInfo.finished. */
  private readonly finishedValues: { sent: Uint8Array; received: Uint8Array } = {
    sent: NO_BYTES,
    received: NO_BYTES,
  };
  /**
   * A per-connection key-log listener (NSS `CLIENT_RANDOM <hex> <hex>` lines, as config.keyLog,
   * which still gets them too): how memtls/node emits node:tls's 'keylog' event per socket.
   */
  onKeyLog: ((line: string) => void) | undefined;

  protected constructor(resolved: ResolvedConfig, role: 'client' | 'server') {
    super(resolved, role);
    this.reassembler = new HandshakeReassembler(resolved.maxHandshakeMessageSize);
  }

  /** The handshake's view of the outside world (docs/ARCHITECTURE.md "The handshake state machines"). */
  protected makeIo(): HandshakeIo {
    return recordLayerIo(this.records, this.transcript, this.resolved, {
      finishedSent: (verifyData) => {
        this.finishedValues.sent = verifyData;
      },
      keyLogListener: () => this.onKeyLog,
    });
  }

  /**
   * Network bytes in, in any fragmentation. Never throws for anything the peer sent. Processes at
   * most maxRecordsPerReceive records per call; see hasPendingInput.
   */
  receive(bytes: Uint8Array): TlsEvent[] {
    if (!(bytes instanceof Uint8Array)) throw localError('bad_argument', 'receive() takes a Uint8Array');
    if (this.phase.name === 'failed') return [{ type: 'error', error: this.phase.error }];
    const events: TlsEvent[] = [];
    // Nothing after close_notify counts; empty input only continues a paused receive().
    if (peerHasClosed(this.phase) || (bytes.length === 0 && !this.inputPending)) return events;
    this.inputPending = false;
    try {
      // The caller may reuse its buffer (or pass a Node Buffer, whose slice() is a view into a shared
      // pool), and the engine keeps partial records across calls. During the handshake: a copy. After
      // it, every record is decrypted into a new plaintext, so records are opened straight from the
      // caller's bytes and only what is left unread at the end of this call is copied.
      const loan = bytes.length > 0 && this.phase.name !== 'handshaking';
      if (loan) this.records.feedLoan(bytes);
      else if (bytes.length > 0) this.records.feed(new Uint8Array(bytes));
      try {
        if (this.handshake.pendingSignature)
          checkInputWhileSigning(this.records.bufferedInput, this.resolved);
        else this.readRecords(events);
      } finally {
        if (loan) this.records.endLoan(bytes);
      }
    } catch (e) {
      this.fail(e, events);
    }
    return events;
  }

  /** Read and dispatch records, at most maxRecordsPerReceive of them (none while a signature is pending). */
  private readRecords(events: TlsEvent[]): void {
    let budget = this.resolved.limits.maxRecordsPerReceive;
    for (let record = this.records.read(); record; record = this.records.read()) {
      this.onRecord(record, events);
      if (peerHasClosed(this.phase) || this.handshake.pendingSignature) break;
      if (--budget === 0) {
        this.inputPending = this.records.bufferedInput > 0;
        break;
      }
    }
  }

  /** The signature the handshake is paused for (see the 'signatureRequest' event), else undefined. */
  get pendingSignature(): SignatureRequest | undefined {
    return this.phase.name === 'failed' ? undefined : this.handshake.pendingSignature;
  }

  /**
   * The signer's answer to the pending signatureRequest: checked against our certificate's key (a
   * wrong one fails the connection with a local error), sent, and the handshake goes on with any
   * bytes received meanwhile. Returns the events, as receive() does.
   */
  provideSignature(signature: Uint8Array): TlsEvent[] {
    return this.resume(() => this.handshake.provideSignature(signature));
  }

  /** The signer failed (its promise rejected): the connection fails with a local signer_failed error. */
  failSignature(reason: unknown): TlsEvent[] {
    return this.resume(() => {
      throw signerFailed(reason);
    });
  }

  private resume(step: () => void): TlsEvent[] {
    if (this.phase.name === 'failed') return [{ type: 'error', error: this.phase.error }];
    if (!this.handshake.pendingSignature) {
      throw localError('no_pending_signature', 'the handshake is not waiting for a signature');
    }
    const events: TlsEvent[] = [];
    try {
      step();
      this.onHandshakeMessages(events);
      if (!this.handshake.pendingSignature) this.readRecords(events);
    } catch (e) {
      this.fail(e, events);
    }
    return events;
  }

  /**
   * True when receive() stopped after maxRecordsPerReceive records with input still buffered: call
   * receive(new Uint8Array(0)) (e.g. on the next turn of the event loop) to process more.
   */
  get hasPendingInput(): boolean {
    return this.inputPending && this.phase.name !== 'failed';
  }

  /**
   * The transport ended (TCP FIN, WebSocket closed): no more bytes will arrive. Without the peer's
   * close_notify the data may have been cut off (RFC 5246 §7.2.1), so that is an `error` event with
   * code `unexpected_eof` (kind 'transport': no alert is queued, the transport is gone), as in
   * OpenSSL 3, Go and rustls. `allowTruncation` accepts a quiet end once the handshake is done.
   * Empty after close_notify.
   */
  receiveEnd(options: { allowTruncation?: boolean } = {}): TlsEvent[] {
    const phase = this.phase;
    if (phase.name === 'failed') return [{ type: 'error', error: phase.error }];
    if (peerHasClosed(phase)) return [];
    if (phase.name !== 'handshaking' && options.allowTruncation === true) {
      this.peerClosed(); // the caller takes the end of the transport as the peer's close
      return [];
    }
    const events: TlsEvent[] = [];
    this.fail(unexpectedEof(phase.name === 'handshaking'), events);
    return events;
  }

  private onRecord(record: PlainRecord, events: TlsEvent[]): void {
    if (record.type !== ContentType.alert) this.warningAlerts = 0;
    // No other record between the fragments of a handshake message (RFC 8446 §5.1), except the
    // peer's fatal alert: it has given up, and its alert says more than ours would.
    const fatalAlert = record.type === ContentType.alert && record.data.length === 2 && record.data[0] === 2;
    if (record.type !== ContentType.handshake && this.reassembler.hasPartial && !fatalAlert) {
      throw interleavedRecordError(record.type);
    }
    switch (record.type) {
      case ContentType.handshake:
        return this.onHandshakeRecord(record.data, events);
      case ContentType.change_cipher_spec:
        if (record.data.length !== 1 || record.data[0] !== 1) throw badChangeCipherSpecError(record.data);
        traceChangeCipherSpec(this.resolved.trace, 'received');
        this.handshake.onChangeCipherSpec();
        this.records.activateRead();
        return;
      case ContentType.alert:
        return this.onAlert(record.data, events);
      case ContentType.application_data:
        if (this.phase.name === 'handshaking') {
          throw peerError('early_application_data', 'application data before the handshake completed');
        }
        if (record.data.length > 0) events.push({ type: 'data', data: record.data });
        return;
    }
  }

  private onHandshakeRecord(data: Uint8Array, events: TlsEvent[]): void {
    this.reassembler.push(data);
    this.onHandshakeMessages(events);
  }

  private onHandshakeMessages(events: TlsEvent[]): void {
    for (let m = this.reassembler.next(); m; m = this.reassembler.next()) {
      traceHandshake(this.resolved.trace, 'received', m.raw);
      // The type is checked against the state before the body is decoded (RFC 5246 §7.4).
      if (this.handshake.done) checkPostHandshakeType(this.role, m.type);
      else this.handshake.checkExpected(m.type);
      const message = decodeHandshakeBody(m.type, m.body, m.raw);
      checkHelloExtensions(message, this.resolved.limits.maxHelloExtensions);
      if (this.handshake.done) {
        this.onPostHandshakeMessage(events);
        continue;
      }
      this.handshake.handle(message);
      if (m.type === HandshakeType.finished) this.finishedValues.received = m.body.slice();
      if (this.handshake.done) this.complete(events);
      const request = this.handshake.pendingSignature;
      if (request) {
        events.push({ type: 'signatureRequest', ...request });
        return;
      }
    }
  }

  /** A renegotiation request is refused (RFC 5746 §4.2, §4.4), at most MAX_RENEGOTIATION_REFUSALS times. */
  private onPostHandshakeMessage(events: TlsEvent[]): void {
    checkRenegotiationRefusals(++this.renegotiationRefusals);
    if (!weHaveClosed(this.phase)) this.sendAlert('warning', 'no_renegotiation');
    events.push({ type: 'alert', level: 'warning', description: 'renegotiation_refused' });
  }

  private onAlert(data: Uint8Array, events: TlsEvent[]): void {
    const description = readWarningAlert(data, this.resolved.trace);
    if (description === AlertDescription.close_notify) {
      this.peerClosed();
      events.push({ type: 'peerClosed' });
      return;
    }
    if (++this.warningAlerts > this.resolved.limits.maxWarningAlerts) {
      throw tooManyWarningAlerts(this.resolved.limits.maxWarningAlerts);
    }
    events.push({ type: 'alert', level: 'warning', description: alertName(description) });
  }

  private complete(events: TlsEvent[]): void {
    const handshaking = this.phase;
    const machine = this.handshake;
    if (machine instanceof FinishedHandshake) return;
    const done = machine.state;
    if (handshaking.name !== 'handshaking' || done.step !== 'done') return;
    const result = done.result;
    // Object.assign adds the Finished values (both in one buffer) without reading result.info's lazy
    // peerCertificates.
    const { sent, received } = this.finishedValues;
    const both = new Uint8Array(sent.length + received.length);
    both.set(sent);
    both.set(received, sent.length);
    this.finishedValues.sent = this.finishedValues.received = NO_BYTES;
    const finished = { sent: both.subarray(0, sent.length), received: both.subarray(sent.length) };
    const info = Object.assign(result.info, { finished }) as SessionInfo;
    this.phase = {
      name: 'open',
      info,
      secrets: packSessionSecrets(result),
    };
    // The session first, as node:tls emits 'session' before 'secureConnect': a caller that closes the
    // connection on 'handshake' has it already.
    if (result.session) events.push({ type: 'session', session: result.session });
    this.cachedSessionId = result.cachedSessionId;
    events.push({ type: 'handshake', info });
    // Drop the state machine and what it holds (an idle connection keeps only its phase).
    this.handshake = this.role === 'server' ? FinishedHandshake.ofServer : FinishedHandshake.ofClient;
    for (const data of handshaking.pendingWrites) this.records.write(ContentType.application_data, data);
    if (handshaking.closeRequested) this.sendCloseNotify();
  }
}
