// Reader and Writer: the byte codec contract for TLS presentation language (RFC 5246 §4).
// Readers throw TlsError kind 'decode' on any short, long or out-of-range input, so codecs built on
// them carry no error plumbing. Writers patch vector length prefixes; nobody counts bytes by hand.

import { decodeError } from './errors.js';

export interface VectorBounds {
  /** Minimum body length in bytes. */
  min?: number;
  /** Maximum body length in bytes. */
  max?: number;
}

export class Reader {
  private readonly buf: Uint8Array;
  private pos: number;
  private readonly endPos: number;
  /** What is being decoded, for error messages ("ServerHello"). */
  readonly context: string;

  constructor(buf: Uint8Array, context = 'message', start = 0, end = buf.length) {
    // A subclass such as Node's Buffer has a slice() that returns a view, not a copy: read through a
    // plain Uint8Array over the same bytes, so bytes() always copies.
    this.buf =
      buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.endPos = end;
    this.context = context;
  }

  get remaining(): number {
    return this.endPos - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.endPos - this.pos) {
      throw decodeError(
        `${this.context}: truncated ${what} (need ${n} bytes, have ${this.endPos - this.pos})`,
      );
    }
  }

  u8(): number {
    this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2, 'u16');
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3, 'u24');
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4, 'u32');
    const v =
      this.buf[this.pos]! * 0x1000000 +
      ((this.buf[this.pos + 1]! << 16) | (this.buf[this.pos + 2]! << 8) | this.buf[this.pos + 3]!);
    this.pos += 4;
    return v;
  }

  /** A copy of the next n bytes. */
  bytes(n: number): Uint8Array {
    // The message is built only on failure: this runs once per field of every message.
    if (n > this.endPos - this.pos) this.need(n, `${n}-byte field`);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * The next n bytes as a view into this reader's buffer, not a copy: only for a buffer the caller
   * made and owns (e.g. a copy of a whole block whose parts it hands out).
   */
  view(n: number): Uint8Array {
    if (n > this.endPos - this.pos) this.need(n, `${n}-byte field`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A copy of everything left. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  private vector<T>(lenBytes: 1 | 2 | 3, body: (r: Reader) => T, bounds: VectorBounds): T {
    const len = lenBytes === 1 ? this.u8() : lenBytes === 2 ? this.u16() : this.u24();
    if (bounds.min !== undefined && len < bounds.min) {
      throw decodeError(`${this.context}: vector of ${len} bytes is shorter than the minimum ${bounds.min}`);
    }
    if (bounds.max !== undefined && len > bounds.max) {
      throw decodeError(`${this.context}: vector of ${len} bytes is longer than the maximum ${bounds.max}`);
    }
    this.need(len, 'vector body');
    const sub = new Reader(this.buf, this.context, this.pos, this.pos + len);
    const value = body(sub);
    sub.end();
    this.pos += len;
    return value;
  }

  vector8<T>(body: (r: Reader) => T, bounds: VectorBounds = {}): T {
    return this.vector(1, body, bounds);
  }
  vector16<T>(body: (r: Reader) => T, bounds: VectorBounds = {}): T {
    return this.vector(2, body, bounds);
  }
  vector24<T>(body: (r: Reader) => T, bounds: VectorBounds = {}): T {
    return this.vector(3, body, bounds);
  }

  /** Opaque vectors: the body bytes themselves. */
  opaque8(bounds: VectorBounds = {}): Uint8Array {
    return this.vector8((r) => r.rest(), bounds);
  }
  opaque16(bounds: VectorBounds = {}): Uint8Array {
    return this.vector16((r) => r.rest(), bounds);
  }
  opaque24(bounds: VectorBounds = {}): Uint8Array {
    return this.vector24((r) => r.rest(), bounds);
  }

  /** Decode items until this reader is exhausted. */
  list<T>(item: (r: Reader) => T): T[] {
    const out: T[] = [];
    while (this.remaining > 0) out.push(item(this));
    return out;
  }

  /** Trailing bytes are a decode error. */
  end(): void {
    if (this.pos !== this.endPos) {
      throw decodeError(`${this.context}: ${this.endPos - this.pos} unexpected trailing bytes`);
    }
  }
}

export class Writer {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.reserve(3);
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.buf[this.len++] = (v >>> 24) & 0xff;
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  private vector(lenBytes: 1 | 2 | 3, body: () => void): this {
    const start = this.len;
    this.reserve(lenBytes);
    this.len += lenBytes;
    body();
    const n = this.len - start - lenBytes;
    const max = lenBytes === 1 ? 0xff : lenBytes === 2 ? 0xffff : 0xffffff;
    if (n > max) throw new RangeError(`vector of ${n} bytes does not fit a ${lenBytes}-byte length`);
    for (let i = 0; i < lenBytes; i++) this.buf[start + i] = (n >>> (8 * (lenBytes - 1 - i))) & 0xff;
    return this;
  }

  vector8(body: () => void): this {
    return this.vector(1, body);
  }
  vector16(body: () => void): this {
    return this.vector(2, body);
  }
  vector24(body: () => void): this {
    return this.vector(3, body);
  }

  opaque8(b: Uint8Array): this {
    return this.vector8(() => this.bytes(b));
  }
  opaque16(b: Uint8Array): this {
    return this.vector16(() => this.bytes(b));
  }
  opaque24(b: Uint8Array): this {
    return this.vector24(() => this.bytes(b));
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new RangeError('invalid hex string');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
export const utf8 = {
  encode: (s: string): Uint8Array => textEncoder.encode(s),
  decode: (b: Uint8Array): string => textDecoder.decode(b),
};

/** Bytes → string, one char code per byte (an exact image of the bytes: usable as a Map key). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}
