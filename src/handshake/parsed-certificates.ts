// Parsed peer certificates kept per context (RFC 5280 §4.1, RFC 5246 §7.4.2): a reconnecting peer's
// chain, sent again byte for byte, is not parsed again — in full handshakes and in resumed ones
// (RFC 5077 §4), which report the full handshake's certificates.

import { latin1 } from '../codec.js';
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
 * function of the bytes, so the same bytes always give the same result. Only certificates of a path
 * that verified go in (keep(), after the handshake's checks passed; parseChain() for resumption,
 * whose chains verified when the session was made), so a peer without a certificate from our root
 * cannot fill the cache or push others out. Nothing here says a certificate is valid: every use still
 * verifies the chain in full (validity at that moment, names, usages, revocation, signatures through
 * the context's signature cache). Certificates are frozen (their typed arrays cannot be), since every
 * connection of the context may share them.
 */
export class ParsedCertificateCache {
  private readonly entries = new Map<string, Certificate>();
  /** The key of each certificate parse() returned, so keep() does not build it again. */
  private readonly keys = new WeakMap<Certificate, string>();

  constructor(private readonly capacity = MAX_PARSED_CERTIFICATES) {}

  /**
   * The certificate `der` parses to: the cached one, or parsed now (from a copy of the bytes) and not
   * kept. Throws what parseCertificate throws.
   */
  parse(der: Uint8Array, what?: string): Certificate {
    const key = der.length <= MAX_CACHED_DER ? latin1(der) : undefined;
    if (key !== undefined) {
      const kept = this.entries.get(key);
      if (kept !== undefined) {
        this.entries.delete(key); // re-inserted: most recently used last
        this.entries.set(key, kept);
        return kept;
      }
    }
    // A copy: `der` may be a view into a larger handshake message, which must not be kept alive.
    const parsed = deepFreeze(parseCertificate(new Uint8Array(der), { source: 'peer', what }));
    if (key !== undefined) this.keys.set(parsed, key);
    return parsed;
  }

  /** Remember certificates (from parse()) of a path that verified. */
  keep(certificates: readonly Certificate[]): void {
    for (const certificate of certificates) {
      if (certificate.der.length > MAX_CACHED_DER) continue;
      const key = this.keys.get(certificate) ?? latin1(certificate.der);
      this.keys.set(certificate, key);
      this.entries.delete(key);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, certificate);
    }
  }

  /** Every certificate of a chain that verified earlier (a resumed session's), parsed or cached, kept. */
  parseChain(chain: readonly Uint8Array[]): readonly Certificate[] {
    const certificates = chain.map((der) => this.parse(der));
    this.keep(certificates);
    return certificates;
  }

  /** Certificates kept now. */
  get size(): number {
    return this.entries.size;
  }
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
