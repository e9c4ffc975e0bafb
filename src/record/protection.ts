// AEAD record protection for one direction: sequence numbers, per-record nonces and additional data
// (RFC 5246 §6.2.3.3, RFC 5288 §3 for AES-GCM, RFC 7905 §2 for ChaCha20-Poly1305).
//
//   additional_data = seq_num(8) ‖ type(1) ‖ version(2) ‖ plaintext length(2)
//   AES-GCM:  nonce = client/server_write_IV(4) ‖ nonce_explicit(8); nonce_explicit = seq_num, as
//             OpenSSL does; fragment = nonce_explicit ‖ ciphertext ‖ tag
//   ChaCha20: nonce = write_IV(12) XOR (0(4) ‖ seq_num(8)); fragment = ciphertext ‖ tag
//
// The AEAD is keyed once at construction. Nonce and additional data are built for each record in one
// small buffer shared by every protector (the Aead interface is synchronous and keeps neither, and
// JavaScript runs one call at a time), and the nonce is zeroed after each call; a protector itself holds
// only numbers (its write IV and sequence number), so an idle connection holds no buffers for them.
// Sequence numbers are two u32 halves; after seq 2^64 − 1 has been used the protector refuses further
// records (RFC 5246 §6.1: the connection must end; we do not renegotiate).

import type { Aead, CryptoProvider } from '../ciphers/provider.js';
import type { SuiteParams } from '../ciphers/suites.js';
import { limitError, localError, peerError, type TlsError } from '../errors.js';
import { ContentType, type DirectionKeys } from './types.js';

/** seq_num(8) ‖ type(1) ‖ version(2) ‖ length(2). */
export const ADDITIONAL_DATA_LENGTH = 13;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const TWO_TO_64 = 1n << 64n;
const APPLICATION_DATA = ContentType.application_data;

/** The nonce and additional data of the record being sealed or opened (see above). */
const scratch = new Uint8Array(NONCE_LENGTH + ADDITIONAL_DATA_LENGTH);
const NONCE = scratch.subarray(0, NONCE_LENGTH);
/** The nonce as three words, to zero it in three stores. */
const NONCE_WORDS = new Uint32Array(scratch.buffer, 0, NONCE_LENGTH / 4);
const ADDITIONAL_DATA = scratch.subarray(NONCE_LENGTH);

export interface RecordProtectorOptions {
  /** First sequence number to use (default 0; tests use it to reach 2^64 − 1). */
  sequenceNumber?: bigint;
}

function badRecordMac(message: string): TlsError {
  return peerError('bad_record_mac', message);
}

export class RecordProtector {
  readonly suite: SuiteParams;
  /** Bytes of explicit nonce carried in each record: 8 for AES-GCM, 0 for ChaCha20-Poly1305. */
  readonly explicitNonceLength: number;
  /** Bytes protection adds to a plaintext: explicit nonce + tag. */
  readonly overhead: number;
  private readonly aead: Aead;
  /** The write IV as three big-endian u32 words (AES-GCM uses only the first: its 4-byte salt). */
  private iv0 = 0;
  private iv1 = 0;
  private iv2 = 0;
  private sequenceHigh = 0;
  private sequenceLow = 0;
  /** Set once sequence number 2^64 − 1 has been used. */
  private exhausted = false;
  private disposed = false;

  /**
   * Keys the AEAD once. The protector keeps copies, never references, of `keys.key` and
   * `keys.fixedIv`, so the caller may zero the key block afterwards.
   */
  constructor(keys: DirectionKeys, provider: CryptoProvider, options: RecordProtectorOptions = {}) {
    const suite = keys.suite;
    if (keys.key.length !== suite.keyLength) {
      throw localError(
        'bad_key_length',
        `${suite.name} needs a ${suite.keyLength}-byte key, got ${keys.key.length}`,
      );
    }
    if (
      keys.fixedIv.length !== suite.fixedIvLength ||
      (suite.fixedIvLength !== 4 && suite.fixedIvLength !== 12)
    ) {
      throw localError(
        'bad_iv_length',
        `${suite.name} needs a ${suite.fixedIvLength}-byte write IV, got ${keys.fixedIv.length}`,
      );
    }
    this.suite = suite;
    this.explicitNonceLength = suite.explicitNonceLength;
    this.overhead = suite.explicitNonceLength + TAG_LENGTH;
    const iv = keys.fixedIv; // read into numbers: a copy, never a reference to the caller's key block
    this.iv0 = word(iv, 0);
    if (iv.length === 12) {
      this.iv1 = word(iv, 4);
      this.iv2 = word(iv, 8);
    }
    this.setSequenceNumber(options.sequenceNumber ?? 0n);
    this.aead = provider.aead(suite.aead, keys.key);
  }

  /** The sequence number the next record will use. */
  get sequenceNumber(): bigint {
    return (BigInt(this.sequenceHigh) << 32n) | BigInt(this.sequenceLow);
  }

  private setSequenceNumber(value: bigint): void {
    if (value < 0n || value >= TWO_TO_64) throw localError('bad_sequence_number', `sequence number ${value}`);
    this.sequenceHigh = Number(value >> 32n);
    this.sequenceLow = Number(value & 0xffffffffn);
  }

  /**
   * Protect one record's plaintext (≤ 2^14 bytes, checked by the caller): returns the new fragment
   * nonce_explicit ‖ ciphertext ‖ tag.
   */
  seal(type: number, version: number, plaintext: Uint8Array): Uint8Array {
    const sealed = this.sealAead(type, version, plaintext);
    if (this.explicitNonceLength === 0) return sealed;
    const out = new Uint8Array(this.explicitNonceLength + sealed.length);
    writeExplicitNonce(out, 0);
    out.set(sealed, this.explicitNonceLength);
    return out;
  }

  /**
   * Like seal, but writes the fragment at out[offset…] and returns its length. With Aead.sealParts the
   * ciphertext and tag go straight into `out` (no joined buffer in between).
   */
  sealInto(type: number, version: number, plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    const explicit = this.explicitNonceLength;
    if (this.aead.sealParts === undefined) {
      const sealed = this.sealAead(type, version, plaintext);
      if (explicit > 0) writeExplicitNonce(out, offset);
      out.set(sealed, offset + explicit);
      return explicit + sealed.length;
    }
    const [ciphertext, tag] = this.sealParts(type, version, plaintext, out, offset);
    out.set(ciphertext, offset + explicit);
    out.set(tag, offset + explicit + ciphertext.length);
    return explicit + ciphertext.length + tag.length;
  }

  /**
   * Like seal, without joining the parts: the explicit nonce (if the suite has one) goes to
   * prefix[offset…]; the ciphertext and the tag are returned as the AEAD made them (Aead.sealParts),
   * or as two views of what Aead.seal returned. No copy of the sealed bytes.
   */
  sealParts(
    type: number,
    version: number,
    plaintext: Uint8Array,
    prefix: Uint8Array,
    offset: number,
  ): readonly [Uint8Array, Uint8Array] {
    this.checkUsable();
    this.prepareSeal(type, version, plaintext.length);
    if (this.explicitNonceLength > 0) writeExplicitNonce(prefix, offset);
    this.advance();
    const aead = this.aead;
    try {
      let parts: readonly [Uint8Array, Uint8Array];
      if (aead.sealParts !== undefined) parts = aead.sealParts(NONCE, ADDITIONAL_DATA, plaintext);
      else {
        const sealed = aead.seal(NONCE, ADDITIONAL_DATA, plaintext);
        const n = sealed.length - TAG_LENGTH;
        parts = [sealed.subarray(0, n), sealed.subarray(n)];
      }
      if (type === APPLICATION_DATA && aead.anticipate !== undefined) this.anticipateNext();
      return parts;
    } finally {
      wipeNonce();
    }
  }

  /**
   * Check and decrypt one record's fragment; returns the plaintext (a new array). Throws TlsError
   * bad_record_mac (kind 'peer') for a fragment too short to hold nonce and tag, or one that fails
   * authentication; the sequence number advances only on success.
   */
  open(type: number, version: number, fragment: Uint8Array): Uint8Array {
    this.checkUsable();
    const explicit = this.explicitNonceLength;
    if (fragment.length < this.overhead) {
      throw badRecordMac(
        `protected record of ${fragment.length} bytes is shorter than its ${this.overhead}-byte nonce and tag`,
      );
    }
    this.prepare(type, version, fragment.length - this.overhead);
    if (explicit > 0) {
      // The sender chooses nonce_explicit (RFC 5288 §3); take it from the record.
      for (let i = 0; i < 8; i++) NONCE[4 + i] = fragment[i]!;
    }
    let plaintext: Uint8Array | undefined;
    try {
      plaintext = this.aead.open(
        NONCE,
        ADDITIONAL_DATA,
        explicit > 0 ? fragment.subarray(explicit) : fragment,
      );
    } finally {
      wipeNonce();
    }
    if (plaintext === undefined) {
      throw badRecordMac(
        `record failed authentication (${this.suite.aead}, sequence number ${this.sequenceNumber}); ` +
          'the bytes were altered or the keys differ',
      );
    }
    this.advance();
    if (type === APPLICATION_DATA && this.aead.anticipate !== undefined) this.anticipateNext();
    return plaintext;
  }

  /**
   * After an application-data record: tell the AEAD the nonce of the next record in this direction
   * (Aead.anticipate), the one we will use, or for AES-GCM reads the peer's nonce_explicit if it is
   * its sequence number, as OpenSSL, Go, rustls and memtls choose it. Only after application data, so
   * a connection that has only shaken hands keeps nothing prepared. A hint: what it throws is ignored,
   * since the record it follows has been sealed or opened and counted.
   */
  private anticipateNext(): void {
    if (this.exhausted) return;
    putWord(NONCE, 0, this.iv0);
    if (this.explicitNonceLength === 0) {
      putWord(NONCE, 4, this.iv1 ^ this.sequenceHigh);
      putWord(NONCE, 8, this.iv2 ^ this.sequenceLow);
    } else {
      putWord(NONCE, 4, this.sequenceHigh);
      putWord(NONCE, 8, this.sequenceLow);
    }
    try {
      this.aead.anticipate!(NONCE);
    } catch {
      // a hint only (see above)
    } finally {
      wipeNonce();
    }
  }

  /** Zero the write IV and dispose the keyed AEAD; later calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.aead.dispose();
    this.iv0 = this.iv1 = this.iv2 = 0;
  }

  private sealAead(type: number, version: number, plaintext: Uint8Array): Uint8Array {
    this.checkUsable();
    this.prepareSeal(type, version, plaintext.length);
    this.advance();
    try {
      const sealed = this.aead.seal(NONCE, ADDITIONAL_DATA, plaintext);
      if (type === APPLICATION_DATA && this.aead.anticipate !== undefined) this.anticipateNext();
      return sealed;
    } finally {
      wipeNonce();
    }
  }

  private checkUsable(): void {
    if (this.disposed) throw localError('disposed', 'record protection used after dispose()');
    if (this.exhausted) {
      throw limitError(
        'sequence_number_overflow',
        'sequence number 2^64 − 1 was used; this connection must be closed (renegotiation is not supported)',
      );
    }
  }

  /** prepare, and for AES-GCM our nonce_explicit: this record's sequence number (as OpenSSL does). */
  private prepareSeal(type: number, version: number, plaintextLength: number): void {
    this.prepare(type, version, plaintextLength);
    if (this.explicitNonceLength > 0) writeExplicitNonce(NONCE, 4);
  }

  /**
   * Fill in the additional data for this record and the nonce: for AES-GCM its salt (the explicit part
   * is the caller's), for ChaCha20 all of it: write_IV XOR (0(4) ‖ seq_num(8)).
   */
  private prepare(type: number, version: number, plaintextLength: number): void {
    const ad = ADDITIONAL_DATA;
    const high = this.sequenceHigh;
    const low = this.sequenceLow;
    putWord(ad, 0, high);
    putWord(ad, 4, low);
    ad[8] = type;
    ad[9] = version >>> 8;
    ad[10] = version & 0xff;
    ad[11] = plaintextLength >>> 8;
    ad[12] = plaintextLength & 0xff;
    putWord(NONCE, 0, this.iv0);
    if (this.explicitNonceLength === 0) {
      putWord(NONCE, 4, this.iv1 ^ high);
      putWord(NONCE, 8, this.iv2 ^ low);
    }
  }

  private advance(): void {
    this.sequenceLow = (this.sequenceLow + 1) >>> 0;
    if (this.sequenceLow === 0) {
      this.sequenceHigh = (this.sequenceHigh + 1) >>> 0;
      if (this.sequenceHigh === 0) this.exhausted = true;
    }
  }
}

/** nonce_explicit = this record's sequence number, already in additional_data[0..8]. */
function writeExplicitNonce(out: Uint8Array, offset: number): void {
  for (let i = 0; i < 8; i++) out[offset + i] = ADDITIONAL_DATA[i]!;
}

function word(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function putWord(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

function wipeNonce(): void {
  NONCE_WORDS[0] = 0;
  NONCE_WORDS[1] = 0;
  NONCE_WORDS[2] = 0;
}
