// Error model (RFC 5246 §7.2): every code of every kind maps to the alert sent, our bugs are kind
// 'internal', alerts received and sent are separate fields, transport events and timeouts send none.

import { beforeAll, describe, expect, it } from 'vitest';
import { handshakeTimeoutError, tooManySessionsError } from '../src/adapters/limits.js';
import type { ClientConfig, ServerConfig } from '../src/config.js';
import { TlsClient, TlsServer } from '../src/endpoints.js';
import {
  AlertDescription,
  type AlertDescriptionName,
  alertFor,
  alertReceivedError,
  asTlsError,
  CERTIFICATE_ALERTS,
  certificateError,
  DECODE_ALERTS,
  decodeError,
  INCOMPATIBLE_ALERTS,
  INTERNAL_ALERTS,
  incompatibleError,
  isTlsError,
  LIMIT_ALERTS,
  LOCAL_ALERTS,
  limitError,
  localError,
  PEER_ALERTS,
  type PeerCode,
  peerError,
  TlsError,
  type TlsErrorKind,
  TRANSPORT_ALERTS,
  transportError,
} from '../src/errors.js';
import { errorOf, runPair } from './helpers/pair.js';
import { testPki } from './helpers/pki.js';

type Table = Readonly<Record<string, AlertDescriptionName | null>>;

/** Each kind with its table and the helper throw sites use (alertReceived has no table: it sends nothing). */
const KINDS: readonly [TlsErrorKind, Table, (code: string) => TlsError][] = [
  ['decode', DECODE_ALERTS, (code) => decodeError('m', code as keyof typeof DECODE_ALERTS)],
  ['peer', PEER_ALERTS, (code) => peerError(code as PeerCode, 'm')],
  [
    'incompatible',
    INCOMPATIBLE_ALERTS,
    (code) => incompatibleError(code as keyof typeof INCOMPATIBLE_ALERTS, 'm'),
  ],
  [
    'certificate',
    CERTIFICATE_ALERTS,
    (code) => certificateError(code as keyof typeof CERTIFICATE_ALERTS, 'm'),
  ],
  ['limit', LIMIT_ALERTS, (code) => limitError(code as keyof typeof LIMIT_ALERTS, 'm')],
  ['local', LOCAL_ALERTS, (code) => localError(code as keyof typeof LOCAL_ALERTS, 'm')],
  ['transport', TRANSPORT_ALERTS, (code) => transportError(code as keyof typeof TRANSPORT_ALERTS, 'm')],
  [
    'internal',
    INTERNAL_ALERTS,
    (code) => new TlsError('m', { kind: 'internal', code: code as 'internal_error' }),
  ],
];

describe('code → alert tables', () => {
  it.each(KINDS)(
    'kind %s: every code builds an error whose alertSent is its table entry',
    (kind, table, make) => {
      expect(Object.keys(table).length).toBeGreaterThan(0);
      for (const [code, alert] of Object.entries(table)) {
        const error = make(code);
        expect({ kind: error.kind, code: error.code }).toEqual({ kind, code });
        expect(error.alertSent, `${kind}/${code}`).toBe(alert ?? undefined);
        expect(error.alertReceived).toBeUndefined();
        expect(alertFor(kind, code as never)).toBe(alert ?? undefined);
        if (alert !== null)
          expect(Object.hasOwn(AlertDescription, alert), `${kind}/${code} → ${alert}`).toBe(true);
      }
    },
  );

  it('local and transport errors never send an alert', () => {
    expect(Object.values(LOCAL_ALERTS).every((a) => a === null)).toBe(true);
    expect(Object.values(TRANSPORT_ALERTS).every((a) => a === null)).toBe(true);
    expect(transportError('unexpected_eof', 'm').alertSent).toBeUndefined();
    expect(transportError('connection_closed', 'm').alertSent).toBeUndefined();
  });

  it('decode errors send decode_error; internal errors send internal_error', () => {
    expect(new Set(Object.values(DECODE_ALERTS))).toEqual(new Set(['decode_error']));
    expect(INTERNAL_ALERTS).toEqual({
      internal_error: 'internal_error',
      verify_peer_failed: 'internal_error',
    });
  });

  it('the alerts the RFCs name for a failure', () => {
    const named: [TlsError, AlertDescriptionName][] = [
      [peerError('bad_record_mac', 'm'), 'bad_record_mac'], // RFC 5246 §6.2.3.3
      [limitError('record_overflow', 'm'), 'record_overflow'], // RFC 5246 §6.2.1
      [peerError('bad_finished', 'm'), 'decrypt_error'], // RFC 5246 §7.4.9
      [peerError('bad_certificate_verify', 'm'), 'decrypt_error'], // RFC 5246 §7.2.2
      [peerError('unexpected_change_cipher_spec', 'm'), 'unexpected_message'],
      [peerError('unsolicited_extension', 'm'), 'unsupported_extension'], // RFC 5246 §7.4.1.4
      [peerError('unsupported_version', 'm'), 'protocol_version'],
      [incompatibleError('no_application_protocol', 'm'), 'no_application_protocol'], // RFC 7301 §3.2
      [incompatibleError('no_common_cipher_suite', 'm'), 'handshake_failure'],
      [certificateError('unknown_ca', 'm'), 'unknown_ca'],
      [certificateError('expired', 'm'), 'certificate_expired'],
      [certificateError('bad_key_usage', 'm'), 'unsupported_certificate'],
      [certificateError('hostname_mismatch', 'm'), 'bad_certificate'],
      [limitError('chain_too_long', 'm'), 'bad_certificate'],
    ];
    for (const [error, alert] of named) expect(error.alertSent, error.code).toBe(alert);
  });

  it('timeouts and bounds on our own buffers are not dressed as alerts', () => {
    expect(handshakeTimeoutError(1000)).toMatchObject({ kind: 'limit', code: 'handshake_timeout' });
    expect(handshakeTimeoutError(1000).alertSent).toBeUndefined();
    expect(limitError('idle_timeout', 'm').alertSent).toBeUndefined();
    expect(limitError('message_too_large', 'm').alertSent).toBeUndefined();
    expect(limitError('pending_writes_full', 'm').alertSent).toBeUndefined();
    // A session refused over maxSessions does get a plaintext alert (TLS has no "busy" one).
    expect(tooManySessionsError(1).alertSent).toBe('internal_error');
  });

  it('a table missing a code, or a throw site naming an alert instead of a code, does not compile', () => {
    const { bad_finished: _dropped, ...withoutBadFinished } = PEER_ALERTS;
    // @ts-expect-error: bad_finished has no entry, and Record<PeerCode, …> requires every code
    const incomplete: Record<PeerCode, AlertDescriptionName> = withoutBadFinished;
    expect(Object.hasOwn(incomplete, 'bad_finished')).toBe(false);
    // @ts-expect-error: the old form (alert, code, message) is gone; throw sites name only the code
    expect(() => peerError('illegal_parameter', 'bad_alpn', 'm')).not.toThrow();
    // @ts-expect-error: a code outside the closed set of its kind
    expect(certificateError('bad_finished', 'm').alertSent).toBeUndefined();
  });
});

describe('internal errors', () => {
  it('asTlsError makes anything that is not a TlsError kind internal, alertSent internal_error', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'length')");
    const error = asTlsError(bug);
    expect(error).toBeInstanceOf(TlsError);
    expect({ kind: error.kind, code: error.code, alertSent: error.alertSent }).toEqual({
      kind: 'internal',
      code: 'internal_error',
      alertSent: 'internal_error',
    });
    expect(error.alertReceived).toBeUndefined();
    expect(error.cause).toBe(bug);
    expect(error.message).toContain("reading 'length'");
    expect(asTlsError('a string').kind).toBe('internal');
  });

  it('asTlsError passes a TlsError through unchanged', () => {
    const error = peerError('bad_finished', 'm');
    expect(asTlsError(error)).toBe(error);
  });

  describe('in a connection', () => {
    let base: { client: ClientConfig; server: ServerConfig };
    beforeAll(() => {
      const pki = testPki();
      const s = pki.leaf('p256', 'server');
      const c = pki.leaf('p256', 'client');
      base = {
        server: { ca: pki.ca, cert: s.cert, key: s.key },
        client: { ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key },
      };
    }, 120_000);

    it('a plain Error thrown inside the engine fails it as internal and the peer receives internal_error', () => {
      const client = new TlsClient({
        ...base.client,
        keyLog: () => {
          throw new Error('keyLog callback broke');
        },
      });
      const log = runPair(client, new TlsServer(base.server));
      const mine = errorOf(log.client);
      expect(mine).toMatchObject({ kind: 'internal', code: 'internal_error', alertSent: 'internal_error' });
      expect(mine?.message).toContain('keyLog callback broke');
      const theirs = errorOf(log.server);
      expect(theirs).toMatchObject({
        kind: 'alertReceived',
        code: 'internal_error',
        alertReceived: 'internal_error',
        alertSent: undefined,
      });
    });
  });
});

describe('isTlsError', () => {
  it('tells the kind and narrows the code to its closed set', () => {
    const error: unknown = certificateError('expired', 'm');
    expect(isTlsError(error, 'peer')).toBe(false);
    expect(isTlsError(new Error('m'), 'certificate')).toBe(false);
    if (!isTlsError(error, 'certificate')) throw new Error('expected a certificate error');
    const alert: AlertDescriptionName = CERTIFICATE_ALERTS[error.code]; // compiles: code is a CertificateCode
    expect(alert).toBe('certificate_expired');
  });
});

describe('alerts received', () => {
  it('carry the alert in alertReceived and send nothing back', () => {
    const error = alertReceivedError(AlertDescription.handshake_failure);
    expect(error).toMatchObject({
      kind: 'alertReceived',
      code: 'handshake_failure',
      alertReceived: 'handshake_failure',
      alertSent: undefined,
    });
    expect(error.message).toContain('no common parameters');
  });

  it('an unregistered description is named unknown_alert_<n>', () => {
    const error = alertReceivedError(200, 'warning');
    expect({ code: error.code, alertReceived: error.alertReceived, alertSent: error.alertSent }).toEqual({
      code: 'unknown_alert_200',
      alertReceived: 'unknown_alert_200',
      alertSent: undefined,
    });
  });

  it('an error we send has no alertReceived', () => {
    const error = certificateError('unknown_ca', 'm');
    expect({ sent: error.alertSent, received: error.alertReceived }).toEqual({
      sent: 'unknown_ca',
      received: undefined,
    });
  });
});
