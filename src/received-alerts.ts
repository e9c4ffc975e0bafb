// What may come from the peer outside the handshake's own messages: an alert record (RFC 5246 §7.2;
// RFC 8446 §6 for the alerts that are always fatal), a renegotiation request, refused (RFC 5746 §4.2,
// §4.4), and the end of the transport without close_notify (RFC 5246 §7.2.1).

import {
  alertReceivedError,
  decodeError,
  limitError,
  mayBeWarning,
  peerError,
  type TlsError,
  transportError,
} from './errors.js';
import { HandshakeType } from './handshake/messages/types.js';
import { type TraceHook, traceAlert } from './trace.js';

/** Renegotiation requests refused before we call it a flood (each one makes us queue an alert). */
export const MAX_RENEGOTIATION_REFUSALS = 8;

/**
 * An alert record's description when it is a warning we may tolerate (close_notify included);
 * throws for a fatal alert, an always-fatal one sent as a warning, an unknown level or a bad length.
 */
export function readWarningAlert(data: Uint8Array, trace: TraceHook | undefined): number {
  if (data.length !== 2)
    throw decodeError(`an alert record must be 2 bytes, got ${data.length}`, 'bad_alert');
  const level = data[0]!;
  const description = data[1]!;
  traceAlert(trace, 'received', level, description);
  if (level === 2) throw alertReceivedError(description);
  if (level !== 1) throw decodeError(`unknown alert level ${level}`, 'bad_alert');
  if (!mayBeWarning(description)) throw alertReceivedError(description, 'warning');
  return description;
}

/** After the handshake only a renegotiation request may arrive (checked before its body is decoded). */
export function checkPostHandshakeType(role: 'client' | 'server', type: number): void {
  const renegotiation =
    (role === 'client' && type === HandshakeType.hello_request) ||
    (role === 'server' && type === HandshakeType.client_hello);
  if (!renegotiation) {
    throw peerError('unexpected_message', `unexpected handshake message ${type} after the handshake`);
  }
}

/** The `refusals`-th renegotiation request: a limit error past MAX_RENEGOTIATION_REFUSALS. */
export function checkRenegotiationRefusals(refusals: number): void {
  if (refusals > MAX_RENEGOTIATION_REFUSALS) {
    throw limitError(
      'too_many_renegotiation_requests',
      `the peer asked to renegotiate ${refusals} times; renegotiation is not supported`,
    );
  }
}

/** The transport ended without the peer's close_notify (kind 'transport': no alert is sent). */
export function unexpectedEof(duringHandshake: boolean): TlsError {
  return transportError(
    'unexpected_eof',
    duringHandshake
      ? 'the peer closed the connection during the TLS handshake'
      : 'the peer closed the connection without close_notify: the data received may be truncated (allowTruncation: true accepts this)',
  );
}
