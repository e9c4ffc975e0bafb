// Certificate profile checks (RFC 5280 §4.1–4.2, RFC 4055 §3, the WebPKI rules strict verifiers apply):
// key sizes, RSASSA-PSS key parameters, serials, CA markings, name constraints, dNSNames, AKI/AIA, EKU, CN.

import { certificateError, localError, type TlsError } from '../errors.js';
import { parseAlgorithmIdentifier, signatureAlgorithmOf } from './algorithms.js';
import { parseDer, readOid, sequence } from './asn1.js';
import { dnsNameProblem } from './dns-name.js';
import { parseGeneralName } from './name.js';
import { OID } from './oids.js';
import type { Certificate } from './types.js';

/** RSA keys below this many bits are refused unless the caller lowers the bound (minRsaKeyBits). */
export const DEFAULT_MIN_RSA_KEY_BITS = 2048;

/** The caller's minRsaKeyBits, checked: a whole number from 1024 to 16384 (local bad_config otherwise). */
export function checkedMinRsaKeyBits(value: number | undefined): number {
  const bits = value ?? DEFAULT_MIN_RSA_KEY_BITS;
  if (!Number.isInteger(bits) || bits < 1024 || bits > 16384) {
    throw localError(
      'bad_config',
      `minRsaKeyBits must be an integer from 1024 to 16384, got ${String(value)}`,
    );
  }
  return bits;
}

export interface ProfileOptions {
  readonly usage: 'server' | 'client';
  readonly minRsaKeyBits: number;
}

/**
 * The first profile violation in `path` (leaf first, pinned root last), or undefined. What private
 * PKIs made with the OpenSSL CLI rely on stays accepted: v1 certificates (no extensions at all),
 * roots without SKI/AKI, a self-signed certificate pinned as its own root, and any serial on the
 * pinned root (it is trusted by pinning, as rustls-webpki treats trust anchors).
 */
export function checkProfile(path: readonly Certificate[], options: ProfileOptions): TlsError | undefined {
  const anchorIndex = path.length - 1;
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!;
    const error =
      (i < anchorIndex ? checkSerial(cert) : undefined) ??
      checkKeySize(cert, options.minRsaKeyBits) ??
      (i < anchorIndex ? checkPssKeyParameters(cert, path[i + 1]!) : undefined) ??
      checkCaMarkings(cert, i > 0) ??
      checkNameConstraintsProfile(cert) ??
      checkDnsNames(cert) ??
      checkAuthorityExtensions(cert);
    if (error) return error;
  }
  return checkLeafUsage(path[0]!, options.usage) ?? checkRootUsage(path, options.usage);
}

function describe(cert: Certificate): string {
  return `certificate '${cert.subject.text || '(empty subject)'}'`;
}

function extension(cert: Certificate, oid: string) {
  return cert.extensions.find((e) => e.oid === oid);
}

/** RFC 5280 §4.1.2.2: a positive integer of at most 20 octets. */
function checkSerial(cert: Certificate): TlsError | undefined {
  const serial = cert.serialNumber;
  const problem = serial.startsWith('-')
    ? 'is negative'
    : /^0*$/.test(serial)
      ? 'is zero'
      : serial.length > 40
        ? `is ${serial.length / 2} octets long, more than 20`
        : undefined;
  if (!problem) return undefined;
  return certificateError(
    'bad_serial_number',
    `${describe(cert)} has serial number ${serial}, which ${problem}; RFC 5280 §4.1.2.2 requires a positive ` +
      'serial of at most 20 octets. Reissue it (openssl x509 -req -CAcreateserial, or memtls pki, picks one)',
  );
}

/** RSA moduli of at least minRsaKeyBits, and a whole number of bytes (as rustls-webpki and Go). */
function checkKeySize(cert: Certificate, minRsaKeyBits: number): TlsError | undefined {
  const key = cert.publicKey;
  if (key?.type !== 'rsa') return undefined;
  if (key.bits < minRsaKeyBits) {
    return certificateError(
      'weak_key',
      `${describe(cert)} has a ${key.bits}-bit RSA key, below the ${minRsaKeyBits} bits required ` +
        `(minRsaKeyBits); regenerate the key (openssl genrsa -out key.pem 3072, or an EC key) and reissue ` +
        'the certificate, or lower minRsaKeyBits in the configuration of this side',
    );
  }
  if (key.bits % 8 !== 0) {
    return certificateError(
      'weak_key',
      `${describe(cert)} has an RSA modulus of ${key.bits} bits, not a whole number of bytes, which strict ` +
        'verifiers refuse; regenerate the key with a size such as 2048, 3072 or 4096 bits',
    );
  }
  return undefined;
}

/**
 * RFC 4055 §1.2, §3.3: a key of type id-RSASSA-PSS signs only with RSASSA-PSS, and when its
 * parameters are present, with the same hash and MGF and a salt at least as long.
 */
function checkPssKeyParameters(cert: Certificate, issuer: Certificate): TlsError | undefined {
  if (issuer.publicKeyAlgorithmOid !== OID.rsassaPss) return undefined;
  const what = `the RSASSA-PSS key of '${issuer.subject.text}'`;
  const mismatch = (detail: string): TlsError =>
    certificateError(
      'rsa_pss_key_mismatch',
      `${describe(cert)} is signed with ${cert.signatureAlgorithmName} ${detail}, but ${what} may only ` +
        'make signatures its parameters allow (RFC 4055 §3.3); reissue it with a matching RSASSA-PSS signature',
    );
  const signature = cert.signatureAlgorithm;
  if (signature?.kind !== 'rsa-pss') return mismatch('(not RSASSA-PSS)');
  let restriction: ReturnType<typeof signatureAlgorithmOf>;
  try {
    const spki = sequence(parseDer(issuer.spki, what), what, 2, 2);
    const id = parseAlgorithmIdentifier(spki[0]!, what);
    if (!id.parameters) return undefined;
    restriction = signatureAlgorithmOf(id, what);
  } catch {
    return mismatch('(the key parameters are malformed)');
  }
  const allowed = restriction.algorithm;
  if (allowed?.kind !== 'rsa-pss') return mismatch('(the key allows no hash memtls accepts)');
  if (allowed.hash !== signature.hash) {
    return mismatch(`with ${signature.hash} (the key requires ${allowed.hash})`);
  }
  if (signature.saltLength < allowed.saltLength) {
    return mismatch(
      `with a ${signature.saltLength}-byte salt (the key requires at least ${allowed.saltLength})`,
    );
  }
  return undefined;
}

/** RFC 5280 §4.2.1.9, §4.2.1.3, §4.1.2.6: CA markings. `issuing`: the certificate signs another in the path. */
function checkCaMarkings(cert: Certificate, issuing: boolean): TlsError | undefined {
  const isCa = cert.basicConstraints?.ca === true;
  if (cert.keyUsage?.keyCertSign && !isCa) {
    return certificateError(
      'bad_key_usage',
      `${describe(cert)} has keyUsage keyCertSign but is not a CA (no basicConstraints CA:TRUE), which ` +
        'RFC 5280 §4.2.1.9 forbids; reissue it without keyCertSign (keyUsage = critical, digitalSignature)',
    );
  }
  if (isCa && extension(cert, OID.basicConstraints)?.critical === false) {
    return certificateError(
      'bad_basic_constraints',
      `CA ${describe(cert)} has a basicConstraints extension that is not critical; RFC 5280 §4.2.1.9 requires ` +
        'it critical in CA certificates. Reissue it with basicConstraints = critical, CA:TRUE',
    );
  }
  if (issuing && cert.subject.rdns.length === 0) {
    return certificateError(
      'empty_ca_subject',
      `a CA certificate in the chain (serial ${cert.serialNumber}) has an empty subject; RFC 5280 §4.1.2.6 ` +
        'requires a CA to have a non-empty distinguished name. Reissue it with a subject (e.g. -subj "/CN=My CA")',
    );
  }
  return undefined;
}

/** RFC 5280 §4.2.1.10: critical, in CA certificates only, never empty, and well-formed dNSName bases. */
function checkNameConstraintsProfile(cert: Certificate): TlsError | undefined {
  const nc = cert.nameConstraints;
  if (!nc) return undefined;
  const bad = (problem: string): TlsError =>
    certificateError(
      'bad_name_constraints',
      `${describe(cert)} has a nameConstraints extension that ${problem} (RFC 5280 §4.2.1.10); reissue it ` +
        'from a CA certificate with nameConstraints = critical, permitted;DNS:example.test',
    );
  if (!cert.basicConstraints?.ca) return bad('sits in a certificate that is not a CA');
  if (!extension(cert, OID.nameConstraints)?.critical) return bad('is not critical');
  if (nc.permitted.length === 0 && nc.excluded.length === 0) {
    return bad('has neither permitted nor excluded subtrees');
  }
  for (const base of [...nc.permitted, ...nc.excluded]) {
    if (base.type !== 'dns') continue;
    const problem = dnsNameProblem(base.value, 'constraint');
    if (problem) return bad(`holds DNS:${base.value}, which is not a valid host name: ${problem}`);
  }
  return undefined;
}

/** RFC 5280 §4.2.1.6: dNSName subjectAltNames in the preferred name syntax (a left-most "*" aside). */
function checkDnsNames(cert: Certificate): TlsError | undefined {
  for (const name of cert.subjectAltNames ?? []) {
    if (name.type !== 'dns') continue;
    const problem = dnsNameProblem(name.value, 'subjectAltName');
    if (problem) {
      return certificateError(
        'bad_dns_name',
        `${describe(cert)} has subjectAltName DNS:${name.value}, which is not a valid host name: ${problem} ` +
          '(RFC 5280 §4.2.1.6); reissue it with host names of letters, digits, hyphens and dots',
      );
    }
  }
  return undefined;
}

/** RFC 5280 §4.2.1.1: AKI non-critical; §4.2.2.1: AIA a non-empty SEQUENCE OF AccessDescription. */
function checkAuthorityExtensions(cert: Certificate): TlsError | undefined {
  if (extension(cert, OID.authorityKeyIdentifier)?.critical) {
    return certificateError(
      'bad_extension',
      `${describe(cert)} has a critical authorityKeyIdentifier, which RFC 5280 §4.2.1.1 forbids; reissue it ` +
        'with authorityKeyIdentifier = keyid (not critical)',
    );
  }
  const aia = extension(cert, OID.authorityInfoAccess);
  if (!aia) return undefined;
  const what = `${describe(cert)} authorityInfoAccess`;
  try {
    for (const description of sequence(parseDer(aia.value, what), what, 1)) {
      const [method, location] = sequence(description, what, 2, 2);
      readOid(method!, what);
      parseGeneralName(location!, what, [4, 16]);
    }
  } catch {
    return certificateError(
      'bad_extension',
      `${what} is malformed: RFC 5280 §4.2.2.1 requires a non-empty SEQUENCE of { accessMethod, ` +
        'accessLocation }; reissue it with a well-formed authorityInfoAccess, or without one',
    );
  }
  return undefined;
}

/**
 * The leaf's EKU must name the usage asked for: anyExtendedKeyUsage does not stand in for it (as
 * rustls-webpki). A critical EKU must be understood in full (RFC 5280 §4.2: the certificate may be
 * used only for what it lists): no anyExtendedKeyUsage (§4.2.1.12) and no purpose memtls does not
 * know. One Common Name at most: peerIdentity.commonName is what people authorize on.
 */
function checkLeafUsage(leaf: Certificate, usage: 'server' | 'client'): TlsError | undefined {
  const wanted = usage === 'server' ? OID.serverAuth : OID.clientAuth;
  const wantedName = usage === 'server' ? 'serverAuth' : 'clientAuth';
  const eku = leaf.extendedKeyUsage;
  const unknown = (eku ?? []).filter((oid) => oid !== OID.serverAuth && oid !== OID.clientAuth);
  if (unknown.length > 0 && extension(leaf, OID.extKeyUsage)?.critical) {
    const names = unknown.map((oid) => (oid === OID.anyExtendedKeyUsage ? 'anyExtendedKeyUsage' : oid));
    return certificateError(
      'bad_extended_key_usage',
      `${describe(leaf)} has a critical extendedKeyUsage with purposes memtls does not understand ` +
        `(${names.join(', ')}); a critical extension must be understood in full (RFC 5280 §4.2, §4.2.1.12). ` +
        `Reissue it with extendedKeyUsage = ${wantedName}, not critical`,
    );
  }
  if (eku?.includes(OID.anyExtendedKeyUsage) && !eku.includes(wanted)) {
    return certificateError(
      'bad_extended_key_usage',
      `${describe(leaf)} has extendedKeyUsage anyExtendedKeyUsage without ${wantedName}; a TLS ${usage} ` +
        `certificate must name its purpose. Reissue it with extendedKeyUsage = ${wantedName}`,
    );
  }
  const commonNames = leaf.subject.rdns.flat().filter((a) => a.oid === OID.commonName);
  if (commonNames.length > 1) {
    return certificateError(
      'ambiguous_common_name',
      `${describe(leaf)} has ${commonNames.length} Common Names (${commonNames.map((a) => a.value).join(', ')}), ` +
        'so the peer identity would be ambiguous; reissue it with exactly one CN',
    );
  }
  return undefined;
}

/** A pinned root whose extendedKeyUsage excludes the usage asked for may not vouch for it (as Go and OpenSSL). */
function checkRootUsage(path: readonly Certificate[], usage: 'server' | 'client'): TlsError | undefined {
  if (path.length < 2) return undefined;
  const root = path[path.length - 1]!;
  const eku = root.extendedKeyUsage;
  const wanted = usage === 'server' ? OID.serverAuth : OID.clientAuth;
  if (!eku || eku.includes(wanted) || eku.includes(OID.anyExtendedKeyUsage)) return undefined;
  const wantedName = usage === 'server' ? 'serverAuth' : 'clientAuth';
  return certificateError(
    'bad_extended_key_usage',
    `the pinned root '${root.subject.text}' has an extendedKeyUsage without ${wantedName}, so it may not vouch ` +
      `for TLS ${usage}s; reissue the root without extendedKeyUsage, or with ${wantedName}`,
  );
}
