// Resumable session state (RFC 5246 §7.4.1.2 sessions, RFC 5077 §4 ticket contents, RFC 7627 §5.3):
// the versioned binary form of a client's serialized session and of a server's ticket plaintext, and
// the fingerprint of the verification settings a session is bound to.
//
// A serialized client session (the `session` event's bytes, the `session` option) holds, in order:
// a format byte, the cipher suite, whether the extended master secret was used, THE MASTER SECRET,
// when it was made, a SHA-256 fingerprint of the verification settings (pinned roots, server name,
// hostname check, our own certificate chain and the other chain rules), the server name, the ECDHE
// group and signature scheme of the full handshake, the server's certificate chain as it sent it
// (already verified), the verified path as references into that chain and the pinned roots, the session ID and the ticket the server gave us, and the ticket's lifetime
// hint. It is a secret: whoever holds it can decrypt every connection made with it and resume the
// session as us. Store it as you would a private key. A server's ticket holds the same fields (the
// client's chain in place of the server's), sealed by session-ticket.ts.

import { sha256 } from '@noble/hashes/sha2.js';
import { type SuiteParams, suiteByCode } from '../ciphers/suites.js';
import { Reader, utf8, Writer } from '../codec.js';
import type { ResolvedConfig } from '../config.js';
import { MAX_PATH_REFERENCES } from './resumed-path.js';

const CLIENT_FORMAT = 0x53;
const SERVER_FORMAT = 0x54;

/** What both sides keep of a completed full handshake to resume it. */
export interface StoredSession {
  readonly suite: SuiteParams;
  readonly extendedMasterSecret: boolean;
  /** 48 bytes. */
  readonly masterSecret: Uint8Array;
  /** ms since epoch (config `now`) of the full handshake. */
  readonly createdAt: number;
  /** verificationFingerprint() of the context the peer was verified under. */
  readonly fingerprint: Uint8Array;
  /** SNI of the full handshake (client: sent, server: received). */
  readonly serverName: string | undefined;
  readonly group: string;
  /** The peer's handshake signature scheme in the full handshake ('none' when it signed nothing). */
  readonly signatureScheme: string;
  /** The peer's certificate chain as it sent it (verified then), leaf first; may be empty (server side). */
  readonly peerChain: readonly Uint8Array[];
  /** The verified path, leaf to pinned root, as pathReferences() gives it (resumed-path.ts); may be empty. */
  readonly verifiedPath: readonly number[];
}

/** A client's session: the stored state and how to offer it again. */
export interface ClientSession extends StoredSession {
  /** The server's session ID (0..32 bytes). */
  readonly sessionId: Uint8Array;
  /** The server's ticket; empty when it issued none. */
  readonly ticket: Uint8Array;
  /** Seconds; 0 = not given. */
  readonly lifetimeHint: number;
}

function encodeStored(w: Writer, s: StoredSession): void {
  w.u16(s.suite.code);
  w.u8(s.extendedMasterSecret ? 1 : 0);
  w.opaque8(s.masterSecret);
  w.u32(Math.floor(s.createdAt / 0x100000000));
  w.u32(s.createdAt >>> 0);
  w.opaque8(s.fingerprint);
  w.opaque8(utf8.encode(s.serverName ?? ''));
  w.opaque8(utf8.encode(s.group));
  w.opaque8(utf8.encode(s.signatureScheme));
  w.vector24(() => {
    for (const der of s.peerChain) w.opaque24(der);
  });
  w.vector8(() => {
    for (const reference of s.verifiedPath) w.u16(reference);
  });
}

function decodeStored(r: Reader): StoredSession {
  const suite = suiteByCode(r.u16());
  if (!suite) throw new Error('unknown suite');
  const flags = r.u8();
  const masterSecret = r.opaque8({ min: 48, max: 48 });
  const createdAt = r.u32() * 0x100000000 + r.u32();
  const fingerprint = r.opaque8();
  const serverName = utf8.decode(r.opaque8());
  const group = utf8.decode(r.opaque8());
  const signatureScheme = utf8.decode(r.opaque8());
  const peerChain = r.vector24((v) => v.list((c) => c.opaque24({ min: 1 })));
  const verifiedPath = r.vector8((v) => v.list((c) => c.u16()), { max: 2 * MAX_PATH_REFERENCES });
  return {
    suite,
    extendedMasterSecret: flags === 1,
    masterSecret,
    createdAt,
    fingerprint,
    serverName: serverName === '' ? undefined : serverName,
    group,
    signatureScheme,
    peerChain,
    verifiedPath,
  };
}

/** The serialized client session (see the top of this file for what it holds). */
export function encodeClientSession(s: ClientSession): Uint8Array {
  const w = new Writer(512);
  w.u8(CLIENT_FORMAT);
  encodeStored(w, s);
  w.opaque8(s.sessionId);
  w.opaque16(s.ticket);
  w.u32(s.lifetimeHint);
  return w.finish();
}

/** A serialized client session, or undefined when the bytes are not one this version made. */
export function decodeClientSession(bytes: Uint8Array): ClientSession | undefined {
  try {
    // A copy: a Node Buffer's slice() is a view, and the decoded master secret is wiped after use.
    const r = new Reader(new Uint8Array(bytes), 'session');
    if (r.u8() !== CLIENT_FORMAT) return undefined;
    const stored = decodeStored(r);
    const sessionId = r.opaque8({ max: 32 });
    const ticket = r.opaque16();
    const lifetimeHint = r.u32();
    r.end();
    return { ...stored, sessionId, ticket, lifetimeHint };
  } catch {
    return undefined;
  }
}

/** A server's ticket plaintext (sealed by TicketSealer). */
export function encodeServerSession(s: StoredSession): Uint8Array {
  const w = new Writer(512);
  w.u8(SERVER_FORMAT);
  encodeStored(w, s);
  return w.finish();
}

export function decodeServerSession(bytes: Uint8Array): StoredSession | undefined {
  try {
    const r = new Reader(bytes, 'ticket');
    if (r.u8() !== SERVER_FORMAT) return undefined;
    const stored = decodeStored(r);
    r.end();
    return stored;
  } catch {
    return undefined;
  }
}

const fingerprints = new WeakMap<object, Uint8Array>();

/**
 * SHA-256 over every setting that decides whether a peer is accepted: the pinned roots, our own
 * chain, the EMS requirement, the chain rules and limits, and `extra` (client: server name and
 * hostname check; server: the clientAuth requirement). A session is only resumed under the same
 * fingerprint. Computed once per resolved config.
 */
export function verificationFingerprint(cfg: ResolvedConfig, extra: readonly string[]): Uint8Array {
  const known = fingerprints.get(cfg);
  if (known) return known;
  const w = new Writer(4096);
  w.vector24(() => {
    for (const der of cfg.roots) w.opaque24(der);
  });
  w.vector24(() => {
    for (const der of cfg.chain) w.opaque24(der);
  });
  const settings = [
    ...extra,
    `ems=${cfg.requireExtendedMasterSecret}`,
    `cn=${cfg.allowCommonNameFallback}`,
    `rsa=${cfg.minRsaKeyBits}`,
    `limits=${JSON.stringify(cfg.chainLimits)}`,
    `schemes=${cfg.schemes.map((s) => s.name).join(',')}`,
  ];
  w.opaque24(utf8.encode(settings.join('\n')));
  const fingerprint = sha256(w.finish());
  fingerprints.set(cfg, fingerprint);
  return fingerprint;
}
