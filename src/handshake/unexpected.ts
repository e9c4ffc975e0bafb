// unexpected_message errors: handshake messages in the wrong state (RFC 5246 §7.4), a malformed or
// misplaced ChangeCipherSpec (§7.1), and records interleaved with a fragmented handshake message
// (RFC 8446 §5.1, which states for all versions what RFC 5246 §6.2.1's fragmentation implies).

import { peerError, type TlsError } from '../errors.js';
import { handshakeTypeName } from './messages/types.js';

/** "awaitServerKeyExchange" → "waiting for ServerKeyExchange". */
export function describeState(step: string): string {
  if (step === 'done') return 'the handshake is complete';
  if (step.startsWith('await')) return `waiting for ${step.slice(5).replace(/Or/g, ' or ')}`;
  return step;
}

export function unexpectedMessage(type: number, state: string): TlsError {
  return peerError('unexpected_message', `unexpected ${handshakeTypeName(type)} while ${state}`);
}

/** A ChangeCipherSpec record outside the one place it belongs (RFC 5246 §7.1). */
export function unexpectedChangeCipherSpec(peer: 'client' | 'server', step: string): TlsError {
  return peerError(
    'unexpected_change_cipher_spec',
    `the ${peer} sent ChangeCipherSpec while ${describeState(step)}`,
  );
}

/**
 * A ChangeCipherSpec whose body is not the single byte 1 (RFC 5246 §7.1): unexpected_message, the
 * alert RFC 8446 §5 prescribes for "any other change_cipher_spec value".
 */
export function badChangeCipherSpecError(body: Uint8Array): TlsError {
  const shown = Array.from(body.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return peerError(
    'bad_change_cipher_spec',
    `ChangeCipherSpec must be the single byte 01, got ${body.length} bytes (${shown}${body.length > 8 ? ' …' : ''})`,
  );
}

const CONTENT_TYPE_NAMES: Record<number, string> = {
  20: 'ChangeCipherSpec',
  21: 'alert',
  23: 'application data',
};

/** A non-handshake record between the fragments of one handshake message. */
export function interleavedRecordError(contentType: number): TlsError {
  return peerError(
    'interleaved_record',
    `${CONTENT_TYPE_NAMES[contentType] ?? `content type ${contentType}`} record between the fragments of a` +
      ' handshake message; a split handshake message must arrive in consecutive handshake records',
  );
}
