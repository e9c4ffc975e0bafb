// ClientHello and ServerHello codecs (RFC 5246 §7.4.1.2, §7.4.1.3, extension block §7.4.1.4).
//
// The extension block is optional on the wire (pre-extension peers omit it) and decodes as []. If it is
// present it must be the whole rest of the message. Encoding omits the block when the list is empty (as
// Go's crypto/tls does), so a message carrying an empty-but-present block (00 00) is the one input that
// does not re-encode byte for byte; transcripts use HandshakeMessage.raw, never a re-encoding.

import type { Reader, Writer } from '../../codec.js';
import { decodeExtensions, encodeExtensions } from './extensions.js';
import type { ClientHello, Extension, ServerHello } from './types.js';

export const RANDOM_LENGTH = 32;
export const MAX_SESSION_ID_LENGTH = 32;

function encodeOptionalExtensions(w: Writer, extensions: readonly Extension[]): void {
  if (extensions.length > 0) encodeExtensions(w, extensions);
}

function decodeOptionalExtensions(r: Reader): Extension[] {
  if (r.remaining === 0) return [];
  const extensions = decodeExtensions(r);
  r.end();
  return extensions;
}

/*
 * struct {
 *   ProtocolVersion client_version;
 *   Random random;
 *   SessionID session_id;                                  opaque<0..32>
 *   CipherSuite cipher_suites<2..2^16-2>;
 *   CompressionMethod compression_methods<1..2^8-1>;
 *   select (extensions_present) { case true: Extension extensions<0..2^16-1>; };
 * } ClientHello;
 */
export function encodeClientHello(w: Writer, m: ClientHello): void {
  w.u16(m.version);
  w.bytes(m.random);
  w.opaque8(m.sessionId);
  w.vector16(() => {
    for (const s of m.cipherSuites) w.u16(s);
  });
  w.vector8(() => {
    for (const c of m.compressionMethods) w.u8(c);
  });
  encodeOptionalExtensions(w, m.extensions);
}

export function decodeClientHello(r: Reader): ClientHello {
  const version = r.u16();
  const random = r.bytes(RANDOM_LENGTH);
  const sessionId = r.opaque8({ max: MAX_SESSION_ID_LENGTH });
  const cipherSuites = r.vector16((r) => r.list((r) => r.u16()), { min: 2, max: 0xfffe });
  const compressionMethods = r.vector8((r) => r.list((r) => r.u8()), { min: 1 });
  const extensions = decodeOptionalExtensions(r);
  r.end();
  return { version, random, sessionId, cipherSuites, compressionMethods, extensions };
}

/*
 * struct {
 *   ProtocolVersion server_version;
 *   Random random;
 *   SessionID session_id;                                  opaque<0..32>
 *   CipherSuite cipher_suite;
 *   CompressionMethod compression_method;
 *   select (extensions_present) { case true: Extension extensions<0..2^16-1>; };
 * } ServerHello;
 */
export function encodeServerHello(w: Writer, m: ServerHello): void {
  w.u16(m.version);
  w.bytes(m.random);
  w.opaque8(m.sessionId);
  w.u16(m.cipherSuite);
  w.u8(m.compressionMethod);
  encodeOptionalExtensions(w, m.extensions);
}

export function decodeServerHello(r: Reader): ServerHello {
  const version = r.u16();
  const random = r.bytes(RANDOM_LENGTH);
  const sessionId = r.opaque8({ max: MAX_SESSION_ID_LENGTH });
  const cipherSuite = r.u16();
  const compressionMethod = r.u8();
  const extensions = decodeOptionalExtensions(r);
  r.end();
  return { version, random, sessionId, cipherSuite, compressionMethod, extensions };
}
