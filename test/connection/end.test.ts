// TlsConnection.receiveEnd(): the end of the transport, with and without the peer's close_notify
// (RFC 5246 §7.2.1 — truncation is an error unless the caller accepts it).

import { beforeAll, describe, expect, it } from 'vitest';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { dataOf, errorOf, runPair } from '../helpers/pair.js';
import { type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = testPki();
}, 120_000);

function pair(): { client: TlsClient; server: TlsServer } {
  const id = pki.leaf('p256', 'server');
  const client = new TlsClient({ ca: pki.ca, serverName: 'server.test' });
  const server = new TlsServer({ ca: pki.ca, cert: id.cert, key: id.key, clientAuth: 'none' });
  return { client, server };
}

/** A completed handshake, then `text` from the server to the client. */
function established(text: string): { client: TlsClient; server: TlsServer } {
  const { client, server } = pair();
  const log = runPair(client, server);
  expect(errorOf(log.client)).toBeUndefined();
  expect(client.state).toBe('open');
  server.write(new TextEncoder().encode(text));
  expect(new TextDecoder().decode(dataOf(client.receive(server.takeOutgoing())))).toBe(text);
  return { client, server };
}

describe('receiveEnd(): the transport ended', () => {
  it('after the handshake without close_notify: an unexpected_eof error, kind transport, no alert queued', () => {
    const { client } = established('partial');
    const events = client.receiveEnd();
    expect(events).toHaveLength(1);
    const error = errorOf(events)!;
    expect(error).toBeInstanceOf(TlsError);
    expect({ kind: error.kind, code: error.code, alertSent: error.alertSent }).toEqual({
      kind: 'transport',
      code: 'unexpected_eof',
      alertSent: undefined,
    });
    expect(error.message).toMatch(/without close_notify.*truncated/);
    expect(client.takeOutgoing()).toHaveLength(0); // the transport is gone: nothing to send an alert on
    expect(client.state).toBe('failed');
    expect(client.error).toBe(error);
    expect(() => client.exportKeyingMaterial('EXPERIMENTAL test', 16)).toThrow(TlsError);
    expect(errorOf(client.receiveEnd())).toBe(error); // sticky, like receive()
  });

  it('after close_notify: a clean end, no event', () => {
    const { client, server } = established('all of it');
    server.close();
    expect(client.receive(server.takeOutgoing())).toEqual([{ type: 'peerClosed' }]);
    expect(client.receiveEnd()).toEqual([]);
    expect(client.error).toBeUndefined();
  });

  it('during the handshake: unexpected_eof, also with allowTruncation, and no alert queued', () => {
    for (const options of [{}, { allowTruncation: true }]) {
      const { client, server } = pair();
      server.receive(client.takeOutgoing()); // ClientHello in
      expect(server.takeOutgoing()[0]).toBe(22); // its flight, never delivered
      const error = errorOf(server.receiveEnd(options))!;
      expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'transport', code: 'unexpected_eof' });
      expect(error.message).toMatch(/during the TLS handshake/);
      expect(server.takeOutgoing()).toHaveLength(0); // no alert queued
      expect(errorOf(client.receiveEnd(options))?.code).toBe('unexpected_eof');
    }
  });

  it('allowTruncation: true after the handshake ends quietly; the connection is closing, not failed', () => {
    const { client, server } = established('partial');
    expect(client.receiveEnd({ allowTruncation: true })).toEqual([]);
    expect(client.state).toBe('closing');
    expect(client.error).toBeUndefined();
    expect(client.receive(new Uint8Array([23, 3, 3, 0, 1, 0]))).toEqual([]); // nothing after the end counts
    client.close();
    expect(server.receive(client.takeOutgoing())).toEqual([{ type: 'peerClosed' }]);
  });
  it('allowTruncation after our own close_notify: closed, and the keys are wiped', () => {
    const { client } = established('bye');
    client.close();
    expect(client.state).toBe('closing');
    expect(client.receiveEnd({ allowTruncation: true })).toEqual([]);
    expect(client.state).toBe('closed');
    expect(() => client.exportKeyingMaterial('EXPORTER-test', 16)).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'closed' }),
    );
    const phase = (client as unknown as { phase: { secrets?: unknown } }).phase;
    expect(phase.secrets).toBeUndefined();
  });

  it('write() after the peer closed during the handshake is refused, not buffered forever', () => {
    const { client } = pair();
    client.takeOutgoing();
    expect(client.receive(new Uint8Array([21, 3, 3, 0, 2, 1, 0]))).toEqual([{ type: 'peerClosed' }]);
    expect(client.state).toBe('closed');
    expect(() => client.write(new Uint8Array([1]))).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'write_after_close' }),
    );
  });
});
