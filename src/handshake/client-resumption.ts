// The client's side of resumption (RFC 5246 §7.4.1.2–3, RFC 5077 §3.4, RFC 7627 §5.3): which stored
// session to offer, whether the ServerHello resumed it, and the session to hand out afterwards.

import type { SuiteParams } from '../ciphers/suites.js';
import { equalBytes } from '../codec.js';
import type { ResolvedClientConfig } from '../config.js';
import { peerError } from '../errors.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';
import type { NewSessionTicket } from './messages/types.js';
import { parsedCertificatesOf } from './parsed-certificates.js';
import { pathReferences, rebuildPath } from './resumed-path.js';
import {
  type ClientSession,
  decodeClientSession,
  encodeClientSession,
  verificationFingerprint,
} from './resumption.js';

/** A session ID we generate to offer with a ticket, so the server's echo shows it resumed (RFC 5077 §3.4). */
const TICKET_SESSION_ID_LENGTH = 32;
/** How long a session without a lifetime hint is offered: OpenSSL's default session timeout. */
const DEFAULT_CLIENT_LIFETIME_S = 7200;
/** Never offered after this long, whatever the hint (RFC 8446 §4.6.1's bound; Go and rustls use it). */
const MAX_CLIENT_LIFETIME_S = 7 * 24 * 3600;

/** The session offered in our ClientHello. */
export interface Offer {
  readonly session: ClientSession;
  /** The session's server chain, parsed (verified when the session was made). */
  readonly peerCertificates: readonly Certificate[];
  /** The path that verified the server when the session was made, leaf to pinned root, when kept. */
  readonly verifiedPath: readonly Certificate[] | undefined;
  /** The session_id we sent: the session's, or a fresh one beside a ticket. */
  readonly sessionId: Uint8Array;
}

/** The verification settings a client session is bound to. */
export function clientFingerprint(cfg: ResolvedClientConfig): Uint8Array {
  return verificationFingerprint(cfg, [
    'client',
    `name=${cfg.serverName}`,
    `verifyHostname=${cfg.verifyHostname}`,
  ]);
}

/**
 * The session to offer from `bytes`, or undefined when there is none to offer: unparseable, made
 * under other verification settings (root, server name, …), expired, its server certificate
 * expired, its suite no longer allowed, or without EMS when we require it.
 */
export function prepareOffer(cfg: ResolvedClientConfig, bytes: Uint8Array | undefined): Offer | undefined {
  if (bytes === undefined) return undefined;
  const session = decodeClientSession(bytes);
  if (!session) return undefined;
  if (!equalBytes(session.fingerprint, clientFingerprint(cfg))) return undefined;
  const now = cfg.now();
  const lifetime = Math.min(session.lifetimeHint || DEFAULT_CLIENT_LIFETIME_S, MAX_CLIENT_LIFETIME_S);
  if (now < session.createdAt - 60_000 || now > session.createdAt + lifetime * 1000) return undefined;
  if (!cfg.suites.includes(session.suite)) return undefined;
  if (!session.extendedMasterSecret && cfg.requireExtendedMasterSecret) return undefined;
  if (session.peerChain.length === 0) return undefined;
  let peerCertificates: readonly Certificate[];
  try {
    peerCertificates = parsedCertificatesOf(cfg).parseChain(session.peerChain);
  } catch {
    return undefined;
  }
  if (peerCertificates[0]!.notAfter < now) return undefined;
  const verifiedPath = rebuildPath(session.verifiedPath, peerCertificates, cfg.rootCertificates);
  if (session.ticket.length > 0) {
    return { session, peerCertificates, verifiedPath, sessionId: cfg.random(TICKET_SESSION_ID_LENGTH) };
  }
  return session.sessionId.length > 0
    ? { session, peerCertificates, verifiedPath, sessionId: session.sessionId }
    : undefined;
}

/** Whether the ServerHello's session_id echoes the one we offered: the server resumed. */
export function serverResumed(offer: Offer, serverSessionId: Uint8Array): boolean {
  return serverSessionId.length > 0 && equalBytes(serverSessionId, offer.sessionId);
}

/** A resumption must keep the session's suite and its EMS use (RFC 5246 §7.4.1.3, RFC 7627 §5.3). */
export function checkResumedHello(offer: Offer, suite: SuiteParams, extendedMasterSecret: boolean): void {
  if (suite !== offer.session.suite) {
    throw peerError(
      'resumption_suite_mismatch',
      `the server resumed our session with ${suite.name}, but the session was made with ${offer.session.suite.name}`,
    );
  }
  if (extendedMasterSecret !== offer.session.extendedMasterSecret) {
    throw peerError(
      'resumption_ems_mismatch',
      offer.session.extendedMasterSecret
        ? 'the server resumed a session made with the extended master secret without it (RFC 7627 §5.3)'
        : 'the server resumed a session made without the extended master secret, now with it (RFC 7627 §5.3)',
    );
  }
}

/** What a completed full handshake leaves to resume: bytes for a `session` event, or undefined. */
export function sessionAfterFullHandshake(
  cfg: ResolvedClientConfig,
  h: {
    suite: SuiteParams;
    extendedMasterSecret: boolean;
    masterSecret: Uint8Array;
    group: string;
    signatureScheme: string;
    peerCertificates: readonly Certificate[];
    identity: PeerIdentity;
    sessionId: Uint8Array;
    ticket: NewSessionTicket | undefined;
  },
): Uint8Array | undefined {
  const ticket = h.ticket?.ticket ?? new Uint8Array(0);
  if (ticket.length === 0 && h.sessionId.length === 0) return undefined;
  return encodeClientSession({
    suite: h.suite,
    extendedMasterSecret: h.extendedMasterSecret,
    masterSecret: h.masterSecret,
    createdAt: cfg.now(),
    fingerprint: clientFingerprint(cfg),
    serverName: cfg.serverName,
    group: h.group,
    signatureScheme: h.signatureScheme,
    peerChain: h.peerCertificates.map((c) => c.der),
    verifiedPath: pathReferences(h.identity.verifiedPath, h.peerCertificates, cfg.rootCertificates),
    sessionId: h.sessionId,
    ticket,
    lifetimeHint: h.ticket?.lifetimeHint ?? 0,
  });
}

/** After a resumption that brought a new ticket: the same session with it (else undefined). */
export function sessionAfterResumption(
  cfg: ResolvedClientConfig,
  session: ClientSession,
  ticket: NewSessionTicket | undefined,
): Uint8Array | undefined {
  if (!ticket || ticket.ticket.length === 0) return undefined;
  return encodeClientSession({
    ...session,
    createdAt: cfg.now(),
    ticket: ticket.ticket,
    lifetimeHint: ticket.lifetimeHint,
  });
}
