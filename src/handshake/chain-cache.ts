// Parsed certificate chains of stored sessions (RFC 5077 §4, RFC 5246 §7.4.1.2), kept per context and
// bounded: a resumed handshake reports the full handshake's certificates without parsing them again.

import { sha256 } from '@noble/hashes/sha2.js';
import { Writer } from '../codec.js';
import { parseCertificate } from '../x509/certificate.js';
import type { Certificate } from '../x509/types.js';

/** Chains kept per context: one per peer identity that resumes, as many as a busy server sees. */
const MAX_CHAINS = 256;

/** DER chain → parsed certificates, least recently used evicted. Only chains verified earlier go in. */
export class ParsedChainCache {
  private readonly chains = new Map<string, readonly Certificate[]>();

  /** The parsed certificates of `chain` (parsed now if not cached); throws when one does not parse. */
  parse(chain: readonly Uint8Array[]): readonly Certificate[] {
    const w = new Writer(4096);
    for (const der of chain) w.opaque24(der);
    const key = Array.from(sha256(w.finish()), (b) => b.toString(16).padStart(2, '0')).join('');
    let parsed = this.chains.get(key);
    if (parsed) {
      this.chains.delete(key);
    } else {
      parsed = chain.map((der) => parseCertificate(der, { source: 'peer' }));
      if (this.chains.size >= MAX_CHAINS) this.chains.delete(this.chains.keys().next().value as string);
    }
    this.chains.set(key, parsed);
    return parsed;
  }
}

const perContext = new WeakMap<object, ParsedChainCache>();

/** The cache belonging to one resolved config (a context). */
export function chainCacheOf(cfg: object): ParsedChainCache {
  let cache = perContext.get(cfg);
  if (!cache) {
    cache = new ParsedChainCache();
    perContext.set(cfg, cache);
  }
  return cache;
}
