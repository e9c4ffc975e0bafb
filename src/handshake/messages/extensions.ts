// Hello extensions: the extension block (RFC 5246 §7.4.1.4) and typed bodies for server_name (RFC 6066 §3),
// supported_groups and ec_point_formats (RFC 8422 §5.1), signature_algorithms (RFC 5246 §7.4.1.4.1),
// ALPN (RFC 7301 §3.1), extended_master_secret (RFC 7627 §5.1), renegotiation_info (RFC 5746 §3.2),
// record_size_limit (RFC 8449 §4) and session_ticket (RFC 5077 §3.2).
//
// Extensions stay raw ({ type, data }) inside the hello messages; the state machines decode the bodies
// they care about with the helpers below. Every body decoder reads the whole body and ends with r.end().
//
// Empty bodies: a ServerHello acknowledges server_name, session_ticket and extended_master_secret with
// an empty body. Send EMPTY_EXTENSION_DATA and check the ack with decodeEmptyExtension(data, name);
// decodeServerName is the ClientHello form and refuses an empty body.

import { latin1, Reader, Writer } from '../../codec.js';
import { decodeError, localError, peerError } from '../../errors.js';
import { MAX_PLAINTEXT, MIN_RECORD_SIZE_LIMIT } from '../../record/types.js';
import type { Extension } from './types.js';

/** The empty extension body (ServerHello acks of server_name, session_ticket, extended_master_secret). */
export const EMPTY_EXTENSION_DATA: Uint8Array = new Uint8Array(0);

/** Extension extensions<0..2^16-1>: u16 type + opaque16 data each, in a vector16. */
export function encodeExtensions(w: Writer, list: readonly Extension[]): void {
  w.vector16(() => {
    for (const e of list) {
      w.u16(e.type);
      w.opaque16(e.data);
    }
  });
}

/** The extension block; a type appearing twice is a decode_error (code 'duplicate_extension'). */
export function decodeExtensions(r: Reader): Extension[] {
  // One copy of the whole block; each body is a view into that copy, so a hello with thousands of
  // extensions costs one allocation, not one ArrayBuffer and one sub-reader per extension.
  const block = new Reader(r.opaque16(), r.context);
  const seen = new Set<number>();
  const list: Extension[] = [];
  while (block.remaining > 0) {
    const type = block.u16();
    const data = block.view(block.u16());
    if (seen.has(type)) {
      throw decodeError(`${r.context}: extension ${type} appears more than once`, 'duplicate_extension');
    }
    seen.add(type);
    list.push({ type, data });
  }
  return list;
}

export function findExtension(list: readonly Extension[], type: number): Extension | undefined {
  return list.find((e) => e.type === type);
}

function encodeBody(body: (w: Writer) => void): Uint8Array {
  const w = new Writer(64);
  body(w);
  return w.finish();
}

function decodeBody<T>(data: Uint8Array, context: string, body: (r: Reader) => T): T {
  const r = new Reader(data, context);
  const value = body(r);
  r.end();
  return value;
}

/** An extension whose body must be empty (extended_master_secret, and the ServerHello acks). */
export function decodeEmptyExtension(data: Uint8Array, name: string): void {
  if (data.length !== 0)
    throw decodeError(`${name} extension: expected an empty body, got ${data.length} bytes`);
}

// --- server_name (RFC 6066 §3) ---

const HOST_NAME = 0;

/** ServerNameList with one host_name entry. The host must be 1..65535 ASCII characters. */
export function encodeServerName(host: string): Uint8Array {
  if (host.length === 0 || host.length > 0xffff || !isAsciiHostName(host)) {
    throw localError('bad_config', `server name '${host}' is not a non-empty ASCII host name`);
  }
  const bytes = new Uint8Array(host.length);
  for (let i = 0; i < host.length; i++) bytes[i] = host.charCodeAt(i);
  return encodeBody((w) =>
    w.vector16(() => {
      w.u8(HOST_NAME);
      w.opaque16(bytes);
    }),
  );
}

/**
 * ClientHello server_name body: ServerNameList<1..2^16-1> of { name_type u8, opaque16 name }. Returns
 * the host_name, or undefined if the list names only other (unknown) name types. Names of unknown
 * types are read as opaque16, as every deployed implementation does. A second host_name, an empty
 * host_name, or one with bytes outside printable ASCII is a decode_error.
 */
export function decodeServerName(data: Uint8Array): string | undefined {
  return decodeBody(data, 'server_name extension', (r) =>
    r.vector16(
      (r) => {
        let host: string | undefined;
        while (r.remaining > 0) {
          const nameType = r.u8();
          const name = r.opaque16({ min: 1 });
          if (nameType !== HOST_NAME) continue;
          if (host !== undefined) {
            throw decodeError('server_name extension: more than one host_name', 'duplicate_server_name');
          }
          host = latin1(name);
          if (!isAsciiHostName(host)) {
            throw decodeError('server_name extension: host_name is not printable ASCII', 'bad_server_name');
          }
        }
        return host;
      },
      { min: 1 },
    ),
  );
}

/** Same as decodeServerName (the name types.ts mentions). */
export const decodeServerNameList: (data: Uint8Array) => string | undefined = decodeServerName;

function isAsciiHostName(host: string): boolean {
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// --- supported_groups, ec_point_formats (RFC 8422 §5.1.1–2), signature_algorithms (RFC 5246 §7.4.1.4.1) ---

/** NamedGroup named_group_list<2..2^16-1>. */
export function encodeSupportedGroups(codes: readonly number[]): Uint8Array {
  return encodeBody((w) =>
    w.vector16(() => {
      for (const c of codes) w.u16(c);
    }),
  );
}

export function decodeSupportedGroups(data: Uint8Array): number[] {
  return decodeBody(data, 'supported_groups extension', (r) =>
    r.vector16((r) => r.list((r) => r.u16()), { min: 2 }),
  );
}

/** ECPointFormat ec_point_format_list<1..2^8-1>. */
export function encodeEcPointFormats(formats: readonly number[]): Uint8Array {
  return encodeBody((w) =>
    w.vector8(() => {
      for (const f of formats) w.u8(f);
    }),
  );
}

export function decodeEcPointFormats(data: Uint8Array): number[] {
  return decodeBody(data, 'ec_point_formats extension', (r) =>
    r.vector8((r) => r.list((r) => r.u8()), { min: 1 }),
  );
}

/** SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>, as scheme codes. */
export function encodeSignatureAlgorithms(schemes: readonly number[]): Uint8Array {
  return encodeBody((w) =>
    w.vector16(() => {
      for (const s of schemes) w.u16(s);
    }),
  );
}

export function decodeSignatureAlgorithms(data: Uint8Array): number[] {
  return decodeBody(data, 'signature_algorithms extension', (r) =>
    r.vector16((r) => r.list((r) => r.u16()), { min: 2, max: 0xfffe }),
  );
}

// --- application_layer_protocol_negotiation (RFC 7301 §3.1) ---

/**
 * ProtocolName protocol_name_list<2..2^16-1>, ProtocolName opaque<1..2^8-1>. Protocol names are octet
 * strings; they map 1:1 to string char codes (latin1, as Node's tls reports them), so ASCII names read
 * as themselves and any peer octets survive decode → encode. Names with char codes above 0xff are refused.
 */
export function encodeAlpn(protocols: readonly string[]): Uint8Array {
  if (protocols.length === 0) throw localError('bad_config', 'ALPN protocol list is empty');
  return encodeBody((w) =>
    w.vector16(() => {
      for (const p of protocols) w.opaque8(alpnBytes(p));
    }),
  );
}

export function decodeAlpn(data: Uint8Array): string[] {
  return decodeBody(data, 'ALPN extension', (r) =>
    r.vector16((r) => r.list((r) => latin1(r.opaque8({ min: 1 }))), { min: 2 }),
  );
}

function alpnBytes(protocol: string): Uint8Array {
  if (protocol.length === 0 || protocol.length > 0xff) {
    throw localError('bad_config', `ALPN protocol '${protocol}' must be 1..255 bytes`);
  }
  const out = new Uint8Array(protocol.length);
  for (let i = 0; i < protocol.length; i++) {
    const c = protocol.charCodeAt(i);
    if (c > 0xff) throw localError('bad_config', `ALPN protocol '${protocol}' has a character above U+00FF`);
    out[i] = c;
  }
  return out;
}

// --- renegotiation_info (RFC 5746 §3.2) ---

/** opaque renegotiated_connection<0..255>; empty on an initial handshake. */
export function encodeRenegotiationInfo(renegotiatedConnection: Uint8Array): Uint8Array {
  return encodeBody((w) => w.opaque8(renegotiatedConnection));
}

export function decodeRenegotiationInfo(data: Uint8Array): Uint8Array {
  return decodeBody(data, 'renegotiation_info extension', (r) => r.opaque8());
}

// --- record_size_limit (RFC 8449 §4) ---

/** uint16 RecordSizeLimit, 64..2^14 (higher values are for protocols we do not speak). */
export function encodeRecordSizeLimit(limit: number): Uint8Array {
  if (!Number.isInteger(limit) || limit < MIN_RECORD_SIZE_LIMIT || limit > MAX_PLAINTEXT) {
    throw localError(
      'bad_config',
      `record size limit ${limit} is outside ${MIN_RECORD_SIZE_LIMIT}..${MAX_PLAINTEXT}`,
    );
  }
  return encodeBody((w) => w.u16(limit));
}

/**
 * A value below 64 is illegal_parameter (RFC 8449 §4), kind 'peer', code 'bad_record_size_limit'. Values
 * above 2^14 are returned as is: a server must accept them, and a client clamps them to 2^14 itself.
 */
export function decodeRecordSizeLimit(data: Uint8Array): number {
  const limit = decodeBody(data, 'record_size_limit extension', (r) => r.u16());
  if (limit < MIN_RECORD_SIZE_LIMIT) {
    throw peerError(
      'bad_record_size_limit',
      `the peer's record_size_limit is ${limit}; RFC 8449 requires at least ${MIN_RECORD_SIZE_LIMIT}`,
    );
  }
  return limit;
}

// session_ticket (RFC 5077 §3.2): the body is the opaque ticket itself (empty to ask for a new one, and
// empty in the ServerHello ack), so it needs no codec: use the extension's data as is.
