// PEM text encoding of DER (RFC 7468): parsing several blocks out of any text, writing blocks.

import { certificateError, localError, type TlsError } from '../errors.js';
import type { DerSource } from './asn1.js';

/** A PEM string, a DER byte array, or the bytes of a PEM file (they start with "-----BEGIN"). */
export type PemOrDer = string | Uint8Array;

/** One PEM block (RFC 7468): its label and DER bytes. */
export interface PemBlock {
  /** The label between "BEGIN " and the dashes, e.g. "CERTIFICATE", "PRIVATE KEY". */
  readonly label: string;
  readonly der: Uint8Array;
  /** RFC 1421 headers ("Proc-Type", "DEK-Info"), present only when the block had any. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of parsePem: where the text comes from (for the error kind) and what it is. */
export interface PemOptions {
  /** 'config' (default): our own files → local bad_config errors; 'peer' → certificate decode_error. */
  source?: DerSource;
  /** What the input is, for messages ("ca", "cert", "key"). */
  what?: string;
}

function failure(options: PemOptions | undefined): (message: string) => TlsError {
  const what = options?.what ?? 'PEM input';
  return options?.source === 'peer'
    ? (message) => certificateError('decode_error', `${what}: ${message}`)
    : (message) => localError('bad_config', `${what}: ${message}`);
}

const BEGIN = /-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[\x20-\x2c\x2e-\x7e]*[\x21-\x2c\x2e-\x7e])?)?-----/g;

/**
 * Every PEM block in `text`, in order. Text around and between blocks is ignored (as OpenSSL
 * ignores it: `openssl x509 -text` output, comments). CRLF and any whitespace inside the base64
 * are accepted. A BEGIN without its matching END, or bad base64, is an error; text with no
 * block at all gives [].
 */
export function parsePem(text: string, options?: PemOptions): PemBlock[] {
  const fail = failure(options);
  const blocks: PemBlock[] = [];
  BEGIN.lastIndex = 0;
  for (let m = BEGIN.exec(text); m !== null; m = BEGIN.exec(text)) {
    const label = m[1] ?? '';
    const endMarker = `-----END ${label}-----`;
    const bodyStart = m.index + m[0].length;
    const endIndex = text.indexOf(endMarker, bodyStart);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (endIndex === -1 || (nextBegin !== -1 && nextBegin < endIndex)) {
      throw fail(`'-----BEGIN ${label}-----' has no matching '${endMarker}'`);
    }
    const { headers, body } = splitHeaders(text.slice(bodyStart, endIndex));
    const der = decodeBase64(body);
    if (der === undefined) throw fail(`the ${label || 'PEM'} block is not valid base64`);
    if (der.length === 0) throw fail(`the ${label || 'PEM'} block is empty`);
    blocks.push(headers ? { label, der, headers } : { label, der });
    BEGIN.lastIndex = endIndex + endMarker.length;
  }
  return blocks;
}

/** RFC 1421 encapsulated headers ("Proc-Type: 4,ENCRYPTED") end at the first blank line. */
function splitHeaders(raw: string): { headers: Record<string, string> | undefined; body: string } {
  const lines = raw.split(/\r?\n|\r/);
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first >= lines.length || !/^[A-Za-z][A-Za-z0-9-]*:/.test(lines[first]!)) {
    return { headers: undefined, body: raw };
  }
  const headers: Record<string, string> = {};
  let i = first;
  for (; i < lines.length && lines[i]!.trim() !== ''; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers, body: lines.slice(i).join('\n') };
}

/** A PEM block with 64-character lines and a trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length ? '\n' : ''}-----END ${label}-----\n`;
}

/** Labels accepted as another name for `label` (RFC 7468 §5.1 lists "X509 CERTIFICATE"). */
const LABEL_ALIASES: Readonly<Record<string, readonly string[]>> = {
  CERTIFICATE: ['CERTIFICATE', 'X509 CERTIFICATE'],
};

/**
 * DER values out of one or several PEM/DER inputs, in order. With `label`, only PEM blocks with
 * that label are taken (a certificate file may also hold a key), and an input holding none is an
 * error. Raw DER is taken as it is.
 */
export function toDerList(
  input: PemOrDer | readonly PemOrDer[],
  label?: string,
  options?: PemOptions,
): Uint8Array[] {
  const fail = failure(options);
  const inputs: readonly PemOrDer[] = Array.isArray(input) ? input : [input as PemOrDer];
  const out: Uint8Array[] = [];
  for (const item of inputs) {
    if (typeof item !== 'string' && !(item instanceof Uint8Array)) {
      throw fail(`expected PEM text or DER bytes, got ${item === null ? 'null' : typeof item}`);
    }
    const text = typeof item === 'string' ? item : pemTextOf(item);
    if (text === undefined) {
      if (item.length === 0) throw fail('empty DER input');
      out.push(item as Uint8Array);
      continue;
    }
    const blocks = parsePem(text, options);
    if (blocks.length === 0) throw fail('no PEM block found (expected "-----BEGIN ...-----")');
    const accepted = label === undefined ? undefined : (LABEL_ALIASES[label] ?? [label]);
    const wanted = accepted === undefined ? blocks : blocks.filter((b) => accepted.includes(b.label));
    if (wanted.length === 0) {
      const found = [...new Set(blocks.map((b) => b.label))].join(', ');
      throw fail(`no ${label} PEM block found (found: ${found})`);
    }
    for (const b of wanted) out.push(b.der);
  }
  return out;
}

/** The text of a byte array that holds PEM (it starts with "-----BEGIN", maybe after whitespace). */
function pemTextOf(bytes: Uint8Array): string | undefined {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 byte order mark
  while (i < bytes.length && (bytes[i] === 0x20 || (bytes[i]! >= 0x09 && bytes[i]! <= 0x0d))) i++;
  const marker = '-----BEGIN';
  for (let j = 0; j < marker.length; j++) if (bytes[i + j] !== marker.charCodeAt(j)) return undefined;
  let s = '';
  for (let j = i; j < bytes.length; j++) s += String.fromCharCode(bytes[j]!);
  return s;
}

// --- base64 (RFC 4648 §4) -----------------------------------------------------------------------

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Strict base64 with whitespace allowed anywhere; undefined when malformed. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/[ \t\r\n\f\v]/g, '');
  if (clean.length % 4 !== 0) return undefined;
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const last = i + 4 === clean.length;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const code = clean.charCodeAt(i + j);
      let v: number;
      if (code === 0x3d && last && j >= 4 - padding) v = 0;
      else v = code < 128 ? DECODE[code]! : -1;
      if (v < 0) return undefined;
      n = (n << 6) | v;
    }
    const chunk = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    const take = last ? 3 - padding : 3;
    // Canonical encoding: the bits dropped by padding must be zero.
    if (last && padding > 0 && chunk.slice(take).some((b) => b !== 0)) return undefined;
    for (let k = 0; k < take; k++) out[o++] = chunk[k]!;
  }
  return out;
}

export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    s += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '=';
    s += i + 2 < bytes.length ? ALPHABET[n & 63]! : '=';
  }
  return s;
}
