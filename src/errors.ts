// TlsError, the alert registry and the one function that maps failures to alerts (RFC 5246 §7.2);
// the codes of each kind and their alert tables are in error-codes.ts.

import {
  type AlertReceivedCode,
  CERTIFICATE_ALERTS,
  type CertificateCode,
  DECODE_ALERTS,
  type DecodeCode,
  INCOMPATIBLE_ALERTS,
  INTERNAL_ALERTS,
  type IncompatibleCode,
  LIMIT_ALERTS,
  type LimitCode,
  type LocalCode,
  PEER_ALERTS,
  type PeerCode,
  type TlsErrorCode,
  type TlsErrorCodes,
  type TransportCode,
} from './error-codes.js';

export * from './error-codes.js';

/** TLS alert descriptions by registry name (RFC 5246 §7.2, RFC 8446 §6.2): the byte each stands for. */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;
/** An alert's registry name, e.g. 'bad_certificate'. */
export type AlertDescriptionName = keyof typeof AlertDescription;

const alertNames = new Map<number, AlertDescriptionName>(
  Object.entries(AlertDescription).map(([k, v]) => [v, k as AlertDescriptionName]),
);

/** Name of an alert code, or `unknown_alert_<n>` for values outside the registry. */
export function alertName(code: number): string {
  return alertNames.get(code) ?? `unknown_alert_${code}`;
}

/** Alert levels (RFC 5246 §7.2): warning 1, fatal 2. */
export const AlertLevel = { warning: 1, fatal: 2 } as const;

/**
 * The alerts that may come at warning level. Every other description ends the connection whatever
 * its level says: those RFC 5246 §7.2.2 and RFC 6066 §9 call fatal (unexpected_message,
 * bad_record_mac, record_overflow, handshake_failure, illegal_parameter, decode_error,
 * internal_error, …) and any description we do not know (RFC 8446 §6).
 */
const WARNING_ALERTS: ReadonlySet<number> = new Set([
  AlertDescription.close_notify,
  AlertDescription.bad_certificate,
  AlertDescription.unsupported_certificate,
  AlertDescription.certificate_revoked,
  AlertDescription.certificate_expired,
  AlertDescription.certificate_unknown,
  AlertDescription.user_canceled,
  AlertDescription.no_renegotiation,
  111, // certificate_unobtainable (RFC 6066 §9: "MAY be fatal")
  AlertDescription.unrecognized_name,
]);

/** Whether a received alert of this description may be a warning (else it is fatal at any level). */
export function mayBeWarning(description: number): boolean {
  return WARNING_ALERTS.has(description);
}

/**
 * Whose fault and what class of failure:
 * - decode: the peer's bytes do not parse
 * - peer: the peer's bytes parse but break the protocol
 * - incompatible: both sides are fine, but they share no suite/group/scheme/protocol
 * - certificate: the peer's certificate chain or identity is refused
/**
 * Whose fault and what class of failure:
 * - decode: the peer's bytes do not parse
 * - peer: the peer's bytes parse but break the protocol
 * - incompatible: both sides are fine, but they share no suite/group/scheme/protocol
 * - certificate: the peer's certificate chain or identity is refused
 * - limit: a resource bound was hit (sizes, counts, sequence numbers, deadlines)
 * - alertReceived: the peer sent a fatal alert (nothing is sent back)
 * - local: misuse of the API or bad configuration (never sends an alert)
 * - transport: the transport ended or failed under the connection (never sends an alert)
 * - internal: a bug in memtls itself (sends internal_error)
 */
export type TlsErrorKind =
  | 'decode'
  | 'peer'
  | 'incompatible'
  | 'certificate'
  | 'limit'
  | 'alertReceived'
  | 'local'
  | 'transport'
  | 'internal';

/** A kind with one of its own codes: the pair a TlsError is built from. */
export type TlsErrorOptions = {
  [K in TlsErrorKind]: { kind: K; code: TlsErrorCodes[K]; cause?: unknown };
}[TlsErrorKind];

/**
 * The one function from a failure to the alert we send (undefined: none). Received alerts are
 * not answered (the connection is already over); every other kind reads its table.
 */
export function alertFor<K extends TlsErrorKind>(
  kind: K,
  code: TlsErrorCodes[K],
): AlertDescriptionName | undefined {
  const options = { kind, code } as TlsErrorOptions;
  switch (options.kind) {
    case 'decode':
      return DECODE_ALERTS[options.code];
    case 'peer':
      return PEER_ALERTS[options.code];
    case 'incompatible':
      return INCOMPATIBLE_ALERTS[options.code];
    case 'certificate':
      return CERTIFICATE_ALERTS[options.code];
    case 'limit':
      return LIMIT_ALERTS[options.code] ?? undefined;
    case 'internal':
      return INTERNAL_ALERTS[options.code];
    case 'local':
    case 'transport':
    case 'alertReceived':
      return undefined;
  }
}

/**
 * Every failure memtls reports: `kind` says whose fault it is, `code` what went wrong, `alertSent` /
 * `alertReceived` which alert went each way (docs/ARCHITECTURE.md "The error model").
 */
export class TlsError extends Error {
  readonly kind: TlsErrorKind;
  /** Stable machine-readable code naming what went wrong, e.g. `hostname_mismatch`. */
  readonly code: TlsErrorCode;
  /** The fatal alert we send for this failure; undefined when none is sent. */
  readonly alertSent: AlertDescriptionName | undefined;
  /** The alert the peer sent (kind 'alertReceived' only), e.g. `handshake_failure`. */
  readonly alertReceived: AlertReceivedCode | undefined;

  constructor(message: string, options: TlsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TlsError';
    this.kind = options.kind;
    this.code = options.code;
    this.alertSent = alertFor(options.kind, options.code);
    this.alertReceived = options.kind === 'alertReceived' ? options.code : undefined;
  }
}

/** A TlsError of kind K: its code is one of K's codes. */
export type TlsErrorOf<K extends TlsErrorKind> = TlsError & {
  readonly kind: K;
  readonly code: TlsErrorCodes[K];
};

/** Whether `error` is a TlsError of `kind`; narrows `code` to that kind's closed set. */
export function isTlsError<K extends TlsErrorKind>(error: unknown, kind: K): error is TlsErrorOf<K> {
  return error instanceof TlsError && error.kind === kind;
}

/** The peer's bytes do not parse (alert decode_error). */
export function decodeError(message: string, code: DecodeCode = 'decode_error'): TlsError {
  return new TlsError(message, { kind: 'decode', code });
}

/** The peer broke the protocol; the alert follows from the code (PEER_ALERTS). */
export function peerError(code: PeerCode, message: string): TlsError {
  return new TlsError(message, { kind: 'peer', code });
}

/** No common ground (suite, group, scheme, ALPN, version); the alert follows from the code. */
export function incompatibleError(code: IncompatibleCode, message: string): TlsError {
  return new TlsError(message, { kind: 'incompatible', code });
}

/** The peer's certificate or identity is refused; the alert follows from the code. */
export function certificateError(code: CertificateCode, message: string): TlsError {
  return new TlsError(message, { kind: 'certificate', code });
}

/** A resource bound was hit; the alert (or none) follows from the code (LIMIT_ALERTS). */
export function limitError(code: LimitCode, message: string): TlsError {
  return new TlsError(message, { kind: 'limit', code });
}

/** Misuse of the API or bad configuration: thrown to the caller, no alert is sent. */
export function localError(code: LocalCode, message: string): TlsError {
  return new TlsError(message, { kind: 'local', code });
}

/** The transport ended or failed (e.g. `unexpected_eof`): no alert, there is nothing to send it on. */
export function transportError(code: TransportCode, message: string): TlsError {
  return new TlsError(message, { kind: 'transport', code });
}

/**
 * The peer sent us a fatal alert; `level` 'warning' when it came at warning level but is fatal by its
 * description (mayBeWarning).
 */
export function alertReceivedError(description: number, level: 'fatal' | 'warning' = 'fatal'): TlsError {
  const name = alertName(description) as AlertReceivedCode;
  const how = level === 'fatal' ? 'a fatal alert' : 'an alert at warning level that is always fatal';
  return new TlsError(`the peer sent ${how}: ${name}${alertHint(name)}`, {
    kind: 'alertReceived',
    code: name,
  });
}

function alertHint(name: string): string {
  switch (name) {
    case 'unknown_ca':
      return ' (it does not trust the CA that issued our certificate)';
    case 'bad_certificate':
    case 'certificate_unknown':
      return ' (it refused our certificate)';
    case 'certificate_expired':
      return ' (it says our certificate has expired)';
    case 'certificate_revoked':
      return ' (our certificate is on its revocation list: ask the CA for a new one)';
    case 'access_denied':
      return ' (it verified our certificate but its own check refused us)';
    case 'certificate_required':
      return ' (it requires a client certificate; configure cert and key)';
    case 'handshake_failure':
      return ' (no common parameters, or a required client certificate was missing)';
    case 'protocol_version':
      return ' (it does not accept TLS 1.2)';
    case 'no_application_protocol':
      return ' (no ALPN protocol in common)';
    case 'decrypt_error':
      return ' (a signature or Finished check failed on its side)';
    default:
      return '';
  }
}

/** The alert to send for any thrown value: a TlsError's alertSent; anything else is internal_error. */
export function alertForFailure(error: unknown): AlertDescriptionName | undefined {
  return asTlsError(error).alertSent;
}

/** Wrap anything thrown inside the engine as a TlsError: a non-TlsError throw is our bug, kind 'internal'. */
export function asTlsError(error: unknown): TlsError {
  if (error instanceof TlsError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new TlsError(`internal error: ${detail}`, {
    kind: 'internal',
    code: 'internal_error',
    cause: error,
  });
}
