// Defaults every transport adapter shares: the handshake deadline, the cap on concurrent server
// sessions, and the plaintext fatal alert (RFC 5246 §6.2.1, §7.2) that refuses a session over the
// cap. No I/O and no node:* here: it runs in browsers.

import { AlertDescription, AlertLevel, TlsError } from '../errors.js';
import { ContentType } from '../record/types.js';

/** ms until an unfinished handshake fails with code 'handshake_timeout' (120 s, as node:tls). */
export const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;

/** Sessions (handshaking or established) a ZeroMQ or WebSocket server holds at once. */
export const DEFAULT_MAX_SESSIONS = 1024;

/** The handshake did not finish in time: a deadline from the start, however the bytes trickle in. */
export function handshakeTimeoutError(timeout: number): TlsError {
  return new TlsError(`the TLS handshake did not finish within ${timeout} ms (handshakeTimeout)`, {
    kind: 'limit',
    code: 'handshake_timeout',
  });
}

/** True when `timeout` (ms) arms a timer; 0, negative or Infinity turn it off. */
export function isDeadline(timeout: number): boolean {
  return timeout > 0 && Number.isFinite(timeout);
}

/** A server refuses a new session because `maxSessions` are open. */
export function tooManySessionsError(maxSessions: number): TlsError {
  return new TlsError(`refused a new TLS session: ${maxSessions} sessions are already open (maxSessions)`, {
    kind: 'limit',
    code: 'too_many_sessions',
  });
}

/**
 * The one record that tells a refused peer why, before any handshake: a plaintext fatal alert,
 * `error.alertSent` (TLS has no "busy" alert: too_many_sessions gives internal_error).
 */
export function refusalRecord(error: TlsError): Uint8Array {
  const alert = error.alertSent ?? 'internal_error';
  return new Uint8Array([ContentType.alert, 3, 3, 0, 2, AlertLevel.fatal, AlertDescription[alert]]);
}
