// Limits on what the engine buffers (README "Limits"): write() before the handshake completes, bytes
// queued for a peer that does not read, and records processed per receive() call.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../src/config.js';
import { TlsClient, TlsServer } from '../src/endpoints.js';
import { TlsError } from '../src/errors.js';
import { DEFAULT_LIMITS } from '../src/limits.js';
import { dataOf, errorOf, runPair } from './helpers/pair.js';
import { p256Configs, type TestPki, testPki } from './helpers/pki.js';

let pki: TestPki;
let base: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  pki = testPki();
  base = p256Configs(pki);
}, 120_000);

function pair(client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}) {
  return {
    c: new TlsClient({ ...base.client, ...client }),
    s: new TlsServer({ ...base.server, ...server }),
  };
}

function open(client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}) {
  const p = pair(client, server);
  runPair(p.c, p.s);
  expect(p.c.state).toBe('open');
  return p;
}

/** Like runPair, but a receive() that paused at maxRecordsPerReceive is continued, as callers must. */
function openContinuing(server: Partial<ServerConfig>) {
  const { c, s } = pair({}, server);
  for (let round = 0; round < 20 && s.state !== 'open'; round++) {
    s.receive(c.takeOutgoing());
    let continued = 0;
    while (s.hasPendingInput) {
      s.receive(new Uint8Array(0));
      continued++;
    }
    if (round === 1) expect(continued).toBeGreaterThan(0); // the client's second flight has 5 records
    c.receive(s.takeOutgoing());
  }
  expect(c.state).toBe('open');
  expect(s.state).toBe('open');
  return { c, s };
}

function caught(f: () => unknown): TlsError {
  try {
    f();
  } catch (error) {
    if (error instanceof TlsError) return error;
    throw new Error(`expected a TlsError, got ${String(error)}`);
  }
  throw new Error('expected a TlsError, nothing was thrown');
}

describe('maxPendingWriteBytes: write() before the handshake completes', () => {
  it('buffers up to the bound; a write past it is refused whole, no alert, the connection goes on', () => {
    const { c, s } = pair({ maxPendingWriteBytes: 1000 });
    c.write(new Uint8Array(600).fill(1));
    c.write(new Uint8Array(400).fill(2)); // exactly at the bound
    const error = caught(() => c.write(new Uint8Array(1).fill(3)));
    expect(error).toMatchObject({ kind: 'limit', code: 'pending_writes_full', alertSent: undefined });
    expect(error.message).toContain('write() of 1 bytes refused: 1000 bytes already wait');
    expect(error.message).toContain('the limit is 1000 (option maxPendingWriteBytes)');
    expect(c.state).toBe('handshaking');
    expect(c.error).toBeUndefined();
    const log = runPair(c, s);
    expect(c.state).toBe('open');
    const received = dataOf(log.server);
    expect(received.length).toBe(1000);
    expect(received.includes(3)).toBe(false);
    c.write(new Uint8Array(5000)); // after the handshake the bound no longer applies
    expect(dataOf(s.receive(c.takeOutgoing())).length).toBe(5000);
  });

  it('by default 1 MiB: a 64 MiB write before the handshake is refused (it used to be buffered)', () => {
    expect(DEFAULT_LIMITS.maxPendingWriteBytes).toBe(1 << 20);
    const { c } = pair();
    expect(caught(() => c.write(new Uint8Array(64 << 20))).code).toBe('pending_writes_full');
    c.write(new Uint8Array(1 << 20));
    expect(caught(() => c.write(new Uint8Array(1))).code).toBe('pending_writes_full');
    expect(c.state).toBe('handshaking');
  });

  it('0: no write before the handshake', () => {
    const { c } = pair({ maxPendingWriteBytes: 0 });
    expect(caught(() => c.write(new Uint8Array(1))).code).toBe('pending_writes_full');
  });
});

describe('maxOutgoingBytes: bytes queued for a peer that does not read', () => {
  it('refuses a write that would pass the bound while bytes wait in takeOutgoing(); taking them lets writes go on', () => {
    const { c, s } = open({ maxOutgoingBytes: 100_000 });
    c.write(new Uint8Array(60_000).fill(1));
    const error = caught(() => c.write(new Uint8Array(60_000).fill(2)));
    expect(error).toMatchObject({ kind: 'limit', code: 'outgoing_buffer_full', alertSent: undefined });
    expect(error.message).toContain('write() of 60000 bytes refused');
    expect(error.message).toContain('the limit is 100000 (option maxOutgoingBytes)');
    c.write(new Uint8Array(30_000).fill(3)); // still under the bound
    expect(c.state).toBe('open');
    const first = dataOf(s.receive(c.takeOutgoing()));
    expect(first.length).toBe(90_000);
    expect(first.includes(2)).toBe(false);
    c.write(new Uint8Array(60_000).fill(2));
    expect(dataOf(s.receive(c.takeOutgoing())).length).toBe(60_000);
  });

  it('a single write larger than the bound is accepted onto an empty queue', () => {
    const { c, s } = open({ maxOutgoingBytes: 1000 });
    c.write(new Uint8Array(50_000));
    expect(caught(() => c.write(new Uint8Array(1))).code).toBe('outgoing_buffer_full');
    expect(dataOf(s.receive(c.takeOutgoing())).length).toBe(50_000);
  });

  it('by default 1 MiB: a writer whose peer never reads stops growing the queue', () => {
    expect(DEFAULT_LIMITS.maxOutgoingBytes).toBe(1 << 20);
    const { c } = open();
    const chunk = new Uint8Array(16384);
    let accepted = 0;
    let refused: TlsError | undefined;
    for (let i = 0; i < 1000 && !refused; i++) {
      try {
        c.write(chunk);
        accepted += chunk.length;
      } catch (e) {
        refused = e as TlsError;
      }
    }
    expect(refused?.code).toBe('outgoing_buffer_full');
    expect(accepted).toBe(63 * 16384); // 64 sealed records (16 384 + 29 bytes each) would pass 1 MiB
    expect(c.takeOutgoing().length).toBeLessThanOrEqual(1 << 20);
  });
});

/** `n` separate one-byte application data records from `c`, in one buffer. */
function smallRecords(c: TlsClient, n: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    c.write(new Uint8Array([i & 0xff]));
    parts.push(c.takeOutgoing().slice());
  }
  const out = new Uint8Array(parts.reduce((k, p) => k + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('maxRecordsPerReceive: records processed per receive() call', () => {
  it('receive() stops after the bound with hasPendingInput set; receive(empty) continues, in order', () => {
    const { c, s } = openContinuing({ maxRecordsPerReceive: 4 });
    const bytes = smallRecords(c, 10);
    const first = s.receive(bytes);
    expect(first.filter((e) => e.type === 'data')).toHaveLength(4);
    expect(s.hasPendingInput).toBe(true);
    const second = s.receive(new Uint8Array(0));
    expect(second.filter((e) => e.type === 'data')).toHaveLength(4);
    expect(s.hasPendingInput).toBe(true);
    const third = s.receive(new Uint8Array(0));
    expect(third.filter((e) => e.type === 'data')).toHaveLength(2);
    expect(s.hasPendingInput).toBe(false);
    expect(s.receive(new Uint8Array(0))).toEqual([]);
    expect([...dataOf([...first, ...second, ...third])]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.state).toBe('open');
  });

  it('new bytes while paused are queued behind the buffered records', () => {
    const { c, s } = openContinuing({ maxRecordsPerReceive: 3 });
    const first = s.receive(smallRecords(c, 5));
    expect(s.hasPendingInput).toBe(true);
    const second = s.receive(smallRecords(c, 1));
    expect(s.hasPendingInput).toBe(false);
    expect([...dataOf([...first, ...second])]).toEqual([0, 1, 2, 3, 4, 0]);
  });

  it('exactly the bound, with nothing left over, leaves no pending input', () => {
    const { c, s } = openContinuing({ maxRecordsPerReceive: 4 });
    expect(s.receive(smallRecords(c, 4)).filter((e) => e.type === 'data')).toHaveLength(4);
    expect(s.hasPendingInput).toBe(false);
  });

  it('by default 1024 records per call', () => {
    expect(DEFAULT_LIMITS.maxRecordsPerReceive).toBe(1024);
    const { c, s } = open();
    const events = s.receive(smallRecords(c, 1030));
    expect(events.filter((e) => e.type === 'data')).toHaveLength(1024);
    expect(s.hasPendingInput).toBe(true);
    expect(s.receive(new Uint8Array(0)).filter((e) => e.type === 'data')).toHaveLength(6);
    expect(errorOf(events)).toBeUndefined();
  });
});
