// The peer's verified chain as a finished handshake keeps it (RFC 5246 §7.4.2, §7.4.6): the DER bytes
// only, parsed again into Certificate objects the first time SessionInfo.peerCertificates or
// peerIdentity.certificate is read. An idle connection then holds ~1 KiB of bytes per certificate
// instead of its parsed form (names, extensions, the public key: ~10 KiB for a P-256 leaf), as
// node:tls keeps the peer's X509 in OpenSSL and builds getPeerCertificate()'s object on demand.

import { parseCertificate } from '../x509/certificate.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';

/** The chain and identity to put in SessionInfo: same values, certificates parsed on first read. */
export function keptPeer(
  chain: readonly Certificate[],
  identity: PeerIdentity | undefined,
): { chain: () => readonly Certificate[]; identity: PeerIdentity | undefined } {
  if (chain.length === 0) return { chain: () => [], identity };
  // A certificate's der may be a view into a larger handshake buffer: that is copied. One that owns
  // its buffer (as the context's parsed-certificate cache keeps them) is shared, not copied: the
  // connections of a peer that reconnects hold one copy of its chain between them.
  const reparsed = lazyChain(chain.map((c) => (ownsItsBuffer(c.der) ? c.der : new Uint8Array(c.der))));
  if (identity === undefined) return { chain: reparsed, identity };
  const at = chain.indexOf(identity.certificate);
  if (at < 0) return { chain: reparsed, identity };
  // The verified path as positions in the sent chain, or (for a pinned root, which the context
  // holds anyway) the certificate itself: no parsed certificate of the peer's is kept.
  const path = identity.verifiedPath?.map((c) => {
    const i = chain.indexOf(c);
    return i < 0 ? c : i;
  });
  return { chain: reparsed, identity: lazyIdentity(identity, reparsed, at, path) };
}

function ownsItsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * A function giving the chain parsed from `ders` (once, on the first call). Its own function so that
 * the closure holds only the bytes, never the parsed chain it replaces.
 */
function lazyChain(ders: readonly Uint8Array[]): () => readonly Certificate[] {
  let parsed: readonly Certificate[] | undefined;
  // The bytes parsed once already during the handshake, so they parse the same way again.
  return () => {
    // Parsed from copies: the objects handed out never share bytes with other connections.
    parsed ??= Object.freeze(ders.map((der) => parseCertificate(new Uint8Array(der), { source: 'peer' })));
    return parsed;
  };
}

/**
 * The identity's text fields as they are; its certificate read from the lazy chain at `at`, and its
 * verified path (leaf → pinned root) from the lazy chain where the peer sent the certificate.
 */
function lazyIdentity(
  identity: PeerIdentity,
  chain: () => readonly Certificate[],
  at: number,
  path: readonly (number | Certificate)[] | undefined,
): PeerIdentity {
  const { commonName, subjectAltNames, subject, fingerprintSha256 } = identity;
  const kept = { commonName, subjectAltNames, subject, fingerprintSha256 } as PeerIdentity;
  // A new key defined on a plain object keeps it in V8's fast mode (a getter in the literal would not).
  Object.defineProperty(kept, 'certificate', { get: () => chain()[at], enumerable: true });
  if (path !== undefined) {
    Object.defineProperty(kept, 'verifiedPath', {
      get: () => path.map((p) => (typeof p === 'number' ? chain()[p]! : p)),
      enumerable: true,
    });
  }
  return kept;
}
