// unexpected_message errors for handshake messages that arrive in the wrong state (RFC 5246 §7.4).

import { peerError, type TlsError } from '../errors.js';
import { HandshakeType } from './messages/types.js';

const names = new Map<number, string>(Object.entries(HandshakeType).map(([k, v]) => [v, k]));

export function handshakeTypeName(type: number): string {
  return names.get(type) ?? `handshake type ${type}`;
}

/** "awaitServerKeyExchange" → "waiting for ServerKeyExchange". */
export function describeState(step: string): string {
  if (step === 'done') return 'the handshake is complete';
  if (step.startsWith('await')) return `waiting for ${step.slice(5).replace(/Or/g, ' or ')}`;
  return step;
}

export function unexpectedMessage(type: number, state: string): TlsError {
  return peerError(
    'unexpected_message',
    'unexpected_message',
    `unexpected ${handshakeTypeName(type)} while ${state}`,
  );
}

/** A ChangeCipherSpec record outside the one place it belongs (RFC 5246 §7.1). */
export function unexpectedChangeCipherSpec(peer: 'client' | 'server', step: string): TlsError {
  return peerError(
    'unexpected_message',
    'unexpected_change_cipher_spec',
    `the ${peer} sent ChangeCipherSpec while ${describeState(step)}`,
  );
}
