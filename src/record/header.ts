// The TLS record header codec: type, version, length (RFC 5246 §6.2.1).

import { decodeError, limitError, localError, peerError } from '../errors.js';
import { ContentType, MAX_CIPHERTEXT } from './types.js';

/** type(1) ‖ version(2) ‖ length(2). */
export const RECORD_HEADER_LENGTH = 5;

export interface RecordHeader {
  readonly type: number;
  readonly version: number;
  /** Length of the fragment that follows the header. */
  readonly length: number;
}

/** True for the four content types TLS 1.2 defines (RFC 5246 §6.2.1). */
export function isKnownContentType(type: number): boolean {
  return (
    type === ContentType.change_cipher_spec ||
    type === ContentType.alert ||
    type === ContentType.handshake ||
    type === ContentType.application_data
  );
}

/**
 * Refuse a header we will never accept, before waiting for its body: an unknown content type
 * (unexpected_message), a major version other than 3 (protocol_version) and a length past
 * MAX_CIPHERTEXT (record_overflow).
 */
export function checkRecordHeader(type: number, version: number, length: number): void {
  if (!isKnownContentType(type)) {
    throw peerError(
      'unknown_content_type',
      `record with unknown content type ${type}; is the peer speaking TLS?`,
    );
  }
  if (version >>> 8 !== 3) {
    throw peerError(
      'bad_record_version',
      `record with version 0x${version.toString(16).padStart(4, '0')}; TLS records carry 0x03xx`,
    );
  }
  if (length > MAX_CIPHERTEXT) {
    throw limitError(
      'record_overflow',
      `record of ${length} bytes exceeds the ${MAX_CIPHERTEXT}-byte limit for protected records`,
    );
  }
}

/** Write a record header at `offset` (the caller checks the fields). */
export function writeRecordHeader(
  out: Uint8Array,
  offset: number,
  type: number,
  version: number,
  length: number,
): void {
  out[offset] = type;
  out[offset + 1] = version >>> 8;
  out[offset + 2] = version & 0xff;
  out[offset + 3] = length >>> 8;
  out[offset + 4] = length & 0xff;
}

/** header ‖ fragment as one new array. */
export function encodeRecord(type: number, version: number, fragment: Uint8Array): Uint8Array {
  if (fragment.length > 0xffff) {
    throw localError(
      'record_too_large',
      `record fragment of ${fragment.length} bytes does not fit a 16-bit length`,
    );
  }
  const out = new Uint8Array(RECORD_HEADER_LENGTH + fragment.length);
  writeRecordHeader(out, 0, type, version, fragment.length);
  out.set(fragment, RECORD_HEADER_LENGTH);
  return out;
}

/**
 * Read and check the record header at `offset`. Throws a decode error when fewer than 5 bytes are
 * there, and the errors of `checkRecordHeader` for headers we refuse.
 */
export function decodeRecordHeader(bytes: Uint8Array, offset = 0): RecordHeader {
  if (offset < 0 || bytes.length - offset < RECORD_HEADER_LENGTH) {
    throw decodeError('truncated record header (need 5 bytes)', 'truncated_record_header');
  }
  const type = bytes[offset]!;
  const version = (bytes[offset + 1]! << 8) | bytes[offset + 2]!;
  const length = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
  checkRecordHeader(type, version, length);
  return { type, version, length };
}
