// TlsError, the alert registry and the one function that maps failures to alerts (RFC 5246 §7.2).

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
export type AlertDescriptionName = keyof typeof AlertDescription;

const alertNames = new Map<number, AlertDescriptionName>(
  Object.entries(AlertDescription).map(([k, v]) => [v, k as AlertDescriptionName]),
);

/** Name of an alert code, or `unknown_alert_<n>` for values outside the registry. */
export function alertName(code: number): string {
  return alertNames.get(code) ?? `unknown_alert_${code}`;
}

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
 * - alertReceived: the peer sent a fatal alert
 * - local: misuse of the API or bad configuration (never sends an alert)
 * - limit: a resource bound was hit (sizes, counts, sequence numbers)
 * - transport: the transport ended or failed under the connection (never sends an alert)
 */
export type TlsErrorKind =
  | 'decode'
  | 'peer'
  | 'incompatible'
  | 'certificate'
  | 'alertReceived'
  | 'local'
  | 'limit'
  | 'transport';

export interface TlsErrorOptions {
  kind: TlsErrorKind;
  /** Stable machine-readable code, e.g. `hostname_mismatch`, `bad_record_mac`. */
  code: string;
  /** Alert sent (or, for alertReceived, received). Undefined for local errors. */
  alert?: AlertDescriptionName | string;
  fromPeer?: boolean;
  cause?: unknown;
}

export class TlsError extends Error {
  readonly kind: TlsErrorKind;
  readonly code: string;
  readonly alert: AlertDescriptionName | string | undefined;
  readonly fromPeer: boolean;

  constructor(message: string, options: TlsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TlsError';
    this.kind = options.kind;
    this.code = options.code;
    this.alert =
      options.alert ?? (options.kind === 'local' ? undefined : alertFor(options.kind, options.code));
    this.fromPeer = options.fromPeer ?? options.kind === 'alertReceived';
  }
}

/** The peer's bytes do not parse. */
export function decodeError(message: string, code = 'decode_error'): TlsError {
  return new TlsError(message, { kind: 'decode', code, alert: 'decode_error' });
}

/** The peer broke the protocol; `alert` is what we send back. */
export function peerError(alert: AlertDescriptionName, code: string, message: string): TlsError {
  return new TlsError(message, { kind: 'peer', code, alert });
}

/** No common ground (suite, group, scheme, ALPN, version). */
export function incompatibleError(alert: AlertDescriptionName, code: string, message: string): TlsError {
  return new TlsError(message, { kind: 'incompatible', code, alert });
}

/** The peer's certificate or identity is refused; the alert follows from the code. */
export function certificateError(code: string, message: string): TlsError {
  return new TlsError(message, { kind: 'certificate', code });
}

/** A resource bound was hit. */
export function limitError(alert: AlertDescriptionName, code: string, message: string): TlsError {
  return new TlsError(message, { kind: 'limit', code, alert });
}

/** Misuse of the API or bad configuration: thrown to the caller, no alert is sent. */
export function localError(code: string, message: string): TlsError {
  return new TlsError(message, { kind: 'local', code });
}

/** The transport ended or failed (e.g. `unexpected_eof`): no alert, there is nothing to send it on. */
export function transportError(code: string, message: string): TlsError {
  return new TlsError(message, { kind: 'transport', code });
}

/**
 * The peer sent us a fatal alert; `level` 'warning' when it came at warning level but is fatal by its
 * description (mayBeWarning).
 */
export function alertReceivedError(description: number, level: 'fatal' | 'warning' = 'fatal'): TlsError {
  const name = alertName(description);
  const how = level === 'fatal' ? 'a fatal alert' : 'an alert at warning level that is always fatal';
  return new TlsError(`the peer sent ${how}: ${name}${alertHint(name)}`, {
    kind: 'alertReceived',
    code: name,
    alert: name,
    fromPeer: true,
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

/** Certificate error codes → the alert sent for them (RFC 5246 §7.2.2). */
const CERTIFICATE_ALERTS: Record<string, AlertDescriptionName> = {
  unknown_ca: 'unknown_ca',
  expired: 'certificate_expired',
  not_yet_valid: 'certificate_expired',
  bad_signature: 'bad_certificate',
  hostname_mismatch: 'bad_certificate',
  not_a_ca: 'bad_certificate',
  path_too_long: 'bad_certificate',
  bad_key_usage: 'unsupported_certificate',
  bad_extended_key_usage: 'unsupported_certificate',
  name_constraints: 'bad_certificate',
  unsupported_critical_extension: 'unsupported_certificate',
  unsupported_algorithm: 'unsupported_certificate',
  weak_signature: 'bad_certificate',
  decode_error: 'bad_certificate',
  certificate_required: 'handshake_failure',
  empty_chain: 'bad_certificate',
  bad_serial_number: 'bad_certificate',
  weak_key: 'bad_certificate',
  rsa_pss_key_mismatch: 'bad_certificate',
  bad_basic_constraints: 'bad_certificate',
  empty_ca_subject: 'bad_certificate',
  bad_name_constraints: 'bad_certificate',
  bad_dns_name: 'bad_certificate',
  bad_extension: 'bad_certificate',
  ambiguous_common_name: 'bad_certificate',
};

/**
 * Limit error codes → the alert sent for them. null: a bound on what our own application buffers
 * (write() refused), which is no fault of the peer and sends nothing. Unlisted codes: internal_error.
 * A peer's chain over a bound is refused with bad_certificate, as rustls does for webpki's budget
 * errors and Go for any verification failure.
 */
const LIMIT_ALERTS: Record<string, AlertDescriptionName | null> = {
  record_overflow: 'record_overflow',
  handshake_message_too_large: 'illegal_parameter',
  too_many_hello_extensions: 'illegal_parameter',
  too_many_empty_records: 'unexpected_message',
  too_many_warning_alerts: 'unexpected_message',
  too_many_renegotiation_requests: 'unexpected_message',
  pending_writes_full: null,
  outgoing_buffer_full: null,
  chain_too_long: 'bad_certificate',
  chain_too_large: 'bad_certificate',
  signature_check_limit: 'bad_certificate',
  path_candidate_limit: 'bad_certificate',
  name_constraint_limit: 'bad_certificate',
};

/**
 * The one total function from a failure to the alert we send. Every failure path goes through
 * here; nothing else chooses alerts. Local, transport and received-alert errors send nothing (undefined).
 */
export function alertFor(kind: TlsErrorKind, code: string): AlertDescriptionName | undefined {
  switch (kind) {
    case 'local':
    case 'alertReceived':
    case 'transport':
      return undefined;
    case 'decode':
      return 'decode_error';
    case 'certificate':
      return CERTIFICATE_ALERTS[code] ?? 'bad_certificate';
    case 'limit': {
      if (!Object.hasOwn(LIMIT_ALERTS, code)) return 'internal_error';
      return LIMIT_ALERTS[code] ?? undefined;
    }
    case 'peer':
      return 'illegal_parameter';
    case 'incompatible':
      return 'handshake_failure';
  }
}

/** The alert to send for any thrown value: TlsErrors carry theirs; anything else is internal_error. */
export function alertForFailure(error: unknown): AlertDescriptionName | undefined {
  if (error instanceof TlsError) {
    if (error.kind === 'local' || error.kind === 'alertReceived') return undefined;
    const a = error.alert;
    return a !== undefined && a in AlertDescription
      ? (a as AlertDescriptionName)
      : alertFor(error.kind, error.code);
  }
  return 'internal_error';
}

/** Wrap anything thrown inside the engine as a TlsError (bugs become internal_error, never a crash). */
export function asTlsError(error: unknown): TlsError {
  if (error instanceof TlsError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new TlsError(`internal error: ${detail}`, {
    kind: 'peer',
    code: 'internal_error',
    alert: 'internal_error',
    cause: error,
  });
}
