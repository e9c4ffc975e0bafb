// NewSessionTicket codec (RFC 5077 §3.3): round trips, bounds, and the whole-message dispatch.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, Reader } from '../../../src/codec.js';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../../../src/handshake/messages/handshake.js';
import {
  decodeNewSessionTicket,
  encodeNewSessionTicket,
} from '../../../src/handshake/messages/new-session-ticket.js';
import { HandshakeType } from '../../../src/handshake/messages/types.js';
import { bytes, decoder, describeCodecProperties, encoder, expectTlsError, u32 } from './arbitraries.js';

const newSessionTicket = fc.record({ lifetimeHint: u32, ticket: bytes(0, 300) });

describeCodecProperties({
  name: 'NewSessionTicket',
  arbitrary: newSessionTicket,
  encode: encoder(encodeNewSessionTicket),
  decode: decoder(decodeNewSessionTicket, 'NewSessionTicket'),
});

describe('NewSessionTicket', () => {
  it('has the RFC 5077 layout: u32 hint, u16-length ticket', () => {
    const body = encoder(encodeNewSessionTicket)({ lifetimeHint: 7200, ticket: fromHex('aabb') });
    expect(body).toEqual(fromHex('00001c20' + '0002aabb'));
  });

  it('refuses a truncated ticket or trailing bytes with a decode error', () => {
    expectTlsError(() => decodeNewSessionTicket(new Reader(fromHex('00001c200003aabb'))));
    expectTlsError(() => decodeNewSessionTicket(new Reader(fromHex('00001c200001aabb'))));
    expectTlsError(() => decodeNewSessionTicket(new Reader(fromHex('00001c'))));
  });

  it('carries a 65535-byte ticket, the most the wire allows', () => {
    const ticket = new Uint8Array(0xffff).fill(1);
    const raw = encodeHandshakeMessage({
      type: HandshakeType.new_session_ticket,
      body: { lifetimeHint: 1, ticket },
    });
    const m = decodeHandshakeMessage(raw);
    expect(m.type).toBe(HandshakeType.new_session_ticket);
    expect(m.type === HandshakeType.new_session_ticket && m.body.ticket.length).toBe(0xffff);
  });
});
