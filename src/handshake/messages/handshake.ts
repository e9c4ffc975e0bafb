// The handshake message header and reassembly (RFC 5246 §7.4, fragmentation §6.2.1): type u8 ‖ u24
// length ‖ body, messages split across records or several sharing one record, and dispatch of a body to
// its codec.
//
// Size limit: a message whose declared length exceeds maxMessageSize is refused as soon as its header is
// complete, before its body is buffered: TlsError kind 'limit', code 'handshake_message_too_large', alert
// illegal_parameter. That is OpenSSL's choice (SSL_R_EXCESSIVE_MESSAGE_SIZE); the bytes are well-formed,
// so decode_error would misdescribe them, and internal_error would blame ourselves. A ClientHello has
// its own bound, MAX_CLIENT_HELLO_SIZE (or maxMessageSize if that is larger): every well-formed
// ClientHello fits it, however many suites and extensions it carries.

import { Reader, Writer } from '../../codec.js';
import { limitError, peerError } from '../../errors.js';
import {
  decodeCertificate,
  decodeCertificateRequest,
  decodeCertificateVerify,
  encodeCertificate,
  encodeCertificateRequest,
  encodeCertificateVerify,
} from './certificate.js';
import {
  decodeFinished,
  decodeHelloRequest,
  decodeServerHelloDone,
  encodeFinished,
  VERIFY_DATA_LENGTH,
} from './finished.js';
import { decodeClientHello, decodeServerHello, encodeClientHello, encodeServerHello } from './hello.js';
import {
  decodeClientKeyExchange,
  decodeServerKeyExchange,
  encodeClientKeyExchange,
  encodeServerKeyExchange,
} from './key-exchange.js';
import { decodeNewSessionTicket, encodeNewSessionTicket } from './new-session-ticket.js';
import { type HandshakeMessage, HandshakeType, handshakeTypeName } from './types.js';

export const HANDSHAKE_HEADER_LENGTH = 4;
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 65536;

/**
 * The largest well-formed ClientHello body (RFC 5246 §7.4.1.2): version 2 + random 32 + session_id
 * 1+32 + cipher_suites 2+65534 + compression_methods 1+255 + extensions 2+65535 = 131396 bytes, the
 * bound OpenSSL uses too. Anything declared larger cannot parse and is refused before it is buffered.
 */
export const MAX_CLIENT_HELLO_SIZE = 131396;

/** type u8 ‖ u24 length ‖ body: the bytes that go into handshake records and the transcript. */
export function encodeHandshake(type: number, body: (w: Writer) => void): Uint8Array {
  const w = new Writer();
  w.u8(type);
  w.vector24(() => body(w));
  return w.finish();
}

/** A handshake message without its raw bytes: what encodeHandshakeMessage takes. */
export type HandshakeMessageContent = HandshakeMessage extends infer M
  ? M extends HandshakeMessage
    ? { readonly type: M['type']; readonly body: M['body'] }
    : never
  : never;

/** Encode a typed message with its header. */
export function encodeHandshakeMessage(m: HandshakeMessageContent): Uint8Array {
  return encodeHandshake(m.type, (w) => {
    switch (m.type) {
      case HandshakeType.hello_request:
      case HandshakeType.server_hello_done:
        return;
      case HandshakeType.client_hello:
        return encodeClientHello(w, m.body);
      case HandshakeType.server_hello:
        return encodeServerHello(w, m.body);
      case HandshakeType.new_session_ticket:
        return encodeNewSessionTicket(w, m.body);
      case HandshakeType.certificate:
        return encodeCertificate(w, m.body);
      case HandshakeType.server_key_exchange:
        return encodeServerKeyExchange(w, m.body);
      case HandshakeType.certificate_request:
        return encodeCertificateRequest(w, m.body);
      case HandshakeType.certificate_verify:
        return encodeCertificateVerify(w, m.body);
      case HandshakeType.client_key_exchange:
        return encodeClientKeyExchange(w, m.body);
      case HandshakeType.finished:
        return encodeFinished(w, m.body);
    }
  });
}

/**
 * Decode a reassembled body by its type. Malformed bodies throw kind 'decode'; an unknown type throws
 * peerError('unknown_handshake_type'). `raw` (header ‖ body) is carried through
 * for the transcript.
 */
export function decodeHandshakeBody(
  type: number,
  body: Uint8Array,
  raw: Uint8Array,
  verifyDataLength = VERIFY_DATA_LENGTH,
): HandshakeMessage {
  const r = new Reader(body, handshakeTypeName(type));
  switch (type) {
    case HandshakeType.hello_request:
      return { type, body: decodeHelloRequest(r), raw };
    case HandshakeType.client_hello:
      return { type, body: decodeClientHello(r), raw };
    case HandshakeType.server_hello:
      return { type, body: decodeServerHello(r), raw };
    case HandshakeType.new_session_ticket:
      return { type, body: decodeNewSessionTicket(r), raw };
    case HandshakeType.certificate:
      return { type, body: decodeCertificate(r), raw };
    case HandshakeType.server_key_exchange:
      return { type, body: decodeServerKeyExchange(r), raw };
    case HandshakeType.certificate_request:
      return { type, body: decodeCertificateRequest(r), raw };
    case HandshakeType.server_hello_done:
      return { type, body: decodeServerHelloDone(r), raw };
    case HandshakeType.certificate_verify:
      return { type, body: decodeCertificateVerify(r), raw };
    case HandshakeType.client_key_exchange:
      return { type, body: decodeClientKeyExchange(r), raw };
    case HandshakeType.finished:
      return { type, body: decodeFinished(r, verifyDataLength), raw };
    default:
      throw peerError('unknown_handshake_type', `unknown handshake message type ${type}`);
  }
}

/** Decode one whole message (header ‖ body, nothing after it). */
export function decodeHandshakeMessage(
  raw: Uint8Array,
  verifyDataLength = VERIFY_DATA_LENGTH,
): HandshakeMessage {
  const r = new Reader(raw, 'handshake header');
  const type = r.u8();
  const body = r.opaque24();
  r.end();
  return decodeHandshakeBody(type, body, raw.slice(), verifyDataLength);
}

/** One reassembled message: its type, body, and the exact bytes (header included) for the transcript. */
export interface HandshakeFragmentMessage {
  readonly type: number;
  readonly body: Uint8Array;
  readonly raw: Uint8Array;
}

/**
 * Joins handshake-record fragments into whole messages. Push each record's plaintext, then call next()
 * until it returns undefined. `hasPartial` is true while a message is half-received, when the connection
 * must refuse any other content type (ChangeCipherSpec included) with unexpected_message.
 */
/** The empty buffer every idle reassembler shares (never written: push() replaces it first). */
const NO_BYTES = new Uint8Array(0);

export class HandshakeReassembler {
  private readonly maxMessageSize: number;
  /** buffer[start, end) holds bytes not yet returned; the buffer grows by doubling, so a message sent one
   * byte per record costs linear, not quadratic, copying. */
  private buffer: Uint8Array = NO_BYTES;
  private start = 0;
  private end = 0;

  constructor(maxMessageSize = DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE) {
    this.maxMessageSize = maxMessageSize;
  }

  push(fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    if (this.end + fragment.length > this.buffer.length) {
      const pending = this.end - this.start;
      const next = new Uint8Array(Math.max(256, 2 * (pending + fragment.length)));
      next.set(this.buffer.subarray(this.start, this.end), 0);
      this.buffer = next;
      this.start = 0;
      this.end = pending;
    }
    this.buffer.set(fragment, this.end);
    this.end += fragment.length;
  }

  /** The next whole message, or undefined if none is complete. Throws once an oversize header is seen. */
  next(): HandshakeFragmentMessage | undefined {
    const available = this.end - this.start;
    if (available < HANDSHAKE_HEADER_LENGTH) return undefined;
    const b = this.buffer;
    const s = this.start;
    const length = (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!;
    const limit =
      b[s] === HandshakeType.client_hello
        ? Math.max(this.maxMessageSize, MAX_CLIENT_HELLO_SIZE)
        : this.maxMessageSize;
    if (length > limit) {
      throw limitError(
        'handshake_message_too_large',
        `${handshakeTypeName(b[s]!)} message of ${length} bytes exceeds the limit of ${limit} bytes` +
          (limit === this.maxMessageSize
            ? ' (option maxHandshakeMessageSize)'
            : ' (the largest well-formed ClientHello)'),
      );
    }
    const total = HANDSHAKE_HEADER_LENGTH + length;
    if (available < total) return undefined;
    const raw = b.slice(s, s + total);
    this.start += total;
    if (this.start === this.end) {
      // Everything consumed: let the buffer go (idle connections hold nothing here).
      this.buffer = NO_BYTES;
      this.start = 0;
      this.end = 0;
    }
    return { type: raw[0]!, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
  }

  /** Bytes of an incomplete message are buffered. */
  get hasPartial(): boolean {
    return this.end > this.start;
  }
}
