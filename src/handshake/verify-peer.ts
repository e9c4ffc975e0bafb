// The application's own check of a verified peer (config verifyPeer), after the RFC 5280 path and
// RFC 9525 name checks: a reason refuses the peer with access_denied (RFC 5246 §7.2.2).

import { certificateError, TlsError } from '../errors.js';
import { printable } from '../printable.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';

/**
 * Call `verifyPeer` with the peer's identity and its validated path (leaf first, the pinned root
 * last). A returned string refuses the peer: certificate error rejected_by_application (alert
 * access_denied) carrying the reason, escaped. A throw or a return of anything but a string or
 * undefined is the application's bug: kind internal, code verify_peer_failed (alert
 * internal_error), with what was thrown as the cause; the handshake fails, nothing crashes.
 */
export function askApplication(
  verifyPeer: (identity: PeerIdentity, chain: readonly Certificate[]) => string | undefined,
  identity: PeerIdentity,
  path: readonly Certificate[],
  usage: 'server' | 'client',
): void {
  let answer: unknown;
  try {
    answer = verifyPeer(identity, Object.freeze([...path]));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new TlsError(`the application's verifyPeer callback threw: ${printable(detail)}`, {
      kind: 'internal',
      code: 'verify_peer_failed',
      cause: error,
    });
  }
  if (answer === undefined) return;
  if (typeof answer !== 'string') {
    throw new TlsError(
      `the application's verifyPeer callback returned ${typeof answer}; it must return a reason (string) to refuse ` +
        'the peer or undefined to accept it',
      { kind: 'internal', code: 'verify_peer_failed' },
    );
  }
  throw certificateError(
    'rejected_by_application',
    `the application refused the ${usage} '${printable(identity.subject)}': ${printable(answer || '(no reason given)')}`,
  );
}
