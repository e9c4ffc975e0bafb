// The connection's lifecycle as one union: each phase carries exactly the data it needs, and the
// session secrets (master secret and randoms for the RFC 5705 exporter) live only in the phases that
// use them (RFC 5246 §7.2.1 closure, RFC 5705 §4).

import type { SuiteParams } from './ciphers/suites.js';
import type { TlsError } from './errors.js';
import type { SessionInfo } from './handshake/session.js';
import { pendingWritesFull } from './limits.js';

/** What the exporter needs after the handshake; zeroed when the connection closes or fails. */
export interface SessionSecrets {
  readonly suite: SuiteParams;
  readonly masterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
}

/**
 * The session secrets in one buffer (one allocation an idle connection keeps, not three), copied from
 * the handshake's arrays, whose master secret is then zeroed. Wiping the returned masterSecret view
 * wipes the secret.
 */
export function packSessionSecrets(from: SessionSecrets): SessionSecrets {
  const { masterSecret, clientRandom, serverRandom } = from;
  const packed = new Uint8Array(masterSecret.length + clientRandom.length + serverRandom.length);
  packed.set(masterSecret, 0);
  packed.set(clientRandom, masterSecret.length);
  packed.set(serverRandom, masterSecret.length + clientRandom.length);
  masterSecret.fill(0);
  const randoms = masterSecret.length + clientRandom.length;
  return {
    suite: from.suite,
    masterSecret: packed.subarray(0, masterSecret.length),
    clientRandom: packed.subarray(masterSecret.length, randoms),
    serverRandom: packed.subarray(randoms),
  };
}

export type ConnectionPhase =
  | {
      readonly name: 'handshaking';
      /** Application data written before the handshake completed, sent once it does. */
      readonly pendingWrites: Uint8Array[];
      pendingWriteBytes: number;
      /** close() was called: close_notify goes out right after the handshake completes. */
      closeRequested: boolean;
    }
  | { readonly name: 'open'; readonly info: SessionInfo; readonly secrets: SessionSecrets }
  | {
      readonly name: 'closing';
      readonly info: SessionInfo;
      readonly secrets: SessionSecrets;
      /** Which close_notify has gone (exactly one of the two). */
      readonly sentClose: boolean;
      readonly receivedClose: boolean;
    }
  /** close_notify went both ways, or the peer closed during the handshake. */
  | { readonly name: 'closed'; readonly info: SessionInfo | undefined }
  | { readonly name: 'failed'; readonly error: TlsError; readonly info: SessionInfo | undefined };

/** Where a connection is: 'handshaking', 'open', 'closing', 'closed' or 'failed'. */
export type ConnectionState = 'handshaking' | 'open' | 'closing' | 'closed' | 'failed';

/** Compile-time check that ConnectionState names exactly the phases (the phases carry secrets, so stay internal). */
export type PhaseNamesMatch = [ConnectionState, ConnectionPhase['name']] extends [
  ConnectionPhase['name'],
  ConnectionState,
]
  ? true
  : never;
export const PHASE_NAMES_MATCH: PhaseNamesMatch = true;

/** The peer's close_notify has arrived (or the caller took the transport's end as one). */
export function peerHasClosed(phase: ConnectionPhase): boolean {
  return phase.name === 'closed' || (phase.name === 'closing' && phase.receivedClose);
}

/** We have sent close_notify, or will right after the handshake: no more writes. */
export function weHaveClosed(phase: ConnectionPhase): boolean {
  return (
    (phase.name === 'handshaking' && phase.closeRequested) ||
    (phase.name === 'closing' && phase.sentClose) ||
    phase.name === 'closed'
  );
}

/** Application data written during the handshake, kept (a copy) until it completes. */
export function bufferPendingWrite(
  phase: Extract<ConnectionPhase, { name: 'handshaking' }>,
  data: Uint8Array,
  maxPendingWriteBytes: number,
): void {
  if (phase.pendingWriteBytes + data.length > maxPendingWriteBytes) {
    throw pendingWritesFull(phase.pendingWriteBytes, data.length, maxPendingWriteBytes);
  }
  phase.pendingWrites.push(new Uint8Array(data));
  phase.pendingWriteBytes += data.length;
}
