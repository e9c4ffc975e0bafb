// Parsed peer certificates kept per context (RFC 5280 §4.1, RFC 5246 §7.4.2): a reconnecting peer's
// chain, sent again byte for byte, is not parsed again — in full handshakes and in resumed ones
// (RFC 5077 §4), which report the full handshake's certificates.

import { parseCertificate } from '../x509/certificate.js';
import type { Certificate } from '../x509/types.js';

/**
 * Certificates kept per context. A parsed P-256 leaf is ~10 KiB, so this bounds the cache at a few
 * MiB; a busy server with more distinct peers than this parses the rest as it would without it.
 */
export const MAX_PARSED_CERTIFICATES = 512;

/** Longest DER kept (the chain budget refuses larger certificates before parsing anyway). */
const MAX_CACHED_DER = 16 * 1024;

/**
 * Exact DER bytes → the Certificate they parse to, least recently used evicted. Parsing is a pure
 * function of the bytes, so the same bytes always give the same result; only successful parses go in,
 * and nothing here says a certificate is valid: every use still verifies the chain in full (validity
 * at that moment, names, usages, revocation, signatures through the context's signature cache).
 * Entries are frozen (their typed arrays cannot be), since every connection of the context shares them.
 */
export class ParsedCertificateCache {
  private readonly entries = new Map<string, Certificate>();

  constructor(private readonly capacity = MAX_PARSED_CERTIFICATES) {}

  /** The certificate `der` parses to; throws what parseCertificate throws (nothing is kept then). */
  parse(der: Uint8Array, what?: string): Certificate {
    if (der.length > MAX_CACHED_DER) return parseCertificate(der, { source: 'peer', what });
    const key = byteString(der);
    const kept = this.entries.get(key);
    if (kept !== undefined) {
      this.entries.delete(key); // re-inserted below: most recently used last
      this.entries.set(key, kept);
      return kept;
    }
    // A copy: `der` may be a view into a larger handshake message, which the cache must not keep alive.
    const parsed = deepFreeze(parseCertificate(new Uint8Array(der), { source: 'peer', what }));
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, parsed);
    return parsed;
  }

  /** Every certificate of `chain`, parsed or taken from the cache. */
  parseChain(chain: readonly Uint8Array[]): readonly Certificate[] {
    return chain.map((der) => this.parse(der));
  }

  /** Certificates kept now. */
  get size(): number {
    return this.entries.size;
  }
}

/** The bytes as a one-byte-per-char string: an exact Map key (no hash, so no collision to rule out). */
function byteString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

/** Freeze an object graph of plain objects and arrays (typed arrays cannot be frozen and are left). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) {
    return value;
  }
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

const perContext = new WeakMap<object, ParsedCertificateCache>();

/** The cache belonging to one resolved config (a context). */
export function parsedCertificatesOf(cfg: object): ParsedCertificateCache {
  let cache = perContext.get(cfg);
  if (!cache) {
    cache = new ParsedCertificateCache();
    perContext.set(cfg, cache);
  }
  return cache;
}
