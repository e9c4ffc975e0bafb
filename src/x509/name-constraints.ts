// Name constraints along a certification path (RFC 5280 §4.2.1.10, §6.1.3 (b)–(c), §6.1.4 (g)):
// dNSName, iPAddress, rfc822Name and directoryName subtrees, permitted and excluded.

import { certificateError, type TlsError } from '../errors.js';
import { parseIpAddress } from './hostname.js';
import { attributeValue, generalNameText, sameName } from './name.js';
import { OID } from './oids.js';
import type { Certificate, DistinguishedName, GeneralName } from './types.js';

const EMAIL_ATTRIBUTE = '1.2.840.113549.1.9.1';

/**
 * Check every certificate below each constraining CA. `path` is leaf first, trust anchor last.
 * Self-issued intermediates are exempt (RFC 5280 §6.1.3 (b)). When the leaf has no dNSName SAN,
 * its Common Name is checked as a DNS name when it looks like one (as OpenSSL does), so a CN-only
 * certificate cannot escape DNS constraints through the Common-Name fallback. `charge` is told the
 * work (names × constraints) before each certificate is checked against a CA's constraints; an
 * error from it (a spent budget) is returned as it is.
 */
export function checkNameConstraints(
  path: readonly Certificate[],
  charge?: (comparisons: number) => TlsError | undefined,
): TlsError | undefined {
  for (let k = path.length - 1; k >= 1; k--) {
    const ca = path[k]!;
    const constraints = ca.nameConstraints;
    if (!constraints) continue;
    for (let j = k - 1; j >= 0; j--) {
      const cert = path[j]!;
      if (j > 0 && sameName(cert.issuer, cert.subject)) continue;
      const names = namesOf(cert, j === 0);
      const all = [...constraints.permitted, ...constraints.excluded];
      const overBudget = charge?.(names.length * all.length);
      if (overBudget) return overBudget;
      for (const name of names) {
        if ((name.type === 'uri' || name.type === 'other') && all.some((c) => sameKind(c, name))) {
          return failure(cert, name, ca, 'constrain this name type, which memtls cannot check');
        }
        const excludedBy = constraints.excluded.find((c) => c.type === name.type && matches(c, name, true));
        if (excludedBy) {
          return failure(cert, name, ca, `exclude it (excluded subtree ${generalNameText(excludedBy)})`);
        }
        const permitted = constraints.permitted.filter((c) => c.type === name.type);
        if (permitted.length > 0 && !permitted.some((c) => matches(c, name, false))) {
          return failure(
            cert,
            name,
            ca,
            `do not permit it (permitted: ${permitted.map(generalNameText).join(', ')})`,
          );
        }
      }
    }
  }
  return undefined;
}

function failure(cert: Certificate, name: GeneralName, ca: Certificate, why: string): TlsError {
  return certificateError(
    'name_constraints',
    `certificate '${cert.subject.text}' has the name ${generalNameText(name)}, but the nameConstraints of ` +
      `its CA '${ca.subject.text}' ${why}; a constrained CA may only issue for its permitted names: reissue ` +
      'the certificate with names inside them, or under a CA allowed to issue for this name',
  );
}

function sameKind(a: GeneralName, b: GeneralName): boolean {
  return a.type === b.type && (a.type !== 'other' || b.type !== 'other' || a.tag === b.tag);
}

/** The names a certificate asserts: its SANs, its subject (as a directoryName), emailAddress attributes. */
function namesOf(cert: Certificate, isLeaf: boolean): GeneralName[] {
  const names: GeneralName[] = [...(cert.subjectAltNames ?? [])];
  if (cert.subject.rdns.length > 0) names.push({ type: 'dirName', value: cert.subject });
  for (const rdn of cert.subject.rdns) {
    for (const a of rdn) if (a.oid === EMAIL_ATTRIBUTE) names.push({ type: 'email', value: a.value });
  }
  if (isLeaf && !names.some((n) => n.type === 'dns')) {
    const cn = attributeValue(cert.subject, OID.commonName);
    if (cn !== undefined && looksLikeHostname(cn)) names.push({ type: 'dns', value: cn });
  }
  return names;
}

function looksLikeHostname(cn: string): boolean {
  return (
    cn.includes('.') &&
    parseIpAddress(cn) === undefined &&
    /^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(cn)
  );
}

function matches(constraint: GeneralName, name: GeneralName, excluding: boolean): boolean {
  switch (constraint.type) {
    case 'dns':
      return name.type === 'dns' && dnsWithin(constraint.value, name.value, excluding);
    case 'ip':
      return name.type === 'ip' && ipWithin(constraint.value, name.value);
    case 'email':
      return name.type === 'email' && emailWithin(constraint.value, name.value);
    case 'dirName':
      return name.type === 'dirName' && dirNameWithin(constraint.value, name.value);
    default:
      return false;
  }
}

function lowerDns(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * "good.test" covers good.test and every name under it; ".good.test" only the names under it
 * (the OpenSSL reading); "" covers everything. When excluding, a wildcard SAN "*.x" is caught by
 * any excluded name one label below x, since the wildcard would match it.
 */
function dnsWithin(constraintValue: string, nameValue: string, excluding: boolean): boolean {
  const constraint = lowerDns(constraintValue);
  const name = lowerDns(nameValue);
  if (constraint === '') return true;
  const within = (n: string): boolean =>
    constraint.startsWith('.') ? n.endsWith(constraint) : n === constraint || n.endsWith(`.${constraint}`);
  if (within(name)) return true;
  if (excluding && name.startsWith('*.')) {
    const bare = constraint.startsWith('.') ? constraint.slice(1) : constraint;
    const dot = bare.indexOf('.');
    return dot > 0 && bare.slice(dot + 1) === name.slice(2);
  }
  return false;
}

/** Constraint = address ‖ mask, twice the length of the name's address. */
function ipWithin(constraint: Uint8Array, address: Uint8Array): boolean {
  if (constraint.length !== 2 * address.length) return false;
  for (let i = 0; i < address.length; i++) {
    const mask = constraint[address.length + i]!;
    if ((address[i]! & mask) !== (constraint[i]! & mask)) return false;
  }
  return true;
}

/** "user@host" is one mailbox; "host" all mailboxes at host; ".domain" any host under domain. */
function emailWithin(constraintValue: string, mailbox: string): boolean {
  const at = mailbox.lastIndexOf('@');
  if (at <= 0) return false;
  const host = mailbox.slice(at + 1).toLowerCase();
  if (constraintValue.includes('@')) {
    const cAt = constraintValue.lastIndexOf('@');
    return (
      constraintValue.slice(0, cAt) === mailbox.slice(0, at) &&
      constraintValue.slice(cAt + 1).toLowerCase() === host
    );
  }
  const constraint = constraintValue.toLowerCase();
  return constraint.startsWith('.') ? host.endsWith(constraint) : host === constraint;
}

/** The constraint's RDNs are a prefix of the name's RDNs (attribute types and values equal). */
function dirNameWithin(constraint: DistinguishedName, name: DistinguishedName): boolean {
  if (constraint.rdns.length > name.rdns.length) return false;
  return constraint.rdns.every((rdn, i) => {
    const other = name.rdns[i]!;
    return (
      rdn.length === other.length &&
      rdn.every((a) => other.some((b) => b.oid === a.oid && b.value === a.value))
    );
  });
}
