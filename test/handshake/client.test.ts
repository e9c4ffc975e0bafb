// The client handshake state machine (src/handshake/client.ts): every message in every state, and
// the data each state carries (RFC 5246 §7.3–7.4).

import { describe, expect, it } from 'vitest';
import { createServerContext } from '../../src/context.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { FinishedHandshake } from '../../src/handshake/finished.js';
import { runPair } from '../helpers/pair.js';
import {
  checkState,
  EXPECTED_CLIENT,
  handshakeOf,
  type Internals,
  perMessage,
  records,
  stateOf,
  usePairConfigs,
} from './state-walk.js';

const configs = usePairConfigs();

describe('client state table', () => {
  it('every message in every state', () => {
    const c = new TlsClient(configs.client());
    const s = new TlsServer(configs.server());
    const h = (c as unknown as Internals).handshake;
    const seen = new Set<string>();
    s.receive(c.takeOutgoing());
    const flight = records(s.takeOutgoing()).flatMap(perMessage);
    for (const rec of flight) {
      checkState(h, EXPECTED_CLIENT[h.state.step]!, false, seen);
      expect(c.receive(rec).filter((e) => e.type === 'error')).toEqual([]);
    }
    checkState(h, EXPECTED_CLIENT[h.state.step]!, true, seen);
    s.receive(c.takeOutgoing());
    const [ticket, ccs, finished] = records(s.takeOutgoing());
    c.receive(ticket!);
    checkState(h, EXPECTED_CLIENT[h.state.step]!, true, seen);
    c.receive(ccs!);
    checkState(h, EXPECTED_CLIENT[h.state.step]!, false, seen);
    c.receive(finished!);
    expect(c.state).toBe('open');
    expect([...seen].filter((x) => !x.includes('Resumed'))).toEqual(
      Object.keys(EXPECTED_CLIENT).filter((x) => !x.includes('Resumed')),
    );
  });

  it('every message in every state of the abbreviated handshake (RFC 5246 §7.3)', () => {
    let now = Date.now();
    const context = createServerContext({
      ...configs.server(),
      ticketKeys: new Uint8Array(48).fill(1),
      ticketKeyRotation: 60,
      now: () => now,
    });
    const first = new TlsClient(configs.client());
    const events = runPair(first, new TlsServer(context)).client;
    const session = events.flatMap((e) => (e.type === 'session' ? [e.session] : []))[0]!;
    now += 61_000; // the ticket's key is no longer current: the server renews it
    const c = new TlsClient({ ...configs.client(), now: () => now }, { session });
    const s = new TlsServer(context);
    const h = (c as unknown as Internals).handshake;
    const seen = new Set<string>();
    s.receive(c.takeOutgoing());
    const [serverHello, ticket, ccs, finished] = records(s.takeOutgoing());
    for (const rec of [serverHello!, ticket!]) {
      checkState(h, EXPECTED_CLIENT[h.state.step]!, false, seen);
      expect(c.receive(rec).filter((e) => e.type === 'error')).toEqual([]);
    }
    checkState(h, EXPECTED_CLIENT[h.state.step]!, true, seen);
    c.receive(ccs!);
    checkState(h, EXPECTED_CLIENT[h.state.step]!, false, seen);
    const done = c.receive(finished!);
    expect(c.state).toBe('open');
    expect(c.info?.resumed).toBe(true);
    expect(done.some((e) => e.type === 'session')).toBe(true);
    expect([...seen].sort()).toEqual([
      'awaitResumedChangeCipherSpec',
      'awaitResumedFinished',
      'awaitResumedNewSessionTicket',
      'awaitServerHello',
    ]);
  });
});

describe('client handshake states', () => {
  it('once done, the connection reports the result and drops the state machine', () => {
    const c = new TlsClient(configs.client());
    runPair(c, new TlsServer(configs.server()));
    expect(c.state).toBe('open');
    expect(c.info?.finished.sent).toHaveLength(12);
    expect(c.info?.finished.received).toHaveLength(12);
    expect(c.info?.peerIdentity).toBeDefined();
    // The machine (transition table, last state, record-layer view) is replaced by the shared
    // FinishedHandshake, which holds nothing per connection.
    expect(handshakeOf(c)).toBe(FinishedHandshake.ofClient);
    expect(stateOf(c)).toBeUndefined();
  });
});
