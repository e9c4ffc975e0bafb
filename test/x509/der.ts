// Test helper: a tiny DER writer for crafting certificates and edge cases by hand (X.690 §8.1).

import { concatBytes } from '../../src/codec.js';

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concatBytes(...content);
  const n = body.length;
  const length =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return concatBytes(new Uint8Array([tag, ...length]), body);
}

export const seq = (...content: Uint8Array[]): Uint8Array => tlv(0x30, ...content);
export const set = (...content: Uint8Array[]): Uint8Array => tlv(0x31, ...content);
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
export const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(BigInt);
  const out: number[] = [];
  const push = (v: bigint): void => {
    const groups: number[] = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) groups.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...groups);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, new Uint8Array(out));
}

/** Name ::= SEQUENCE OF SET OF { type, value } with UTF8String values. */
export function name(...attributes: [string, string][]): Uint8Array {
  return seq(...attributes.map(([type, value]) => set(seq(oid(type), tlv(0x0c, ascii(value))))));
}
