// Certificate revocation list parsing (RFC 5280 §5): a v2 CertificateList into a CertificateRevocationList
// whose entries are found by serial number in a Map built once; delta CRLs and partitioned
// (issuing distribution point) or indirect CRLs are refused, as are unknown critical extensions.

import type { SignatureAlgorithm } from '../ciphers/schemes.js';
import { equalBytes } from '../codec.js';
import { TlsError } from '../errors.js';
import { parseAlgorithmIdentifier, signatureAlgorithmOf } from './algorithms.js';
import {
  type DerNode,
  derFailure,
  explicitInner,
  isContext,
  parseDer,
  readBoolean,
  readByteAlignedBitString,
  readIntegerBytes,
  readOctetString,
  readOid,
  readSmallInteger,
  readTime,
  sequence,
  Tag,
} from './asn1.js';
import { fingerprint, serialHex } from './certificate.js';
import { parseAuthorityKeyIdentifier } from './extensions.js';
import { parseName } from './name.js';
import { describeOid, EXTENSION_NAMES, OID } from './oids.js';
import type { DistinguishedName } from './types.js';

/** CRL and CRL entry extensions memtls knows (RFC 5280 §5.2, §5.3). */
export const CRL_OID = {
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  holdInstructionCode: '2.5.29.23',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  issuerAltName: '2.5.29.18',
  freshestCRL: '2.5.29.46',
} as const;

/** CRLReason (RFC 5280 §5.3.1) by its number; 7 is unused. */
export const CRL_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** One revoked certificate of a CRL. */
export interface RevokedCertificate {
  /** Lower-case hex, as Certificate.serialNumber. */
  readonly serialNumber: string;
  /** ms since epoch. */
  readonly revocationDate: number;
  /** The CRLReason name, when the entry has one. */
  readonly reason: string | undefined;
}

/** A parsed certificate revocation list (RFC 5280 §5.1). */
export interface CertificateRevocationList {
  /** The whole CRL DER. */
  readonly der: Uint8Array;
  /** The DER of tbsCertList: what the issuer signed. */
  readonly tbs: Uint8Array;
  readonly issuer: DistinguishedName;
  /** ms since epoch. */
  readonly thisUpdate: number;
  readonly nextUpdate: number;
  /** The cRLNumber extension as hex, when present. */
  readonly crlNumber: string | undefined;
  /** keyIdentifier of the authorityKeyIdentifier extension, when present. */
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** Undefined when unsupported or weak (then the CRL is refused where it is used). */
  readonly signatureAlgorithm: SignatureAlgorithm | undefined;
  readonly signatureAlgorithmName: string;
  readonly weakSignatureHash: 'md2' | 'md5' | 'sha1' | undefined;
  readonly signature: Uint8Array;
  /** The revoked certificates by serial number (lower-case hex). */
  readonly revoked: ReadonlyMap<string, RevokedCertificate>;
  /** SHA-256 of der, colon-separated hex (names the CRL in messages). */
  readonly fingerprintSha256: string;
}

/** Elements asn1js may build for one CRL: about 6 per entry, so some 300,000 entries. */
const MAX_CRL_NODES = 2_000_000;

/**
 * Parse one DER CRL from our own configuration. Every failure is a local bad_config TlsError naming
 * `what` and the problem: malformed DER, a version other than v2 (or v1 without extensions),
 * a missing nextUpdate (RFC 5280 §5.1.2.5: conforming CAs include it, and a CRL without it could
 * never be known to be stale), a delta CRL, an issuing distribution point (partitioned CRLs), an
 * indirect CRL (certificateIssuer entries), or any other critical extension memtls does not know.
 */
export function parseCrl(der: Uint8Array, what = 'CRL'): CertificateRevocationList {
  const fail = derFailure('config');
  if (!(der instanceof Uint8Array)) throw fail(`${what}: expected DER bytes`);
  try {
    return parseCrlDer(der, what);
  } catch (error) {
    if (error instanceof TlsError) throw error;
    throw fail(`${what}: malformed CRL (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }
 * TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL (v2 = 1), signature, issuer Name, thisUpdate
 *   Time, nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE { userCertificate,
 *   revocationDate, crlEntryExtensions OPTIONAL } OPTIONAL, crlExtensions [0] EXPLICIT OPTIONAL }
 */
function parseCrlDer(input: Uint8Array, what: string): CertificateRevocationList {
  const root = parseDer(input, what, 'config', MAX_CRL_NODES);
  const [tbsNode, outerAlgorithmNode, signatureNode] = sequence(root, what, 3, 3) as [
    DerNode,
    DerNode,
    DerNode,
  ];
  const fields = sequence(tbsNode, `${what} tbsCertList`, 4, 7);
  let i = 0;
  let version = 1;
  if (fields[0]?.tagClass === 'universal' && fields[0].tag === Tag.INTEGER) {
    version = readSmallInteger(fields[0], `${what} version`, 1) + 1;
    if (version !== 2) throw root.fail(`${what}: an explicit version must be v2 (RFC 5280 §5.1.2.1)`);
    i++;
  }
  const next = (name: string): DerNode => {
    const node = fields[i++];
    if (!node) throw root.fail(`${what}: tbsCertList is missing ${name}`);
    return node;
  };
  const innerAlgorithmNode = next('signature');
  const issuer = parseName(next('issuer'), `${what} issuer`);
  const thisUpdate = readTime(next('thisUpdate'), `${what} thisUpdate`);
  let nextUpdate: number | undefined;
  const maybeTime = fields[i];
  if (
    maybeTime?.tagClass === 'universal' &&
    (maybeTime.tag === Tag.UTCTime || maybeTime.tag === Tag.GeneralizedTime)
  ) {
    nextUpdate = readTime(maybeTime, `${what} nextUpdate`);
    i++;
  }
  const revoked = new Map<string, RevokedCertificate>();
  const maybeList = fields[i];
  if (maybeList?.tagClass === 'universal' && maybeList.tag === Tag.SEQUENCE) {
    for (const entry of sequence(maybeList, `${what} revokedCertificates`, 1)) {
      const parsed = parseEntry(entry, what, version);
      revoked.set(parsed.serialNumber, parsed);
    }
    i++;
  }
  let crlNumber: string | undefined;
  let authorityKeyIdentifier: Uint8Array | undefined;
  const maybeExtensions = fields[i];
  if (isContext(maybeExtensions, 0)) {
    if (version !== 2) throw root.fail(`${what}: extensions in a v1 CRL (RFC 5280 §5.1.2.1)`);
    const extensions = parseCrlExtensions(explicitInner(maybeExtensions, `${what} extensions`), what);
    crlNumber = extensions.crlNumber;
    authorityKeyIdentifier = extensions.authorityKeyIdentifier;
    i++;
  }
  if (i !== fields.length) throw root.fail(`${what}: unexpected element in tbsCertList`);
  if (nextUpdate === undefined) {
    throw root.fail(
      `${what}: the CRL has no nextUpdate, so memtls could never tell when it is stale; issue it with ` +
        'one (memtls pki crl --days N, or default_crl_days in openssl ca) (RFC 5280 §5.1.2.5)',
    );
  }
  if (nextUpdate < thisUpdate) throw root.fail(`${what}: nextUpdate is before thisUpdate`);
  if (!equalBytes(innerAlgorithmNode.der, outerAlgorithmNode.der)) {
    throw root.fail(`${what}: the signature algorithm inside the signed part differs from the outer one`);
  }
  const algorithmId = parseAlgorithmIdentifier(outerAlgorithmNode, `${what} signature algorithm`);
  const algorithm = signatureAlgorithmOf(algorithmId, `${what} signature algorithm`);
  return {
    der: root.der,
    tbs: tbsNode.der,
    issuer,
    thisUpdate,
    nextUpdate,
    crlNumber,
    authorityKeyIdentifier,
    signatureAlgorithm: algorithm.algorithm,
    signatureAlgorithmName: algorithm.name,
    weakSignatureHash: algorithm.weakHash,
    signature: readByteAlignedBitString(signatureNode, `${what} signature`),
    revoked,
    fingerprintSha256: fingerprint(root.der),
  };
}

function parseEntry(entry: DerNode, what: string, version: number): RevokedCertificate {
  const [serialNode, dateNode, extensionsNode] = sequence(entry, `${what} revoked certificate`, 2, 3) as [
    DerNode,
    DerNode,
    DerNode | undefined,
  ];
  const serialNumber = serialHex(readIntegerBytes(serialNode, `${what} revoked serial number`));
  const revocationDate = readTime(dateNode, `${what} revocationDate of ${serialNumber}`);
  let reason: string | undefined;
  if (extensionsNode) {
    if (version !== 2) throw entry.fail(`${what}: entry extensions in a v1 CRL`);
    const entryWhat = `${what} entry ${serialNumber}`;
    for (const { oid, critical, value } of extensionList(extensionsNode, entryWhat)) {
      if (oid === CRL_OID.reasonCode) {
        const node = parseDer(value, `${entryWhat} reasonCode`, 'config');
        if (node.tagClass !== 'universal' || node.tag !== 10 || node.content.length !== 1) {
          throw node.fail(`${entryWhat}: reasonCode must be an ENUMERATED`);
        }
        reason = CRL_REASONS[node.content[0]!] ?? `reason ${node.content[0]}`;
      } else if (oid === CRL_OID.certificateIssuer) {
        throw entry.fail(
          `${what} is an indirect CRL (entry ${serialNumber} names a certificateIssuer), which memtls ` +
            'does not support: give the CRL issued by the CA itself',
        );
      } else if (critical && oid !== CRL_OID.invalidityDate && oid !== CRL_OID.holdInstructionCode) {
        throw entry.fail(
          `${entryWhat} has a critical extension memtls does not understand, ${describeOid(oid, EXTENSION_NAMES)}, ` +
            'so the CRL must be refused (RFC 5280 §5.3)',
        );
      }
    }
  }
  return { serialNumber, revocationDate, reason };
}

interface CrlExtensions {
  crlNumber: string | undefined;
  authorityKeyIdentifier: Uint8Array | undefined;
}

function parseCrlExtensions(node: DerNode, what: string): CrlExtensions {
  const out: CrlExtensions = { crlNumber: undefined, authorityKeyIdentifier: undefined };
  for (const { oid, critical, value } of extensionList(node, what)) {
    switch (oid) {
      case OID.authorityKeyIdentifier:
        out.authorityKeyIdentifier = parseAuthorityKeyIdentifier(
          parseDer(value, `${what} authorityKeyIdentifier`, 'config'),
          `${what} authorityKeyIdentifier`,
        );
        break;
      case CRL_OID.cRLNumber:
        out.crlNumber = serialHex(
          readIntegerBytes(parseDer(value, `${what} cRLNumber`, 'config'), `${what} cRLNumber`),
        );
        break;
      case CRL_OID.deltaCRLIndicator:
        throw node.fail(
          `${what} is a delta CRL, which memtls does not support: give the complete (base) CRL ` +
            '(openssl ca -gencrl without -crl_delta, or memtls pki crl)',
        );
      case CRL_OID.issuingDistributionPoint:
        throw node.fail(
          `${what} has an issuing distribution point (a partitioned or scoped CRL), which memtls does ` +
            'not support: give one complete CRL covering every certificate of its issuer',
        );
      default:
        if (critical) {
          throw node.fail(
            `${what} has a critical extension memtls does not understand, ${describeOid(oid, EXTENSION_NAMES)}, ` +
              'so it must be refused (RFC 5280 §5.2)',
          );
        }
    }
  }
  return out;
}

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension; each OID at most once. */
function extensionList(node: DerNode, what: string): { oid: string; critical: boolean; value: Uint8Array }[] {
  const seen = new Set<string>();
  return sequence(node, `${what} extensions`, 1).map((extension) => {
    const fields = sequence(extension, `${what} extension`, 2, 3);
    const oid = readOid(fields[0]!, `${what} extension id`);
    const critical = fields.length === 3 ? readBoolean(fields[1]!, `${what} critical flag`) : false;
    const value = readOctetString(fields[fields.length - 1]!, `${what} extension value`);
    if (seen.has(oid))
      throw node.fail(`${what}: extension ${describeOid(oid, EXTENSION_NAMES)} appears twice`);
    seen.add(oid);
    return { oid, critical, value };
  });
}
