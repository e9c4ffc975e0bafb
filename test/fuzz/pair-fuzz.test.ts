// Pair fuzzing in `npm test`: a fixed seed and a bounded count of mutated-wire cases through the public
// TlsClient/TlsServer (RFC 5246 §6–7 invariants, outcome.ts), the fixed RFC answers, and checker self-tests.

import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TlsConnection, type TlsEvent } from '../../src/connection.js';
import { nodeCryptoProvider } from '../../src/providers/node/provider.js';
import { testPki } from '../helpers/pki.js';
import { makeFuzzPki, type PairFixture, pairFixtures } from './fixtures.js';
import { type CaseOptions, type PairCase, pairCase, runPairCase } from './pair-case.js';
import type { Injection, Mutation, TargetedMutation } from './wire.js';

/** MEMTLS_FUZZ_RUNS=10 multiplies the property's runs for a longer local session. */
const SCALE = Math.max(1, Number(process.env.MEMTLS_FUZZ_RUNS ?? 1) || 1);
const SEED = 20261205;

let fixtures: PairFixture[];
let options: CaseOptions;
beforeAll(() => {
  fixtures = pairFixtures(makeFuzzPki(testPki()));
  options = { now: Date.now() + 3_600_000, crypto: nodeCryptoProvider };
}, 120_000);

const quiet: PairCase = {
  fixture: 0,
  seed: 7,
  clientWrites: [{ length: 40, early: true }],
  serverWrites: [{ length: 30, early: false }],
  clientCloses: true,
  serverCloses: true,
  mutations: [],
  chunks: { toServer: [], toClient: [] },
};
const one = (direction: TargetedMutation['direction'], flight: number, mutation: Mutation): PairCase => ({
  ...quiet,
  mutations: [{ direction, flight, mutation }],
});
const run = (c: PairCase, fixture = 0) => runPairCase(fixtures[fixture]!, c, options);

describe('pair fuzzing (fixed seed, bounded count)', () => {
  it('every case keeps the invariants', () => {
    fc.assert(
      fc.property(pairCase(144), (c) => {
        const r = runPairCase(fixtures[c.fixture % fixtures.length]!, c, options);
        if (r.violations.length > 0) throw new Error(r.violations.join('\n'));
      }),
      { seed: SEED, numRuns: 250 * SCALE },
    );
  }, 60_000);

  it('covers every suite, group, server key and client certificate choice', () => {
    expect(fixtures).toHaveLength(144);
    const names = fixtures.map((f) => f.name).join('\n');
    for (const s of ['p256 server', 'p384 server', 'ed25519 server', 'rsa2048 server'])
      expect(names).toContain(s);
    for (const g of ['x25519', 'secp256r1', 'secp384r1']) expect(names).toContain(`, ${g},`);
    for (const c of ['none', 'p256', 'ed25519', 'rsa2048']) expect(names).toContain(`client cert ${c}`);
    // Every configuration completes on a clean wire.
    for (let i = 0; i < fixtures.length; i++) {
      const r = run(quiet, i);
      expect(r.violations, fixtures[i]!.name).toEqual([]);
      expect(r.outcome).toBe('open');
    }
  }, 60_000);

  it('survives a record split at every third offset of the ClientHello and across the server flight', () => {
    for (let at = 0; at < 260; at += 3) {
      const r = run(one('toServer', 0, { kind: 'split', record: 0, at }));
      expect(r.violations, `ClientHello split at ${at}`).toEqual([]);
      expect(r.outcome).toBe('open');
    }
    for (let record = 0; record < 4; record++)
      for (let at = 0; at < 900; at += 71) {
        const r = run(one('toClient', 0, { kind: 'split', record, at }));
        expect(r.violations, `server record ${record} split at ${at}`).toEqual([]);
        expect(r.outcome).toBe('open');
      }
  }, 60_000);

  it('survives delivery cut at every byte of the first flights', () => {
    for (let size = 1; size < 120; size++) {
      const r = run({ ...quiet, chunks: { toServer: [size], toClient: [size + 3] } });
      expect(r.violations, `chunks of ${size}`).toEqual([]);
      expect(r.outcome).toBe('open');
    }
  }, 60_000);
});

describe('the alert RFC 5246 picks for single wire changes', () => {
  /** The receiving side's fatal error: `kind/alert`. */
  const failure = (c: PairCase, side: 'client' | 'server') => {
    const r = run(c);
    expect(r.violations).toEqual([]);
    const e = r.errors?.[side];
    return e ? `${e.kind}/${e.alertSent ?? e.alertReceived}` : `no failure (${r.outcome})`;
  };

  it('a replayed ClientHello gets unexpected_message (§7.4)', () => {
    expect(failure(one('toServer', 0, { kind: 'duplicate', record: 0 }), 'server')).toBe(
      'peer/unexpected_message',
    );
  });

  it('swapped server handshake messages get unexpected_message (§7.4)', () => {
    for (let record = 0; record < 3; record++) {
      expect(failure(one('toClient', 0, { kind: 'swap', record }), 'client')).toBe('peer/unexpected_message');
    }
  });

  it('a ChangeCipherSpec before the ServerHello gets unexpected_message (§7.1)', () => {
    const c = one('toClient', 0, { kind: 'inject', record: 0, injection: { what: 'ccs', body: [1] } });
    expect(failure(c, 'client')).toBe('peer/unexpected_message');
  });

  const between = (injection: Injection): PairCase => ({
    ...quiet,
    mutations: [
      { direction: 'toServer', flight: 0, mutation: { kind: 'split', record: 0, at: 50 } },
      { direction: 'toServer', flight: 0, mutation: { kind: 'inject', record: 1, injection } },
    ],
  });

  it('a ChangeCipherSpec or empty data record between fragments of a handshake message is unexpected_message', () => {
    expect(failure(between({ what: 'ccs', body: [1] }), 'server')).toBe('peer/unexpected_message');
    expect(failure(between({ what: 'empty', type: 23 }), 'server')).toBe('peer/unexpected_message');
  });

  it('a warning alert between fragments of a handshake message is unexpected_message (RFC 8446 §5.1)', () => {
    expect(failure(between({ what: 'alert', level: 1, description: 90 }), 'server')).toBe(
      'peer/unexpected_message',
    );
  });

  it('a record of unknown content type gets unexpected_message (§6)', () => {
    const c = one('toServer', 0, {
      kind: 'inject',
      record: 0,
      injection: { what: 'unknownType', type: 99, length: 3 },
    });
    expect(failure(c, 'server')).toMatch(/\/unexpected_message$/);
  });

  it('an injected fatal alert ends the receiver without an answer (§7.2)', () => {
    const c = one('toClient', 0, {
      kind: 'inject',
      record: 1,
      injection: { what: 'alert', level: 2, description: 40 },
    });
    expect(failure(c, 'client')).toBe('alertReceived/handshake_failure');
  });

  it("an injected fatal internal_error alert is the peer's word, not a crash of ours", () => {
    // Found by `npm run fuzz -- --seed 20261214 --runs 2000 --path 1145` (a checker false positive).
    const c = one('toClient', 0, {
      kind: 'inject',
      record: 566979,
      injection: { what: 'alert', level: 2, description: 80 },
    });
    expect(failure({ ...c, fixture: 2, chunks: { toServer: [], toClient: [12, 242] } }, 'client')).toBe(
      'alertReceived/internal_error',
    );
  });

  it('a flipped byte of a protected record gets bad_record_mac (§6.2.3.3)', () => {
    // The server's second flight: NewSessionTicket, ChangeCipherSpec, Finished (record 2, protected).
    const c = one('toClient', 1, { kind: 'flip', record: 2, offset: 9, xor: 1 });
    expect(failure(c, 'client')).toMatch(/\/bad_record_mac$/);
  });

  it('a plaintext alert after ChangeCipherSpec gets bad_record_mac (§6.2.3.3)', () => {
    const c = one('toClient', 1, {
      kind: 'inject',
      record: 2, // before the Finished, after NewSessionTicket and ChangeCipherSpec
      injection: { what: 'alert', level: 1, description: 0 },
    });
    expect(failure(c, 'client')).toMatch(/\/bad_record_mac$/);
  });
});

describe('the checker itself', () => {
  it('reports an exception other than TlsError escaping receive()', () => {
    const spy = vi.spyOn(TlsConnection.prototype, 'receive').mockImplementation(() => {
      throw new RangeError('boom');
    });
    try {
      expect(run(quiet).violations.join('\n')).toMatch(/threw a non-TlsError: RangeError: boom/);
    } finally {
      spy.mockRestore();
    }
  });

  it('reports replayed application data and data before the handshake', () => {
    const real = TlsConnection.prototype.receive;
    const spy = vi.spyOn(TlsConnection.prototype, 'receive').mockImplementation(function (
      this: TlsConnection,
      b,
    ) {
      const events = real.call(this, b);
      return events.flatMap((e): TlsEvent[] =>
        e.type === 'data'
          ? [e, e]
          : e.type === 'handshake'
            ? [{ type: 'data' as const, data: new Uint8Array([1]) }, e]
            : [e],
      );
    });
    try {
      const v = run(quiet).violations.join('\n');
      expect(v).toMatch(/data delivered before the handshake completed/);
      expect(v).toMatch(/not a prefix of what the peer wrote/);
    } finally {
      spy.mockRestore();
    }
  });

  it('reports the wrong alert for a replayed handshake message', () => {
    const real = TlsConnection.prototype.receive;
    const spy = vi.spyOn(TlsConnection.prototype, 'receive').mockImplementation(function (
      this: TlsConnection,
      b,
    ) {
      const events = real.call(this, b);
      for (const e of events)
        if (e.type === 'error') Object.defineProperty(e.error, 'alertSent', { value: 'decode_error' });
      return events;
    });
    try {
      expect(run(one('toServer', 0, { kind: 'duplicate', record: 0 })).violations.join('\n')).toMatch(
        /should fail with unexpected_message/,
      );
    } finally {
      spy.mockRestore();
    }
  });
});
