// The plaintext fatal alert record (RFC 5246 §6.2.1, §7.2) a server sends to refuse a peer before any
// handshake starts: the alert is the one errors.ts picks for the error.

import { AlertDescription, AlertLevel, type TlsError } from '../errors.js';
import { ContentType } from './types.js';

/**
 * The one record that tells a refused peer why, before any handshake: a plaintext fatal alert,
 * the one errors.ts picks for `error` (TLS has no "busy" alert; a limit gives internal_error).
 * Transports send it when they turn a connection away without running a TlsServer for it, for
 * example a server over its session cap; then they close the transport.
 */
export function refusalRecord(error: TlsError): Uint8Array {
  const alert = error.alertSent ?? 'internal_error';
  return new Uint8Array([ContentType.alert, 3, 3, 0, 2, AlertLevel.fatal, AlertDescription[alert]]);
}
