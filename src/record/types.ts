// Record-layer registries and plain types (RFC 5246 §6.2).

import type { SuiteParams } from '../ciphers/suites.js';

export const ContentType = {
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;
export type ContentTypeName = keyof typeof ContentType;
export type ContentTypeCode = (typeof ContentType)[ContentTypeName];

export const ProtocolVersion = {
  TLSv1_0: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
} as const;

/** Largest plaintext fragment (RFC 5246 §6.2.1); also the highest record_size_limit TLS 1.2 uses. */
export const MAX_PLAINTEXT = 1 << 14;
/** Smallest record_size_limit an endpoint may advertise (RFC 8449 §4). */
export const MIN_RECORD_SIZE_LIMIT = 64;
/**
 * Largest ciphertext we accept. RFC 5246 §6.2.3 allows 2^14 + 2048, but an AEAD record is at most
 * 2^14 + 8 (explicit nonce) + 16 (tag); anything past 2^14 + 256 is refused before decryption.
 */
export const MAX_CIPHERTEXT = MAX_PLAINTEXT + 256;
/** Consecutive empty records tolerated before we call it a denial-of-service attempt. */
export const MAX_EMPTY_RECORDS = 32;

/** A record as framed on the wire (header fields + fragment, still protected if keys are active). */
export interface TlsRecord {
  readonly type: number;
  readonly version: number;
  readonly fragment: Uint8Array;
}

/** A record after unprotection. */
export interface PlainRecord {
  readonly type: ContentTypeCode;
  readonly data: Uint8Array;
}

/** Keys for one direction, from the key block (RFC 5246 §6.3). */
export interface DirectionKeys {
  readonly suite: SuiteParams;
  readonly key: Uint8Array;
  /** client_write_IV / server_write_IV: 4 bytes for GCM (salt), 12 for ChaCha20-Poly1305. */
  readonly fixedIv: Uint8Array;
}
