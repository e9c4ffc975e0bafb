// The server handshake state machine (src/handshake/server.ts): every message in every state, and
// the data each state carries: our ephemeral key lives only until ClientKeyExchange, the client's
// certificate is present exactly when CertificateVerify must check it (RFC 5246 §7.3–7.4.8).

import { describe, expect, it } from 'vitest';
import { createServerContext } from '../../src/context.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { FinishedHandshake } from '../../src/handshake/finished.js';
import { runPair } from '../helpers/pair.js';
import {
  checkState,
  EXPECTED_SERVER,
  handshakeOf,
  type Internals,
  records,
  type State,
  stateOf,
  usePairConfigs,
} from './state-walk.js';

const configs = usePairConfigs();

describe('server state table', () => {
  it('every message in every state', () => {
    const c = new TlsClient(configs.client());
    const s = new TlsServer(configs.server());
    const h = (s as unknown as Internals).handshake;
    const seen = new Set<string>();
    checkState(h, EXPECTED_SERVER[h.state.step]!, false, seen);
    s.receive(c.takeOutgoing());
    c.receive(s.takeOutgoing());
    const flight = records(c.takeOutgoing());
    for (const rec of flight) {
      const step = h.state.step;
      checkState(h, EXPECTED_SERVER[step]!, step === 'awaitChangeCipherSpec', seen);
      expect(s.receive(rec).filter((e) => e.type === 'error')).toEqual([]);
    }
    expect(s.state).toBe('open');
    expect([...seen].sort()).toEqual(
      Object.keys(EXPECTED_SERVER)
        .filter((x) => !x.includes('Resumed'))
        .sort(),
    );
  });

  it('every message in every state of the abbreviated handshake (RFC 5246 §7.3)', () => {
    const context = createServerContext(configs.server());
    const events = runPair(new TlsClient(configs.client()), new TlsServer(context)).client;
    const session = events.flatMap((e) => (e.type === 'session' ? [e.session] : []))[0]!;
    const c = new TlsClient(configs.client(), { session });
    const s = new TlsServer(context);
    const h = (s as unknown as Internals).handshake;
    const seen = new Set<string>();
    s.receive(c.takeOutgoing());
    c.receive(s.takeOutgoing());
    for (const rec of records(c.takeOutgoing())) {
      const step = h.state.step;
      checkState(h, EXPECTED_SERVER[step]!, step === 'awaitResumedChangeCipherSpec', seen);
      expect(s.receive(rec).filter((e) => e.type === 'error')).toEqual([]);
    }
    expect(s.state).toBe('open');
    expect(s.info?.resumed).toBe(true);
    expect([...seen].sort()).toEqual(['awaitResumedChangeCipherSpec', 'awaitResumedFinished']);
  });
});

describe('server handshake states', () => {
  it('once done, the connection reports the result and drops the state machine', () => {
    const s = new TlsServer(configs.server());
    runPair(new TlsClient(configs.client()), s);
    expect(s.state).toBe('open');
    expect(s.info?.finished.sent).toHaveLength(12);
    expect(s.info?.finished.received).toHaveLength(12);
    expect(s.info?.peerIdentity).toBeDefined();
    // The machine (transition table, last state, record-layer view) is replaced by the shared
    // FinishedHandshake, which holds nothing per connection.
    expect(handshakeOf(s)).toBe(FinishedHandshake.ofServer);
    expect(stateOf(s)).toBeUndefined();
  });

  it('the server holds its ephemeral key until ClientKeyExchange and the client certificate until it is proved', () => {
    const c = new TlsClient(configs.client());
    const s = new TlsServer(configs.server());
    s.receive(c.takeOutgoing());
    const awaitingCertificate = stateOf(s);
    expect(awaitingCertificate.step).toBe('awaitCertificate');
    expect(awaitingCertificate).toHaveProperty('share');
    c.receive(s.takeOutgoing());
    // Certificate, ClientKeyExchange and CertificateVerify arrive in separate records; feed them one by one.
    const seen: State[] = [];
    for (const rec of records(c.takeOutgoing())) {
      s.receive(rec);
      seen.push(stateOf(s));
    }
    const verify = seen.find((x) => x.step === 'awaitCertificateVerify')!;
    expect(verify).not.toHaveProperty('share');
    expect(verify.client).toMatchObject({ key: expect.anything() });
    const ccs = seen.find((x) => x.step === 'awaitChangeCipherSpec')!;
    expect(ccs.client).toMatchObject({ scheme: { name: 'ecdsa_secp256r1_sha256' } });
    expect(handshakeOf(s)).toBe(FinishedHandshake.ofServer);
  });
});
