// The events a connection reports from receive(), receiveEnd() and the signer calls (RFC 5246 §7.2,
// §7.4.9; RFC 5077 §3.3): handshake completion, a session, data, close_notify, warnings, the error.

import type { TlsError } from './errors.js';
import type { SessionInfo } from './handshake/session.js';
import type { SignatureRequest } from './signer.js';

/**
 * What receive() and receiveEnd() report: the handshake's completion, data, the peer's close_notify,
 * a warning alert, or the fatal error.
 */
export type TlsEvent =
  | { type: 'handshake'; info: SessionInfo }
  /**
   * Client: a resumable session (after a full handshake that gave a session ID or ticket, or a new
   * ticket), just before the `handshake` event. A secret: pass it back as the `session` option to
   * resume; see README "Session resumption".
   */
  | { type: 'session'; session: Uint8Array }
  | { type: 'data'; data: Uint8Array }
  /** close_notify received: the peer will send no more data. */
  | { type: 'peerClosed' }
  | { type: 'alert'; level: 'warning'; description: string }
  /** Fatal: the matching alert is already queued in takeOutgoing(). */
  | { type: 'error'; error: TlsError }
  /**
   * The handshake paused for a signer that answers later: when `signature` settles, call
   * provideSignature(bytes) (or failSignature(reason)). The adapters do this themselves.
   */
  | ({ type: 'signatureRequest' } & SignatureRequest);
