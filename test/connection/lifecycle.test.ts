// The connection lifecycle (src/connection.ts, src/connection-phase.ts): handshaking → open →
// closing → closed, failed from anywhere; writes and close() before the handshake; sticky errors;
// the RFC 5705 exporter's rules (RFC 5246 §7.2.1, RFC 5705 §4).

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TlsConnection } from '../../src/connection.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { dataOf, errorOf, runPair } from '../helpers/pair.js';
import { p256Configs, testPki } from '../helpers/pki.js';

let client: ClientConfig;
let server: ServerConfig;
beforeAll(() => {
  const configs = p256Configs(testPki());
  server = { ...configs.server, clientAuth: 'required' };
  client = configs.client;
}, 120_000);

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

function open(): { c: TlsClient; s: TlsServer } {
  const c = new TlsClient(client);
  const s = new TlsServer(server);
  runPair(c, s);
  expect(c.state).toBe('open');
  expect(s.state).toBe('open');
  return { c, s };
}

/** A protected application-data record with its last byte flipped (fails authentication). */
function tamperedRecord(from: TlsConnection): Uint8Array {
  from.write(text('x'));
  const rec = from.takeOutgoing();
  rec[rec.length - 1]! ^= 1;
  return rec;
}

/** Record content types in a byte stream. */
function recordTypes(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 0; o < bytes.length; o += 5 + ((bytes[o + 3]! << 8) | bytes[o + 4]!)) out.push(bytes[o]!);
  return out;
}

describe('phases: state, info and error read the phase', () => {
  it('handshaking → open → closing → closed', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    expect([c.state, c.info, c.error]).toEqual(['handshaking', undefined, undefined]);
    expect([s.state, s.info, s.error]).toEqual(['handshaking', undefined, undefined]);
    runPair(c, s);
    expect(c.state).toBe('open');
    expect(c.info?.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_/);
    expect(c.error).toBeUndefined();
    const info = c.info;
    c.close();
    expect(c.state).toBe('closing');
    expect(c.info).toBe(info);
    expect(s.receive(c.takeOutgoing())).toEqual([{ type: 'peerClosed' }]);
    expect(s.state).toBe('closing');
    s.close();
    expect(s.state).toBe('closed');
    expect(c.receive(s.takeOutgoing())).toEqual([{ type: 'peerClosed' }]);
    expect(c.state).toBe('closed');
    expect(c.info).toBe(info);
    expect(c.error).toBeUndefined();
  });

  it("bytes after the peer's close_notify in the same read are dropped, not kept (RFC 5246 §7.2.1)", () => {
    // What the fuzzer found (seed 20261273): the rest of the read stayed in the deframer for good.
    const held = (conn: TlsConnection) =>
      (conn as unknown as { records: { bufferedInput: number } }).records.bufferedInput;
    for (const closer of ['handshaking', 'open'] as const) {
      const c = new TlsClient(client);
      const s = new TlsServer(server);
      let closing: Uint8Array;
      if (closer === 'open') {
        runPair(c, s);
        s.write(text('last words'));
        s.close();
        closing = s.takeOutgoing();
      } else {
        c.takeOutgoing();
        closing = new Uint8Array([21, 3, 3, 0, 2, 1, 0]); // a plaintext close_notify mid-handshake
      }
      const after = new Uint8Array(5 + 16_400 + 5 + 3000);
      after.set([23, 3, 3, 16_400 >> 8, 16_400 & 0xff]); // a whole record, then part of another
      after.set([23, 3, 3, 16_400 >> 8, 16_400 & 0xff], 5 + 16_400);
      const events = c.receive(Uint8Array.from([...closing, ...after]));
      expect(errorOf(events), closer).toBeUndefined();
      expect(events.at(-1), closer).toEqual({ type: 'peerClosed' });
      if (closer === 'open') expect(str(dataOf(events))).toBe('last words');
      expect(held(c), closer).toBe(0);
      expect(c.hasPendingInput).toBe(false);
      expect(c.receive(after)).toEqual([]); // and later bytes are not read either
      expect(held(c)).toBe(0);
    }
  });

  it('close_notify both ways, with half-close data from the side that has not closed', () => {
    const { c, s } = open();
    c.close();
    expect(c.state).toBe('closing');
    const ev = s.receive(c.takeOutgoing());
    expect(ev).toEqual([{ type: 'peerClosed' }]);
    expect(s.state).toBe('closing');
    s.write(new Uint8Array([1, 2, 3])); // half-close: the server may still send
    s.close();
    expect(s.state).toBe('closed');
    const ev2 = c.receive(s.takeOutgoing());
    expect(dataOf(ev2)).toEqual(new Uint8Array([1, 2, 3]));
    expect(ev2.at(-1)).toEqual({ type: 'peerClosed' });
    expect(c.state).toBe('closed');
    expect(() => c.write(new Uint8Array([1]))).toThrowError(/close/);
  });

  it('failed from handshaking: error set, no info', () => {
    const c = new TlsClient(client);
    c.takeOutgoing();
    const ev = c.receive(text('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(c.state).toBe('failed');
    expect(c.error).toBeInstanceOf(TlsError);
    expect(c.error).toBe(errorOf(ev));
    expect(c.info).toBeUndefined();
  });

  it('failed from open: error set, the session info kept', () => {
    const { c, s } = open();
    const info = c.info;
    const ev = c.receive(tamperedRecord(s));
    expect(c.state).toBe('failed');
    expect(c.error?.alertSent).toBe('bad_record_mac');
    expect(c.error).toBe(errorOf(ev));
    expect(c.info).toBe(info);
  });

  it('failed from closing (after our close_notify, the peer sends a forged record)', () => {
    const { c, s } = open();
    c.close();
    c.takeOutgoing();
    expect(c.state).toBe('closing');
    c.receive(tamperedRecord(s));
    expect(c.state).toBe('failed');
    expect(c.error?.alertSent).toBe('bad_record_mac');
  });

  it('a peer close_notify during the handshake ends in closed, with no info', () => {
    const c = new TlsClient(client);
    c.takeOutgoing();
    const closeNotify = new Uint8Array([21, 3, 3, 0, 2, 1, 0]);
    expect(c.receive(closeNotify)).toEqual([{ type: 'peerClosed' }]);
    expect(c.state).toBe('closed');
    expect(c.info).toBeUndefined();
    expect(c.error).toBeUndefined();
  });
});

describe('write() and close() before the handshake', () => {
  it('writes are buffered, nothing but handshake records go out, then they are flushed in order', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    c.write(text('first,'));
    c.write(new Uint8Array(0));
    c.write(text('second,'));
    c.write(text('third'));
    const hello = c.takeOutgoing();
    expect(recordTypes(hello)).toEqual([22]);
    s.receive(hello);
    const log = runPair(c, s);
    expect(str(dataOf(log.server))).toBe('first,second,third');
  });

  it('a buffered write is a copy: changing the caller buffer afterwards changes nothing', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    const buf = text('abc');
    c.write(buf);
    buf.fill(0);
    expect(str(dataOf(runPair(c, s).server))).toBe('abc');
  });

  it('close() before the handshake sends close_notify after the handshake and the buffered data', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    c.write(text('early'));
    c.close();
    expect(c.state).toBe('handshaking');
    expect(() => c.write(text('late'))).toThrowError(expect.objectContaining({ code: 'write_after_close' }));
    expect(recordTypes(c.takeOutgoing().slice())).toEqual([22]); // the ClientHello only, no alert
    const c2 = new TlsClient(client);
    c2.write(text('early'));
    c2.close();
    const log = runPair(c2, s);
    expect(str(dataOf(log.server))).toBe('early');
    const kinds = log.server.map((e) => e.type);
    expect(kinds.indexOf('data')).toBeLessThan(kinds.indexOf('peerClosed'));
    expect(c2.state).not.toBe('handshaking');
    expect(s.state).toBe('closing');
  });
});

describe('sticky errors', () => {
  function failedClient(): { c: TlsClient; err: TlsError } {
    const pki = testPki();
    const c = new TlsClient({ ...client, ca: pki.otherCa });
    const log = runPair(c, new TlsServer(server));
    const err = errorOf(log.client)!;
    expect(err).toBeInstanceOf(TlsError);
    return { c, err };
  }

  it('every later receive() returns the same error, whatever arrives', () => {
    const { c, err } = failedClient();
    expect(c.receive(new Uint8Array([1, 2, 3]))).toEqual([{ type: 'error', error: err }]);
    expect(errorOf(c.receive(new Uint8Array(0)))).toBe(err);
    expect(errorOf(c.receive(new Uint8Array([21, 3, 3, 0, 2, 1, 0])))).toBe(err);
    expect(errorOf(c.receiveEnd())).toBe(err);
    expect(c.error).toBe(err);
    expect(c.state).toBe('failed');
  });

  it('write() throws the same error; close() changes nothing', () => {
    const { c, err } = failedClient();
    expect(() => c.write(new Uint8Array([1]))).toThrow(err);
    let thrown: unknown;
    try {
      c.write(new Uint8Array([1]));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(err);
    c.close();
    expect(c.state).toBe('failed');
    expect(c.takeOutgoing().length).toBe(0);
  });
});

describe('exportKeyingMaterial (RFC 5705)', () => {
  const label = 'EXPERIMENTAL test';

  it('both sides export the same material; context and label change it; keyLog logs the master secret', () => {
    const lines: string[] = [];
    const c = new TlsClient({ ...client, keyLog: (l) => lines.push(l) });
    const s = new TlsServer(server);
    runPair(c, s);
    const a = c.exportKeyingMaterial(label, 32, new Uint8Array([1, 2]));
    expect(a).toEqual(s.exportKeyingMaterial(label, 32, new Uint8Array([1, 2])));
    expect(a).toHaveLength(32);
    expect(c.exportKeyingMaterial(label, 32)).not.toEqual(a);
    // No context and an empty context are different inputs (RFC 5705 §4).
    expect(c.exportKeyingMaterial(label, 32)).not.toEqual(
      c.exportKeyingMaterial(label, 32, new Uint8Array(0)),
    );
    expect(c.exportKeyingMaterial('EXPERIMENTAL other', 32, new Uint8Array([1, 2]))).not.toEqual(a);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
  });

  it('needs a completed handshake', () => {
    const c = new TlsClient(client);
    expect(() => c.exportKeyingMaterial(label, 32)).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'not_ready' }),
    );
  });

  it('refuses the labels TLS itself uses, and bad lengths and contexts', () => {
    const { c } = open();
    for (const reserved of [
      'client finished',
      'server finished',
      'master secret',
      'extended master secret',
      'key expansion',
    ]) {
      expect(() => c.exportKeyingMaterial(reserved, 32)).toThrowError(
        expect.objectContaining({
          kind: 'local',
          code: 'bad_argument',
          message: expect.stringMatching(/reserved/),
        }),
      );
    }
    for (const length of [0, -1, 1.5, 65536]) {
      expect(() => c.exportKeyingMaterial(label, length)).toThrowError(
        expect.objectContaining({ kind: 'local', code: 'bad_argument' }),
      );
    }
    expect(c.exportKeyingMaterial(label, 65535)).toHaveLength(65535);
    expect(() => c.exportKeyingMaterial(label, 32, new Uint8Array(65536))).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'bad_argument' }),
    );
  });

  it('works while closing; after closed or failed the keys are gone', () => {
    const { c, s } = open();
    const before = c.exportKeyingMaterial(label, 16);
    c.close();
    expect(c.exportKeyingMaterial(label, 16)).toEqual(before);
    s.receive(c.takeOutgoing());
    s.close();
    c.receive(s.takeOutgoing());
    expect(c.state).toBe('closed');
    expect(() => c.exportKeyingMaterial(label, 16)).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'closed' }),
    );
    const failed = open();
    failed.c.receive(tamperedRecord(failed.s));
    expect(() => failed.c.exportKeyingMaterial(label, 16)).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'failed' }),
    );
  });
});
