// Revocation checking with configured CRLs (RFC 5280 §6.3): CRLs compiled once against the pinned
// roots, then the leaf and every intermediate of a validated path whose issuer has a CRL looked up.

import type { CryptoProvider } from '../ciphers/provider.js';
import { equalBytes } from '../codec.js';
import { certificateError, localError, type TlsError } from '../errors.js';
import type { ChainBudget } from './chain-budget.js';
import { type CertificateRevocationList, parseCrl } from './crl.js';
import { sameName } from './name.js';
import { type PemOrDer, toDerList } from './pem.js';
import type { Certificate } from './types.js';
import type { SignatureVerifier } from './verify.js';

/** One CRL of a RevocationLists: the parsed list and which pinned roots' keys verified its signature. */
export interface CompiledCrl {
  /** The parsed CRL. */
  readonly crl: CertificateRevocationList;
  /** Fingerprints of the pinned roots whose key verified the CRL (empty: an intermediate's CRL). */
  readonly verifiedByRoots: ReadonlySet<string>;
}

/** Only compileRevocationLists makes RevocationLists: a root's CRL is trusted because it checked it. */
const COMPILED = Symbol('compiled');

/**
 * CRLs ready for use: parsed once, each root's CRL signature checked once. Made by
 * compileRevocationLists (a config's `crl`, or verifyChain's `crls`); immutable.
 */
export class RevocationLists {
  readonly #entries: readonly CompiledCrl[];

  /** Use compileRevocationLists (anything else throws a local bad_argument error). */
  constructor(token: symbol, entries: readonly CompiledCrl[]) {
    if (token !== COMPILED) {
      throw localError(
        'bad_argument',
        'make RevocationLists with compileRevocationLists(crls, roots, verify, now)',
      );
    }
    this.#entries = Object.freeze([...entries]);
    Object.freeze(this);
  }

  /** The CRLs, in the order given. */
  get crls(): readonly CertificateRevocationList[] {
    return this.#entries.map((e) => e.crl);
  }

  /** The CRLs that may speak for certificates issued by `issuer` (by name, and key identifier when both have one). */
  forIssuer(issuer: Certificate): readonly CompiledCrl[] {
    return this.#entries.filter(
      (e) =>
        sameName(e.crl.issuer, issuer.subject) &&
        !(
          e.crl.authorityKeyIdentifier &&
          issuer.subjectKeyIdentifier &&
          !equalBytes(e.crl.authorityKeyIdentifier, issuer.subjectKeyIdentifier)
        ),
    );
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const REFRESH =
  'issue a fresh CRL (memtls pki crl DIR, or openssl ca -gencrl) and load it: setSecureContext with ' +
  'the new crl, or restart with --crl';

/**
 * Parse the CRLs (DER, or already parsed) and check each one that names a pinned root as its
 * issuer against that root's key, once. Our own configuration's faults throw a local bad_config
 * TlsError: a CRL that does not parse or uses an extension memtls does not support (crl.ts), one
 * signed with an unsupported or weak algorithm, one whose signature does not verify with the key of
 * the root it names, a root whose keyUsage lacks cRLSign, and a CRL that is already stale (past
 * nextUpdate) or not yet valid at `now`. A CRL naming no pinned root is kept for an intermediate
 * of the peer's chain: it is checked when a validated path reaches an intermediate of that name.
 */
export function compileRevocationLists(
  input: readonly (Uint8Array | CertificateRevocationList)[],
  roots: readonly Certificate[],
  verify: SignatureVerifier,
  now: number,
): RevocationLists {
  const entries = input.map((item, index): CompiledCrl => {
    const what = input.length > 1 ? `crl #${index + 1}` : 'crl';
    const crl = item instanceof Uint8Array ? parseCrl(item, what) : item;
    const named = `${what} (issued by '${crl.issuer.text}')`;
    if (now > crl.nextUpdate) {
      throw localError('bad_config', `${named} was due to be replaced by ${iso(crl.nextUpdate)}; ${REFRESH}`);
    }
    if (now < crl.thisUpdate) {
      throw localError(
        'bad_config',
        `${named} is not valid before ${iso(crl.thisUpdate)}: check this machine's clock`,
      );
    }
    const candidates = roots.filter((root) => sameName(root.subject, crl.issuer));
    const verifiedByRoots = new Set<string>();
    if (candidates.length > 0) {
      const algorithm = crl.signatureAlgorithm;
      if (!algorithm) {
        throw localError(
          'bad_config',
          `${named} is signed with ${crl.signatureAlgorithmName}, which memtls ${crl.weakSignatureHash ? 'refuses as forgeable' : 'does not support'}; issue it with SHA-256`,
        );
      }
      for (const root of candidates) {
        if (!root.publicKey) continue;
        let valid = false;
        try {
          valid = verify(algorithm, root.publicKey, crl.tbs, crl.signature);
        } catch {
          valid = false;
        }
        if (!valid) continue;
        if (root.keyUsage && !root.keyUsage.cRLSign) {
          throw localError(
            'bad_config',
            `${named}: the root's keyUsage lacks cRLSign, so it may not sign CRLs (RFC 5280 §4.2.1.3)`,
          );
        }
        verifiedByRoots.add(root.fingerprintSha256);
      }
      if (verifiedByRoots.size === 0) {
        throw localError(
          'bad_config',
          `${named}: its signature does not verify with the key of the pinned root of that name, so it was ` +
            'altered or signed by another CA with the same name; use the CRL made with this root’s key (ca.key)',
        );
      }
    }
    return { crl, verifiedByRoots };
  });
  return new RevocationLists(COMPILED, entries);
}

/**
 * A config's `crl` (PEM "X509 CRL" blocks or DER, one or a list) compiled against its pinned roots,
 * from copies of the caller's bytes; undefined when none is given (see compileRevocationLists).
 */
export function compileConfigCrls(
  input: PemOrDer | PemOrDer[] | undefined,
  roots: readonly Certificate[],
  provider: CryptoProvider,
  now: number,
): RevocationLists | undefined {
  if (input === undefined) return undefined;
  const ders = toDerList(input, 'X509 CRL', { what: 'crl' }).map((der) => der.slice());
  if (ders.length === 0) throw localError('bad_config', `'crl' holds no CRL`);
  return compileRevocationLists(ders, roots, (a, k, m, s) => provider.verify(a, k, m, s), now);
}

/**
 * Is any certificate of `path` (leaf first, the pinned root last) revoked? For each certificate below
 * the root, the CRLs of its issuer (by name and key identifier) are used: an intermediate's CRL has
 * its signature checked with the intermediate's key (charged to `budget`); each CRL must be current
 * at `now`. A certificate whose issuer has no CRL is not checked (as OpenSSL's -crl_check without
 * -crl_check_all for intermediates, or rustls-webpki allowing unknown status).
 * Errors: revoked (certificate_revoked), crl_expired (certificate_expired, as OpenSSL),
 * crl_not_yet_valid, crl_bad_signature (decrypt_error, as OpenSSL), crl_invalid; or a limit error.
 */
export function checkRevocation(
  path: readonly Certificate[],
  lists: RevocationLists,
  now: number,
  budget: ChainBudget,
): TlsError | undefined {
  for (let i = path.length - 2; i >= 0; i--) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const isRoot = i + 1 === path.length - 1;
    for (const { crl, verifiedByRoots } of lists.forIssuer(issuer)) {
      if (isRoot) {
        // Checked when compiled; a root of the same name with another key did not sign it.
        if (!verifiedByRoots.has(issuer.fingerprintSha256)) continue;
      } else {
        const problem = checkIntermediateCrl(crl, issuer, budget);
        if (problem) return problem;
      }
      if (now > crl.nextUpdate) {
        return certificateError(
          'crl_expired',
          `the CRL of '${crl.issuer.text}' was due to be replaced by ${iso(crl.nextUpdate)}, so whether ` +
            `'${cert.subject.text}' is revoked cannot be known; ${REFRESH}`,
        );
      }
      if (now < crl.thisUpdate) {
        return certificateError(
          'crl_not_yet_valid',
          `the CRL of '${crl.issuer.text}' is not valid before ${iso(crl.thisUpdate)}: check this machine's clock`,
        );
      }
      const entry = crl.revoked.get(cert.serialNumber);
      if (entry) {
        return certificateError(
          'revoked',
          `certificate '${cert.subject.text}' (serial ${cert.serialNumber}) was revoked by '${issuer.subject.text}' ` +
            `on ${iso(entry.revocationDate)}${entry.reason ? ` (${entry.reason})` : ''}, as its CRL of ` +
            `${iso(crl.thisUpdate)} says; it may not be used any more: issue a new certificate`,
        );
      }
    }
  }
  return undefined;
}

function checkIntermediateCrl(
  crl: CertificateRevocationList,
  issuer: Certificate,
  budget: ChainBudget,
): TlsError | undefined {
  if (!crl.signatureAlgorithm) {
    return certificateError(
      'crl_invalid',
      `the CRL of '${crl.issuer.text}' is signed with ${crl.signatureAlgorithmName}, which memtls ` +
        `${crl.weakSignatureHash ? 'refuses as forgeable' : 'does not support'}; issue it with SHA-256`,
    );
  }
  if (issuer.keyUsage && !issuer.keyUsage.cRLSign) {
    return certificateError(
      'crl_invalid',
      `a CRL is configured for '${issuer.subject.text}', but its keyUsage lacks cRLSign, so it may not sign ` +
        'CRLs (RFC 5280 §4.2.1.3); remove that CRL or reissue the CA with cRLSign',
    );
  }
  const verdict = budget.signedData(
    `crl ${crl.fingerprintSha256}`,
    crl.tbs,
    crl.signature,
    issuer,
    crl.signatureAlgorithm,
  );
  if (verdict === true) return undefined;
  if (verdict !== false) return verdict;
  return certificateError(
    'crl_bad_signature',
    `the configured CRL of '${crl.issuer.text}' does not verify with the key of the intermediate '${issuer.subject.text}' ` +
      'in the peer’s chain: the CRL was altered or made by another CA of that name; replace the CRL',
  );
}
