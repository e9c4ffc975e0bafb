// The closed set of error codes of each TlsError kind and, per kind, the table from code to the
// fatal alert sent for it (RFC 5246 §7.2.2, RFC 7301 §3.2). errors.ts builds errors from these.

import type { AlertDescriptionName, TlsErrorKind } from './errors.js';

// One closed set of codes per kind, and one table per kind from code to the alert we send
// (RFC 5246 §7.2.2). The tables are typed Record<Code, …>, so a code without an entry does not
// compile; throw sites name the code, never the alert.

/** Codes of kind 'decode': the peer's bytes do not parse. */
export type DecodeCode =
  | 'decode_error'
  | 'bad_alert'
  | 'bad_server_name'
  | 'duplicate_extension'
  | 'duplicate_server_name'
  | 'truncated_record_header';

/** The alert sent for each 'decode' code (the peer's bytes do not parse). */
export const DECODE_ALERTS: Readonly<Record<DecodeCode, AlertDescriptionName>> = {
  decode_error: 'decode_error',
  bad_alert: 'decode_error',
  bad_server_name: 'decode_error',
  duplicate_extension: 'decode_error',
  duplicate_server_name: 'decode_error',
  truncated_record_header: 'decode_error',
};

/** Codes of kind 'peer': the peer's messages parse but break the protocol. */
export type PeerCode =
  | 'bad_alpn'
  | 'bad_certificate_verify'
  | 'bad_change_cipher_spec'
  | 'bad_ecdhe_share'
  | 'bad_finished'
  | 'bad_key_exchange_signature'
  | 'bad_record_mac'
  | 'bad_record_size_limit'
  | 'bad_record_version'
  | 'bad_renegotiation_info'
  | 'certificate_suite_mismatch'
  | 'compression'
  | 'early_application_data'
  | 'ec_point_formats'
  | 'empty_record'
  | 'interleaved_record'
  | 'resumption_ems_mismatch'
  | 'resumption_suite_mismatch'
  | 'unexpected_application_data'
  | 'unexpected_change_cipher_spec'
  | 'unexpected_message'
  | 'unknown_content_type'
  | 'unknown_handshake_type'
  | 'unoffered_cipher_suite'
  | 'unoffered_group'
  | 'unoffered_signature_scheme'
  | 'unsolicited_extension'
  | 'unsupported_curve_type'
  | 'unsupported_version';

/** The alert sent for each 'peer' code (the bytes parse but break the protocol). */
export const PEER_ALERTS: Readonly<Record<PeerCode, AlertDescriptionName>> = {
  bad_alpn: 'illegal_parameter',
  bad_certificate_verify: 'decrypt_error',
  bad_change_cipher_spec: 'unexpected_message',
  bad_ecdhe_share: 'illegal_parameter',
  bad_finished: 'decrypt_error',
  bad_key_exchange_signature: 'decrypt_error',
  bad_record_mac: 'bad_record_mac',
  bad_record_size_limit: 'illegal_parameter',
  bad_record_version: 'protocol_version',
  bad_renegotiation_info: 'handshake_failure',
  certificate_suite_mismatch: 'illegal_parameter',
  compression: 'illegal_parameter',
  early_application_data: 'unexpected_message',
  ec_point_formats: 'illegal_parameter',
  empty_record: 'unexpected_message',
  interleaved_record: 'unexpected_message',
  /** RFC 7627 §5.3: the client MUST abort the handshake (Go, OpenSSL: handshake_failure). */
  resumption_ems_mismatch: 'handshake_failure',
  /** RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite (Go: illegal_parameter). */
  resumption_suite_mismatch: 'illegal_parameter',
  unexpected_application_data: 'unexpected_message',
  unexpected_change_cipher_spec: 'unexpected_message',
  unexpected_message: 'unexpected_message',
  unknown_content_type: 'unexpected_message',
  unknown_handshake_type: 'unexpected_message',
  unoffered_cipher_suite: 'illegal_parameter',
  unoffered_group: 'illegal_parameter',
  unoffered_signature_scheme: 'illegal_parameter',
  unsolicited_extension: 'unsupported_extension',
  unsupported_curve_type: 'illegal_parameter',
  unsupported_version: 'protocol_version',
};

/** Codes of kind 'incompatible': no common suite, group, scheme, protocol or version. */
export type IncompatibleCode =
  | 'certificate_curve_not_supported'
  | 'extended_master_secret_required'
  | 'no_application_protocol'
  | 'no_common_cipher_suite'
  | 'no_common_group'
  | 'no_common_signature_scheme'
  | 'unrecognized_name'
  | 'unsupported_version';

/** The alert sent for each 'incompatible' code (no shared suite, group, scheme, ALPN, version). */
export const INCOMPATIBLE_ALERTS: Readonly<Record<IncompatibleCode, AlertDescriptionName>> = {
  certificate_curve_not_supported: 'handshake_failure',
  extended_master_secret_required: 'handshake_failure',
  no_application_protocol: 'no_application_protocol',
  no_common_cipher_suite: 'handshake_failure',
  no_common_group: 'handshake_failure',
  no_common_signature_scheme: 'handshake_failure',
  unrecognized_name: 'unrecognized_name',
  unsupported_version: 'protocol_version',
};

/** Codes of kind 'certificate': the peer's chain or identity is refused. */
export type CertificateCode =
  | 'ambiguous_common_name'
  | 'bad_basic_constraints'
  | 'bad_dns_name'
  | 'bad_extended_key_usage'
  | 'bad_extension'
  | 'bad_key_usage'
  | 'bad_name_constraints'
  | 'bad_serial_number'
  | 'bad_signature'
  | 'ca_as_end_entity'
  | 'certificate_required'
  | 'crl_bad_signature'
  | 'crl_expired'
  | 'crl_invalid'
  | 'crl_not_yet_valid'
  | 'decode_error'
  | 'empty_ca_subject'
  | 'empty_chain'
  | 'expired'
  | 'hostname_mismatch'
  | 'name_constraints'
  | 'not_a_ca'
  | 'not_yet_valid'
  | 'path_too_long'
  | 'rejected_by_application'
  | 'revoked'
  | 'rsa_pss_key_mismatch'
  | 'unknown_ca'
  | 'unsupported_algorithm'
  | 'unsupported_critical_extension'
  | 'weak_key'
  | 'weak_signature';

/** The alert sent for each 'certificate' code (the peer's chain or identity is refused). */
export const CERTIFICATE_ALERTS: Readonly<Record<CertificateCode, AlertDescriptionName>> = {
  ambiguous_common_name: 'bad_certificate',
  bad_basic_constraints: 'bad_certificate',
  bad_dns_name: 'bad_certificate',
  bad_extended_key_usage: 'unsupported_certificate',
  bad_extension: 'bad_certificate',
  bad_key_usage: 'unsupported_certificate',
  bad_name_constraints: 'bad_certificate',
  bad_serial_number: 'bad_certificate',
  bad_signature: 'bad_certificate',
  ca_as_end_entity: 'bad_certificate',
  certificate_required: 'handshake_failure',
  // The CRL alerts are OpenSSL's (ssl_x509err2alert): a stale CRL says certificate_expired.
  crl_bad_signature: 'decrypt_error',
  crl_expired: 'certificate_expired',
  crl_invalid: 'bad_certificate',
  crl_not_yet_valid: 'bad_certificate',
  decode_error: 'bad_certificate',
  empty_ca_subject: 'bad_certificate',
  empty_chain: 'bad_certificate',
  expired: 'certificate_expired',
  hostname_mismatch: 'bad_certificate',
  name_constraints: 'bad_certificate',
  not_a_ca: 'bad_certificate',
  not_yet_valid: 'certificate_expired',
  path_too_long: 'bad_certificate',
  rejected_by_application: 'access_denied',
  revoked: 'certificate_revoked',
  rsa_pss_key_mismatch: 'bad_certificate',
  unknown_ca: 'unknown_ca',
  unsupported_algorithm: 'unsupported_certificate',
  unsupported_critical_extension: 'unsupported_certificate',
  weak_key: 'bad_certificate',
  weak_signature: 'bad_certificate',
};

/** Codes of kind 'limit': a documented bound was hit. */
export type LimitCode =
  | 'input_while_signing'
  | 'chain_too_large'
  | 'chain_too_long'
  | 'handshake_message_too_large'
  | 'handshake_timeout'
  | 'idle_timeout'
  | 'message_too_large'
  | 'name_constraint_limit'
  | 'outgoing_buffer_full'
  | 'path_candidate_limit'
  | 'pending_writes_full'
  | 'record_overflow'
  | 'sequence_number_overflow'
  | 'signature_check_limit'
  | 'too_many_empty_records'
  | 'too_many_hello_extensions'
  | 'too_many_renegotiation_requests'
  | 'too_many_sessions'
  | 'too_many_warning_alerts';

/**
 * null: nothing is sent. That is the case for bounds on what our own application buffers (write()
 * refused, no fault of the peer), for deadlines (a timeout is not an alert) and for the adapters'
 * message framing, which ends the session with close_notify. A peer's chain over a bound is
 * refused with bad_certificate, as rustls does for webpki's budget errors and Go for any
 * verification failure. TLS has no "busy" alert: a session refused over maxSessions gets
 * internal_error.
 */
export const LIMIT_ALERTS: Readonly<Record<LimitCode, AlertDescriptionName | null>> = {
  input_while_signing: 'unexpected_message',
  chain_too_large: 'bad_certificate',
  chain_too_long: 'bad_certificate',
  handshake_message_too_large: 'illegal_parameter',
  handshake_timeout: null,
  idle_timeout: null,
  message_too_large: null,
  name_constraint_limit: 'bad_certificate',
  outgoing_buffer_full: null,
  path_candidate_limit: 'bad_certificate',
  pending_writes_full: null,
  record_overflow: 'record_overflow',
  sequence_number_overflow: 'internal_error',
  signature_check_limit: 'bad_certificate',
  too_many_empty_records: 'unexpected_message',
  too_many_hello_extensions: 'illegal_parameter',
  too_many_renegotiation_requests: 'unexpected_message',
  too_many_sessions: 'internal_error',
  too_many_warning_alerts: 'unexpected_message',
};

/** Codes of kind 'local': misuse of the API, bad configuration, or a CLI failure. */
export type LocalCode =
  | 'aead_disposed'
  | 'bad_argument'
  | 'bad_config'
  | 'bad_content_type'
  | 'bad_fragment_size'
  | 'bad_input'
  | 'bad_iv_length'
  | 'bad_key'
  | 'bad_key_length'
  | 'bad_nonce'
  | 'bad_passphrase'
  | 'bad_random'
  | 'bad_record_size_limit'
  | 'bad_sequence_number'
  | 'bad_signer_signature'
  | 'bad_version'
  | 'bench_build_failed'
  | 'closed'
  | 'disposed'
  | 'empty_record'
  | 'failed'
  | 'file_exists'
  | 'file_not_found'
  | 'file_unreadable'
  | 'file_unwritable'
  | 'key_mismatch'
  | 'key_share_disposed'
  | 'missing_dependency'
  | 'no_checkout'
  | 'no_pending_signature'
  | 'no_pending_keys'
  | 'not_protected'
  | 'not_ready'
  | 'record_too_large'
  | 'rsa_fault'
  | 'signer_failed'
  | 'socket_closed'
  | 'unsupported'
  | 'unsupported_key'
  | 'weak_key'
  | 'write_after_close';

/** Local errors are thrown to the caller: no alert, the peer did nothing wrong. */
export const LOCAL_ALERTS: Readonly<Record<LocalCode, null>> = {
  aead_disposed: null,
  bad_argument: null,
  bad_config: null,
  bad_content_type: null,
  bad_fragment_size: null,
  bad_input: null,
  bad_iv_length: null,
  bad_key: null,
  bad_key_length: null,
  bad_nonce: null,
  bad_passphrase: null,
  bad_random: null,
  bad_record_size_limit: null,
  bad_sequence_number: null,
  bad_signer_signature: null,
  bad_version: null,
  bench_build_failed: null,
  closed: null,
  disposed: null,
  empty_record: null,
  failed: null,
  file_exists: null,
  file_not_found: null,
  file_unreadable: null,
  file_unwritable: null,
  key_mismatch: null,
  key_share_disposed: null,
  missing_dependency: null,
  no_checkout: null,
  no_pending_signature: null,
  no_pending_keys: null,
  not_protected: null,
  not_ready: null,
  record_too_large: null,
  rsa_fault: null,
  signer_failed: null,
  socket_closed: null,
  unsupported: null,
  unsupported_key: null,
  weak_key: null,
  write_after_close: null,
};

/** Codes of kind 'transport': the transport ended or broke; there is nothing to send an alert on. */
export type TransportCode = 'connection_closed' | 'text_message' | 'unexpected_eof' | 'truncated_message';

/** 'transport' codes send no alert: the transport is gone (null for each). */
export const TRANSPORT_ALERTS: Readonly<Record<TransportCode, null>> = {
  connection_closed: null,
  text_message: null,
  unexpected_eof: null,
  truncated_message: null,
};

/**
 * Codes of kind 'internal': a bug in memtls (an unexpected throw inside the engine), or
 * verify_peer_failed: the application's verifyPeer callback threw (its error is the cause).
 */
export type InternalCode = 'internal_error' | 'verify_peer_failed';

/** The alert sent for each 'internal' code (a bug of ours): internal_error. */
export const INTERNAL_ALERTS: Readonly<Record<InternalCode, AlertDescriptionName>> = {
  internal_error: 'internal_error',
  verify_peer_failed: 'internal_error',
};

/** Codes of kind 'alertReceived': the name of the alert the peer sent (alertName). */
export type AlertReceivedCode = AlertDescriptionName | `unknown_alert_${number}`;

/** The code set of each kind. */
export interface TlsErrorCodes {
  decode: DecodeCode;
  peer: PeerCode;
  incompatible: IncompatibleCode;
  certificate: CertificateCode;
  limit: LimitCode;
  alertReceived: AlertReceivedCode;
  local: LocalCode;
  transport: TransportCode;
  internal: InternalCode;
}

/** Any code of any kind. */
export type TlsErrorCode = TlsErrorCodes[TlsErrorKind];
