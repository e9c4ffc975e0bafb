// What one peer's certificate chain may cost us (RFC 5280 §6.1 path validation, RFC 5246 §7.4.2
// certificate_list): certificate count and bytes, signature checks, candidate paths and
// name-constraint comparisons, each with a documented default and a `limit` error past it.

import type { SignatureAlgorithm } from '../ciphers/schemes.js';
import { type LimitCode, limitError, localError, type TlsError } from '../errors.js';
import type { VerifiedSignatureCache } from './signature-cache.js';
import type { Certificate } from './types.js';
import type { SignatureVerifier } from './verify.js';

/**
 * The bounds on one peer's chain. Defaults: 12 certificates and 32 KiB in the Certificate message
 * (a path is at most 10 certificates below the root, plus room for the root's copy and one
 * cross-certificate); 16 signature checks (a 10-deep path needs 10, each (issuer, certificate)
 * pair is checked at most once across candidates); 8 candidate paths; 65,536 name-constraint
 * comparisons (names × constraints, summed over the path and candidates).
 */
export interface ChainLimits {
  readonly maxChainCertificates: number;
  readonly maxChainBytes: number;
  readonly maxSignatureChecks: number;
  readonly maxPathCandidates: number;
  readonly maxNameConstraintChecks: number;
}

export const DEFAULT_CHAIN_LIMITS: ChainLimits = {
  maxChainCertificates: 12,
  maxChainBytes: 32 * 1024,
  maxSignatureChecks: 16,
  maxPathCandidates: 8,
  maxNameConstraintChecks: 65_536,
};

/** The limits from a config object, each a positive integer (a local bad_config error otherwise). */
export function resolveChainLimits(config: Partial<Record<keyof ChainLimits, unknown>>): ChainLimits {
  const out: Record<string, number> = {};
  for (const name of Object.keys(DEFAULT_CHAIN_LIMITS) as (keyof ChainLimits)[]) {
    const value = config[name] ?? DEFAULT_CHAIN_LIMITS[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw localError('bad_config', `${name} must be a whole number ≥ 1, got ${String(value)}`);
    }
    out[name] = value;
  }
  return out as unknown as ChainLimits;
}

/** A chain limit was hit: the alert is the one for the code (bad_certificate, as rustls and Go send). */
export function chainLimitError(code: LimitCode, message: string): TlsError {
  return limitError(code, message);
}

/** The Certificate message's list, before any certificate is parsed: count and total bytes. */
export function checkChainSize(
  certificates: readonly Uint8Array[],
  limits: ChainLimits,
): TlsError | undefined {
  if (certificates.length > limits.maxChainCertificates) {
    return chainLimitError(
      'chain_too_long',
      `the peer sent ${certificates.length} certificates; at most ${limits.maxChainCertificates} are accepted ` +
        '(the maxChainCertificates option raises the bound): it should send its certificate and the intermediates only',
    );
  }
  const bytes = certificates.reduce((n, c) => n + c.length, 0);
  if (bytes > limits.maxChainBytes) {
    return chainLimitError(
      'chain_too_large',
      `the peer's certificates take ${bytes} bytes; at most ${limits.maxChainBytes} are accepted ` +
        '(the maxChainBytes option raises the bound)',
    );
  }
  return undefined;
}

/**
 * Signature checks for the candidate paths of one chain: each (issuer, certificate) pair is checked
 * at most once, whatever the number of candidates, and at most `maxSignatureChecks` times in all.
 * A pair the context's `cache` holds costs no check and is not counted (`cachedSignatures`);
 * pairs that verify are added to it. Name-constraint work is charged here too.
 */
export class ChainBudget {
  signatureChecks = 0;
  /** Pairs answered by the cache of verified signatures, without a signature check. */
  cachedSignatures = 0;
  nameConstraintChecks = 0;
  private readonly verdicts = new Map<string, boolean>();

  constructor(
    readonly limits: Pick<ChainLimits, 'maxSignatureChecks' | 'maxNameConstraintChecks'>,
    private readonly verify: SignatureVerifier,
    private readonly cache?: VerifiedSignatureCache,
  ) {}

  /** Did `issuer`'s key sign `cert`? A limit error once the budget is spent. */
  signedBy(cert: Certificate, issuer: Certificate, algorithm: SignatureAlgorithm): boolean | TlsError {
    return this.signedData(cert.fingerprintSha256, cert.tbs, cert.signature, issuer, algorithm);
  }

  /**
   * Did `issuer`'s key sign `tbs` (a certificate or a CRL, named by its fingerprint `id`)? Charged
   * and remembered like a certificate's signature.
   */
  signedData(
    id: string,
    tbs: Uint8Array,
    signature: Uint8Array,
    issuer: Certificate,
    algorithm: SignatureAlgorithm,
  ): boolean | TlsError {
    if (!issuer.publicKey) return false;
    const key = `${issuer.fingerprintSha256}>${id}`;
    const known = this.verdicts.get(key);
    if (known !== undefined) return known;
    if (this.cache?.has(id, issuer)) {
      this.cachedSignatures++;
      this.verdicts.set(key, true);
      return true;
    }
    if (this.signatureChecks >= this.limits.maxSignatureChecks) {
      return chainLimitError(
        'signature_check_limit',
        `verifying the peer's chain needs more than ${this.limits.maxSignatureChecks} signature checks ` +
          '(the maxSignatureChecks option raises the bound); it should send only the certificates of one path to the root',
      );
    }
    this.signatureChecks++;
    let valid = false;
    try {
      valid = this.verify(algorithm, issuer.publicKey, tbs, signature);
    } catch {
      valid = false;
    }
    this.verdicts.set(key, valid);
    if (valid) this.cache?.remember(id, issuer);
    return valid;
  }

  /** Charge `comparisons` name-constraint comparisons; a limit error past the budget. */
  chargeNameConstraints(comparisons: number): TlsError | undefined {
    this.nameConstraintChecks += comparisons;
    if (this.nameConstraintChecks <= this.limits.maxNameConstraintChecks) return undefined;
    return chainLimitError(
      'name_constraint_limit',
      `checking the name constraints of the peer's chain needs more than ${this.limits.maxNameConstraintChecks} ` +
        'comparisons of names with constraints (the maxNameConstraintChecks option raises the bound)',
    );
  }
}

/** Too many candidate paths (or path-building steps) before one validated. */
export function pathCandidateLimitError(
  maxPathCandidates: number,
  firstError: TlsError | undefined,
): TlsError {
  return chainLimitError(
    'path_candidate_limit',
    `the peer's certificates allow more than ${maxPathCandidates} candidate paths to the pinned root and ` +
      `none of those tried is valid${firstError ? ` (the first: ${firstError.message})` : ''} ` +
      '(the maxPathCandidates option raises the bound); it should send only the certificates of one path',
  );
}
