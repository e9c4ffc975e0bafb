// Encoders for the pieces of an issued certificate: names (RFC 5280 §4.1.2.4), validity times (§4.1.2.5),
// extensions (§4.2.1.1–§4.2.1.12) and subjectAltName entries written as "DNS:a.test" / "IP:127.0.0.1".

import * as asn1js from 'asn1js';
import { localError } from '../errors.js';
import { dnsNameProblem } from './dns-name.js';
import { parseIpAddress } from './hostname.js';
import { derInteger } from './key-encoding.js';

/** The extended key usage an issued leaf gets: serverAuth, clientAuth or both. */
export type CertificateUsage = 'server' | 'client' | 'both';

/** A subject attribute placed before the CN, most significant first (C, ST, L, O, OU). */
export interface SubjectAttribute {
  readonly type: 'C' | 'ST' | 'L' | 'O' | 'OU';
  readonly value: string;
}

const ATTRIBUTE_OIDS: Readonly<Record<SubjectAttribute['type'] | 'CN', string>> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
};

const EXTENSION_OIDS = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
} as const;

export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** Name ::= SEQUENCE OF RelativeDistinguishedName, one attribute per RDN; C is PrintableString, the rest UTF8String. */
export function encodeName(
  commonName: string,
  attributes: readonly SubjectAttribute[] = [],
): asn1js.Sequence {
  const all = [...attributes, { type: 'CN' as const, value: commonName }];
  return new asn1js.Sequence({
    value: all.map(({ type, value }) => {
      if (value.length === 0 || value.length > 64) {
        throw localError('bad_config', `subject ${type} must be 1 to 64 characters, got ${value.length}`);
      }
      if (type === 'C' && !/^[A-Z]{2}$/.test(value)) {
        throw localError(
          'bad_config',
          `subject C must be a two-letter country code such as DE, got '${value}'`,
        );
      }
      const text = type === 'C' ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value });
      const oid = new asn1js.ObjectIdentifier({ value: ATTRIBUTE_OIDS[type] });
      return new asn1js.Set({ value: [new asn1js.Sequence({ value: [oid, text] })] });
    }),
  });
}

/** Time ::= UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), whole seconds. */
export function encodeTime(ms: number): asn1js.UTCTime | asn1js.GeneralizedTime {
  const date = new Date(Math.floor(ms / 1000) * 1000);
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) {
    throw localError('bad_config', `certificate time ${date.toISOString()} is out of range`);
  }
  return year < 2050
    ? new asn1js.UTCTime({ valueDate: date })
    : new asn1js.GeneralizedTime({ valueDate: date });
}

function extension(oid: string, critical: boolean, value: asn1js.AsnType): asn1js.Sequence {
  const items: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: oid })];
  if (critical) items.push(new asn1js.Boolean({ value: true }));
  items.push(new asn1js.OctetString({ valueHex: new Uint8Array(value.toBER(false)) }));
  return new asn1js.Sequence({ value: items });
}

/** basicConstraints (critical): cA TRUE and pathLenConstraint for CAs, an empty SEQUENCE for leaves. */
export function basicConstraints(ca: boolean, pathLength: number | undefined): asn1js.Sequence {
  const items: asn1js.AsnType[] = [];
  if (ca) items.push(new asn1js.Boolean({ value: true }));
  if (ca && pathLength !== undefined) items.push(derInteger(BigInt(pathLength)));
  return extension(EXTENSION_OIDS.basicConstraints, true, new asn1js.Sequence({ value: items }));
}

const KEY_USAGE_BITS = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** keyUsage (critical) as a DER named-bit BIT STRING: trailing zero bits dropped (X.690 §11.2.2). */
export function keyUsage(usages: readonly (keyof typeof KEY_USAGE_BITS)[]): asn1js.Sequence {
  const bits = usages.map((u) => KEY_USAGE_BITS[u]);
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unusedBits = 7 - (highest % 8);
  return extension(EXTENSION_OIDS.keyUsage, true, new asn1js.BitString({ valueHex: bytes, unusedBits }));
}

export function extendedKeyUsage(usage: CertificateUsage): asn1js.Sequence {
  const oids =
    usage === 'server'
      ? [EKU_SERVER_AUTH]
      : usage === 'client'
        ? [EKU_CLIENT_AUTH]
        : [EKU_SERVER_AUTH, EKU_CLIENT_AUTH];
  return extension(
    EXTENSION_OIDS.extendedKeyUsage,
    false,
    new asn1js.Sequence({ value: oids.map((value) => new asn1js.ObjectIdentifier({ value })) }),
  );
}

export function subjectKeyIdentifier(keyId: Uint8Array): asn1js.Sequence {
  return extension(EXTENSION_OIDS.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId }));
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } (§4.2.1.1). */
export function authorityKeyIdentifier(keyId: Uint8Array): asn1js.Sequence {
  const keyIdentifier = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: keyId });
  return extension(
    EXTENSION_OIDS.authorityKeyIdentifier,
    false,
    new asn1js.Sequence({ value: [keyIdentifier] }),
  );
}

/** One subjectAltName entry, parsed from the OpenSSL-style text form. */
export type AltName =
  | { readonly type: 'DNS'; readonly value: string }
  | { readonly type: 'IP'; readonly value: string; readonly bytes: Uint8Array }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'URI'; readonly value: string };

/** A host name fit for a dNSName SAN: LDH labels, an optional whole-label "*." prefix (see dns-name.ts). */
export function isDnsName(name: string): boolean {
  return dnsNameProblem(name, 'subjectAltName') === undefined;
}

/** Parse "DNS:a.test", "IP:10.0.0.1", "email:x@y", "URI:https://..."; a bare value is an IP or DNS name. */
export function parseAltName(text: string): AltName {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const prefix = colon > 0 ? trimmed.slice(0, colon).toLowerCase() : '';
  const known = ['dns', 'ip', 'email', 'uri'].includes(prefix);
  const value = known ? trimmed.slice(colon + 1).trim() : trimmed;
  const kind = known ? prefix : parseIpAddress(value) ? 'ip' : 'dns';
  switch (kind) {
    case 'ip': {
      const bytes = parseIpAddress(value);
      if (!bytes) {
        throw localError('bad_config', `'${value}' is not an IPv4 or IPv6 address (in SAN '${text}')`);
      }
      return { type: 'IP', value, bytes };
    }
    case 'email':
      if (!/^[^@\s]+@[^@\s]+$/.test(value)) {
        throw localError('bad_config', `'${value}' is not an email address`);
      }
      return { type: 'email', value };
    case 'uri':
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value)) {
        throw localError('bad_config', `'${value}' is not a URI`);
      }
      return { type: 'URI', value };
    default:
      if (!isDnsName(value)) {
        throw localError(
          'bad_config',
          `'${value}' is not a DNS name (letters, digits, hyphens, dots; '*.' only as the whole first label)`,
        );
      }
      return { type: 'DNS', value: value.toLowerCase() };
  }
}

const ALT_NAME_TAGS: Readonly<Record<AltName['type'], number>> = { email: 1, DNS: 2, URI: 6, IP: 7 };

/** subjectAltName (§4.2.1.6): critical only when the subject is empty, which never happens here. */
export function subjectAltName(names: readonly AltName[]): asn1js.Sequence {
  const value = names.map(
    (name) =>
      new asn1js.Primitive({
        idBlock: { tagClass: 3, tagNumber: ALT_NAME_TAGS[name.type] },
        valueHex: name.type === 'IP' ? name.bytes : new TextEncoder().encode(name.value),
      }),
  );
  return extension(EXTENSION_OIDS.subjectAltName, false, new asn1js.Sequence({ value }));
}
