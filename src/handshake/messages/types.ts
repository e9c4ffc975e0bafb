// Handshake message types and value shapes (RFC 5246 §7.4, RFC 8422 §5, RFC 6066, RFC 7301, RFC 7627,
// RFC 5746, RFC 8449, RFC 5077). Codecs for these live beside this file.

export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
} as const;
export type HandshakeTypeName = keyof typeof HandshakeType;

const HANDSHAKE_TYPE_NAMES = new Map<number, string>(
  Object.entries(HandshakeType).map(([name, code]) => [code, name]),
);

/** The registry name of a handshake type code ("server_key_exchange"), or "handshake type <n>". */
export function handshakeTypeName(type: number): string {
  return HANDSHAKE_TYPE_NAMES.get(type) ?? `handshake type ${type}`;
}

export const ExtensionType = {
  server_name: 0,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  application_layer_protocol_negotiation: 16,
  extended_master_secret: 23,
  record_size_limit: 28,
  session_ticket: 35,
  supported_versions: 43,
  renegotiation_info: 0xff01,
} as const;
export type ExtensionTypeName = keyof typeof ExtensionType;

/**
 * One extension: its type code and raw body. The typed views are decoded once per hello by
 * hello-extensions.ts (decodeClientHelloExtensions, decodeServerHelloExtensions), so unknown
 * extensions survive decode → encode unchanged and the message codecs stay simple.
 */
export interface Extension {
  readonly type: number;
  readonly data: Uint8Array;
}

export interface ClientHello {
  readonly version: number;
  /** 32 bytes. */
  readonly random: Uint8Array;
  /** 0..32 bytes. */
  readonly sessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly compressionMethods: readonly number[];
  /** Absent extensions block (old clients) decodes as an empty list. */
  readonly extensions: readonly Extension[];
}

export interface ServerHello {
  readonly version: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  readonly extensions: readonly Extension[];
}

/** Certificate (§7.4.2): DER certificates, leaf first. */
export interface CertificateMessage {
  readonly certificates: readonly Uint8Array[];
}

/** ServerKeyExchange for ECDHE (RFC 8422 §5.4): named_curve params + digitally-signed. */
export interface ServerKeyExchange {
  /** Always 3 (named_curve). */
  readonly curveType: number;
  readonly namedGroup: number;
  /** The server's ephemeral public value (1..255 bytes). */
  readonly publicKey: Uint8Array;
  /** SignatureAndHashAlgorithm as a scheme code (§7.4.1.4.1). */
  readonly signatureScheme: number;
  readonly signature: Uint8Array;
}

/** CertificateRequest (§7.4.4). */
export interface CertificateRequest {
  readonly certificateTypes: readonly number[];
  readonly signatureSchemes: readonly number[];
  /** DER-encoded DistinguishedNames. */
  readonly certificateAuthorities: readonly Uint8Array[];
}

/** ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's ephemeral public value. */
export interface ClientKeyExchange {
  readonly publicKey: Uint8Array;
}

/** CertificateVerify (§7.4.8). */
export interface CertificateVerify {
  readonly signatureScheme: number;
  readonly signature: Uint8Array;
}

/** Finished (§7.4.9): verify_data, 12 bytes for every suite we support. */
export interface Finished {
  readonly verifyData: Uint8Array;
}

/** NewSessionTicket (RFC 5077 §3.3): sent by a server before its ChangeCipherSpec. */
export interface NewSessionTicket {
  /** Seconds the ticket may be kept; 0 means unspecified. */
  readonly lifetimeHint: number;
  /** Opaque to the client; empty when the server changed its mind about issuing one. */
  readonly ticket: Uint8Array;
}

/** CompressionMethod values (RFC 5246 §7.4.1.2): only null exists in TLS 1.2 as we speak it. */
export const CompressionMethod = { null: 0 } as const;

/** ClientCertificateType values (§7.4.4, RFC 8422 §5.5). */
export const ClientCertificateType = { rsa_sign: 1, ecdsa_sign: 64 } as const;

/** A decoded handshake message with its type. `raw` is the exact bytes (header included) for the transcript. */
export type HandshakeMessage =
  | { readonly type: 0; readonly body: Record<string, never>; readonly raw: Uint8Array }
  | { readonly type: 1; readonly body: ClientHello; readonly raw: Uint8Array }
  | { readonly type: 2; readonly body: ServerHello; readonly raw: Uint8Array }
  | { readonly type: 4; readonly body: NewSessionTicket; readonly raw: Uint8Array }
  | { readonly type: 11; readonly body: CertificateMessage; readonly raw: Uint8Array }
  | { readonly type: 12; readonly body: ServerKeyExchange; readonly raw: Uint8Array }
  | { readonly type: 13; readonly body: CertificateRequest; readonly raw: Uint8Array }
  | { readonly type: 14; readonly body: Record<string, never>; readonly raw: Uint8Array }
  | { readonly type: 15; readonly body: CertificateVerify; readonly raw: Uint8Array }
  | { readonly type: 16; readonly body: ClientKeyExchange; readonly raw: Uint8Array }
  | { readonly type: 20; readonly body: Finished; readonly raw: Uint8Array };
