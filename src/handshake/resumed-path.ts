// The verified certification path of a resumable session (RFC 5280 §6.1 path, leaf to pinned root;
// RFC 5077 §4 ticket contents): stored as references into the peer's stored chain and the pinned
// roots (two bytes a certificate, so the ticket grows by a few bytes, not by the path's DER), and
// rebuilt when the session is resumed so the resumed identity keeps its verifiedPath.

import type { Certificate, PeerIdentity } from '../x509/types.js';
import { identityOf } from '../x509/verify.js';

/** Set on a reference to a pinned root; without it a reference is an index into the peer's chain. */
const ROOT_REFERENCE = 0x8000;
/** The most references stored: a path longer than this is not kept (the chain limits allow far fewer). */
export const MAX_PATH_REFERENCES = 64;

/**
 * References for `path` (leaf first, pinned root last): each certificate's index in the peer's chain,
 * or ROOT_REFERENCE | its index in the pinned roots. Empty when there is no path or one of its
 * certificates is in neither (then a resumption reports the identity without its path).
 */
export function pathReferences(
  path: readonly Certificate[] | undefined,
  peerChain: readonly Certificate[],
  roots: readonly Certificate[],
): number[] {
  if (!path || path.length > MAX_PATH_REFERENCES) return [];
  const references: number[] = [];
  for (const certificate of path) {
    const same = (c: Certificate) => c.fingerprintSha256 === certificate.fingerprintSha256;
    const inChain = peerChain.findIndex(same);
    const inRoots = roots.findIndex(same);
    if (inChain >= 0 && inChain < ROOT_REFERENCE) references.push(inChain);
    else if (inRoots >= 0 && inRoots < ROOT_REFERENCE) references.push(ROOT_REFERENCE | inRoots);
    else return [];
  }
  return references;
}

/**
 * The path the references name, or undefined when there are none or they do not name a path that
 * starts at the peer's leaf (the session is then resumed without a verifiedPath, as before it had one).
 * The roots are those of the same verification settings (the session's fingerprint binds them).
 */
export function rebuildPath(
  references: readonly number[],
  peerChain: readonly Certificate[],
  roots: readonly Certificate[],
): Certificate[] | undefined {
  if (references.length === 0) return undefined;
  const path: Certificate[] = [];
  for (const reference of references) {
    const certificate =
      reference & ROOT_REFERENCE ? roots[reference & ~ROOT_REFERENCE] : peerChain[reference];
    if (!certificate) return undefined;
    path.push(certificate);
  }
  const leaf = peerChain[0];
  return leaf && path[0]!.fingerprintSha256 === leaf.fingerprintSha256 ? path : undefined;
}

/** A resumed session's peer identity: the leaf's, with the path kept from the full handshake. */
export function resumedIdentity(
  leaf: Certificate,
  verifiedPath: readonly Certificate[] | undefined,
): PeerIdentity {
  const identity = identityOf(leaf);
  return verifiedPath ? { ...identity, verifiedPath } : identity;
}
