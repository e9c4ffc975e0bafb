// Certification path building and validation to one pinned root (RFC 5280 §6.1, without policies;
// revocation with configured CRLs, §6.3, in revocation.ts), then the server identity check (RFC 9525).

import type { PublicKey } from '../ciphers/keys.js';
import type { SignatureAlgorithm } from '../ciphers/schemes.js';
import { verifySignature as defaultVerifySignature } from '../ciphers/signatures.js';
import { asTlsError, certificateError, localError, type TlsError } from '../errors.js';
import { parseCertificate } from './certificate.js';
import {
  ChainBudget,
  type ChainLimits,
  DEFAULT_CHAIN_LIMITS,
  pathCandidateLimitError,
} from './chain-budget.js';
import type { CertificateRevocationList } from './crl.js';
import { checkHostname } from './hostname.js';
import { attributeValue, generalNameText, sameName } from './name.js';
import { checkNameConstraints } from './name-constraints.js';
import { describeOid, EXTENSION_NAMES, KEY_ALGORITHM_NAMES, OID } from './oids.js';
import { buildPaths, noPathError } from './path-building.js';
import { checkedMinRsaKeyBits, checkProfile } from './profile.js';
import { checkRevocation, compileRevocationLists, RevocationLists } from './revocation.js';
import type { VerifiedSignatureCache } from './signature-cache.js';
import type { Certificate, PeerIdentity } from './types.js';

/** Verifies `signature` over `message`; must return false (not throw) for anything invalid. */
export type SignatureVerifier = (
  algorithm: SignatureAlgorithm,
  publicKey: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
) => boolean;

/** What verifyChain checks a chain against: the pinned root, the time, the usage and the hostname. */
export interface VerifyChainOptions {
  /** DER (or already parsed), leaf first, as the peer sent it; intermediates in any order. */
  chain: readonly (Uint8Array | Certificate)[];
  /** The one pinned root; a list only while rotating roots (each is its own trust anchor). */
  root: Uint8Array | Certificate | readonly (Uint8Array | Certificate)[];
  /** ms since epoch. */
  now: number;
  /** The extended key usage the leaf must allow: serverAuth or clientAuth. */
  usage: 'server' | 'client';
  /** DNS name or IP literal the leaf must match (checked last). */
  hostname?: string;
  /** Match the Common Name when there is no dNSName SAN (default false; see hostname.ts). */
  allowCommonNameFallback?: boolean;
  /** Most certificates in a path below the root (default 10). */
  maxDepth?: number;
  /** Smallest RSA key accepted anywhere in the path, the pinned root included (default 2048). */
  minRsaKeyBits?: number;
  /** Default: verifySignature from src/ciphers/signatures.ts (the noble/RSA code). */
  verifySignature?: SignatureVerifier;
  /** Bounds on the work for this chain (see chain-budget.ts; defaults DEFAULT_CHAIN_LIMITS). */
  limits?: Partial<Pick<ChainLimits, 'maxSignatureChecks' | 'maxPathCandidates' | 'maxNameConstraintChecks'>>;
  /**
   * CRLs (DER, parsed, or compiled once with compileRevocationLists): the leaf and every intermediate
   * whose issuer has one is checked (revoked, crl_expired, ...; see revocation.ts); others are not.
   */
  crls?: RevocationLists | readonly (Uint8Array | CertificateRevocationList)[];
  /**
   * Signatures already verified under the same roots and provider (a compiled context's cache):
   * a pair found there is not checked again; pairs that verify are added. Every other check runs.
   */
  signatureCache?: VerifiedSignatureCache;
}

/** verifyChain's answer: the path and the peer's identity, or the TlsError that refuses the chain. */
export type VerifyChainResult =
  | { readonly ok: true; readonly path: Certificate[]; readonly identity: PeerIdentity }
  | { readonly ok: false; readonly error: TlsError };

const DEFAULT_MAX_DEPTH = 10;
const WEAK_HASH_NAMES = { md2: 'MD2', md5: 'MD5', sha1: 'SHA-1' } as const;

/**
 * Verify the peer's chain against the pinned root(s). Failures caused by the peer come back as
 * { ok: false, error } (kind 'certificate') with one of these stable codes, checked in this order:
 * empty_chain, decode_error, unknown_ca (no path to a pinned root), path_too_long (depth or
 * pathLenConstraint), weak_signature (MD2/MD5/SHA-1; never asked of the pinned root's own
 * signature), unsupported_algorithm, bad_signature, not_yet_valid / expired (every certificate,
 * the root too), unsupported_critical_extension, not_a_ca (issuer without CA:TRUE; v1
 * intermediates; a v1 root is fine as the pinned anchor), bad_key_usage (keyCertSign on issuers,
 * digitalSignature on the leaf, when keyUsage is present), ca_as_end_entity (a CA:TRUE leaf),
 * bad_extended_key_usage (leaf and intermediates), then the certificate profile (profile.ts), per
 * certificate from the leaf up: bad_serial_number (not the pinned root's), weak_key (RSA below
 * minRsaKeyBits or not whole bytes), rsa_pss_key_mismatch, bad_key_usage (keyCertSign without CA),
 * bad_basic_constraints (not critical on a CA), empty_ca_subject, bad_name_constraints, bad_dns_name,
 * bad_extension (critical AKI, malformed AIA); then bad_extended_key_usage (a critical leaf EKU
 * with purposes not understood, anyExtendedKeyUsage standing in for the usage, a root EKU without
 * it), ambiguous_common_name (several CNs in the leaf); then name_constraints; then, with `crls`,
 * revoked, crl_expired, crl_not_yet_valid, crl_bad_signature, crl_invalid; hostname_mismatch (last).
 * Signatures are checked from the pinned root down, so a key from the peer is used only once its
 * own certificate verified; work is bounded by `limits`, past which the error has kind 'limit'
 * (signature_check_limit, path_candidate_limit, name_constraint_limit).
 * A malformed `root`, an empty root list or a minRsaKeyBits outside 1024..16384 is our own
 * configuration error: it throws TlsError kind 'local', code bad_config (so does a bad CRL in `crls`,
 * see compileRevocationLists).
 */
export function verifyChain(options: VerifyChainOptions): VerifyChainResult {
  const roots = parseRoots(options.root);
  checkedMinRsaKeyBits(options.minRsaKeyBits);
  if (options.chain.length === 0) {
    return failed(
      certificateError('empty_chain', 'the peer sent no certificate; it must send its certificate chain'),
    );
  }
  let certs: Certificate[];
  try {
    certs = options.chain.map((c, i) =>
      c instanceof Uint8Array
        ? parseCertificate(c, {
            what: i === 0 ? "the peer's certificate" : `certificate #${i + 1} from the peer`,
          })
        : c,
    );
  } catch (error) {
    return failed(asTlsError(error));
  }
  const leaf = certs[0]!;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const limits = {
    maxSignatureChecks: options.limits?.maxSignatureChecks ?? DEFAULT_CHAIN_LIMITS.maxSignatureChecks,
    maxPathCandidates: options.limits?.maxPathCandidates ?? DEFAULT_CHAIN_LIMITS.maxPathCandidates,
    maxNameConstraintChecks:
      options.limits?.maxNameConstraintChecks ?? DEFAULT_CHAIN_LIMITS.maxNameConstraintChecks,
  };
  const built = buildPaths(leaf, certs.slice(1), roots, maxDepth, limits.maxPathCandidates);
  if (built.paths.length === 0) {
    if (built.truncated) return failed(pathCandidateLimitError(limits.maxPathCandidates, undefined));
    return failed(
      built.depthExceeded
        ? certificateError(
            'path_too_long',
            `the chain from '${leaf.subject.text}' to the pinned root is longer than ${maxDepth} certificates`,
          )
        : noPathError(leaf, built.deadEnds, roots),
    );
  }
  const verifier = options.verifySignature ?? defaultVerifySignature;
  const revocation =
    options.crls === undefined || options.crls instanceof RevocationLists
      ? options.crls
      : compileRevocationLists(options.crls, roots, verifier, options.now);
  const budget = new ChainBudget(limits, verifier, options.signatureCache);
  let firstError: TlsError | undefined;
  for (const path of built.paths) {
    const error = validatePath(path, options, budget, revocation);
    if (error === undefined) return { ok: true, path, identity: identityOf(leaf) };
    if (error.kind === 'limit') return failed(error);
    firstError ??= error;
  }
  return failed(
    built.truncated ? pathCandidateLimitError(limits.maxPathCandidates, firstError) : firstError!,
  );
}

function failed(error: TlsError): VerifyChainResult {
  return { ok: false, error };
}

function parseRoots(root: VerifyChainOptions['root']): Certificate[] {
  const list: readonly (Uint8Array | Certificate)[] = Array.isArray(root)
    ? root
    : [root as Uint8Array | Certificate];
  if (list.length === 0) throw localError('bad_config', 'no pinned root certificate (ca) is configured');
  return list.map((r, i) =>
    r instanceof Uint8Array
      ? parseCertificate(r, {
          source: 'config',
          what: list.length > 1 ? `pinned root #${i + 1}` : 'the pinned root',
        })
      : r,
  );
}

/**
 * The identities of certificates seen already: connections from the same certificate (parsed once per
 * context, src/handshake/parsed-certificates.ts) share one frozen identity and its strings.
 */
const identities = new WeakMap<Certificate, PeerIdentity>();

/** Who the verified peer is (frozen; the same object for the same Certificate). */
export function identityOf(leaf: Certificate): PeerIdentity {
  let identity = identities.get(leaf);
  if (identity === undefined) {
    identity = Object.freeze({
      commonName: attributeValue(leaf.subject, OID.commonName),
      subjectAltNames: Object.freeze((leaf.subjectAltNames ?? []).map(generalNameText)),
      subject: leaf.subject.text,
      fingerprintSha256: leaf.fingerprintSha256,
      certificate: leaf,
    });
    identities.set(leaf, identity);
  }
  return identity;
}

// --- validation ---------------------------------------------------------------------------------

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace('.000Z', 'Z');
}

/** The first problem with `path` (leaf first, pinned root last), or undefined when it is valid. */
function validatePath(
  path: Certificate[],
  options: VerifyChainOptions,
  budget: ChainBudget,
  revocation: RevocationLists | undefined,
): TlsError | undefined {
  const leaf = path[0]!;
  const anchorIndex = path.length - 1;
  return (
    checkSignatures(path, budget) ??
    checkValidity(path, options.now) ??
    checkCriticalExtensions(path) ??
    checkIssuers(path, anchorIndex) ??
    checkLeaf(leaf, options.usage) ??
    checkExtendedKeyUsage(path.slice(0, Math.max(1, anchorIndex)), options.usage) ??
    checkProfile(path, {
      usage: options.usage,
      minRsaKeyBits: checkedMinRsaKeyBits(options.minRsaKeyBits),
    }) ??
    checkNameConstraints(path, (n) => budget.chargeNameConstraints(n)) ??
    (revocation ? checkRevocation(path, revocation, options.now, budget) : undefined) ??
    (options.hostname === undefined
      ? undefined
      : checkHostname(leaf, options.hostname, { allowCommonNameFallback: options.allowCommonNameFallback }))
  );
}

/**
 * Every certificate below the anchor is signed by the next one; the anchor's own signature is
 * trusted. The algorithms are checked leaf first (no cryptography), then the signatures from the
 * anchor down: a public key from the peer is used only after its own certificate verified, so
 * certificates that do not chain to the root cost no signature check with their keys.
 */
function checkSignatures(path: Certificate[], budget: ChainBudget): TlsError | undefined {
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    if (cert.weakSignatureHash) {
      return certificateError(
        'weak_signature',
        `certificate '${cert.subject.text}' is signed with ${cert.signatureAlgorithmName} ` +
          `(${WEAK_HASH_NAMES[cert.weakSignatureHash]}), which is refused as forgeable; reissue it with SHA-256 (openssl: -sha256)`,
      );
    }
    if (!cert.signatureAlgorithm) {
      return certificateError(
        'unsupported_algorithm',
        `certificate '${cert.subject.text}' is signed with ${cert.signatureAlgorithmName}, which memtls does ` +
          'not support (supported: RSA PKCS#1 v1.5 and PSS, ECDSA, each with SHA-256/384/512, and Ed25519)',
      );
    }
    if (!issuer.publicKey) {
      return certificateError(
        'unsupported_algorithm',
        `the public key of '${issuer.subject.text}' (${describeOid(issuer.publicKeyAlgorithmOid, KEY_ALGORITHM_NAMES)}) ` +
          'is not supported (supported: RSA, EC P-256/P-384, Ed25519), so its signatures cannot be checked',
      );
    }
  }
  for (let i = path.length - 2; i >= 0; i--) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const valid = budget.signedBy(cert, issuer, cert.signatureAlgorithm!);
    if (typeof valid !== 'boolean') return valid;
    if (!valid) {
      return certificateError(
        'bad_signature',
        `the signature on certificate '${cert.subject.text}' does not verify with the key of its issuer ` +
          `'${issuer.subject.text}': the certificate was altered, or a different key signed it`,
      );
    }
  }
  return undefined;
}

function checkValidity(path: Certificate[], now: number): TlsError | undefined {
  for (const cert of path) {
    const which = cert === path[path.length - 1] && path.length > 1 ? 'the pinned root' : 'certificate';
    if (now < cert.notBefore) {
      return certificateError(
        'not_yet_valid',
        `${which} '${cert.subject.text}' is not valid before ${iso(cert.notBefore)} (now is ${iso(now)}); ` +
          'check the clocks of this machine and of the CA that issued it',
      );
    }
    if (now > cert.notAfter) {
      return certificateError(
        'expired',
        `${which} '${cert.subject.text}' expired on ${iso(cert.notAfter)} (valid from ${iso(cert.notBefore)}, ` +
          `now is ${iso(now)}); renew it, or check this machine's clock`,
      );
    }
  }
  return undefined;
}

function checkCriticalExtensions(path: Certificate[]): TlsError | undefined {
  for (const cert of path) {
    const oid = cert.unknownCriticalExtensions[0];
    if (oid !== undefined) {
      return certificateError(
        'unsupported_critical_extension',
        `certificate '${cert.subject.text}' has a critical extension memtls does not understand, ` +
          `${describeOid(oid, EXTENSION_NAMES)}, so it must be refused (RFC 5280 §4.2); reissue it ` +
          'without that extension or with it marked non-critical',
      );
    }
  }
  return undefined;
}

/** Every issuer is a CA allowed to sign certificates, and path length constraints hold. */
function checkIssuers(path: Certificate[], anchorIndex: number): TlsError | undefined {
  for (let k = 1; k <= anchorIndex; k++) {
    const ca = path[k]!;
    const child = path[k - 1]!;
    const isAnchor = k === anchorIndex;
    if (!(isAnchor && ca.version === 1)) {
      if (ca.version < 3) {
        return certificateError(
          'not_a_ca',
          `'${ca.subject.text}' issued '${child.subject.text}' but is a version ${ca.version} certificate ` +
            '(made without an extension file), which cannot be an intermediate CA; reissue it with ' +
            'basicConstraints = critical, CA:TRUE and keyUsage = keyCertSign, cRLSign',
        );
      }
      if (!ca.basicConstraints?.ca) {
        return certificateError(
          'not_a_ca',
          `'${ca.subject.text}' issued '${child.subject.text}' but is not a CA (its basicConstraints ` +
            `${ca.basicConstraints ? 'say CA:FALSE' : 'extension is missing'}); a CA certificate needs ` +
            'basicConstraints = critical, CA:TRUE',
        );
      }
    }
    if (ca.keyUsage && !ca.keyUsage.keyCertSign) {
      return certificateError(
        'bad_key_usage',
        `CA '${ca.subject.text}' has a keyUsage without keyCertSign, so it may not sign certificates; ` +
          'reissue it with keyUsage = critical, keyCertSign, cRLSign',
      );
    }
    const limit = ca.basicConstraints?.pathLength;
    if (limit !== undefined) {
      const below = path.slice(1, k).filter((c) => !sameName(c.subject, c.issuer)).length;
      if (below > limit) {
        return certificateError(
          'path_too_long',
          `CA '${ca.subject.text}' allows at most ${limit} intermediate CA${limit === 1 ? '' : 's'} below it ` +
            `(pathlen:${limit}), but the path to '${path[0]!.subject.text}' has ${below}`,
        );
      }
    }
  }
  return undefined;
}

/** The end-entity certificate: not a CA, and keyUsage (when present) allows signing (ECDHE). */
function checkLeaf(leaf: Certificate, usage: 'server' | 'client'): TlsError | undefined {
  if (leaf.basicConstraints?.ca) {
    return certificateError(
      'ca_as_end_entity',
      `certificate '${leaf.subject.text}' is a CA certificate (basicConstraints CA:TRUE) used as the ` +
        `${usage}'s own certificate, which memtls refuses; issue a separate ${usage} certificate from the ` +
        'CA, with basicConstraints = CA:FALSE',
    );
  }
  const ku = leaf.keyUsage;
  if (ku && !ku.digitalSignature) {
    const set = Object.entries(ku)
      .filter(([, on]) => on)
      .map(([name]) => name);
    return certificateError(
      'bad_key_usage',
      `certificate '${leaf.subject.text}' has keyUsage ${set.join(', ') || '(empty)'} without digitalSignature, ` +
        'which TLS 1.2 with ECDHE needs; reissue it with keyUsage = critical, digitalSignature',
    );
  }
  return undefined;
}

/** EKU on the leaf and intermediates (as OpenSSL and Go do): absent, the purpose, or anyExtendedKeyUsage. */
function checkExtendedKeyUsage(certs: Certificate[], usage: 'server' | 'client'): TlsError | undefined {
  const wanted = usage === 'server' ? OID.serverAuth : OID.clientAuth;
  const wantedName = usage === 'server' ? 'serverAuth' : 'clientAuth';
  for (const cert of certs) {
    const eku = cert.extendedKeyUsage;
    if (eku && !eku.includes(wanted) && !eku.includes(OID.anyExtendedKeyUsage)) {
      const names = eku.map((oid) =>
        oid === OID.serverAuth ? 'serverAuth' : oid === OID.clientAuth ? 'clientAuth' : oid,
      );
      return certificateError(
        'bad_extended_key_usage',
        `certificate '${cert.subject.text}' is not for TLS ${usage}s: its extendedKeyUsage is ` +
          `${names.join(', ')}, without ${wantedName}; reissue it with extendedKeyUsage = ${wantedName}`,
      );
    }
  }
  return undefined;
}
