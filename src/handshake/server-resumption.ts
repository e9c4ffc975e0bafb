// The server's side of resumption (RFC 5246 §7.4.1.2–3, RFC 5077 §3.1–3.4, RFC 7627 §5.3, RFC 6066 §3):
// which offered session (ticket, then session ID) may be resumed, and what a full handshake stores.

import { equalBytes } from '../codec.js';
import type { ResolvedServerConfig } from '../config.js';
import { peerError } from '../errors.js';
import type { Certificate } from '../x509/types.js';
import type { ClientHello, NewSessionTicket } from './messages/types.js';
import { keyFitsSuite } from './negotiate.js';
import type { ServerChoices } from './negotiate-client-hello.js';
import { parsedCertificatesOf } from './parsed-certificates.js';
import { pathReferences, rebuildPath } from './resumed-path.js';
import { type StoredSession, verificationFingerprint } from './resumption.js';

/** The session ID a new full handshake gets: 32 random bytes (RFC 5246 §7.4.1.3). */
const SESSION_ID_LENGTH = 32;

/** The verification settings a server session is bound to (the clientAuth requirement among them). */
export function serverFingerprint(cfg: ResolvedServerConfig): Uint8Array {
  return verificationFingerprint(cfg, ['server', `clientAuth=${cfg.clientAuth}`]);
}

/** A session the ClientHello offered that we resume. */
export interface ResumableSession {
  readonly stored: StoredSession;
  readonly peerCertificates: readonly Certificate[];
  /** The path that verified the client's certificate in the full handshake, when kept. */
  readonly verifiedPath: readonly Certificate[] | undefined;
  /** Resumed from a ticket sealed with an older key: send a fresh one (as OpenSSL and Go do). */
  readonly renewTicket: boolean;
  /** Found in the session-ID cache under this ID (not in a ticket). */
  readonly cachedId?: Uint8Array;
}

/**
 * The session to resume, or undefined for a full handshake: a ticket we can open (else, with no
 * ticket, the cached session of the offered session ID) whose session is within its lifetime, was
 * made under the same verification settings, suite still allowed and offered, the same EMS use
 * (RFC 7627 §5.3: otherwise a full handshake), the same server name (RFC 6066 §3), a client
 * certificate when one is required and still valid. Never throws for what the client sent.
 */
export function findResumable(
  cfg: ResolvedServerConfig,
  hello: ClientHello,
  n: ServerChoices,
): ResumableSession | undefined {
  const store = cfg.sessions;
  const now = cfg.now();
  let found: ResumableSession | undefined;
  if (n.sessionTicket !== undefined && n.sessionTicket.length > 0) {
    const opened = store.openTicket(n.sessionTicket, now);
    if (!opened) return undefined;
    let peerCertificates: readonly Certificate[];
    try {
      peerCertificates = parsedCertificatesOf(cfg).parseChain(opened.stored.peerChain);
    } catch {
      return undefined;
    }
    const verifiedPath = rebuildPath(opened.stored.verifiedPath, peerCertificates, cfg.rootCertificates);
    found = { stored: opened.stored, peerCertificates, verifiedPath, renewTicket: !opened.current };
  } else {
    const cached = store.get(hello.sessionId);
    if (!cached) return undefined;
    const verifiedPath = rebuildPath(
      cached.stored.verifiedPath,
      cached.peerCertificates,
      cfg.rootCertificates,
    );
    found = { ...cached, verifiedPath, renewTicket: false, cachedId: hello.sessionId };
    if (!acceptable(cfg, found.stored, found.peerCertificates, hello, n, now)) {
      store.remove(hello.sessionId);
      return undefined;
    }
    return { ...found, stored: { ...found.stored, masterSecret: found.stored.masterSecret.slice() } };
  }
  return acceptable(cfg, found.stored, found.peerCertificates, hello, n, now) ? found : undefined;
}

function acceptable(
  cfg: ResolvedServerConfig,
  s: StoredSession,
  peerCertificates: readonly Certificate[],
  hello: ClientHello,
  n: ServerChoices,
  now: number,
): boolean {
  if (now > s.createdAt + cfg.sessions.lifetimeMs || now < s.createdAt - 60_000) return false;
  if (!equalBytes(s.fingerprint, serverFingerprint(cfg))) return false;
  if (!cfg.suites.includes(s.suite) || !hello.cipherSuites.includes(s.suite.code)) return false;
  if (!cfg.certificates.some((c) => keyFitsSuite(c.key.publicKey, s.suite))) return false;
  // RFC 7627 §5.3: a session made with the extended master secret offered in a ClientHello without
  // it "MUST abort the abbreviated handshake" (a downgrade; Go and OpenSSL refuse it too); one made
  // without it, now offered with it, gets a full handshake.
  if (s.extendedMasterSecret && !n.extendedMasterSecret) {
    throw peerError(
      'resumption_ems_mismatch',
      'the client offers a session made with the extended master secret in a ClientHello without it ' +
        '(RFC 7627 §5.3): refused as a downgrade',
    );
  }
  if (s.extendedMasterSecret !== n.extendedMasterSecret) return false;
  if (s.serverName !== n.serverName) return false;
  const leaf = peerCertificates[0];
  if (cfg.clientAuth === 'required' && !leaf) return false;
  if (leaf && leaf.notAfter < now) return false;
  return true;
}

/** What a completed handshake stores to be resumed (in a ticket or the session-ID cache). */
export function storedSession(
  cfg: ResolvedServerConfig,
  h: {
    suite: StoredSession['suite'];
    extendedMasterSecret: boolean;
    masterSecret: Uint8Array;
    serverName: string | undefined;
    group: string;
    signatureScheme: string;
    peerCertificates: readonly Certificate[];
    /** The path that verified the client's certificate (its identity's verifiedPath). */
    verifiedPath: readonly Certificate[] | undefined;
  },
  createdAt = cfg.now(),
): StoredSession {
  return {
    suite: h.suite,
    extendedMasterSecret: h.extendedMasterSecret,
    masterSecret: h.masterSecret.slice(),
    createdAt,
    fingerprint: serverFingerprint(cfg),
    serverName: h.serverName,
    group: h.group,
    signatureScheme: h.signatureScheme,
    peerChain: h.peerCertificates.map((c) => c.der),
    verifiedPath: pathReferences(h.verifiedPath, h.peerCertificates, cfg.rootCertificates),
  };
}

/** A NewSessionTicket for `session`, lifetime hint = the sessions' lifetime (RFC 5077 §3.3). */
export function newTicket(cfg: ResolvedServerConfig, session: StoredSession): NewSessionTicket {
  const ticket = cfg.sessions.issueTicket(session, cfg.now(), cfg.random);
  session.masterSecret.fill(0);
  return { lifetimeHint: cfg.sessions.lifetimeSeconds, ticket };
}

/**
 * How a full handshake answers the client's resumption offer: a ticket when the client asked for
 * one and tickets are on (with an empty session ID, as OpenSSL), else a fresh session ID when the
 * cache is on, else neither.
 */
export function newSessionPlan(
  cfg: ResolvedServerConfig,
  n: ServerChoices,
): { issueTicket: boolean; sessionId: Uint8Array } {
  const issueTicket = cfg.sessions.ticketsEnabled && n.sessionTicket !== undefined;
  const sessionId =
    !issueTicket && cfg.sessions.cacheSize > 0 ? cfg.random(SESSION_ID_LENGTH) : new Uint8Array(0);
  return { issueTicket, sessionId };
}
