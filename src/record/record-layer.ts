// The record layer: deframing, record limits, protection state per direction (none → pending →
// active at ChangeCipherSpec) and outgoing fragmentation (RFC 5246 §6.1–§6.2, RFC 8449 §4).
//
// Choices the RFCs leave open, made here:
// - A zero-length handshake, alert or change_cipher_spec record (RFC 5246 §6.2.1: MUST NOT be
//   sent) fails with unexpected_message, code 'empty_record' (as RFC 8446 §5.1 does for TLS 1.3).
// - Empty application_data records are legal and skipped; more than maxEmptyRecords in a row fail
//   with a limit error, code 'too_many_empty_records', alert unexpected_message (what OpenSSL sends).
// - The record_size_limit (RFC 8449) applies to protected records only: unprotected records are
//   limited to 2^14 bytes of plaintext both ways ("Unprotected messages are not subject to this
//   limit"). A protected record whose ciphertext could not hold ≤ receive-limit bytes of plaintext
//   is refused with record_overflow before decryption.
// - read() is sticky: once it throws, every later read() throws the same TlsError and fed bytes are
//   dropped. write() keeps working so the caller can still send its fatal alert.
// - Application data is never written unprotected: write() refuses it (local error) before
//   activateWrite().
// - The record layer does not interpret records: checking that a ChangeCipherSpec carries the single
//   byte 1, and refusing a second one, are the handshake's job.

import type { CryptoProvider } from '../ciphers/provider.js';
import { asTlsError, limitError, localError, peerError, type TlsError } from '../errors.js';
import { Deframer } from './deframer.js';
import { isKnownContentType, RECORD_HEADER_LENGTH, writeRecordHeader } from './header.js';
import { allocateOutgoing, SLAB_MAX_RECORD } from './outgoing-slab.js';
import { RecordProtector } from './protection.js';
import {
  ContentType,
  type ContentTypeCode,
  type DirectionKeys,
  MAX_EMPTY_RECORDS,
  MAX_PLAINTEXT,
  MIN_RECORD_SIZE_LIMIT,
  type PlainRecord,
  ProtocolVersion,
} from './types.js';

export interface RecordLayerOptions {
  provider: CryptoProvider;
  /**
   * Largest plaintext we put in one outgoing record (default and maximum 2^14). The peer's
   * record_size_limit (setSendLimit) can lower it further for protected records.
   */
  maxPlaintext?: number;
  /** Empty application data records accepted in a row (option maxEmptyRecords); default 32. */
  maxEmptyRecords?: number;
}

const EMPTY = new Uint8Array(0);
/** What takeOutgoingChunks() returns when nothing is queued (shared, frozen: never the live queue). */
const NO_CHUNKS: readonly Uint8Array[] = Object.freeze([]);

export class RecordLayer {
  private readonly provider: CryptoProvider;
  private readonly maxPlaintext: number;
  private readonly deframer = new Deframer();
  private readProtector: RecordProtector | undefined;
  private writeProtector: RecordProtector | undefined;
  private pendingReadProtector: RecordProtector | undefined;
  private pendingWriteProtector: RecordProtector | undefined;
  private sendLimit = MAX_PLAINTEXT;
  private receiveLimit = MAX_PLAINTEXT;
  private versionLocked = false;
  private emptyRecordsInARow = 0;
  private readonly maxEmptyRecords: number;
  private failure: TlsError | undefined;
  private outgoing: Uint8Array[] = [];
  private outgoingBytes = 0;
  private disposed = false;
  /** The buffer of bytes lent by feedLoan(), until endLoan(). */
  private loaned: ArrayBufferLike | undefined;

  constructor(options: RecordLayerOptions) {
    const maxPlaintext = options.maxPlaintext ?? MAX_PLAINTEXT;
    if (!Number.isInteger(maxPlaintext) || maxPlaintext < 1 || maxPlaintext > MAX_PLAINTEXT) {
      throw localError(
        'bad_config',
        `maxPlaintext must be an integer from 1 to ${MAX_PLAINTEXT}, got ${maxPlaintext}`,
      );
    }
    this.provider = options.provider;
    this.maxPlaintext = maxPlaintext;
    this.maxEmptyRecords = options.maxEmptyRecords ?? MAX_EMPTY_RECORDS;
  }

  /** Network bytes in, cut anywhere. The caller must not modify them afterwards (they are not copied). */
  feed(bytes: Uint8Array): void {
    this.checkNotDisposed();
    if (this.failure === undefined) this.deframer.push(bytes);
  }

  /**
   * Network bytes lent until endLoan(bytes): records read before then may be decrypted straight from
   * them; endLoan copies what is still unread. Only for a protected read direction, where every
   * record read is a new plaintext (read() copies one a provider returns inside the loaned bytes).
   */
  feedLoan(bytes: Uint8Array): void {
    this.checkNotDisposed();
    if (this.failure === undefined) this.deframer.push(bytes, true);
    this.loaned = bytes.buffer;
  }

  /** The loan of feedLoan(bytes) ends: bytes not read yet are copied. */
  endLoan(bytes: Uint8Array): void {
    this.loaned = undefined;
    this.deframer.endLoan(bytes);
  }

  /**
   * The next record, decrypted if the read direction is protected; undefined until a whole record
   * is there. Empty application_data records are skipped. Throws TlsError (sticky, see above).
   */
  read(): PlainRecord | undefined {
    this.checkNotDisposed();
    if (this.failure !== undefined) throw this.failure;
    try {
      for (;;) {
        const record = this.deframer.next();
        if (record === undefined) return undefined;
        const type = record.type as ContentTypeCode;
        if (this.versionLocked && record.version !== ProtocolVersion.TLSv1_2) {
          throw peerError(
            'bad_record_version',
            `record with version 0x${record.version.toString(16).padStart(4, '0')} after TLS 1.2 was negotiated`,
          );
        }
        let data: Uint8Array;
        const protector = this.readProtector;
        if (protector !== undefined) {
          const limit = this.receiveLimit + protector.overhead;
          if (record.fragment.length > limit) {
            throw limitError(
              'record_overflow',
              `protected record of ${record.fragment.length} bytes exceeds ${limit} (${this.receiveLimit}-byte plaintext limit)`,
            );
          }
          data = protector.open(type, record.version, record.fragment);
          // A provider that decrypts in place would hand out a view of the loaned bytes.
          if (data.buffer === this.loaned) data = new Uint8Array(data);
          // Opened into new bytes: the deframer may reuse the fragment's buffer if it assembled it.
          else if (data.buffer !== record.fragment.buffer) this.deframer.giveBack(record.fragment);
        } else {
          if (type === ContentType.application_data) {
            throw peerError(
              'unexpected_application_data',
              'application data record before the handshake set up encryption',
            );
          }
          if (record.fragment.length > MAX_PLAINTEXT) {
            throw limitError(
              'record_overflow',
              `plaintext record of ${record.fragment.length} bytes exceeds ${MAX_PLAINTEXT}`,
            );
          }
          data = record.fragment;
          if (data.buffer === this.loaned) data = new Uint8Array(data);
        }
        if (data.length === 0) {
          if (type !== ContentType.application_data) {
            throw peerError('empty_record', `empty record of content type ${type}`);
          }
          if (++this.emptyRecordsInARow > this.maxEmptyRecords) {
            throw limitError(
              'too_many_empty_records',
              `more than ${this.maxEmptyRecords} empty application data records in a row (option maxEmptyRecords)`,
            );
          }
          continue;
        }
        this.emptyRecordsInARow = 0;
        return { type, data };
      }
    } catch (error) {
      this.failure = asTlsError(error);
      throw this.failure;
    }
  }

  /**
   * Queue `data` as records of `type`: fragments of at most the send limit, protected if the write
   * direction is active. Empty application data queues nothing; other empty records are refused.
   */
  write(type: ContentTypeCode, data: Uint8Array): void {
    this.checkNotDisposed();
    if (!isKnownContentType(type)) throw localError('bad_content_type', `cannot write content type ${type}`);
    if (data.length === 0) {
      if (type === ContentType.application_data) return;
      throw localError('empty_record', `records of content type ${type} must not be empty (RFC 5246 §6.2.1)`);
    }
    const protector = this.writeProtector;
    if (protector === undefined && type === ContentType.application_data) {
      throw localError(
        'not_protected',
        'application data must not be written before the write keys are active',
      );
    }
    const limit = protector !== undefined ? Math.min(this.maxPlaintext, this.sendLimit) : this.maxPlaintext;
    const version = ProtocolVersion.TLSv1_2;
    if (protector !== undefined && data.length > SLAB_MAX_RECORD) {
      this.writeApart(protector, type, data, limit);
      return;
    }
    const count = Math.ceil(data.length / limit);
    const perRecord = RECORD_HEADER_LENGTH + (protector !== undefined ? protector.overhead : 0);
    // All records of this write go into one buffer: one copy of the (sealed) bytes, none later
    // when takeOutgoing() is called after every write.
    const out = allocateOutgoing(data.length + count * perRecord);
    let offset = 0;
    for (let start = 0; start < data.length; start += limit) {
      const piece = start === 0 && data.length <= limit ? data : data.subarray(start, start + limit);
      let length: number;
      if (protector !== undefined) {
        length = protector.sealInto(type, version, piece, out, offset + RECORD_HEADER_LENGTH);
      } else {
        out.set(piece, offset + RECORD_HEADER_LENGTH);
        length = piece.length;
      }
      writeRecordHeader(out, offset, type, version, length);
      offset += RECORD_HEADER_LENGTH + length;
    }
    this.outgoing.push(out);
    this.outgoingBytes += out.length;
  }

  /**
   * Large protected writes: per record, the AEAD's ciphertext and tag as the provider returned them
   * (Aead.sealParts), with the record's header and explicit nonce written into a small slab region
   * after the previous record's tag: chunks tag(i−1) ‖ header(i) ‖ nonce(i), ciphertext(i), …, tag(n).
   * No copy of the sealed bytes here (takeOutgoingChunks() hands them on as they are; takeOutgoing()
   * joins them once).
   */
  private writeApart(
    protector: RecordProtector,
    type: ContentTypeCode,
    data: Uint8Array,
    limit: number,
  ): void {
    const version = ProtocolVersion.TLSv1_2;
    const explicit = protector.explicitNonceLength;
    const prefixLength = RECORD_HEADER_LENGTH + explicit;
    const outgoing = this.outgoing;
    let previousTag: Uint8Array | undefined;
    let bytes = 0;
    try {
      for (let start = 0; start < data.length; start += limit) {
        const piece = start === 0 && data.length <= limit ? data : data.subarray(start, start + limit);
        const at = previousTag === undefined ? 0 : previousTag.length;
        const head = allocateOutgoing(at + prefixLength);
        // A record that cannot be sealed (sequence numbers used up) throws here and is not queued.
        const [ciphertext, tag] = protector.sealParts(type, version, piece, head, at + RECORD_HEADER_LENGTH);
        if (previousTag !== undefined) head.set(previousTag, 0);
        writeRecordHeader(head, at, type, version, explicit + ciphertext.length + tag.length);
        outgoing.push(head, ciphertext);
        bytes += head.length + ciphertext.length;
        previousTag = tag;
      }
    } finally {
      // The last queued record's tag, also when a later record failed: every queued record is whole.
      if (previousTag !== undefined) {
        outgoing.push(previousTag);
        bytes += previousTag.length;
      }
      this.outgoingBytes += bytes;
    }
  }

  /**
   * Everything queued, as the chunks it was queued in (for transports that write several buffers
   * in one call); then the queue is empty. An empty array when nothing is queued.
   */
  takeOutgoingChunks(): readonly Uint8Array[] {
    const chunks = this.outgoing;
    if (chunks.length === 0) return NO_CHUNKS;
    this.outgoing = [];
    this.outgoingBytes = 0;
    return chunks;
  }

  /** Everything queued (length 0 when nothing is), then the queue is empty. */
  takeOutgoing(): Uint8Array {
    const chunks = this.outgoing;
    if (chunks.length === 0) return EMPTY;
    const out = chunks.length === 1 ? chunks[0]! : concat(chunks, this.outgoingBytes);
    chunks.length = 0;
    this.outgoingBytes = 0;
    return out;
  }

  /**
   * Drop the bytes fed but not yet read (RFC 5246 §7.2.1: what comes after close_notify is ignored),
   * so a peer's close does not keep the rest of its last read alive.
   */
  discardInput(): void {
    this.deframer.discard();
  }

  /** Bytes fed but not yet returned as records. */
  get bufferedInput(): number {
    return this.deframer.bufferedBytes;
  }

  /** Bytes queued for sending. */
  get pendingOutgoing(): number {
    return this.outgoingBytes;
  }

  /** Keys the read AEAD for the next activateRead(). */
  setPendingRead(keys: DirectionKeys): void {
    this.checkNotDisposed();
    this.pendingReadProtector?.dispose();
    this.pendingReadProtector = new RecordProtector(keys, this.provider);
  }

  /** Keys the write AEAD for the next activateWrite(). */
  setPendingWrite(keys: DirectionKeys): void {
    this.checkNotDisposed();
    this.pendingWriteProtector?.dispose();
    this.pendingWriteProtector = new RecordProtector(keys, this.provider);
  }

  /** At ChangeCipherSpec received: pending read keys become active, sequence number 0. */
  activateRead(): void {
    this.checkNotDisposed();
    const pending = this.pendingReadProtector;
    if (pending === undefined) {
      throw peerError(
        'unexpected_change_cipher_spec',
        'ChangeCipherSpec received before keys were negotiated',
      );
    }
    this.readProtector?.dispose();
    this.readProtector = pending;
    this.pendingReadProtector = undefined;
  }

  /** After our ChangeCipherSpec is queued: pending write keys become active, sequence number 0. */
  activateWrite(): void {
    this.checkNotDisposed();
    const pending = this.pendingWriteProtector;
    if (pending === undefined)
      throw localError('no_pending_keys', 'activateWrite() without setPendingWrite()');
    this.writeProtector?.dispose();
    this.writeProtector = pending;
    this.pendingWriteProtector = undefined;
  }

  /**
   * The peer's record_size_limit (RFC 8449 §4): the most plaintext per protected record we send.
   * Values above 2^14 mean 2^14; values below 64 are the peer's error (illegal_parameter).
   */
  setSendLimit(n: number): void {
    if (!Number.isInteger(n)) throw localError('bad_record_size_limit', `record size limit ${n}`);
    if (n < MIN_RECORD_SIZE_LIMIT) {
      throw peerError(
        'bad_record_size_limit',
        `the peer's record_size_limit ${n} is below the minimum ${MIN_RECORD_SIZE_LIMIT}`,
      );
    }
    this.sendLimit = Math.min(n, MAX_PLAINTEXT);
  }

  /** The record_size_limit we advertised: protected records with more plaintext → record_overflow. */
  setReceiveLimit(n: number): void {
    if (!Number.isInteger(n) || n < MIN_RECORD_SIZE_LIMIT || n > MAX_PLAINTEXT) {
      throw localError(
        'bad_record_size_limit',
        `receive limit must be an integer from ${MIN_RECORD_SIZE_LIMIT} to ${MAX_PLAINTEXT}, got ${n}`,
      );
    }
    this.receiveLimit = n;
  }

  /** From now on only records with version 0x0303 are accepted (before: any 0x03xx). */
  lockVersion(): void {
    this.versionLocked = true;
  }

  /**
   * Dispose all keyed AEADs (their keys, IVs and key schedules are zeroed); later reads and writes
   * throw. Bytes already queued (a fatal alert, our close_notify) stay for takeOutgoing().
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of [
      this.readProtector,
      this.writeProtector,
      this.pendingReadProtector,
      this.pendingWriteProtector,
    ]) {
      p?.dispose();
    }
    this.readProtector = this.writeProtector = undefined;
    this.pendingReadProtector = this.pendingWriteProtector = undefined;
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw localError('disposed', 'record layer used after dispose()');
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
