// The optional handshake trace (config `trace`): one event per handshake message, ChangeCipherSpec and
// alert sent or received, with the message's key fields decoded (RFC 5246 §7.1, §7.2, §7.4; RFC 6066 §3,
// RFC 5077 §3.3, RFC 7301, RFC 7627, RFC 8422 §5, RFC 8449). Built only when a hook is set; a hook that throws is ignored.

import { groupByCode } from './ciphers/groups.js';
import { describeScheme } from './ciphers/schemes.js';
import { describeSuite } from './ciphers/suites.js';
import { alertName } from './errors.js';
import { decodeHandshakeMessage } from './handshake/messages/handshake.js';
import {
  decodeClientHelloExtensions,
  decodeServerHelloExtensions,
} from './handshake/messages/hello-extensions.js';
import {
  type Extension,
  ExtensionType,
  HandshakeType,
  handshakeTypeName,
} from './handshake/messages/types.js';

/** Which way a traced message went, seen from this connection. */
export type TraceDirection = 'sent' | 'received';

/** The decoded key fields of one handshake message, by message (names as in RFC 5246 §7.4). */
export type HandshakeTraceSummary =
  | {
      readonly message: 'ClientHello';
      /** Offered suites in order, by IANA name (or hex code when unknown to memtls). */
      readonly cipherSuites: readonly string[];
      /** supported_groups, by name. */
      readonly groups: readonly string[];
      /** signature_algorithms, by IANA name. */
      readonly signatureSchemes: readonly string[];
      readonly serverName?: string;
      readonly alpn?: readonly string[];
      readonly extendedMasterSecret: boolean;
      readonly recordSizeLimit?: number;
      /** Every extension in the order sent, by name (or number when unknown). */
      readonly extensions: readonly string[];
    }
  | {
      readonly message: 'ServerHello';
      readonly cipherSuite: string;
      readonly extendedMasterSecret: boolean;
      readonly alpn?: string;
      readonly secureRenegotiation: boolean;
      readonly recordSizeLimit?: number;
      readonly extensions: readonly string[];
    }
  | {
      readonly message: 'Certificate';
      /** DER certificates as sent, leaf first (copies). */
      readonly certificates: readonly Uint8Array[];
    }
  | {
      readonly message: 'ServerKeyExchange';
      readonly group: string;
      readonly signatureScheme: string;
      readonly publicKeyLength: number;
    }
  | {
      readonly message: 'CertificateRequest';
      readonly certificateTypes: readonly string[];
      readonly signatureSchemes: readonly string[];
      /** How many distinguished names the server listed as acceptable CAs. */
      readonly certificateAuthorities: number;
    }
  | { readonly message: 'CertificateVerify'; readonly signatureScheme: string }
  | { readonly message: 'ClientKeyExchange'; readonly publicKeyLength: number }
  | { readonly message: 'Finished'; readonly verifyDataLength: number }
  /** RFC 5077 §3.3: the server's lifetime hint (seconds) and the ticket's size; its contents stay opaque. */
  | { readonly message: 'NewSessionTicket'; readonly lifetimeHint: number; readonly ticketLength: number }
  | { readonly message: 'ServerHelloDone' | 'HelloRequest' }
  /** A message whose body could not be summarised (it will fail the handshake). */
  | { readonly message: 'Other'; readonly type: number };

/**
 * One traced event: what the `trace` config hook receives, like `openssl s_client -msg`. Handshake
 * messages carry their total length (header included) and a decoded summary; alerts their level and
 * registry name.
 */
export type TraceEvent =
  | {
      readonly kind: 'handshake';
      readonly direction: TraceDirection;
      /** The registry name of the type, e.g. 'client_hello'. */
      readonly type: string;
      readonly length: number;
      readonly summary: HandshakeTraceSummary;
    }
  | { readonly kind: 'changeCipherSpec'; readonly direction: TraceDirection }
  | {
      readonly kind: 'alert';
      readonly direction: TraceDirection;
      readonly level: 'warning' | 'fatal' | `level ${number}`;
      readonly description: string;
    };

/** The hook's type: called synchronously, in order, from inside receive() and the sending calls. */
export type TraceHook = (event: TraceEvent) => void;

const EXTENSION_NAMES = new Map<number, string>(
  Object.entries(ExtensionType).map(([name, code]) => [code, name]),
);

function extensionNames(list: readonly Extension[]): string[] {
  return list.map((e) => EXTENSION_NAMES.get(e.type) ?? `extension ${e.type}`);
}

function groupName(code: number): string {
  return groupByCode(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;
}

const CERTIFICATE_TYPE_NAMES: Record<number, string> = { 1: 'rsa_sign', 2: 'dss_sign', 64: 'ecdsa_sign' };

function summarise(raw: Uint8Array): HandshakeTraceSummary {
  const m = decodeHandshakeMessage(raw);
  switch (m.type) {
    case HandshakeType.client_hello: {
      const ext = decodeClientHelloExtensions(m.body.extensions);
      return {
        message: 'ClientHello',
        cipherSuites: m.body.cipherSuites.map(describeSuite),
        groups: (ext.supportedGroups ?? []).map(groupName),
        signatureSchemes: (ext.signatureAlgorithms ?? []).map(describeScheme),
        ...(ext.serverName === undefined ? {} : { serverName: ext.serverName }),
        ...(ext.alpn === undefined ? {} : { alpn: [...ext.alpn] }),
        extendedMasterSecret: ext.extendedMasterSecret === true,
        ...(ext.recordSizeLimit === undefined ? {} : { recordSizeLimit: ext.recordSizeLimit }),
        extensions: extensionNames(m.body.extensions),
      };
    }
    case HandshakeType.server_hello: {
      const ext = decodeServerHelloExtensions(m.body.extensions);
      return {
        message: 'ServerHello',
        cipherSuite: describeSuite(m.body.cipherSuite),
        extendedMasterSecret: ext.extendedMasterSecret === true,
        ...(ext.alpn?.[0] === undefined ? {} : { alpn: ext.alpn[0] }),
        secureRenegotiation: ext.renegotiationInfo !== undefined,
        ...(ext.recordSizeLimit === undefined ? {} : { recordSizeLimit: ext.recordSizeLimit }),
        extensions: extensionNames(m.body.extensions),
      };
    }
    case HandshakeType.certificate:
      return { message: 'Certificate', certificates: m.body.certificates.map((c) => c.slice()) };
    case HandshakeType.server_key_exchange:
      return {
        message: 'ServerKeyExchange',
        group: groupName(m.body.namedGroup),
        signatureScheme: describeScheme(m.body.signatureScheme),
        publicKeyLength: m.body.publicKey.length,
      };
    case HandshakeType.certificate_request:
      return {
        message: 'CertificateRequest',
        certificateTypes: m.body.certificateTypes.map((t) => CERTIFICATE_TYPE_NAMES[t] ?? `type ${t}`),
        signatureSchemes: m.body.signatureSchemes.map(describeScheme),
        certificateAuthorities: m.body.certificateAuthorities.length,
      };
    case HandshakeType.certificate_verify:
      return { message: 'CertificateVerify', signatureScheme: describeScheme(m.body.signatureScheme) };
    case HandshakeType.client_key_exchange:
      return { message: 'ClientKeyExchange', publicKeyLength: m.body.publicKey.length };
    case HandshakeType.finished:
      return { message: 'Finished', verifyDataLength: m.body.verifyData.length };
    case HandshakeType.new_session_ticket:
      return {
        message: 'NewSessionTicket',
        lifetimeHint: m.body.lifetimeHint,
        ticketLength: m.body.ticket.length,
      };
    case HandshakeType.server_hello_done:
      return { message: 'ServerHelloDone' };
    case HandshakeType.hello_request:
      return { message: 'HelloRequest' };
    default:
      return { message: 'Other', type: raw[0] ?? -1 };
  }
}

/** Hand `event()` to `hook`; nothing is built without a hook, and nothing the hook throws escapes. */
function emit(hook: TraceHook | undefined, event: () => TraceEvent): void {
  if (hook === undefined) return;
  try {
    hook(event());
  } catch {
    // Tracing must never change the connection: a failing hook is the caller's bug, not the peer's.
  }
}

/** Trace one whole handshake message (header ‖ body) sent or received. */
export function traceHandshake(
  hook: TraceHook | undefined,
  direction: TraceDirection,
  raw: Uint8Array,
): void {
  emit(hook, () => {
    let summary: HandshakeTraceSummary;
    try {
      summary = summarise(raw);
    } catch {
      summary = { message: 'Other', type: raw[0] ?? -1 };
    }
    return {
      kind: 'handshake',
      direction,
      type: handshakeTypeName(raw[0] ?? -1),
      length: raw.length,
      summary,
    };
  });
}

/** Trace a ChangeCipherSpec sent or received. */
export function traceChangeCipherSpec(hook: TraceHook | undefined, direction: TraceDirection): void {
  emit(hook, () => ({ kind: 'changeCipherSpec', direction }));
}

/** Trace an alert (its two bytes: level, description) sent or received. */
export function traceAlert(
  hook: TraceHook | undefined,
  direction: TraceDirection,
  level: number,
  description: number,
): void {
  emit(hook, () => ({
    kind: 'alert',
    direction,
    level: level === 1 ? 'warning' : level === 2 ? 'fatal' : `level ${level}`,
    description: alertName(description),
  }));
}
