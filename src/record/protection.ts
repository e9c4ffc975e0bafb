// AEAD record protection for one direction: sequence numbers, per-record nonces and additional data
// (RFC 5246 §6.2.3.3, RFC 5288 §3 for AES-GCM, RFC 7905 §2 for ChaCha20-Poly1305).
//
//   additional_data = seq_num(8) ‖ type(1) ‖ version(2) ‖ plaintext length(2)
//   AES-GCM:  nonce = client/server_write_IV(4) ‖ nonce_explicit(8); nonce_explicit = seq_num, as
//             OpenSSL does; fragment = nonce_explicit ‖ ciphertext ‖ tag
//   ChaCha20: nonce = write_IV(12) XOR (0(4) ‖ seq_num(8)); fragment = ciphertext ‖ tag
//
// The AEAD is keyed once at construction. Nonce and additional-data buffers are reused for every
// record (the Aead interface is synchronous and keeps neither), so a record costs one AEAD call plus
// a few byte stores. Sequence numbers are two u32 halves; after seq 2^64 − 1 has been used the
// protector refuses further records (RFC 5246 §6.1: the connection must end; we do not renegotiate).

import type { Aead, CryptoProvider } from '../ciphers/provider.js';
import type { SuiteParams } from '../ciphers/suites.js';
import { limitError, localError, peerError, type TlsError } from '../errors.js';
import type { DirectionKeys } from './types.js';

/** seq_num(8) ‖ type(1) ‖ version(2) ‖ length(2). */
export const ADDITIONAL_DATA_LENGTH = 13;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const TWO_TO_64 = 1n << 64n;

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
  // Nonce, additional data and the fixed IV share one small buffer (one allocation per direction).
  private readonly fixedIv: Uint8Array;
  private readonly nonce: Uint8Array;
  private readonly additionalData: Uint8Array;
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
    if (keys.fixedIv.length !== suite.fixedIvLength) {
      throw localError(
        'bad_iv_length',
        `${suite.name} needs a ${suite.fixedIvLength}-byte write IV, got ${keys.fixedIv.length}`,
      );
    }
    this.suite = suite;
    this.explicitNonceLength = suite.explicitNonceLength;
    this.overhead = suite.explicitNonceLength + TAG_LENGTH;
    const scratch = new Uint8Array(NONCE_LENGTH + ADDITIONAL_DATA_LENGTH + suite.fixedIvLength);
    this.nonce = scratch.subarray(0, NONCE_LENGTH);
    this.additionalData = scratch.subarray(NONCE_LENGTH, NONCE_LENGTH + ADDITIONAL_DATA_LENGTH);
    this.fixedIv = scratch.subarray(NONCE_LENGTH + ADDITIONAL_DATA_LENGTH);
    this.fixedIv.set(keys.fixedIv); // a copy, never a reference to the caller's key block
    // AES-GCM: the salt is the constant first third of every nonce.
    if (this.explicitNonceLength > 0) this.nonce.set(this.fixedIv, 0);
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
    this.writeExplicitNonce(out, 0);
    out.set(sealed, this.explicitNonceLength);
    return out;
  }

  /** Like seal, but writes the fragment at out[offset…] and returns its length. */
  sealInto(type: number, version: number, plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    const sealed = this.sealAead(type, version, plaintext);
    if (this.explicitNonceLength > 0) this.writeExplicitNonce(out, offset);
    out.set(sealed, offset + this.explicitNonceLength);
    return this.explicitNonceLength + sealed.length;
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
    this.prepare(type, version, plaintext.length);
    if (this.explicitNonceLength > 0) {
      this.writeExplicitNonce(this.nonce, 4);
      this.writeExplicitNonce(prefix, offset);
    }
    this.advance();
    const aead = this.aead;
    if (aead.sealParts !== undefined) return aead.sealParts(this.nonce, this.additionalData, plaintext);
    const sealed = aead.seal(this.nonce, this.additionalData, plaintext);
    const n = sealed.length - TAG_LENGTH;
    return [sealed.subarray(0, n), sealed.subarray(n)];
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
    const nonce = this.nonce;
    if (explicit > 0) {
      // The sender chooses nonce_explicit (RFC 5288 §3); take it from the record.
      for (let i = 0; i < 8; i++) nonce[4 + i] = fragment[i]!;
    }
    const plaintext = this.aead.open(
      nonce,
      this.additionalData,
      explicit > 0 ? fragment.subarray(explicit) : fragment,
    );
    if (plaintext === undefined) {
      throw badRecordMac(
        `record failed authentication (${this.suite.aead}, sequence number ${this.sequenceNumber}); ` +
          'the bytes were altered or the keys differ',
      );
    }
    this.advance();
    return plaintext;
  }

  /** Zero the nonce material and dispose the keyed AEAD; later calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.aead.dispose();
    this.fixedIv.fill(0);
    this.nonce.fill(0);
    this.additionalData.fill(0);
  }

  private sealAead(type: number, version: number, plaintext: Uint8Array): Uint8Array {
    this.checkUsable();
    this.prepare(type, version, plaintext.length);
    if (this.explicitNonceLength > 0) this.writeExplicitNonce(this.nonce, 4);
    this.advance();
    return this.aead.seal(this.nonce, this.additionalData, plaintext);
  }

  /** nonce_explicit = this record's sequence number, already in additional_data[0..8]. */
  private writeExplicitNonce(out: Uint8Array, offset: number): void {
    const ad = this.additionalData;
    for (let i = 0; i < 8; i++) out[offset + i] = ad[i]!;
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

  /** Fill in the additional data for this record and, for ChaCha20, the whole nonce. */
  private prepare(type: number, version: number, plaintextLength: number): void {
    const ad = this.additionalData;
    const high = this.sequenceHigh;
    const low = this.sequenceLow;
    ad[0] = high >>> 24;
    ad[1] = (high >>> 16) & 0xff;
    ad[2] = (high >>> 8) & 0xff;
    ad[3] = high & 0xff;
    ad[4] = low >>> 24;
    ad[5] = (low >>> 16) & 0xff;
    ad[6] = (low >>> 8) & 0xff;
    ad[7] = low & 0xff;
    ad[8] = type;
    ad[9] = version >>> 8;
    ad[10] = version & 0xff;
    ad[11] = plaintextLength >>> 8;
    ad[12] = plaintextLength & 0xff;
    if (this.explicitNonceLength === 0) {
      const nonce = this.nonce;
      const iv = this.fixedIv;
      for (let i = 0; i < 4; i++) nonce[i] = iv[i]!;
      for (let i = 0; i < 8; i++) nonce[4 + i] = iv[4 + i]! ^ ad[i]!;
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
