// node:tls's certificate objects for memtls/node's TlsSocket: getPeerCertificate(detailed) and
// getCertificate() in node's "legacy certificate object" shape (RFC 5280 §4.1 fields as node prints them).

import { X509Certificate } from 'node:crypto';
import type { Certificate, SessionInfo } from '../index.js';

/**
 * One certificate as node:tls describes it: subject/issuer objects (C, ST, L, O, OU, CN, ...),
 * subjectaltname ("DNS:a, IP Address:…"), infoAccess, ca, key fields (modulus/exponent/bits/pubkey
 * for RSA; bits/pubkey/asn1Curve/nistCurve for EC), valid_from/valid_to ("Dec  5 04:38:06 2026 GMT"),
 * fingerprint/fingerprint256/fingerprint512, ext_key_usage, serialNumber (upper-case hex), raw
 * (Buffer) and, in a detailed peer certificate, issuerCertificate.
 */
export interface DetailedPeerCertificate {
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  subjectaltname?: string;
  infoAccess?: Record<string, string[]>;
  ca: boolean;
  modulus?: string;
  exponent?: string;
  bits?: number;
  pubkey?: Buffer;
  asn1Curve?: string;
  nistCurve?: string;
  valid_from: string;
  valid_to: string;
  fingerprint: string;
  fingerprint256: string;
  fingerprint512: string;
  ext_key_usage?: string[];
  serialNumber: string;
  raw: Buffer;
  issuerCertificate?: DetailedPeerCertificate;
}

/**
 * node's own encoding of one certificate (node:crypto X509Certificate#toLegacyObject(), the very
 * code node:tls uses), so every field matches node:tls to the byte.
 */
export function legacyCertificate(certificate: Certificate): DetailedPeerCertificate {
  return new X509Certificate(certificate.der).toLegacyObject() as unknown as DetailedPeerCertificate;
}

/** True when `c` names itself as issuer (a root: node points its issuerCertificate at itself). */
function selfIssued(c: Certificate): boolean {
  return bytesEqual(c.subject.der, c.issuer.der);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * getPeerCertificate(detailed): `{}` when the peer sent no certificate (as node). Detailed, each
 * certificate's issuerCertificate is the next one of the verified path (leaf → pinned root, the
 * root included even though the peer need not send it, as node adds it from its CA store), and a
 * self-issued root's issuerCertificate is itself.
 */
export function peerCertificateObject(
  info: SessionInfo,
  detailed: boolean,
): DetailedPeerCertificate | Record<string, never> {
  const leaf = info.peerIdentity?.certificate ?? info.peerCertificates[0];
  if (!leaf) return {};
  const top = legacyCertificate(leaf);
  if (!detailed) return top;
  const path = info.peerIdentity?.verifiedPath ?? info.peerCertificates;
  let current = top;
  for (const next of path.slice(1)) {
    const issuer = legacyCertificate(next);
    current.issuerCertificate = issuer;
    current = issuer;
  }
  const last = path[path.length - 1] ?? leaf;
  if (selfIssued(last)) current.issuerCertificate = current;
  return top;
}

/** getCertificate(): our own leaf as node describes it, `{}` when we have none. */
export function localCertificateObject(
  chain: readonly Certificate[],
): DetailedPeerCertificate | Record<string, never> {
  const leaf = chain[0];
  return leaf ? legacyCertificate(leaf) : {};
}
