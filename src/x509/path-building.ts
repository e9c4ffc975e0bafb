// Certification path building (RFC 4158 in miniature): from the leaf to a pinned root through the
// certificates the peer sent, in any order, bounded in depth and effort; and the unknown_ca message.

import type { PublicKey } from '../ciphers/keys.js';
import type { SignatureAlgorithm } from '../ciphers/schemes.js';
import { equalBytes } from '../codec.js';
import { certificateError, type TlsError } from '../errors.js';
import { sameName } from './name.js';
import type { Certificate } from './types.js';

/** Bound on path building, so a peer sending many same-named certificates cannot make us loop. */
const MAX_BUILD_STEPS = 256;

export interface BuiltPaths {
  /** Candidate paths, leaf first, ending with our own copy of a pinned root. */
  readonly paths: Certificate[][];
  readonly depthExceeded: boolean;
  /** Tops of partial chains that found no issuer. */
  readonly deadEnds: Certificate[];
  /** More paths (or more building steps) than allowed: other candidates may exist. */
  readonly truncated: boolean;
}

function isPinned(cert: Certificate, roots: readonly Certificate[]): Certificate | undefined {
  return roots.find((r) => sameName(r.subject, cert.subject) && equalBytes(r.spki, cert.spki));
}

function keyTypeFor(algorithm: SignatureAlgorithm): PublicKey['type'] {
  return algorithm.kind === 'ecdsa' ? 'ec' : algorithm.kind === 'ed25519' ? 'ed25519' : 'rsa';
}

/** Could `issuer` have signed `child`? Names equal, key identifiers agree, key type fits the signature. */
function mayHaveIssued(issuer: Certificate, child: Certificate): boolean {
  if (!sameName(child.issuer, issuer.subject)) return false;
  const aki = child.authorityKeyIdentifier;
  const ski = issuer.subjectKeyIdentifier;
  if (aki && ski && !equalBytes(aki, ski)) return false;
  if (child.signatureAlgorithm && issuer.publicKey) {
    return keyTypeFor(child.signatureAlgorithm) === issuer.publicKey.type;
  }
  return true;
}

/**
 * Depth-first from the leaf: pinned roots are tried before the peer's certificates (shortest
 * path first); the peer's copy of a root is never an anchor by itself, it is replaced by ours.
 * Names and key identifiers only: no signature is checked here. At most `maxCandidates` paths
 * and MAX_BUILD_STEPS steps (`truncated` says when either bound cut the search short).
 */
export function buildPaths(
  leaf: Certificate,
  pool: Certificate[],
  roots: Certificate[],
  maxDepth: number,
  maxCandidates = 8,
): BuiltPaths {
  const paths: Certificate[][] = [];
  const deadEnds: Certificate[] = [];
  let depthExceeded = false;
  let steps = 0;
  let truncated = false;
  const candidates = pool.filter((c) => !isPinned(c, roots));
  const extend = (path: Certificate[]): void => {
    if (paths.length >= maxCandidates || ++steps > MAX_BUILD_STEPS) {
      truncated = true;
      return;
    }
    const current = path[path.length - 1]!;
    const pinnedSelf = path.length === 1 ? isPinned(current, roots) : undefined;
    if (pinnedSelf) {
      paths.push([pinnedSelf]);
      return;
    }
    if (path.length > maxDepth) {
      depthExceeded = true;
      return;
    }
    let found = false;
    for (const root of roots) {
      if (mayHaveIssued(root, current)) {
        if (paths.length >= maxCandidates) {
          truncated = true;
          return;
        }
        paths.push([...path, root]);
        found = true;
      }
    }
    for (const next of candidates) {
      if (!path.includes(next) && mayHaveIssued(next, current)) {
        found = true;
        extend([...path, next]);
      }
    }
    if (!found) deadEnds.push(current);
  };
  extend([leaf]);
  return { paths, depthExceeded, deadEnds, truncated };
}

export function noPathError(leaf: Certificate, deadEnds: Certificate[], roots: Certificate[]): TlsError {
  const rootNames = roots.map((r) => `'${r.subject.text}'`).join(', ');
  const pinned = roots.length > 1 ? `the pinned roots ${rootNames}` : `the pinned root ${rootNames}`;
  const end = deadEnds.find((d) => d !== leaf) ?? leaf;
  const sameNameRoot = roots.find((r) => sameName(r.subject, end.issuer));
  if (sameNameRoot) {
    return certificateError(
      'unknown_ca',
      `certificate '${end.subject.text}' names '${end.issuer.text}' as its issuer, which is the name of ` +
        `${pinned}, but it was signed with a different key: another CA with the same name issued it. ` +
        'Check that ca is the root that issued this certificate (or reissue it from the pinned root)',
    );
  }
  if (end === leaf) {
    return certificateError(
      'unknown_ca',
      `certificate '${leaf.subject.text}' was issued by '${leaf.issuer.text}', which is not ${pinned}; ` +
        `if '${leaf.issuer.text}' is an intermediate CA the peer must send it after its own certificate, ` +
        'otherwise configure ca with the root that issued this certificate',
    );
  }
  return certificateError(
    'unknown_ca',
    `no path from '${leaf.subject.text}' (issued by '${leaf.issuer.text}') to ${pinned}: the chain the ` +
      `peer sent ends at '${end.subject.text}', issued by '${end.issuer.text}', which is neither pinned ` +
      'nor among the certificates the peer sent',
  );
}
