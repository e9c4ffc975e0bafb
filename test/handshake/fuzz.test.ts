// Nothing from the peer can crash us: random bytes and random mutations of real flights only ever
// produce TlsError events (with an alert to send), never an exception out of receive().

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/codec.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TlsEvent } from '../../src/connection.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { testPki } from '../helpers/pki.js';

/** MEMTLS_FUZZ_RUNS=50 multiplies every property's runs for a long local fuzzing session. */
const SCALE = Math.max(1, Number(process.env.MEMTLS_FUZZ_RUNS ?? 1) || 1);

let client: ClientConfig;
let server: ServerConfig;
let serverFlight: Uint8Array;
/** The client's second flight (Certificate … Finished) for a server with a fixed random. */
let clientSecondFlight: Uint8Array;
const fixed = (n: number) => new Uint8Array(n).fill(1);
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
  const c2 = new TlsClient({ ...client, random: fixed });
  const s2 = new TlsServer({ ...server, random: fixed });
  s2.receive(c2.takeOutgoing());
  c2.receive(s2.takeOutgoing());
  clientSecondFlight = c2.takeOutgoing();
  // The unmutated flight completes the handshake, so the property below tests real rejections.
  s2.receive(clientSecondFlight);
  if (s2.state !== 'open') throw new Error('fixture: the second flight should complete the handshake');
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
      { numRuns: 300 * SCALE },
    );
  });

  it('random bytes into a client after its ClientHello never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const c = new TlsClient(client);
        c.takeOutgoing();
        onlyTlsErrors(c.receive(bytes));
      }),
      { numRuns: 300 * SCALE },
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
      { numRuns: 200 * SCALE },
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
          fc.pre(!equalBytes(bytes, serverFlight)); // two flips of one byte may cancel out
          onlyTlsErrors(c.receive(bytes));
          expect(c.state).not.toBe('open');
        },
      ),
      { numRuns: 60 * SCALE },
    );
  });

  it('mutated client second flights (Certificate … Finished) never throw and never open', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        (flips) => {
          const s = new TlsServer({ ...server, random: fixed });
          s.receive(new TlsClient({ ...client, random: fixed }).takeOutgoing());
          s.takeOutgoing();
          const bytes = clientSecondFlight.slice();
          for (const [pos, x] of flips) bytes[pos % bytes.length]! ^= x;
          fc.pre(!equalBytes(bytes, clientSecondFlight)); // two flips of one byte may cancel out
          onlyTlsErrors(s.receive(bytes));
          expect(s.state).not.toBe('open');
        },
      ),
      { numRuns: 60 * SCALE },
    );
  });
});
