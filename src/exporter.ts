// The RFC 5705 keying material exporter over an open connection's secrets: argument checks (labels
// reserved by RFC 5705 §4 and RFC 5246, lengths) and the PRF call (RFC 5705 §4, RFC 7627 §5.4).

import { exportKeyingMaterial } from './ciphers/prf.js';
import type { ConnectionPhase, SessionSecrets } from './connection-phase.js';
import { localError } from './errors.js';

/** Labels TLS itself uses with the PRF (RFC 5705 §4, RFC 5246 §8.1, §6.3, §7.4.9; RFC 7627 §4). */
const RESERVED_EXPORTER_LABELS = new Set([
  'client finished',
  'server finished',
  'master secret',
  'extended master secret',
  'key expansion',
]);

/** `length` bytes of keying material for `label` (and `context`, when given), or a local error. */
export function exportFromSecrets(
  s: SessionSecrets,
  label: string,
  length: number,
  context?: Uint8Array,
): Uint8Array {
  if (typeof label !== 'string' || RESERVED_EXPORTER_LABELS.has(label)) {
    throw localError('bad_argument', `'${label}' is reserved by TLS and cannot be used as an exporter label`);
  }
  if (!Number.isInteger(length) || length < 1 || length > 65535) {
    throw localError('bad_argument', `exporter length must be 1..65535, got ${length}`);
  }
  if (context !== undefined && (!(context instanceof Uint8Array) || context.length > 65535)) {
    throw localError('bad_argument', 'exporter context must be a Uint8Array of at most 65535 bytes');
  }
  return exportKeyingMaterial(
    s.suite.prfHash,
    s.masterSecret,
    s.clientRandom,
    s.serverRandom,
    label,
    length,
    context,
  );
}

/**
 * The exporter on a connection in `phase`: from handshake completion until the connection is
 * 'closed' (allowed while 'closing'); after 'closed' or 'failed' the master secret is wiped and this
 * throws a local error (code 'closed' or 'failed').
 */
export function exportFromPhase(
  phase: ConnectionPhase,
  label: string,
  length: number,
  context?: Uint8Array,
): Uint8Array {
  if (phase.name === 'failed') {
    throw localError(
      'failed',
      `exportKeyingMaterial(): the connection failed (${phase.error.code}) and its keys were wiped`,
    );
  }
  if (phase.name === 'closed') {
    throw localError('closed', 'exportKeyingMaterial(): the connection is closed and its keys were wiped');
  }
  if (phase.name === 'handshaking') {
    throw localError('not_ready', 'exportKeyingMaterial() needs a completed handshake');
  }
  return exportFromSecrets(phase.secrets, label, length, context);
}
