// The peer's verified chain as a finished handshake keeps it (RFC 5246 §7.4.2, §7.4.6): the DER bytes
// only, parsed again into Certificate objects the first time SessionInfo.peerCertificates or
// peerIdentity.certificate is read. An idle connection then holds ~1 KiB of bytes per certificate
// (none when the context's parsed-certificate cache already holds them) instead of its parsed form
// (names, extensions, the public key: ~10 KiB for a P-256 leaf), as node:tls keeps the peer's X509 in
// OpenSSL and builds getPeerCertificate()'s object on demand.
//
// The lazy fields are own enumerable accessors (spreads and JSON see them), defined with one getter
// function shared by every connection, which finds its state under a non-enumerable symbol: objects
// built alike then share one V8 map in fast mode. (A getter closure per object gives each object a map
// of its own; a getter in an object literal puts the object in dictionary mode: ~0.5 KiB more each.)

import { parseCertificate } from '../x509/certificate.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';

/** Where a SessionInfo or a kept identity holds its KeptChain (not enumerable). */
const KEPT = Symbol('memtls.keptPeer');
/** Where a kept identity holds its position in the chain and its verified path. */
const AT = Symbol('memtls.keptIdentity');

/** The DER of a verified chain; the parsed chain is built on first use and kept. */
export class KeptChain {
  #parsed: readonly Certificate[] | undefined;

  constructor(private readonly ders: readonly Uint8Array[]) {}

  /** The chain, parsed once (from copies: the objects handed out never share bytes with others). */
  certificates(): readonly Certificate[] {
    this.#parsed ??= Object.freeze(
      this.ders.map((der) => parseCertificate(new Uint8Array(der), { source: 'peer' })),
    );
    return this.#parsed;
  }
}

const NO_CHAIN = new KeptChain([]);

/** The chain and identity to put in SessionInfo: same values, certificates parsed on first read. */
export function keptPeer(
  chain: readonly Certificate[],
  identity: PeerIdentity | undefined,
): { chain: KeptChain; identity: PeerIdentity | undefined } {
  if (chain.length === 0) return { chain: NO_CHAIN, identity };
  // A certificate's der may be a view into a larger handshake buffer: that is copied. One that owns
  // its buffer (as the context's parsed-certificate cache keeps them) is shared, not copied: the
  // connections of a peer that reconnects hold one copy of its chain between them.
  const kept = new KeptChain(chain.map((c) => (ownsItsBuffer(c.der) ? c.der : new Uint8Array(c.der))));
  if (identity === undefined) return { chain: kept, identity };
  const at = chain.indexOf(identity.certificate);
  if (at < 0) return { chain: kept, identity };
  // The verified path as positions in the sent chain, or (for a pinned root, which the context
  // holds anyway) the certificate itself: no parsed certificate of the peer's is kept.
  const path = identity.verifiedPath?.map((c) => {
    const i = chain.indexOf(c);
    return i < 0 ? c : i;
  });
  return { chain: kept, identity: lazyIdentity(identity, kept, at, path) };
}

/** Adds SessionInfo.peerCertificates to `info`: `chain`, parsed on first read. */
export function definePeerCertificates(info: object, chain: KeptChain): void {
  Object.defineProperty(info, KEPT, { value: chain });
  Object.defineProperty(info, 'peerCertificates', { get: peerCertificates, enumerable: true });
}

function peerCertificates(this: { [KEPT]: KeptChain }): readonly Certificate[] {
  return this[KEPT].certificates();
}

function ownsItsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

interface KeptIdentity {
  [KEPT]: KeptChain;
  [AT]: { at: number; path: readonly (number | Certificate)[] | undefined };
}

function keptCertificate(this: KeptIdentity): Certificate {
  return this[KEPT].certificates()[this[AT].at]!;
}

function keptPath(this: KeptIdentity): readonly Certificate[] | undefined {
  const chain = this[KEPT].certificates();
  return this[AT].path?.map((p) => (typeof p === 'number' ? chain[p]! : p));
}

/**
 * The identity's text fields as they are; its certificate read from the lazy chain at `at`, and its
 * verified path (leaf → pinned root) from the lazy chain where the peer sent the certificate.
 */
function lazyIdentity(
  identity: PeerIdentity,
  chain: KeptChain,
  at: number,
  path: readonly (number | Certificate)[] | undefined,
): PeerIdentity {
  const { commonName, subjectAltNames, subject, fingerprintSha256 } = identity;
  const kept = { commonName, subjectAltNames, subject, fingerprintSha256 };
  Object.defineProperty(kept, KEPT, { value: chain });
  Object.defineProperty(kept, AT, { value: { at, path } });
  Object.defineProperty(kept, 'certificate', { get: keptCertificate, enumerable: true });
  if (path !== undefined) Object.defineProperty(kept, 'verifiedPath', { get: keptPath, enumerable: true });
  return kept as unknown as PeerIdentity;
}
