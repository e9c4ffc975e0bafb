// A bounded memory of certificate signatures that verified (RFC 5280 §6.1.3 (a)(1)), held by one
// compiled context so a reconnecting peer's chain costs no signature check the second time.

import type { Certificate } from './types.js';

/** How many (issuer, certificate) pairs one context remembers by default (about 200 bytes each). */
export const DEFAULT_SIGNATURE_CACHE_SIZE = 1024;

/**
 * Remembers that `issuer`'s key verified the signature on `cert`, for exactly these two
 * certificates: the entry is keyed by the SHA-256 of both DER encodings (the certificate's
 * fingerprint covers its tbsCertificate, signature algorithm and signature; the issuer's covers
 * its key), so any other byte — a re-issued leaf, another key, another signature — misses. Only
 * the signature check is remembered: validity periods, names, key usage, the profile and the
 * path rules run at every use. Least recently used entries are dropped past `capacity`.
 *
 * A cache belongs to one compiled context (one set of pinned roots, settings and crypto
 * provider); a new context starts empty, so a different root or provider never hits.
 */
export class VerifiedSignatureCache {
  /** Insertion order is use order: the first key is the least recently used. */
  private readonly pairs = new Map<string, true>();

  constructor(readonly capacity: number = DEFAULT_SIGNATURE_CACHE_SIZE) {}

  /** Pairs remembered now. */
  get size(): number {
    return this.pairs.size;
  }

  /**
   * True when `issuer` verified `cert` before; marks the pair as recently used. `cert` may also be
   * the SHA-256 fingerprint of another signed object's whole DER (a CRL).
   */
  has(cert: Certificate | string, issuer: Certificate): boolean {
    const key = pairKey(cert, issuer);
    if (!this.pairs.has(key)) return false;
    this.pairs.delete(key);
    this.pairs.set(key, true);
    return true;
  }

  /** Remember a signature that verified. */
  remember(cert: Certificate | string, issuer: Certificate): void {
    const key = pairKey(cert, issuer);
    this.pairs.delete(key);
    this.pairs.set(key, true);
    while (this.pairs.size > this.capacity) {
      const oldest = this.pairs.keys().next().value as string;
      this.pairs.delete(oldest);
    }
  }
}

function pairKey(cert: Certificate | string, issuer: Certificate): string {
  return `${issuer.fingerprintSha256}>${typeof cert === 'string' ? cert : cert.fingerprintSha256}`;
}
