// Resource limits (README "Limits"): the options, their defaults and validation, and the limit errors
// that name the bound and the option that changes it (RFC 5246 §6.2, §7.2, §7.4.1.4).
//
// Choices made here:
// - Limits on what the peer sends (hello extensions, empty records, warning alerts) fail the
//   connection with a TlsError kind 'limit' and a fatal alert (LIMIT_ALERTS in error-codes.ts
//   picks it).
// - Limits on what the local application buffers (write() before the handshake completes, bytes
//   queued for a peer that does not read) refuse that one write: TlsError kind 'limit', no alert,
//   nothing of the write queued, the connection stays usable. The caller retries once the handshake
//   completed or takeOutgoing() drained the queue (rustls refuses writes over its buffer limit too;
//   Node's writable streams report the same condition as write() returning false).
// - maxRecordsPerReceive is a pause, not an error: receive() stops after that many records, keeps
//   the rest buffered and sets `hasPendingInput`; receive(new Uint8Array(0)) continues (as SSL_read
//   returns one record and SSL_pending reports the rest).

import { type LimitCode, limitError, localError, type TlsError } from './errors.js';
import { type HandshakeMessage, HandshakeType } from './handshake/messages/types.js';
import { MAX_EMPTY_RECORDS } from './record/types.js';

export interface LimitOptions {
  /**
   * Most extensions in a ClientHello or ServerHello; default 16383, all that fit in the 2^16-byte
   * extension block (OpenSSL, Go and rustls accept them all; the cost is linear in the block).
   */
  maxHelloExtensions?: number;
  /** Empty application data records accepted in a row; default 32 (as OpenSSL). */
  maxEmptyRecords?: number;
  /** Warning alerts (other than close_notify) accepted in a row; default 16. */
  maxWarningAlerts?: number;
  /** Bytes write() may buffer before the handshake completes; default 1 MiB. */
  maxPendingWriteBytes?: number;
  /**
   * Bytes queued for sending (not yet taken by takeOutgoing()) beyond which write() is refused;
   * default 1 MiB. A write onto an empty queue is always accepted.
   */
  maxOutgoingBytes?: number;
  /** Records one receive() call processes before it pauses (see hasPendingInput); default 1024. */
  maxRecordsPerReceive?: number;
}

export type ResolvedLimits = { readonly [K in keyof LimitOptions]-?: number };

export const DEFAULT_LIMITS: ResolvedLimits = {
  maxHelloExtensions: 16383,
  maxEmptyRecords: MAX_EMPTY_RECORDS,
  maxWarningAlerts: 16,
  maxPendingWriteBytes: 1 << 20,
  maxOutgoingBytes: 1 << 20,
  maxRecordsPerReceive: 1024,
};

/** Smallest value each option accepts. */
const MINIMUM: ResolvedLimits = {
  maxHelloExtensions: 1,
  maxEmptyRecords: 0,
  maxWarningAlerts: 0,
  maxPendingWriteBytes: 0,
  maxOutgoingBytes: 1,
  maxRecordsPerReceive: 1,
};

/** The limits of a config: defaults filled in; a bad value is a local 'bad_config' error. */
export function resolveLimits(config: LimitOptions): ResolvedLimits {
  const out: Record<string, number> = {};
  for (const name of Object.keys(DEFAULT_LIMITS) as (keyof ResolvedLimits)[]) {
    const value = config[name] ?? DEFAULT_LIMITS[name];
    if (!Number.isSafeInteger(value) || value < MINIMUM[name]) {
      throw localError('bad_config', `${name} must be an integer ≥ ${MINIMUM[name]}, got ${String(value)}`);
    }
    out[name] = value;
  }
  return out as ResolvedLimits;
}

/** A limit error; the alert (none for local buffering limits) follows from the code (LIMIT_ALERTS). */
export function limitReached(code: LimitCode, message: string): TlsError {
  return limitError(code, message);
}

/** A hello with more extensions than `max` (option maxHelloExtensions) is refused. */
export function checkHelloExtensions(message: HandshakeMessage, max: number): void {
  if (message.type !== HandshakeType.client_hello && message.type !== HandshakeType.server_hello) return;
  const count = message.body.extensions.length;
  if (count > max) {
    const name = message.type === HandshakeType.client_hello ? 'ClientHello' : 'ServerHello';
    throw limitReached(
      'too_many_hello_extensions',
      `${name} with ${count} extensions exceeds the limit of ${max} (option maxHelloExtensions)`,
    );
  }
}

export function tooManyWarningAlerts(max: number): TlsError {
  return limitReached(
    'too_many_warning_alerts',
    `more than ${max} warning alerts in a row (option maxWarningAlerts)`,
  );
}

/** write() before the handshake completes, over maxPendingWriteBytes: the write is refused. */
export function pendingWritesFull(buffered: number, adding: number, max: number): TlsError {
  return limitReached(
    'pending_writes_full',
    `write() of ${adding} bytes refused: ${buffered} bytes already wait for the handshake to complete` +
      ` and the limit is ${max} (option maxPendingWriteBytes); write again after the 'handshake' event`,
  );
}

/** write() while the outgoing queue holds data and would pass maxOutgoingBytes: refused. */
export function outgoingFull(queued: number, adding: number, max: number): TlsError {
  return limitReached(
    'outgoing_buffer_full',
    `write() of ${adding} bytes refused: ${queued} bytes already wait in takeOutgoing() and the limit` +
      ` is ${max} (option maxOutgoingBytes); send what takeOutgoing() returns, then write again`,
  );
}

/**
 * While the handshake waits for a signer, received bytes are kept for later: a peer that sends more
 * than maxHandshakeMessageSize meanwhile (it should be waiting for our flight) is refused.
 */
export function checkInputWhileSigning(buffered: number, limits: { maxHandshakeMessageSize: number }): void {
  if (buffered > limits.maxHandshakeMessageSize) {
    throw limitReached(
      'input_while_signing',
      `the peer sent ${buffered} bytes while we waited for our signer, more than maxHandshakeMessageSize` +
        ` (${limits.maxHandshakeMessageSize}); it should wait for our handshake messages`,
    );
  }
}
