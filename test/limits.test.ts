// Limits on what the peer sends (README "Limits"): each one under and over its bound, its option, its
// validation, and a limit error that names the bound and the option.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Writer } from '../src/codec.js';
import type { ClientConfig, ServerConfig } from '../src/config.js';
import type { TlsConnection } from '../src/connection.js';
import { TlsClient, TlsServer } from '../src/endpoints.js';
import { TlsError } from '../src/errors.js';
import { decodeHandshakeMessage, encodeHandshake } from '../src/handshake/messages/handshake.js';
import { encodeClientHello } from '../src/handshake/messages/hello.js';
import { HandshakeType } from '../src/handshake/messages/types.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { encodeRecord } from '../src/record/header.js';
import type { RecordProtector } from '../src/record/protection.js';
import type { RecordLayer } from '../src/record/record-layer.js';
import { ContentType } from '../src/record/types.js';
import { errorOf, runPair } from './helpers/pair.js';
import { p256Configs, type TestPki, testPki } from './helpers/pki.js';

let pki: TestPki;
let base: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  pki = testPki();
  base = p256Configs(pki);
}, 120_000);

function pair(client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}) {
  const c = new TlsClient({ ...base.client, ...client });
  const s = new TlsServer({ ...base.server, ...server });
  return { c, s };
}

function open(client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}) {
  const p = pair(client, server);
  runPair(p.c, p.s);
  expect(p.c.state).toBe('open');
  expect(p.s.state).toBe('open');
  return p;
}

/** The engine's record layer, to send records an honest engine would not (empty, alerts). */
function recordsOf(conn: TlsConnection): RecordLayer {
  return (conn as unknown as { records: RecordLayer }).records;
}

/** A protected record of `type` holding `plaintext` (which may be empty), sealed with `from`'s keys. */
function sealed(from: TlsConnection, type: number, plaintext: Uint8Array): Uint8Array {
  const protector = (recordsOf(from) as unknown as { writeProtector: RecordProtector }).writeProtector;
  return encodeRecord(type, 0x0303, protector.seal(type, 0x0303, plaintext));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The client's ClientHello with `extra` unknown, empty extensions added, as plaintext records. */
function helloWithExtraExtensions(client: TlsClient, extra: number): Uint8Array {
  const flight = client.takeOutgoing();
  const hello = decodeHandshakeMessage(flight.subarray(5));
  if (hello.type !== HandshakeType.client_hello) throw new Error('expected a ClientHello');
  const extensions = [...hello.body.extensions];
  for (let i = 0; i < extra; i++) extensions.push({ type: 0x1000 + i, data: new Uint8Array(0) });
  const message = encodeHandshake(HandshakeType.client_hello, (w: Writer) =>
    encodeClientHello(w, { ...hello.body, extensions }),
  );
  const records: Uint8Array[] = [];
  for (let at = 0; at < message.length; at += 16384) {
    records.push(encodeRecord(ContentType.handshake, 0x0301, message.subarray(at, at + 16384)));
  }
  return concat(records);
}

function baseExtensionCount(): number {
  const { c } = pair();
  const hello = decodeHandshakeMessage(c.takeOutgoing().subarray(5));
  if (hello.type !== HandshakeType.client_hello) throw new Error('expected a ClientHello');
  return hello.body.extensions.length;
}

describe('maxHelloExtensions', () => {
  it('a ClientHello with exactly maxHelloExtensions extensions is answered; one more fails', () => {
    const n = baseExtensionCount();
    const max = n + 10;
    const under = pair({}, { maxHelloExtensions: max });
    const ok = under.s.receive(helloWithExtraExtensions(under.c, 10));
    expect(errorOf(ok)).toBeUndefined();
    expect(under.s.takeOutgoing()[0]).toBe(ContentType.handshake); // ServerHello flight

    const over = pair({}, { maxHelloExtensions: max });
    const error = errorOf(over.s.receive(helloWithExtraExtensions(over.c, 11)));
    expect(error).toMatchObject({
      kind: 'limit',
      code: 'too_many_hello_extensions',
      alertSent: 'illegal_parameter',
    });
    expect(error?.message).toContain(`ClientHello with ${max + 1} extensions exceeds the limit of ${max}`);
    expect(error?.message).toContain('maxHelloExtensions');
    const alert = over.s.takeOutgoing();
    expect([...alert]).toEqual([ContentType.alert, 3, 3, 0, 2, 2, 47]); // fatal illegal_parameter
  });

  it('by default accepts 1024 extensions, as OpenSSL, Go and rustls do (tlsfuzzer sends up to 16383)', () => {
    expect(DEFAULT_LIMITS.maxHelloExtensions).toBe(16383);
    const { c, s } = pair();
    const events = s.receive(helloWithExtraExtensions(c, 1024));
    expect(errorOf(events)).toBeUndefined();
    expect(s.state).toBe('handshaking');
  });
});

describe('maxEmptyRecords', () => {
  it('maxEmptyRecords empty records in a row are skipped; one more fails the connection', () => {
    const { c, s } = open({}, { maxEmptyRecords: 3 });
    const empty = () => sealed(c, ContentType.application_data, new Uint8Array(0));
    const data = () => sealed(c, ContentType.application_data, new Uint8Array([0x61]));
    const fine = s.receive(concat([empty(), empty(), empty(), data(), empty(), empty(), empty(), data()]));
    expect(fine.filter((e) => e.type === 'data')).toHaveLength(2);
    expect(errorOf(fine)).toBeUndefined();
    const error = errorOf(s.receive(concat([empty(), empty(), empty(), empty()])));
    expect(error).toMatchObject({
      kind: 'limit',
      code: 'too_many_empty_records',
      alertSent: 'unexpected_message',
    });
    expect(error?.message).toContain('more than 3 empty application data records in a row');
    expect(error?.message).toContain('maxEmptyRecords');
  });

  it('the default is 32 (as OpenSSL)', () => {
    const { c, s } = open();
    const empties = (n: number) =>
      concat(Array.from({ length: n }, () => sealed(c, ContentType.application_data, new Uint8Array(0))));
    expect(errorOf(s.receive(empties(32)))).toBeUndefined();
    expect(errorOf(s.receive(empties(1)))?.code).toBe('too_many_empty_records');
  });
});

describe('maxWarningAlerts', () => {
  const userCanceled = new Uint8Array([1, 90]);

  it('maxWarningAlerts warning alerts in a row are reported; one more fails the connection', () => {
    const { c, s } = open({}, { maxWarningAlerts: 2 });
    const warn = () => sealed(c, ContentType.alert, userCanceled);
    const data = () => sealed(c, ContentType.application_data, new Uint8Array([0x61]));
    const fine = s.receive(concat([warn(), warn(), data(), warn(), warn()]));
    expect(fine.filter((e) => e.type === 'alert')).toHaveLength(4);
    expect(errorOf(fine)).toBeUndefined();
    const error = errorOf(s.receive(warn()));
    expect(error).toMatchObject({
      kind: 'limit',
      code: 'too_many_warning_alerts',
      alertSent: 'unexpected_message',
    });
    expect(error?.message).toBe('more than 2 warning alerts in a row (option maxWarningAlerts)');
    expect(s.state).toBe('failed');
  });

  it('the default is 16', () => {
    const { c, s } = open();
    const warns = (n: number) =>
      concat(Array.from({ length: n }, () => sealed(c, ContentType.alert, userCanceled)));
    expect(errorOf(s.receive(warns(16)))).toBeUndefined();
    expect(errorOf(s.receive(warns(1)))?.code).toBe('too_many_warning_alerts');
  });
});

describe('maxHandshakeMessageSize', () => {
  it('the limit error names the option', () => {
    // A client's bound (a ClientHello may always be as large as a well-formed one can be).
    const { c } = pair({ maxHandshakeMessageSize: 1024 }, {});
    const header = new Uint8Array([HandshakeType.server_hello, 0, 4, 1]); // 1025 bytes announced
    const error = errorOf(c.receive(encodeRecord(ContentType.handshake, 0x0303, header)));
    expect(error).toMatchObject({ kind: 'limit', code: 'handshake_message_too_large' });
    expect(error?.message).toContain('exceeds the limit of 1024 bytes (option maxHandshakeMessageSize)');
  });
});

describe('limit options are validated', () => {
  const options = [
    'maxHelloExtensions',
    'maxEmptyRecords',
    'maxWarningAlerts',
    'maxPendingWriteBytes',
    'maxOutgoingBytes',
    'maxRecordsPerReceive',
  ] as const;

  it.each(options)('%s: not a non-negative integer → local bad_config naming the option', (name) => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '8' as unknown as number]) {
      let thrown: unknown;
      try {
        new TlsServer({ ...base.server, [name]: bad });
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `${name}: ${String(bad)}`).toBeInstanceOf(TlsError);
      expect(thrown).toMatchObject({ kind: 'local', code: 'bad_config', alertSent: undefined });
      expect((thrown as TlsError).message).toContain(name);
    }
  });

  it('0 is refused where it would make the connection unusable, accepted elsewhere', () => {
    for (const name of ['maxHelloExtensions', 'maxOutgoingBytes', 'maxRecordsPerReceive'] as const) {
      expect(() => new TlsClient({ ...base.client, [name]: 0 })).toThrow(name);
    }
    for (const name of ['maxEmptyRecords', 'maxWarningAlerts', 'maxPendingWriteBytes'] as const) {
      expect(() => new TlsClient({ ...base.client, [name]: 0 })).not.toThrow();
    }
  });
});
