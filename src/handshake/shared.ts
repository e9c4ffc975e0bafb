// Steps both handshake sides take alike: authenticating the peer's chain (RFC 5246 §7.4.2, §7.4.6),
// the master secret (§8.1, RFC 7627 §4) and Finished (§7.4.9).

import { computeExtendedMasterSecret, computeMasterSecret, computeVerifyData } from '../ciphers/prf.js';
import type { SuiteParams } from '../ciphers/suites.js';
import { equalBytes } from '../codec.js';
import type { ResolvedConfig } from '../config.js';
import { certificateError, peerError, TlsError } from '../errors.js';
import { checkChainSize } from '../x509/chain-budget.js';
import { OID } from '../x509/oids.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';
import { verifyChain } from '../x509/verify.js';
import { parsedCertificatesOf } from './parsed-certificates.js';
import type { Transcript } from './transcript.js';
import { askApplication } from './verify-peer.js';

/**
 * Check the size of the peer's chain (count, bytes) before parsing it, then parse and verify it to
 * our pinned root within cfg.chainLimits (and cfg.revocation's CRLs), then ask cfg.verifyPeer;
 * throws the verdict's TlsError.
 */
export function authenticatePeer(
  cfg: ResolvedConfig,
  certificates: readonly Uint8Array[],
  usage: 'server' | 'client',
  hostname: string | undefined,
): { peerCertificates: Certificate[]; identity: PeerIdentity } {
  const tooBig = checkChainSize(certificates, cfg.chainLimits);
  if (tooBig) throw tooBig;
  const parsed = parsedCertificatesOf(cfg);
  const peerCertificates = certificates.map((der) => {
    try {
      return parsed.parse(der);
    } catch (e) {
      if (e instanceof TlsError) throw e;
      throw certificateError('decode_error', `a certificate from the peer does not parse: ${String(e)}`);
    }
  });
  const verdict = verifyChain({
    chain: peerCertificates,
    root: [...cfg.rootCertificates],
    now: cfg.now(),
    usage,
    hostname,
    allowCommonNameFallback: cfg.allowCommonNameFallback,
    minRsaKeyBits: cfg.minRsaKeyBits,
    limits: cfg.chainLimits,
    ...(cfg.revocation ? { crls: cfg.revocation } : {}),
    signatureCache: cfg.verifiedSignatures,
    verifySignature: (algorithm, key, message, signature) =>
      cfg.provider.verify(algorithm, key, message, signature),
  });
  if (!verdict.ok) throw verdict.error;
  if (verdict.identity.certificate.publicKeyAlgorithmOid === OID.rsassaPss) {
    // RFC 8446 §4.2.3 (which TLS 1.2 follows): an RSASSA-PSS key signs only with rsa_pss_pss_*, never
    // rsa_pss_rsae_* or PKCS#1 v1.5 (RFC 4055 §1.2), and memtls offers no rsa_pss_pss_* scheme.
    throw certificateError(
      'unsupported_algorithm',
      `the ${usage}'s certificate '${verdict.identity.subject}' has an RSASSA-PSS (id-RSASSA-PSS) key, which may ` +
        'sign handshakes only with rsa_pss_pss_* schemes, which memtls does not support; reissue it with a ' +
        'plain RSA key (openssl genrsa) or an EC key',
    );
  }
  const identity = { ...verdict.identity, verifiedPath: verdict.path };
  if (cfg.verifyPeer) askApplication(cfg.verifyPeer, identity, verdict.path, usage);
  // Only what the peer sent of the path that verified is remembered (not extra certificates it sent).
  parsed.keep(verdict.path.filter((c) => peerCertificates.includes(c)));
  return { peerCertificates, identity };
}

export interface SecretInputs {
  readonly suite: SuiteParams;
  readonly extendedMasterSecret: boolean;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
}

/**
 * The master secret; with EMS over the session hash (the transcript through ClientKeyExchange).
 * The pre-master secret is zeroed.
 */
export function deriveMasterSecret(
  cfg: ResolvedConfig,
  session: SecretInputs,
  preMasterSecret: Uint8Array,
  transcript: Transcript,
): Uint8Array {
  const hash = session.suite.prfHash;
  const masterSecret = session.extendedMasterSecret
    ? computeExtendedMasterSecret(hash, preMasterSecret, transcript.hash(cfg.provider, hash))
    : computeMasterSecret(hash, preMasterSecret, session.clientRandom, session.serverRandom);
  preMasterSecret.fill(0);
  return masterSecret;
}

/** verify_data for `label` over the transcript so far. */
export function finishedVerifyData(
  cfg: ResolvedConfig,
  suite: SuiteParams,
  masterSecret: Uint8Array,
  label: 'client finished' | 'server finished',
  transcript: Transcript,
): Uint8Array {
  return computeVerifyData(suite.prfHash, masterSecret, label, transcript.hash(cfg.provider, suite.prfHash));
}

/** Check the peer's Finished (decrypt_error when it does not match). */
export function checkPeerFinished(
  cfg: ResolvedConfig,
  suite: SuiteParams,
  masterSecret: Uint8Array,
  peer: 'client' | 'server',
  transcript: Transcript,
  received: Uint8Array,
): void {
  const expected = finishedVerifyData(cfg, suite, masterSecret, `${peer} finished`, transcript);
  if (!equalBytes(expected, received)) {
    throw peerError(
      'bad_finished',
      `the ${peer}'s Finished message does not match the handshake: the handshake was tampered with or the keys differ`,
    );
  }
}
