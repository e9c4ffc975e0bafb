// Typed hello extensions: the ClientHello and ServerHello extension blocks decoded once into typed values
// and encoded back from them, through one table per message that names each extension's codec
// (RFC 5246 §7.4.1.4, RFC 6066 §3, RFC 8422 §5.1, RFC 7301 §3.1, RFC 7627 §5.1, RFC 5746 §3.2, RFC 8449 §4,
// RFC 5077 §3.2).
//
// The hello messages keep their extensions raw and in order ({ type, data }), so unknown extensions and
// the exact wire order survive decode → encode; the transcript always takes the message's raw bytes.
// A type appearing twice is already a decode_error in the block codec (decodeExtensions).
//
// To add an extension: its body codec in extensions.ts, its field and row below, the side(s) that use
// the field, and a test.

import {
  decodeAlpn,
  decodeEcPointFormats,
  decodeEmptyExtension,
  decodeRecordSizeLimit,
  decodeRenegotiationInfo,
  decodeServerName,
  decodeSignatureAlgorithms,
  decodeSupportedGroups,
  EMPTY_EXTENSION_DATA,
  encodeAlpn,
  encodeEcPointFormats,
  encodeRecordSizeLimit,
  encodeRenegotiationInfo,
  encodeServerName,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
} from './extensions.js';
import { type Extension, ExtensionType, type ExtensionTypeName } from './types.js';

/** The ClientHello extensions memtls understands, each decoded; everything else stays in `unknown`. */
export interface ClientHelloExtensions {
  /** The host_name of server_name; absent also when the list names only other name types. */
  readonly serverName?: string;
  /** NamedGroup codes (RFC 8422 §5.1.1). */
  readonly supportedGroups?: readonly number[];
  /** ECPointFormat codes (RFC 8422 §5.1.2). */
  readonly ecPointFormats?: readonly number[];
  /** SignatureScheme codes (RFC 5246 §7.4.1.4.1). */
  readonly signatureAlgorithms?: readonly number[];
  /** Protocol names offered, in the client's preference order. */
  readonly alpn?: readonly string[];
  readonly extendedMasterSecret?: true;
  /** renegotiated_connection: empty in an initial handshake. */
  readonly renegotiationInfo?: Uint8Array;
  /** The client's record_size_limit (≥ 64; values above 2^14 are kept as sent). */
  readonly recordSizeLimit?: number;
  /** session_ticket (RFC 5077 §3.2): the ticket offered, empty to ask for one. */
  readonly sessionTicket?: Uint8Array;
  /** Extensions of other types, in the order received. */
  readonly unknown: readonly Extension[];
}

/** The ServerHello extensions memtls understands; everything else stays in `unknown`. */
export interface ServerHelloExtensions {
  /** The server acknowledged our server_name (an empty body). */
  readonly serverName?: true;
  readonly ecPointFormats?: readonly number[];
  /** The ALPN list as sent: a valid answer names exactly one of the protocols we offered. */
  readonly alpn?: readonly string[];
  readonly extendedMasterSecret?: true;
  readonly renegotiationInfo?: Uint8Array;
  readonly recordSizeLimit?: number;
  /** The server will send a NewSessionTicket (RFC 5077 §3.2: an empty body). */
  readonly sessionTicket?: true;
  readonly unknown: readonly Extension[];
}

/** One extension's codec: its type code and how its body maps to the typed field. */
interface FieldCodec<V> {
  readonly type: number;
  /** The typed value, or undefined when the body carries nothing this side keeps. */
  decode(data: Uint8Array): V | undefined;
  encode(value: V): Uint8Array;
}

type Fields<T> = Omit<T, 'unknown'>;
type Table<T> = { readonly [K in keyof Fields<T>]-?: FieldCodec<NonNullable<Fields<T>[K]>> };

const empty = (name: ExtensionTypeName): FieldCodec<true> => ({
  type: ExtensionType[name],
  decode: (data) => {
    decodeEmptyExtension(data, name);
    return true;
  },
  encode: () => EMPTY_EXTENSION_DATA,
});

const ecPointFormats: FieldCodec<readonly number[]> = {
  type: ExtensionType.ec_point_formats,
  decode: decodeEcPointFormats,
  encode: encodeEcPointFormats,
};
const alpn: FieldCodec<readonly string[]> = {
  type: ExtensionType.application_layer_protocol_negotiation,
  decode: decodeAlpn,
  encode: encodeAlpn,
};
const renegotiationInfo: FieldCodec<Uint8Array> = {
  type: ExtensionType.renegotiation_info,
  decode: decodeRenegotiationInfo,
  encode: encodeRenegotiationInfo,
};
const recordSizeLimit: FieldCodec<number> = {
  type: ExtensionType.record_size_limit,
  decode: decodeRecordSizeLimit,
  encode: encodeRecordSizeLimit,
};

/** ClientHello extensions, in the order a memtls client sends them. */
const CLIENT_HELLO: Table<ClientHelloExtensions> = {
  serverName: { type: ExtensionType.server_name, decode: decodeServerName, encode: encodeServerName },
  supportedGroups: {
    type: ExtensionType.supported_groups,
    decode: decodeSupportedGroups,
    encode: encodeSupportedGroups,
  },
  ecPointFormats,
  signatureAlgorithms: {
    type: ExtensionType.signature_algorithms,
    decode: decodeSignatureAlgorithms,
    encode: encodeSignatureAlgorithms,
  },
  alpn,
  sessionTicket: {
    type: ExtensionType.session_ticket,
    decode: (data) => data.slice(),
    encode: (ticket) => ticket,
  },
  extendedMasterSecret: empty('extended_master_secret'),
  recordSizeLimit,
  renegotiationInfo,
};

/** ServerHello extensions, in the order a memtls server sends them. */
const SERVER_HELLO: Table<ServerHelloExtensions> = {
  renegotiationInfo,
  extendedMasterSecret: empty('extended_master_secret'),
  ecPointFormats,
  serverName: empty('server_name'),
  alpn,
  recordSizeLimit,
  sessionTicket: empty('session_ticket'),
};

function decodeWith<T>(table: Table<T>, list: readonly Extension[]): T {
  const byType = new Map<number, string>(
    Object.entries(table).map(([k, c]) => [(c as FieldCodec<unknown>).type, k]),
  );
  const out: Record<string, unknown> = {};
  const unknown: Extension[] = [];
  for (const e of list) {
    const key = byType.get(e.type);
    if (key === undefined) {
      unknown.push(e);
      continue;
    }
    const value = (table[key as keyof Table<T>] as FieldCodec<unknown>).decode(e.data);
    if (value !== undefined) out[key] = value;
  }
  out.unknown = unknown;
  return out as T;
}

function encodeWith<T>(table: Table<T>, ext: T): Extension[] {
  const list: Extension[] = [];
  for (const [key, codec] of Object.entries(table) as [string, FieldCodec<unknown>][]) {
    const value = (ext as Record<string, unknown>)[key];
    if (value !== undefined) list.push({ type: codec.type, data: codec.encode(value) });
  }
  return [...list, ...(ext as { unknown: readonly Extension[] }).unknown];
}

/** Decode every known ClientHello extension body (a malformed one is a decode_error or illegal_parameter). */
export function decodeClientHelloExtensions(list: readonly Extension[]): ClientHelloExtensions {
  return decodeWith(CLIENT_HELLO, list);
}

/** The extension list for a ClientHello: known fields in table order, then `unknown` as given. */
export function encodeClientHelloExtensions(ext: ClientHelloExtensions): Extension[] {
  return encodeWith(CLIENT_HELLO, ext);
}

export function decodeServerHelloExtensions(list: readonly Extension[]): ServerHelloExtensions {
  return decodeWith(SERVER_HELLO, list);
}

export function encodeServerHelloExtensions(ext: ServerHelloExtensions): Extension[] {
  return encodeWith(SERVER_HELLO, ext);
}

/** Whether a ServerHello may carry extensions of this type (when the ClientHello offered it). */
export function isServerHelloExtension(type: number): boolean {
  return SERVER_HELLO_TYPES.has(type);
}

const SERVER_HELLO_TYPES = new Set<number>(
  Object.values(SERVER_HELLO).map((c) => (c as FieldCodec<unknown>).type),
);
