// Session ticket keys and sealing (RFC 5077 §4, §5.5): tickets are AES-256-GCM sealed under keys
// derived per rotation period from 48-byte key material (node:tls's ticketKeys form).
//
// Key material: each 48-byte key is name(16) ‖ secret(32). node:tls splits its 48 bytes into a
// 16-byte key name, a 16-byte HMAC key and a 16-byte AES key; memtls keeps the name and folds both
// other halves into one 32-byte secret. The key that seals tickets in rotation period e is
//   HKDF-SHA256(ikm = secret, salt = name, info = "memtls ticket key v1" ‖ u32 e, 32 bytes)
// with e = floor(now / rotation). Every process given the same material and a clock within one
// period derives the same keys, so a fleet shares tickets and rotates them with no coordination.
// The first key seals; every configured key opens tickets of the current, the next (clock skew)
// and the periods a ticket's lifetime reaches back to. Anything else opens as undefined.
//
// Ticket: key name(16) ‖ u32 period ‖ nonce(12) ‖ AES-256-GCM(plaintext, aad = name ‖ period) ‖ tag(16);
// AES-GCM comes from the context's crypto provider (noble's AES and GHASH by default, node:crypto's
// with nodeCryptoProvider).

import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Aead } from '../ciphers/provider.js';
import { equalBytes, utf8 } from '../codec.js';
import { localError } from '../errors.js';

/** Length of one ticket key as node:tls takes it (getTicketKeys/setTicketKeys). */
export const TICKET_KEY_LENGTH = 48;
const NAME_LENGTH = 16;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const HEADER_LENGTH = NAME_LENGTH + 4 + NONCE_LENGTH;
/** Bytes a ticket adds to its plaintext. */
export const TICKET_OVERHEAD = HEADER_LENGTH + TAG_LENGTH;
/** Derived keys kept per store before the cache is cleared (a few periods × a few keys). */
const MAX_DERIVED_KEYS = 64;
const INFO = utf8.encode('memtls ticket key v1');

interface KeyMaterial {
  readonly name: Uint8Array;
  readonly secret: Uint8Array;
}

/**
 * Split ticket key material into 48-byte keys: one Uint8Array of 48·n bytes (node:tls's form is
 * n = 1) or a list of them. The first key issues tickets. Throws a local bad_config error.
 */
export function parseTicketKeys(value: unknown): KeyMaterial[] {
  const parts = Array.isArray(value) ? value : [value];
  const keys: KeyMaterial[] = [];
  for (const part of parts) {
    if (!(part instanceof Uint8Array) || part.length === 0 || part.length % TICKET_KEY_LENGTH !== 0) {
      throw localError(
        'bad_config',
        `ticketKeys must be ${TICKET_KEY_LENGTH}-byte keys (as node:tls's ticketKeys; 'memtls pki ticket-key FILE' ` +
          `makes one), a Uint8Array of a multiple of ${TICKET_KEY_LENGTH} bytes or a list of them`,
      );
    }
    const copy = new Uint8Array(part); // a copy, also of a Node Buffer (whose slice() is a view)
    for (let o = 0; o < copy.length; o += TICKET_KEY_LENGTH) {
      keys.push({
        name: copy.slice(o, o + NAME_LENGTH),
        secret: copy.slice(o + NAME_LENGTH, o + TICKET_KEY_LENGTH),
      });
    }
  }
  if (keys.length === 0) throw localError('bad_config', 'ticketKeys holds no key');
  return keys;
}

export interface OpenedTicket {
  readonly plaintext: Uint8Array;
  /** Sealed with the key that issues now: no need to issue a fresh ticket. */
  readonly current: boolean;
}

/**
 * The ticket keys of one server context: seals with the current key, opens with recent ones. Each
 * derived key is one AES-256-GCM instance from the context's crypto provider,
 * keyed once and kept, so a ticket costs no key schedule or GHASH table.
 */
export class TicketSealer {
  private readonly derived = new Map<string, Aead>();

  /**
   * `rotationMs`: length of a key period; `lifetimeMs`: how long a ticket is honoured (so how many
   * past periods still open).
   */
  constructor(
    private readonly keys: readonly KeyMaterial[],
    private readonly rotationMs: number,
    private readonly lifetimeMs: number,
    /** An AES-256-GCM instance for a derived key (the context's crypto provider's). */
    private readonly aeadFor: (key: Uint8Array) => Aead,
  ) {}

  private period(nowMs: number): number {
    return Math.floor(nowMs / this.rotationMs) >>> 0;
  }

  private keyFor(material: KeyMaterial, period: number): Aead {
    const id = `${material.name.join(',')}:${period}`;
    let aead = this.derived.get(id);
    if (aead === undefined) {
      const info = new Uint8Array(INFO.length + 4);
      info.set(INFO);
      new DataView(info.buffer).setUint32(INFO.length, period);
      const key = hkdf(sha256, material.secret, material.name, info, 32);
      aead = this.aeadFor(key);
      key.fill(0);
      if (this.derived.size >= MAX_DERIVED_KEYS) {
        for (const old of this.derived.values()) old.dispose();
        this.derived.clear();
      }
      this.derived.set(id, aead);
    }
    return aead;
  }

  /** Seal `plaintext` with the current key of the current period. */
  seal(plaintext: Uint8Array, nowMs: number, random: (n: number) => Uint8Array): Uint8Array {
    const material = this.keys[0]!;
    const period = this.period(nowMs);
    const header = new Uint8Array(HEADER_LENGTH);
    header.set(material.name, 0);
    new DataView(header.buffer).setUint32(NAME_LENGTH, period);
    header.set(random(NONCE_LENGTH), NAME_LENGTH + 4);
    const aad = header.subarray(0, NAME_LENGTH + 4);
    const nonce = header.subarray(NAME_LENGTH + 4);
    const sealed = this.keyFor(material, period).seal(nonce, aad, plaintext);
    const ticket = new Uint8Array(HEADER_LENGTH + sealed.length);
    ticket.set(header, 0);
    ticket.set(sealed, HEADER_LENGTH);
    return ticket;
  }

  /**
   * The plaintext of a ticket sealed by one of our keys in a period its lifetime still covers, or
   * undefined for anything else (unknown name, old period, truncated, tampered): never throws.
   */
  open(ticket: Uint8Array, nowMs: number): OpenedTicket | undefined {
    if (ticket.length < TICKET_OVERHEAD) return undefined;
    const name = ticket.subarray(0, NAME_LENGTH);
    const index = this.keys.findIndex((k) => equalBytes(k.name, name));
    if (index < 0) return undefined;
    const period = new DataView(ticket.buffer, ticket.byteOffset + NAME_LENGTH, 4).getUint32(0);
    const now = this.period(nowMs);
    const back = Math.ceil(this.lifetimeMs / this.rotationMs);
    if (period > now + 1 || period + back < now) return undefined;
    const aad = ticket.subarray(0, NAME_LENGTH + 4);
    const nonce = ticket.subarray(NAME_LENGTH + 4, HEADER_LENGTH);
    const plaintext = this.keyFor(this.keys[index]!, period).open(nonce, aad, ticket.subarray(HEADER_LENGTH));
    return plaintext && { plaintext, current: index === 0 && period === now };
  }
}
