// Distinguished names and general names (RFC 5280 §4.1.2.4, §4.2.1.6; display as RFC 4514 / OpenSSL).

import { equalBytes, toHex } from '../codec.js';
import { isUnsafeCodePoint, printable } from '../printable.js';
import {
  type DerNode,
  describeTag,
  explicitInner,
  readIa5Content,
  readOid,
  readString,
  sequence,
  Tag,
} from './asn1.js';
import { ATTRIBUTE_NAMES } from './oids.js';
import type { DistinguishedName, GeneralName, NameAttribute } from './types.js';

/** Name ::= SEQUENCE OF RelativeDistinguishedName; RDN ::= SET SIZE (1..MAX) OF AttributeTypeAndValue. */
export function parseName(node: DerNode, what: string): DistinguishedName {
  const rdns: NameAttribute[][] = [];
  for (const rdnNode of sequence(node, what)) {
    if (rdnNode.tagClass !== 'universal' || rdnNode.tag !== Tag.SET || rdnNode.children.length === 0) {
      throw node.fail(`${what}: a relative distinguished name must be a non-empty SET`);
    }
    rdns.push(rdnNode.children.map((atv) => parseAttribute(atv, what)));
  }
  return { rdns, text: nameText(rdns), der: node.der };
}

function parseAttribute(node: DerNode, what: string): NameAttribute {
  const [typeNode, valueNode] = sequence(node, `${what} attribute`, 2, 2) as [DerNode, DerNode];
  const oid = readOid(typeNode, `${what} attribute type`);
  const type = ATTRIBUTE_NAMES[oid] ?? oid;
  let value: string;
  if (valueNode.tagClass === 'universal' && isStringTag(valueNode.tag)) {
    value = readString(valueNode, `${what} ${type}`);
  } else {
    // RFC 4514 §2.4: a value of a type we cannot show as text is shown as '#' and its DER in hex.
    value = `#${toHex(valueNode.der)}`;
  }
  return { type, oid, value };
}

function isStringTag(tag: number): boolean {
  return (
    tag === Tag.UTF8String ||
    tag === Tag.PrintableString ||
    tag === Tag.IA5String ||
    tag === Tag.VisibleString ||
    tag === Tag.NumericString ||
    tag === Tag.TeletexString ||
    tag === Tag.BMPString ||
    tag === Tag.UniversalString
  );
}

/** "C=DE, O=Acme, CN=device1": RDNs in encoded order (most significant first, as OpenSSL prints). */
export function nameText(rdns: readonly (readonly NameAttribute[])[]): string {
  return rdns.map((rdn) => rdn.map((a) => `${a.type}=${escapeValue(a.value)}`).join(' + ')).join(', ');
}

/**
 * RFC 4514 §2.4 escaping, enough to keep the display unambiguous; control and bidi characters
 * (isUnsafeCodePoint) become hex pairs of their UTF-8 bytes, so a name never carries them raw.
 */
function escapeValue(value: string): string {
  if (value.startsWith('#') && /^#[0-9a-f]*$/.test(value)) return value;
  let out = '';
  for (const ch of value) {
    if ('\\"+,;<>'.includes(ch)) out += `\\${ch}`;
    else if (isUnsafeCodePoint(ch.codePointAt(0)!)) out += hexPairs(ch);
    else out += ch;
  }
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

const utf8 = new TextEncoder();

function hexPairs(ch: string): string {
  let out = '';
  for (const b of utf8.encode(ch)) out += `\\${b.toString(16).padStart(2, '0')}`;
  return out;
}

/** Issuer/subject chaining compares the DER exactly (RFC 5280 §7.1 allows a stricter match). */
export function sameName(a: DistinguishedName, b: DistinguishedName): boolean {
  return equalBytes(a.der, b.der);
}

/** The most specific (last) value of an attribute, e.g. the CN. */
export function attributeValue(name: DistinguishedName, oid: string): string | undefined {
  for (let i = name.rdns.length - 1; i >= 0; i--) {
    const found = name.rdns[i]!.find((a) => a.oid === oid);
    if (found) return found.value;
  }
  return undefined;
}

// --- GeneralName (RFC 5280 §4.2.1.6) ------------------------------------------------------------

/**
 * GeneralName ::= CHOICE { otherName [0], rfc822Name [1], dNSName [2], x400Address [3],
 * directoryName [4], ediPartyName [5], uniformResourceIdentifier [6], iPAddress [7], registeredID [8] }.
 * `ipLengths`: 4/16 in subjectAltName, 8/32 (address ‖ mask) in nameConstraints.
 */
export function parseGeneralName(node: DerNode, what: string, ipLengths: readonly number[]): GeneralName {
  if (node.tagClass !== 'context')
    throw node.fail(`${what}: expected a GeneralName, found ${describeTag(node)}`);
  const primitive = (kind: string): void => {
    if (node.constructed) throw node.fail(`${what}: ${kind} must be primitive`);
  };
  switch (node.tag) {
    case 1:
      primitive('rfc822Name');
      return { type: 'email', value: readIa5Content(node, `${what} rfc822Name`) };
    case 2:
      primitive('dNSName');
      return { type: 'dns', value: readIa5Content(node, `${what} dNSName`) };
    case 4: {
      if (!node.constructed) throw node.fail(`${what}: directoryName must be constructed`);
      return {
        type: 'dirName',
        value: parseName(explicitInner(node, `${what} directoryName`), `${what} directoryName`),
      };
    }
    case 6:
      primitive('uniformResourceIdentifier');
      return { type: 'uri', value: readIa5Content(node, `${what} URI`) };
    case 7: {
      primitive('iPAddress');
      const value = node.content;
      if (!ipLengths.includes(value.length)) {
        throw node.fail(`${what}: iPAddress of ${value.length} bytes (expected ${ipLengths.join(' or ')})`);
      }
      return { type: 'ip', value, text: ipConstraintOrAddressText(value) };
    }
    case 0:
    case 3:
    case 5:
    case 8:
      return { type: 'other', tag: node.tag };
    default:
      throw node.fail(`${what}: unknown GeneralName tag [${node.tag}]`);
  }
}

/** GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName. */
export function parseGeneralNames(node: DerNode, what: string): GeneralName[] {
  return sequence(node, what, 1).map((n) => parseGeneralName(n, what, [4, 16]));
}

/**
 * "DNS:a.test", "IP:10.0.0.1", "email:x@y", "URI:...", "DirName:C=DE, CN=x" (OpenSSL's prefixes);
 * control characters in the IA5String values are escaped (printable).
 */
export function generalNameText(name: GeneralName): string {
  switch (name.type) {
    case 'dns':
      return `DNS:${printable(name.value)}`;
    case 'ip':
      return `IP:${name.text}`;
    case 'email':
      return `email:${printable(name.value)}`;
    case 'uri':
      return `URI:${printable(name.value)}`;
    case 'dirName':
      return `DirName:${name.value.text}`;
    case 'other':
      return `othername:[${name.tag}]`;
  }
}

// --- IP addresses (RFC 791, RFC 4291 §2.2, RFC 5952 §4) ------------------------------------------

/** Canonical text: dotted IPv4, RFC 5952 IPv6; 8/32-byte constraints as "addr/prefix" (or "addr/mask"). */
export function ipConstraintOrAddressText(bytes: Uint8Array): string {
  if (bytes.length === 4 || bytes.length === 16) return ipText(bytes);
  const half = bytes.length / 2;
  const address = bytes.subarray(0, half);
  const mask = bytes.subarray(half);
  const prefix = prefixLength(mask);
  return `${ipText(address)}/${prefix === undefined ? ipText(mask) : prefix}`;
}

export function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // Longest run of two or more zero words becomes "::" (the first one on ties).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (w: number[]): string => w.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLength))}`;
}

function prefixLength(mask: Uint8Array): number | undefined {
  let bits = 0;
  let ended = false;
  for (const b of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (b >> bit) & 1;
      if (set && ended) return undefined;
      if (set) bits++;
      else ended = true;
    }
  }
  return bits;
}
