// Defaults every transport adapter shares: the handshake deadline and the cap on concurrent server
// sessions (a session over the cap is refused with memtls's refusalRecord, RFC 5246 §7.2).
// No I/O and no node:* here: it runs in browsers.

import { limitError, type TlsError } from '../index.js';

/** ms until an unfinished handshake fails with code 'handshake_timeout' (120 s, as node:tls). */
export const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;

/** Sessions (handshaking or established) a ZeroMQ or WebSocket server holds at once. */
export const DEFAULT_MAX_SESSIONS = 1024;

/** The handshake did not finish in time: a deadline from the start, however the bytes trickle in. */
export function handshakeTimeoutError(timeout: number): TlsError {
  return limitError(
    'handshake_timeout',
    `the TLS handshake did not finish within ${timeout} ms (handshakeTimeout)`,
  );
}

/** True when `timeout` (ms) arms a timer; 0, negative or Infinity turn it off. */
export function isDeadline(timeout: number): boolean {
  return timeout > 0 && Number.isFinite(timeout);
}

/** A server refuses a new session because `maxSessions` are open. */
export function tooManySessionsError(maxSessions: number): TlsError {
  return limitError(
    'too_many_sessions',
    `refused a new TLS session: ${maxSessions} sessions are already open (maxSessions)`,
  );
}
