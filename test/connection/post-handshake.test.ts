// Handshake messages after the handshake (src/connection.ts): HelloRequest and ClientHello are
// refused with a no_renegotiation warning (RFC 5746 §4.2, §4.4), a flood of them ends the connection,
// any other handshake message is unexpected_message, its type checked before its body (RFC 5246 §7.4).

import { describe, expect, it } from 'vitest';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { HandshakeType } from '../../src/handshake/messages/types.js';
import { injectHandshake, usePairConfigs } from '../handshake/state-walk.js';
import { errorOf, runPair } from '../helpers/pair.js';

const configs = usePairConfigs();

function open(): { c: TlsClient; s: TlsServer } {
  const c = new TlsClient(configs.client());
  const s = new TlsServer(configs.server());
  runPair(c, s);
  expect(c.state).toBe('open');
  return { c, s };
}

describe('after the handshake', () => {
  it('a HelloRequest is refused and the connection stays open; a flood of them ends it', () => {
    const { c, s } = open();
    injectHandshake(s, HandshakeType.hello_request);
    const ev = c.receive(s.takeOutgoing());
    expect(ev).toContainEqual({ type: 'alert', level: 'warning', description: 'renegotiation_refused' });
    expect(c.state).toBe('open');
    const back = s.receive(c.takeOutgoing());
    expect(back).toContainEqual({ type: 'alert', level: 'warning', description: 'no_renegotiation' });
    // A flood of renegotiation requests ends the connection.
    for (let i = 0; i < 8; i++) injectHandshake(s, HandshakeType.hello_request);
    const flood = c.receive(s.takeOutgoing());
    expect(flood.at(-1)).toMatchObject({ type: 'error', error: { code: 'too_many_renegotiation_requests' } });
    expect(c.state).toBe('failed');
  });

  it('a ClientHello (renegotiation attempt) is refused with no_renegotiation; the server stays open', () => {
    const { c, s } = open();
    // The client (as a hostile peer) sends a new ClientHello inside the protected channel.
    const hello = new TlsClient(configs.client()).takeOutgoing().subarray(5);
    (c as unknown as { records: { write(t: number, d: Uint8Array): void } }).records.write(22, hello);
    const ev = s.receive(c.takeOutgoing());
    expect(ev).toContainEqual({ type: 'alert', level: 'warning', description: 'renegotiation_refused' });
    const back = c.receive(s.takeOutgoing());
    expect(back).toContainEqual({ type: 'alert', level: 'warning', description: 'no_renegotiation' });
    expect(s.state).toBe('open');
  });

  it('other handshake messages are fatal unexpected_message', () => {
    for (const type of [HandshakeType.finished, HandshakeType.certificate, HandshakeType.server_hello]) {
      const { c, s } = open();
      injectHandshake(s, type);
      const ev = c.receive(s.takeOutgoing());
      expect(ev.at(-1), `type ${type}`).toMatchObject({
        type: 'error',
        error: { alertSent: 'unexpected_message' },
      });
      expect(c.state).toBe('failed');
    }
  });
});

describe('after the handshake the type is checked before the body too', () => {
  it('a post-handshake NewSessionTicket with a malformed body is unexpected_message, not decode_error', () => {
    const { c, s } = open();
    const records = (s as unknown as { records: { write(t: number, d: Uint8Array): void } }).records;
    records.write(22, new Uint8Array([4, 0, 0, 1, 9]));
    const error = errorOf(c.receive(s.takeOutgoing()));
    expect(error?.alertSent).toBe('unexpected_message');
  });

  it('a post-handshake HelloRequest with a body is still decode_error', () => {
    const { c, s } = open();
    const records = (s as unknown as { records: { write(t: number, d: Uint8Array): void } }).records;
    records.write(22, new Uint8Array([0, 0, 0, 1, 9]));
    expect(errorOf(c.receive(s.takeOutgoing()))?.alertSent).toBe('decode_error');
  });
});
