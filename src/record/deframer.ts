// The record deframer: splits a byte stream, cut anywhere, into TLS records (RFC 5246 §6.2.1).
//
// Bytes are kept as a list of the caller's chunks (no copying on push), so feeding one byte at a time
// costs O(1) per byte. A record that lies inside one chunk is returned as a subarray of it (zero
// copies); one that straddles chunks is assembled once (see endLoan for bytes lent by the caller),
// large ones in a spare buffer that giveBack returns once the record was decrypted into new bytes.
// The header is checked as soon as its 5 bytes are there, so a bad or oversized record fails without
// waiting for its body, and at most one record (≤ 5 + MAX_CIPHERTEXT bytes) is ever waited for. The
// caller must not modify pushed bytes afterwards, except lent ones after endLoan.

import { checkRecordHeader, RECORD_HEADER_LENGTH } from './header.js';
import { MAX_CIPHERTEXT, type TlsRecord } from './types.js';

/** Drop consumed chunk slots once this many have piled up at the front of the list. */
const COMPACT_AFTER = 64;
/** A record cut at a loan's end is assembled in a full-size spare buffer from this length on. */
const SPARE_FROM = 4096;
/**
 * Full-size assembly buffers given back (see giveBack) for the next record cut at a loan's end, shared
 * by every deframer in this thread (at most 4 × 16.25 KiB): a bulk receiver then allocates and
 * zero-fills no buffer for the quarter of its records that a 64 KiB socket read cuts in two.
 * They hold ciphertext that was on the wire, never plaintext.
 */
const spareAssemblies: ArrayBuffer[] = [];
const SPARES_MAX = 4;

export class Deframer {
  private chunks: Uint8Array[] = [];
  /** Index in `chunks` of the first chunk with unread bytes. */
  private first = 0;
  /** Read position inside `chunks[first]`. */
  private offset = 0;
  /** Unread bytes in total. */
  private buffered = 0;
  /** The checked header of the record being waited for (headerLength −1: no header read yet). */
  private headerType = 0;
  private headerVersion = 0;
  private headerLength = -1;
  /** Where a header split across chunks is assembled (allocated the first time one is). */
  private headerBytes: Uint8Array | undefined;
  /**
   * A record whose body was cut off at the end of a loan (see endLoan): its whole fragment, filled up
   * to `assembled` bytes. While set, it holds every buffered byte (the chunk list is empty) and
   * push() fills it first.
   */
  private assembly: Uint8Array | undefined;
  private assembled = 0;
  /** The last assembly next() returned, until giveBack() (which takes only that one, once). */
  private returnedAssembly: Uint8Array | undefined;
  /** The chunk the last push() added (bytes, or what was left of them after filling the assembly). */
  private lastPushed: Uint8Array | undefined;

  /** Bytes received but not yet returned as records. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Add network bytes (any length, including zero). Never throws. `lent`: the caller ends the loan
   * with endLoan(bytes) before it returns (see there).
   */
  push(bytes: Uint8Array, lent = false): void {
    this.lastPushed = undefined;
    if (bytes.length === 0) return;
    this.buffered += bytes.length;
    let rest = bytes;
    const assembly = this.assembly;
    if (assembly !== undefined) {
      const need = assembly.length - this.assembled;
      if (rest.length <= need) {
        assembly.set(rest, this.assembled);
        this.assembled += rest.length;
        return;
      }
      assembly.set(rest.subarray(0, need), this.assembled);
      this.assembled += need;
      rest = rest.subarray(need);
    }
    this.chunks.push(rest);
    if (lent) this.lastPushed = rest;
  }

  /**
   * `bytes` was pushed last as a loan (the caller may reuse it once the call that pushed it returns):
   * replace whatever of it is still unread by a copy. Costs at most bytes.length, so feeding a stream
   * one byte at a time stays linear.
   */
  endLoan(bytes: Uint8Array): void {
    const last = this.chunks.length - 1;
    const chunk = this.lastPushed;
    this.lastPushed = undefined;
    // All of it was read, or it went into the assembly (a copy already).
    if (
      chunk === undefined ||
      last < this.first ||
      this.chunks[last] !== chunk ||
      chunk.buffer !== bytes.buffer
    ) {
      return;
    }
    if (last !== this.first) {
      this.chunks[last] = new Uint8Array(chunk);
      return;
    }
    const unread = chunk.subarray(this.offset);
    if (this.assembly === undefined && this.headerLength > unread.length) {
      // Part of a record's body: copied once into the record's own fragment, which later bytes fill
      // up (instead of a copy of the part now and a second copy of the whole record when it is whole).
      const length = this.headerLength;
      const assembly =
        length < SPARE_FROM
          ? new Uint8Array(length)
          : new Uint8Array(spareAssemblies.pop() ?? new ArrayBuffer(MAX_CIPHERTEXT), 0, length);
      assembly.set(unread);
      this.assembly = assembly;
      this.assembled = unread.length;
      this.chunks.length = 0;
      this.first = 0;
    } else {
      this.chunks[last] = new Uint8Array(unread);
    }
    this.offset = 0;
  }

  /** Drop every byte held, read or not: nothing that follows the peer's close_notify is read. */
  discard(): void {
    this.chunks.length = 0;
    this.first = 0;
    this.offset = 0;
    this.buffered = 0;
    this.headerLength = -1;
    this.assembly = undefined;
    this.assembled = 0;
    this.lastPushed = undefined;
  }

  /**
   * The caller is done with `fragment`, a record next() returned, and keeps no view of it (it was
   * decrypted into new bytes): if it was assembled in a full-size buffer, that buffer is kept for the
   * next record cut at a loan's end. Anything else is ignored.
   */
  giveBack(fragment: Uint8Array): void {
    if (fragment !== this.returnedAssembly) return;
    this.returnedAssembly = undefined;
    const buffer = fragment.buffer;
    if (buffer.byteLength === MAX_CIPHERTEXT && spareAssemblies.length < SPARES_MAX) {
      spareAssemblies.push(buffer as ArrayBuffer);
    }
  }

  /**
   * The next complete record, or undefined until more bytes arrive. Throws TlsError for a header we
   * refuse (see checkRecordHeader); the deframer is then unusable (the connection fails).
   */
  next(): TlsRecord | undefined {
    this.returnedAssembly = undefined;
    const assembly = this.assembly;
    if (assembly !== undefined) {
      if (this.assembled < assembly.length) return undefined;
      this.assembly = undefined;
      this.returnedAssembly = assembly;
      this.buffered -= assembly.length;
      this.headerLength = -1;
      return { type: this.headerType, version: this.headerVersion, fragment: assembly };
    }
    if (this.headerLength < 0) {
      if (this.buffered < RECORD_HEADER_LENGTH) return undefined;
      let h = this.chunks[this.first]!;
      let at = this.offset;
      if (h.length - at >= RECORD_HEADER_LENGTH) {
        this.skip(RECORD_HEADER_LENGTH, h); // the common case: read the header in place
      } else {
        this.headerBytes ??= new Uint8Array(RECORD_HEADER_LENGTH);
        h = this.take(RECORD_HEADER_LENGTH, this.headerBytes);
        at = 0;
      }
      const type = h[at]!;
      const version = (h[at + 1]! << 8) | h[at + 2]!;
      const length = (h[at + 3]! << 8) | h[at + 4]!;
      checkRecordHeader(type, version, length);
      this.headerType = type;
      this.headerVersion = version;
      this.headerLength = length;
    }
    const length = this.headerLength;
    if (this.buffered < length) return undefined;
    this.headerLength = -1;
    return { type: this.headerType, version: this.headerVersion, fragment: this.take(length, undefined) };
  }

  /**
   * Consume n ≤ buffered bytes: a subarray when they lie in one chunk, else copied into `into`
   * (or a new array of n bytes).
   */
  private take(n: number, into: Uint8Array | undefined): Uint8Array {
    this.buffered -= n;
    if (n === 0) return EMPTY;
    const chunk = this.chunks[this.first]!;
    const available = chunk.length - this.offset;
    if (n <= available) {
      const out = chunk.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === chunk.length) this.dropFirst();
      return out;
    }
    const out = into ?? new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[this.first]!;
      const count = Math.min(n - filled, c.length - this.offset);
      out.set(c.subarray(this.offset, this.offset + count), filled);
      filled += count;
      this.offset += count;
      if (this.offset === c.length) this.dropFirst();
    }
    return out;
  }

  /** Consume n bytes known to lie in `chunk` = chunks[first]. */
  private skip(n: number, chunk: Uint8Array): void {
    this.buffered -= n;
    this.offset += n;
    if (this.offset === chunk.length) this.dropFirst();
  }

  private dropFirst(): void {
    this.chunks[this.first] = EMPTY;
    this.first++;
    this.offset = 0;
    if (this.first === this.chunks.length) {
      this.chunks.length = 0;
      this.first = 0;
    } else if (this.first >= COMPACT_AFTER && this.first * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}

const EMPTY = new Uint8Array(0);
