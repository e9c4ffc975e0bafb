// Certificate extensions (RFC 5280 §4.2): basicConstraints, keyUsage, extKeyUsage, subjectAltName,
// nameConstraints, subject/authority key identifiers; unknown ones kept, unknown critical ones listed.

import {
  type DerNode,
  isContext,
  parseDer,
  readBitString,
  readBoolean,
  readOctetString,
  readOid,
  readSmallInteger,
  sequence,
  Tag,
} from './asn1.js';
import { parseGeneralName, parseGeneralNames } from './name.js';
import { EXTENSION_NAMES, OID } from './oids.js';
import type { Extension, GeneralName, KeyUsage, NameConstraints } from './types.js';

export interface ParsedExtensions {
  readonly extensions: readonly Extension[];
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength: number | undefined } | undefined;
  readonly keyUsage: KeyUsage | undefined;
  readonly extendedKeyUsage: readonly string[] | undefined;
  readonly subjectAltNames: readonly GeneralName[] | undefined;
  readonly nameConstraints: NameConstraints | undefined;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  readonly unknownCriticalExtensions: readonly string[];
}

export const NO_EXTENSIONS: ParsedExtensions = {
  extensions: [],
  basicConstraints: undefined,
  keyUsage: undefined,
  extendedKeyUsage: undefined,
  subjectAltNames: undefined,
  nameConstraints: undefined,
  subjectKeyIdentifier: undefined,
  authorityKeyIdentifier: undefined,
  unknownCriticalExtensions: [],
};

/** Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension; each OID at most once (RFC 5280 §4.2). */
export function parseExtensions(node: DerNode, what: string): ParsedExtensions {
  const extensions: Extension[] = [];
  const seen = new Set<string>();
  const result: { -readonly [K in keyof ParsedExtensions]: ParsedExtensions[K] } = {
    ...NO_EXTENSIONS,
    extensions,
    unknownCriticalExtensions: [],
  };
  const unknownCritical: string[] = [];
  for (const extensionNode of sequence(node, `${what} extensions`, 1)) {
    const fields = sequence(extensionNode, `${what} extension`, 2, 3);
    const oid = readOid(fields[0]!, `${what} extension id`);
    const name = EXTENSION_NAMES[oid] ?? oid;
    const critical = fields.length === 3 ? readBoolean(fields[1]!, `${what} ${name} critical flag`) : false;
    const value = readOctetString(fields[fields.length - 1]!, `${what} ${name} value`);
    if (seen.has(oid)) throw node.fail(`${what}: extension ${name} appears more than once (RFC 5280 §4.2)`);
    seen.add(oid);
    extensions.push({ oid, critical, value });
    const inner = (): DerNode => parseDer(value, `${what} ${name}`, node.source);
    switch (oid) {
      case OID.basicConstraints:
        result.basicConstraints = parseBasicConstraints(inner(), `${what} basicConstraints`);
        break;
      case OID.keyUsage:
        result.keyUsage = parseKeyUsage(inner(), `${what} keyUsage`);
        break;
      case OID.extKeyUsage:
        result.extendedKeyUsage = sequence(inner(), `${what} extendedKeyUsage`, 1).map((n) =>
          readOid(n, `${what} extendedKeyUsage`),
        );
        break;
      case OID.subjectAltName:
        result.subjectAltNames = parseGeneralNames(inner(), `${what} subjectAltName`);
        break;
      case OID.nameConstraints:
        result.nameConstraints = parseNameConstraints(inner(), `${what} nameConstraints`);
        break;
      case OID.subjectKeyIdentifier:
        result.subjectKeyIdentifier = readOctetString(inner(), `${what} subjectKeyIdentifier`);
        break;
      case OID.authorityKeyIdentifier:
        result.authorityKeyIdentifier = parseAuthorityKeyIdentifier(
          inner(),
          `${what} authorityKeyIdentifier`,
        );
        break;
      default:
        if (critical) unknownCritical.push(oid);
    }
  }
  result.unknownCriticalExtensions = unknownCritical;
  return result;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }. */
function parseBasicConstraints(node: DerNode, what: string): ParsedExtensions['basicConstraints'] {
  const fields = sequence(node, what, 0, 2);
  let index = 0;
  let ca = false;
  if (fields[index]?.tag === Tag.BOOLEAN && fields[index]?.tagClass === 'universal') {
    ca = readBoolean(fields[index]!, `${what} cA`);
    index++;
  }
  const pathNode = fields[index];
  const pathLength = pathNode
    ? readSmallInteger(pathNode, `${what} pathLenConstraint`, 0x7fffffff)
    : undefined;
  if (pathNode) index++;
  if (index !== fields.length) throw node.fail(`${what}: unexpected element`);
  return { ca, pathLength };
}

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/** KeyUsage ::= BIT STRING { digitalSignature (0), ..., decipherOnly (8) }. */
function parseKeyUsage(node: DerNode, what: string): KeyUsage {
  const { bytes } = readBitString(node, what);
  const bit = (i: number): boolean => ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
  const usage = Object.fromEntries(KEY_USAGE_BITS.map((name, i) => [name, bit(i)]));
  return usage as unknown as KeyUsage;
}

/**
 * NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] ... };
 * GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
 * (RFC 5280 §4.2.1.10: minimum must be 0 and maximum absent).
 */
function parseNameConstraints(node: DerNode, what: string): NameConstraints {
  const fields = sequence(node, what, 0, 2);
  let permitted: GeneralName[] = [];
  let excluded: GeneralName[] = [];
  let last = -1;
  for (const field of fields) {
    if (field.tagClass !== 'context' || field.tag > 1 || field.tag <= last || !field.constructed) {
      throw field.fail(`${what}: malformed subtrees`);
    }
    last = field.tag;
    if (field.children.length === 0) throw field.fail(`${what}: empty GeneralSubtrees`);
    const subtrees = field.children.map((subtree) => {
      const [base, ...rest] = sequence(subtree, `${what} subtree`, 1, 3);
      for (const bound of rest) {
        if (
          !isContext(bound, 0) ||
          bound.constructed ||
          bound.content.length !== 1 ||
          bound.content[0] !== 0
        ) {
          throw bound.fail(`${what}: subtree minimum must be 0 and maximum absent (RFC 5280 §4.2.1.10)`);
        }
      }
      return parseGeneralName(base!, `${what} subtree`, [8, 32]);
    });
    if (field.tag === 0) permitted = subtrees;
    else excluded = subtrees;
  }
  return { permitted, excluded };
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, ... }. */
export function parseAuthorityKeyIdentifier(node: DerNode, what: string): Uint8Array | undefined {
  const fields = sequence(node, what, 0, 3);
  let last = -1;
  for (const field of fields) {
    if (field.tagClass !== 'context' || field.tag > 2 || field.tag <= last)
      throw field.fail(`${what}: malformed`);
    last = field.tag;
  }
  const keyIdentifier = fields.find((f) => isContext(f, 0));
  if (keyIdentifier?.constructed) throw keyIdentifier.fail(`${what}: keyIdentifier must be primitive`);
  return keyIdentifier?.content;
}
