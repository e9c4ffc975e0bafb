// Nothing from the peer can crash us: random bytes and random mutations of real flights only ever
// produce TlsError events (with an alert to send), never an exception out of receive().

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TlsEvent } from '../../src/connection.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { testPki } from '../helpers/pki.js';

let client: ClientConfig;
let server: ServerConfig;
let serverFlight: Uint8Array;
let clientFlight: Uint8Array;
beforeAll(() => {
  const pki = testPki();
  const s = pki.leaf('p256', 'server');
  const c = pki.leaf('p256', 'client');
  server = { ca: pki.ca, cert: s.cert, key: s.key };
  client = { ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key };
  // A fixed client random, so the captured server flight is valid for every fresh client below.
  const tc = new TlsClient({ ...client, random: (n) => new Uint8Array(n).fill(1) });
  const ts = new TlsServer(server);
  clientFlight = tc.takeOutgoing();
  ts.receive(clientFlight);
  serverFlight = ts.takeOutgoing();
}, 120_000);

function onlyTlsErrors(events: TlsEvent[]) {
  for (const e of events) {
    if (e.type === 'error') expect(e.error).toBeInstanceOf(TlsError);
    expect(e.type).not.toBe('data');
    expect(e.type).not.toBe('handshake');
  }
}

describe('fuzzing receive()', () => {
  it('random bytes into a fresh server never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const s = new TlsServer(server);
        onlyTlsErrors(s.receive(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes into a client after its ClientHello never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const c = new TlsClient(client);
        c.takeOutgoing();
        onlyTlsErrors(c.receive(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('mutated ClientHellos never throw and never complete a handshake', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (flips) => {
          const bytes = clientFlight.slice();
          for (const [pos, x] of flips) bytes[pos % bytes.length]! ^= x;
          const s = new TlsServer(server);
          const ev = s.receive(bytes);
          for (const e of ev) if (e.type === 'error') expect(e.error).toBeInstanceOf(TlsError);
          expect(s.state === 'failed' || s.state === 'handshaking').toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the unmutated server flight is accepted (so the mutation test below means something)', () => {
    const c = new TlsClient({ ...client, random: (n) => new Uint8Array(n).fill(1) });
    c.takeOutgoing();
    expect(c.receive(serverFlight).filter((e) => e.type === 'error')).toEqual([]);
    expect(c.takeOutgoing().length).toBeGreaterThan(0);
  });

  it('mutated server flights never throw and never authenticate', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        (flips) => {
          const c = new TlsClient({ ...client, random: (n) => new Uint8Array(n).fill(1) });
          c.takeOutgoing();
          const bytes = serverFlight.slice();
          for (const [pos, x] of flips) bytes[pos % bytes.length]! ^= x;
          onlyTlsErrors(c.receive(bytes));
          expect(c.state).not.toBe('open');
        },
      ),
      { numRuns: 60 },
    );
  });
});
