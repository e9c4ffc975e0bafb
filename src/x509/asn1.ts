// Strict DER over asn1js (X.690 §10, as RFC 5280 §4.1 requires): a small node tree, typed readers
// for INTEGER, BOOLEAN, OID, BIT/OCTET STRING, times (RFC 5280 §4.1.2.5) and directory strings.

import * as asn1js from 'asn1js';
import { latin1 } from '../codec.js';
import { certificateError, localError, type TlsError } from '../errors.js';
import { printable } from '../printable.js';

/** Who supplied the bytes: the peer (→ certificate/decode_error) or our own configuration (→ local/bad_config). */
export type DerSource = 'peer' | 'config';

/** The error factory for a source: every DER failure goes through it. */
export function derFailure(source: DerSource): (message: string) => TlsError {
  return source === 'peer'
    ? (message) => certificateError('decode_error', message)
    : (message) => localError('bad_config', message);
}

export type TagClass = 'universal' | 'application' | 'context' | 'private';

/** One DER TLV. Constructed nodes have children; primitive ones have content only. */
export interface DerNode {
  readonly tagClass: TagClass;
  readonly tag: number;
  readonly constructed: boolean;
  /** The whole encoding, header included (what signatures and name comparisons use). */
  readonly der: Uint8Array;
  /** The value bytes. */
  readonly content: Uint8Array;
  readonly children: readonly DerNode[];
  /** Who supplied the bytes. */
  readonly source: DerSource;
  /** The error this tree's source calls for (throw it). */
  readonly fail: (message: string) => TlsError;
}

/** Universal tag numbers (X.680 §8.4). */
export const Tag = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OBJECT_IDENTIFIER: 6,
  UTF8String: 12,
  SEQUENCE: 16,
  SET: 17,
  NumericString: 18,
  PrintableString: 19,
  TeletexString: 20,
  IA5String: 22,
  UTCTime: 23,
  GeneralizedTime: 24,
  VisibleString: 26,
  UniversalString: 28,
  BMPString: 30,
} as const;

/** The parts of an asn1js block we read (asn1js types its tree as a class union). */
interface Asn1jsPart {
  error?: string;
  warnings?: string[];
}
interface Asn1jsBlock extends Asn1jsPart {
  idBlock: Asn1jsPart & { tagClass: number; tagNumber: number; isConstructed: boolean; blockLength: number };
  lenBlock: Asn1jsPart & { isIndefiniteForm: boolean; blockLength: number; length: number };
  valueBlock: Asn1jsPart & { value?: unknown };
  valueBeforeDecodeView: Uint8Array;
}

const TAG_CLASSES: readonly TagClass[] = ['universal', 'application', 'context', 'private'];
/**
 * asn1js warnings that are not DER violations (we decode values ourselves). asn1js 3.1 flags a
 * long-form length whose LAST byte is 0 ("Needlessly long", e.g. 82 01 00 = 256) by mistake, so
 * minimal length encoding is checked in toNode instead (notes/asn1-length-bug.md).
 */
const HARMLESS_WARNINGS = [
  'Zero buffer length',
  'Too big',
  'Error during',
  'Needlessly long encoded length',
  'Unnecessary usage of long length form',
];
const MAX_DEPTH = 32;

/**
 * Parse one DER value that must span all of `bytes`: no trailing data, no indefinite lengths, no
 * long-form lengths where short would do, no constructed strings. `what` names it in messages.
 * `maxNodes` bounds the elements (20,000 suits any certificate; our own CRLs may hold more).
 */
export function parseDer(
  bytes: Uint8Array,
  what: string,
  source: DerSource = 'peer',
  maxNodes = 20000,
): DerNode {
  const fail = derFailure(source);
  if (bytes.length === 0) throw fail(`${what}: empty input`);
  let parsed: asn1js.FromBerResult;
  try {
    parsed = asn1js.fromBER(bytes, { parseEmbedded: false, maxDepth: MAX_DEPTH, maxNodes });
  } catch (error) {
    throw fail(`${what}: malformed DER (${error instanceof Error ? error.message : String(error)})`);
  }
  if (parsed.offset === -1) throw fail(`${what}: malformed DER (${parsed.result.error || 'unparseable'})`);
  if (parsed.offset !== bytes.length) {
    throw fail(`${what}: ${bytes.length - parsed.offset} bytes of trailing data after the DER value`);
  }
  return toNode(parsed.result as unknown as Asn1jsBlock, what, source, fail, 0);
}

function problem(part: Asn1jsPart | undefined): string | undefined {
  if (!part) return undefined;
  if (part.error) return part.error;
  return part.warnings?.find((w) => !HARMLESS_WARNINGS.some((h) => w.startsWith(h)));
}

function toNode(
  block: Asn1jsBlock,
  what: string,
  source: DerSource,
  fail: (m: string) => TlsError,
  depth: number,
): DerNode {
  if (depth > MAX_DEPTH) throw fail(`${what}: DER nested too deeply`);
  const issue =
    problem(block) ?? problem(block.idBlock) ?? problem(block.lenBlock) ?? problem(block.valueBlock);
  if (issue) throw fail(`${what}: malformed DER (${issue})`);
  const { idBlock, lenBlock } = block;
  if (lenBlock.isIndefiniteForm) throw fail(`${what}: indefinite length is not allowed in DER`);
  const tagClass = TAG_CLASSES[idBlock.tagClass - 1];
  if (tagClass === undefined) throw fail(`${what}: malformed DER (bad tag class)`);
  const der = block.valueBeforeDecodeView;
  const headerLength = idBlock.blockLength + lenBlock.blockLength;
  if (!(der instanceof Uint8Array) || der.length - headerLength !== lenBlock.length) {
    throw fail(`${what}: malformed DER (inconsistent length)`);
  }
  const lengthBytes = der.subarray(idBlock.blockLength, headerLength);
  if (lengthBytes[0]! & 0x80 && (lengthBytes[1] === 0 || lenBlock.length < 128)) {
    throw fail(`${what}: length not minimally encoded (not DER)`);
  }
  const constructed = idBlock.isConstructed;
  const tag = idBlock.tagNumber;
  if (tagClass === 'universal') {
    const mustBeConstructed = tag === Tag.SEQUENCE || tag === Tag.SET;
    if (constructed !== mustBeConstructed) {
      throw fail(
        `${what}: universal tag ${tag} must be ${mustBeConstructed ? 'constructed' : 'primitive'} in DER`,
      );
    }
  }
  const children: DerNode[] = [];
  if (constructed) {
    const value = block.valueBlock.value;
    if (!Array.isArray(value)) throw fail(`${what}: malformed DER (constructed value without elements)`);
    for (const child of value) children.push(toNode(child as Asn1jsBlock, what, source, fail, depth + 1));
  }
  return { tagClass, tag, constructed, der, content: der.subarray(headerLength), children, source, fail };
}

// --- structure ----------------------------------------------------------------------------------

/** `node` must be the universal type `tag`; returns it. */
export function expectTag(node: DerNode, tag: number, what: string): DerNode {
  if (node.tagClass !== 'universal' || node.tag !== tag) {
    throw node.fail(`${what}: expected ${tagName(tag)}, found ${describeTag(node)}`);
  }
  return node;
}

/** The elements of a SEQUENCE, with a bound on their count. */
export function sequence(
  node: DerNode,
  what: string,
  min = 0,
  max = Number.POSITIVE_INFINITY,
): readonly DerNode[] {
  expectTag(node, Tag.SEQUENCE, what);
  if (node.children.length < min || node.children.length > max) {
    throw node.fail(`${what}: expected ${min}..${max} elements, found ${node.children.length}`);
  }
  return node.children;
}

/** A context-specific tag [n] (EXPLICIT or IMPLICIT: the caller reads the content as it needs). */
export function isContext(node: DerNode | undefined, n: number): node is DerNode {
  return node !== undefined && node.tagClass === 'context' && node.tag === n;
}

/** The single element inside an EXPLICIT [n] tag. */
export function explicitInner(node: DerNode, what: string): DerNode {
  if (!node.constructed || node.children.length !== 1) throw node.fail(`${what}: malformed explicit tag`);
  return node.children[0]!;
}

export function describeTag(node: DerNode): string {
  if (node.tagClass === 'universal') return tagName(node.tag);
  return `[${node.tagClass === 'context' ? '' : `${node.tagClass} `}${node.tag}]`;
}

function tagName(tag: number): string {
  return Object.entries(Tag).find(([, v]) => v === tag)?.[0] ?? `tag ${tag}`;
}

// --- primitive readers --------------------------------------------------------------------------

/** INTEGER as its two's-complement content bytes (minimal encoding checked). */
export function readIntegerBytes(node: DerNode, what: string): Uint8Array {
  expectTag(node, Tag.INTEGER, what);
  const c = node.content;
  if (c.length === 0) throw node.fail(`${what}: empty INTEGER`);
  if (c.length > 1 && ((c[0] === 0 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) {
    throw node.fail(`${what}: INTEGER not minimally encoded`);
  }
  return c;
}

/** A non-negative INTEGER as bigint. */
export function readUnsignedBigInt(node: DerNode, what: string): bigint {
  const c = readIntegerBytes(node, what);
  if (c[0]! >= 0x80) throw node.fail(`${what}: negative INTEGER`);
  // Through hex, linear in the length (byte-wise shifts are quadratic: a 30 KB modulus took 0.3 s).
  let hex = '';
  for (const b of c) hex += HEX_BYTES[b]!;
  return BigInt(`0x${hex}`);
}

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A non-negative INTEGER that must be at most `max`. */
export function readSmallInteger(node: DerNode, what: string, max: number): number {
  const v = readUnsignedBigInt(node, what);
  if (v > BigInt(max)) throw node.fail(`${what}: ${v} is out of range (at most ${max})`);
  return Number(v);
}

export function readBoolean(node: DerNode, what: string): boolean {
  expectTag(node, Tag.BOOLEAN, what);
  const c = node.content;
  if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff))
    throw node.fail(`${what}: BOOLEAN must be 00 or FF in DER`);
  return c[0] === 0xff;
}

export function readNull(node: DerNode, what: string): void {
  expectTag(node, Tag.NULL, what);
  if (node.content.length !== 0) throw node.fail(`${what}: NULL with content`);
}

/** OBJECT IDENTIFIER in dotted form (X.690 §8.19), minimal base-128 arcs. */
export function readOid(node: DerNode, what: string): string {
  expectTag(node, Tag.OBJECT_IDENTIFIER, what);
  return decodeOidContent(node.content, node.fail, what);
}

export function decodeOidContent(c: Uint8Array, fail: (m: string) => TlsError, what: string): string {
  if (c.length === 0 || c[c.length - 1]! & 0x80) throw fail(`${what}: malformed OBJECT IDENTIFIER`);
  const arcs: bigint[] = [];
  let value = 0n;
  let start = true;
  for (const b of c) {
    if (start && b === 0x80) throw fail(`${what}: OBJECT IDENTIFIER arc not minimally encoded`);
    value = (value << 7n) | BigInt(b & 0x7f);
    start = (b & 0x80) === 0;
    if (start) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs[0]!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

export function readOctetString(node: DerNode, what: string): Uint8Array {
  return expectTag(node, Tag.OCTET_STRING, what).content;
}

/** BIT STRING: its bytes and the number of unused bits in the last byte (which must be zero in DER). */
export function readBitString(node: DerNode, what: string): { bytes: Uint8Array; unusedBits: number } {
  expectTag(node, Tag.BIT_STRING, what);
  const c = node.content;
  const unusedBits = c[0];
  if (unusedBits === undefined || unusedBits > 7 || (c.length === 1 && unusedBits !== 0)) {
    throw node.fail(`${what}: malformed BIT STRING`);
  }
  const bytes = c.subarray(1);
  if (unusedBits > 0 && (bytes[bytes.length - 1]! & ((1 << unusedBits) - 1)) !== 0) {
    throw node.fail(`${what}: BIT STRING has non-zero unused bits`);
  }
  return { bytes, unusedBits };
}

/** A BIT STRING that must hold whole bytes (keys, signatures). */
export function readByteAlignedBitString(node: DerNode, what: string): Uint8Array {
  const { bytes, unusedBits } = readBitString(node, what);
  if (unusedBits !== 0) throw node.fail(`${what}: BIT STRING is not byte-aligned`);
  return bytes;
}

// --- time (RFC 5280 §4.1.2.5) -------------------------------------------------------------------

/** UTCTime (YYMMDDHHMMSSZ, years 50–99 → 19YY) or GeneralizedTime (YYYYMMDDHHMMSSZ), as ms since epoch. */
export function readTime(node: DerNode, what: string): number {
  const text = latin1(node.content);
  if (node.tagClass === 'universal' && node.tag === Tag.UTCTime) {
    const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!m) throw node.fail(`${what}: malformed UTCTime '${printable(text)}'`);
    const yy = Number(m[1]);
    return utc(node, what, yy >= 50 ? 1900 + yy : 2000 + yy, m.slice(2));
  }
  if (node.tagClass === 'universal' && node.tag === Tag.GeneralizedTime) {
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!m) throw node.fail(`${what}: malformed GeneralizedTime '${printable(text)}'`);
    return utc(node, what, Number(m[1]), m.slice(2));
  }
  throw node.fail(`${what}: expected UTCTime or GeneralizedTime, found ${describeTag(node)}`);
}

function utc(node: DerNode, what: string, year: number, rest: string[]): number {
  const [month, day, hour, minute, second] = rest.map(Number) as [number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  if (
    year < 1 ||
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw node.fail(`${what}: invalid date`);
  }
  return ms;
}

// --- strings ------------------------------------------------------------------------------------

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Any directory string (RFC 5280 §4.1.2.4) as text: UTF8String, PrintableString, IA5String,
 * VisibleString, NumericString, TeletexString (read as Latin-1, as OpenSSL does), BMPString
 * (UCS-2/UTF-16BE) and UniversalString (UCS-4BE).
 */
export function readString(node: DerNode, what: string): string {
  if (node.tagClass !== 'universal')
    throw node.fail(`${what}: expected a string, found ${describeTag(node)}`);
  const c = node.content;
  switch (node.tag) {
    case Tag.UTF8String:
      try {
        return utf8Decoder.decode(c);
      } catch {
        throw node.fail(`${what}: UTF8String is not valid UTF-8`);
      }
    case Tag.PrintableString:
    case Tag.IA5String:
    case Tag.VisibleString:
    case Tag.NumericString:
      if (c.some((b) => b >= 0x80)) throw node.fail(`${what}: non-ASCII byte in an ASCII string type`);
      return latin1(c);
    case Tag.TeletexString:
      return latin1(c);
    case Tag.BMPString: {
      if (c.length % 2 !== 0) throw node.fail(`${what}: BMPString of odd length`);
      let s = '';
      for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case Tag.UniversalString: {
      if (c.length % 4 !== 0) throw node.fail(`${what}: UniversalString length is not a multiple of 4`);
      let s = '';
      for (let i = 0; i < c.length; i += 4) {
        const cp = ((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
          throw node.fail(`${what}: invalid UniversalString`);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      throw node.fail(`${what}: expected a string, found ${describeTag(node)}`);
  }
}

/** IA5String content (SAN dNSName, rfc822Name, URI) as ASCII. */
export function readIa5Content(node: DerNode, what: string): string {
  if (node.content.some((b) => b >= 0x80)) throw node.fail(`${what}: non-ASCII byte in IA5String`);
  return latin1(node.content);
}

/** Text safe to quote in an error message (one definition for the whole engine). */
export { printable };
