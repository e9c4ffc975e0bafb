// The server's certificate, suite and signature scheme for one ClientHello: by SNI against each
// certificate's names, then by what the client can verify (RFC 6066 §3, RFC 8422 §5.1.1, §5.3,
// RFC 5246 §7.4.1.4.1, §7.4.2).

import { GROUPS, groupByCode, groupOfCurve } from '../ciphers/groups.js';
import { describeScheme, type SchemeParams } from '../ciphers/schemes.js';
import { describeSuite, type SuiteParams } from '../ciphers/suites.js';
import type { ResolvedServerConfig } from '../config.js';
import { incompatibleError } from '../errors.js';
import { printable } from '../printable.js';
import type { ServerCertificate } from '../server-certificates.js';
import { ownSchemes } from '../signer.js';
import { matchesHostname } from '../x509/hostname.js';
import { keyFitsSuite } from './negotiate.js';

const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;
/** Signals a version fallback (RFC 7507); harmless here: we speak only the highest version a client can offer us. */
const TLS_FALLBACK_SCSV = 0x5600;

/** What the client offered that bears on the choice. */
export interface CertificateOffer {
  readonly cipherSuites: readonly number[];
  /** signature_algorithms, undefined when absent (TLS 1.2 then means SHA-1 only, which we refuse). */
  readonly signatureSchemes: readonly number[] | undefined;
  /** supported_groups, undefined when absent. */
  readonly groups: readonly number[] | undefined;
  readonly serverName: string | undefined;
}

export interface CertificateChoice {
  readonly certificate: ServerCertificate;
  readonly suite: SuiteParams;
  readonly scheme: SchemeParams;
}

/**
 * The certificates whose names the client's SNI matches (wildcards as the hostname check), in
 * order; all of them when there is no SNI or none matches, unless strictServerName refuses that.
 */
function candidatesByName(
  cfg: ResolvedServerConfig,
  serverName: string | undefined,
): readonly ServerCertificate[] {
  const all = cfg.certificates;
  if (serverName === undefined) return all;
  const options = { allowCommonNameFallback: cfg.allowCommonNameFallback };
  const named = all.filter((c) => matchesHostname(c.leaf, serverName, options));
  if (named.length > 0) return named;
  if (cfg.strictServerName) {
    throw incompatibleError(
      'unrecognized_name',
      `the client asked for '${printable(serverName)}' (SNI), which none of this server's certificates names` +
        ` (${all.map((c) => c.leaf.subject.text).join('; ')}); strictServerName refuses it`,
    );
  }
  return all;
}

/** An ECDSA certificate's curve must be one the client listed (RFC 8422 §5.1.1); Ed25519 and RSA have none. */
function curveRefused(c: ServerCertificate, groups: readonly number[] | undefined): boolean {
  const key = c.key.publicKey;
  if (key.type !== 'ec' || groups === undefined) return false;
  return !groups.includes(GROUPS[groupOfCurve(key.curve)].code);
}

/** Our best scheme for this certificate's key that the client offered. */
function schemeFor(
  cfg: ResolvedServerConfig,
  c: ServerCertificate,
  offer: CertificateOffer,
): SchemeParams | undefined {
  const peer = offer.signatureSchemes ?? [];
  return ownSchemes(c.key, cfg.schemes).find((s) => peer.includes(s.code));
}

/**
 * Server suite preference among the suites the client offered that some candidate certificate can
 * authenticate for this client (key type, a common scheme, its curve); the first such certificate
 * in order. When none fits, the first candidate's reason is the error.
 */
export function chooseCertificate(cfg: ResolvedServerConfig, offer: CertificateOffer): CertificateChoice {
  const candidates = candidatesByName(cfg, offer.serverName);
  for (const suite of cfg.suites) {
    if (!offer.cipherSuites.includes(suite.code)) continue;
    for (const certificate of candidates) {
      if (!keyFitsSuite(certificate.key.publicKey, suite) || curveRefused(certificate, offer.groups))
        continue;
      const scheme = schemeFor(cfg, certificate, offer);
      if (scheme) return { certificate, suite, scheme };
    }
  }
  throw whyNot(cfg, candidates, offer);
}

/** The error for a client no candidate can serve, from the first candidate (as with one certificate). */
function whyNot(
  cfg: ResolvedServerConfig,
  candidates: readonly ServerCertificate[],
  offer: CertificateOffer,
) {
  const first = candidates[0]!;
  const key = first.key.publicKey;
  if (!schemeFor(cfg, first, offer)) {
    const peer = offer.signatureSchemes;
    return incompatibleError(
      'no_common_signature_scheme',
      peer === undefined
        ? 'the client sent no signature_algorithms, so it only accepts SHA-1 signatures, which memtls refuses'
        : `no common signature scheme for our ${key.type} key: the client offered ` +
            `${peer.map(describeScheme).join(', ')}; we allow ${ownSchemes(first.key, cfg.schemes)
              .map((s) => s.name)
              .join(', ')}`,
    );
  }
  const fitting = cfg.suites.filter((s) => candidates.some((c) => keyFitsSuite(c.key.publicKey, s)));
  if (
    key.type === 'ec' &&
    curveRefused(first, offer.groups) &&
    fitting.some((s) => offer.cipherSuites.includes(s.code))
  ) {
    const groups = offer.groups ?? [];
    return incompatibleError(
      'certificate_curve_not_supported',
      `the client's supported_groups (${groups.map((c) => groupByCode(c)?.name ?? `0x${c.toString(16).padStart(4, '0')}`).join(', ')})` +
        ` do not include ${GROUPS[groupOfCurve(key.curve)].name}, the curve of this server's` +
        ' ECDSA certificate, so it could not verify our signatures (RFC 8422 §5.1.1)',
    );
  }
  const offered = offer.cipherSuites.filter(
    (c) => c !== TLS_EMPTY_RENEGOTIATION_INFO_SCSV && c !== TLS_FALLBACK_SCSV,
  );
  return incompatibleError(
    'no_common_cipher_suite',
    `no common cipher suite: the client offered ${offered.map(describeSuite).join(', ') || 'nothing'}; ` +
      `this server accepts ${fitting.map((s) => s.name).join(', ')} (ECDHE with AES-GCM or ChaCha20-Poly1305 only)`,
  );
}
