// A server context's resumption state (RFC 5246 §7.4.1.2 session cache, RFC 5077 tickets): the
// options, the ticket keys and the bounded LRU session-ID cache, shared by every connection made
// from one context. The one mutable object inside an otherwise frozen context.

import type { CryptoProvider } from '../ciphers/provider.js';
import { localError, type TlsError } from '../errors.js';
import type { Certificate } from '../x509/types.js';
import { MAX_TICKET_LENGTH } from './messages/new-session-ticket.js';
import { decodeServerSession, encodeServerSession, type StoredSession } from './resumption.js';
import { parseTicketKeys, TICKET_KEY_LENGTH, TICKET_OVERHEAD, TicketSealer } from './session-ticket.js';

/** Server options for session resumption (on ServerConfig). */
export interface ServerResumptionOptions {
  /** Issue and accept session tickets (RFC 5077); default true. */
  sessionTickets?: boolean;
  /**
   * Ticket key material: 48-byte keys (node:tls's form), one Uint8Array of 48·n bytes or a list;
   * the first issues tickets, all open them. Servers given the same keys accept each other's
   * tickets. Default: a random key made with the context (tickets die with it).
   */
  ticketKeys?: Uint8Array | Uint8Array[];
  /** Seconds each derived ticket key issues before the next takes over; default 86400 (a day). */
  ticketKeyRotation?: number;
  /** Seconds a session (ticket or cache entry) may be resumed after its full handshake; default 7200. */
  sessionTimeout?: number;
  /** Most sessions kept for resumption by session ID (LRU); default 1024, 0 turns session IDs off. */
  sessionCacheSize?: number;
}

/** A cached session with its certificates already parsed. */
export interface CachedSession {
  readonly stored: StoredSession;
  readonly peerCertificates: readonly Certificate[];
}

const MAX_LIFETIME_S = 7 * 24 * 3600; // RFC 8446 §4.6.1's bound; Go and rustls use it for TLS 1.2 too
const MAX_CACHE_SIZE = 1 << 20;

/** The mutable resumption state of one server context. */
export class SessionStore {
  readonly ticketsEnabled: boolean;
  readonly lifetimeMs: number;
  readonly lifetimeSeconds: number;
  readonly cacheSize: number;
  private readonly sealer: TicketSealer;
  private readonly cache = new Map<string, CachedSession>();

  /** `provider` seals the tickets (AES-256-GCM): node:crypto's with nodeCryptoProvider. */
  constructor(
    options: ServerResumptionOptions,
    random: (n: number) => Uint8Array,
    provider: Pick<CryptoProvider, 'aead'>,
  ) {
    const tickets = options.sessionTickets ?? true;
    if (typeof tickets !== 'boolean') throw resumptionBad('sessionTickets must be a boolean');
    this.ticketsEnabled = tickets;
    this.lifetimeSeconds = seconds(options.sessionTimeout, 'sessionTimeout', 7200, MAX_LIFETIME_S);
    this.lifetimeMs = this.lifetimeSeconds * 1000;
    const rotation = seconds(options.ticketKeyRotation, 'ticketKeyRotation', 86400, 365 * 86400);
    const size = options.sessionCacheSize ?? 1024;
    if (!Number.isInteger(size) || size < 0 || size > MAX_CACHE_SIZE) {
      throw resumptionBad(`sessionCacheSize must be an integer from 0 to ${MAX_CACHE_SIZE}, got ${size}`);
    }
    this.cacheSize = size;
    const keys = parseTicketKeys(options.ticketKeys ?? random(TICKET_KEY_LENGTH));
    this.sealer = new TicketSealer(keys, rotation * 1000, this.lifetimeMs, (key) =>
      provider.aead('AES-256-GCM', key),
    );
  }

  /** A sealed ticket for `session`, or an empty one when it would not fit (RFC 5077 §3.3). */
  issueTicket(session: StoredSession, nowMs: number, random: (n: number) => Uint8Array): Uint8Array {
    const plaintext = encodeServerSession(session);
    if (plaintext.length + TICKET_OVERHEAD > MAX_TICKET_LENGTH) return new Uint8Array(0);
    return this.sealer.seal(plaintext, nowMs, random);
  }

  /** The session in a ticket we sealed, or undefined (never throws for anything the client sent). */
  openTicket(ticket: Uint8Array, nowMs: number): { stored: StoredSession; current: boolean } | undefined {
    if (!this.ticketsEnabled) return undefined;
    const opened = this.sealer.open(ticket, nowMs);
    if (!opened) return undefined;
    const stored = decodeServerSession(opened.plaintext);
    opened.plaintext.fill(0);
    return stored && { stored, current: opened.current };
  }

  /** Remember a completed full handshake under its session ID, evicting the least recently used. */
  put(sessionId: Uint8Array, session: CachedSession): void {
    if (this.cacheSize === 0 || sessionId.length === 0) return;
    const id = hex(sessionId);
    this.cache.delete(id);
    this.cache.set(id, session);
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.get(oldest)?.stored.masterSecret.fill(0);
      this.cache.delete(oldest);
    }
  }

  /** The cached session for `sessionId` (marked most recently used), or undefined. */
  get(sessionId: Uint8Array): CachedSession | undefined {
    if (this.cacheSize === 0 || sessionId.length === 0) return undefined;
    const id = hex(sessionId);
    const found = this.cache.get(id);
    if (found) {
      this.cache.delete(id);
      this.cache.set(id, found);
    }
    return found;
  }

  /** Forget a session (expired, or no longer acceptable). */
  remove(sessionId: Uint8Array): void {
    const id = hex(sessionId);
    this.cache.get(id)?.stored.masterSecret.fill(0);
    this.cache.delete(id);
  }

  /** Sessions currently cached. */
  get cachedSessions(): number {
    return this.cache.size;
  }
}

function resumptionBad(message: string): TlsError {
  return localError('bad_config', message);
}

function seconds(value: number | undefined, name: string, fallback: number, max: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 1 || v > max) {
    throw resumptionBad(`${name} must be a number of seconds from 1 to ${max}, got ${String(value)}`);
  }
  return v;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
