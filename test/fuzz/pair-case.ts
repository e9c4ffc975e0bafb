// The pair-fuzzing engine: one case is a client and a server in memory with a mutated wire between them
// (see wire.ts); the invariant checker states what RFC 5246 §6–7 allows as the outcome.

import fc from 'fast-check';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TlsConnection, TlsEvent } from '../../src/connection.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import type { PairFixture } from './fixtures.js';
import { type CaseWatch, checkOutcome, checkRfcChoice } from './outcome.js';
import {
  type Applied,
  applyBytes,
  applyMutation,
  chunk,
  concat,
  type Direction,
  parseRecords,
  type TargetedMutation,
  targetedMutation,
} from './wire.js';

export interface PairCase {
  fixture: number;
  seed: number;
  /** Write lengths; `early` writes go in before the handshake (buffered), the rest once open. */
  clientWrites: { length: number; early: boolean }[];
  serverWrites: { length: number; early: boolean }[];
  clientCloses: boolean;
  serverCloses: boolean;
  mutations: TargetedMutation[];
  chunks: { toServer: number[]; toClient: number[] };
}

const write = fc.record({
  length: fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 300 }), weight: 6 },
    { arbitrary: fc.integer({ min: 16_000, max: 20_000 }), weight: 1 },
  ),
  early: fc.boolean(),
});
const chunkSizes = fc.oneof(
  { arbitrary: fc.constant([] as number[]), weight: 3 },
  { arbitrary: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }), weight: 2 },
);

export function pairCase(fixtures: number): fc.Arbitrary<PairCase> {
  return fc.record({
    fixture: fc.nat({ max: fixtures - 1 }),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    clientWrites: fc.array(write, { maxLength: 3 }),
    serverWrites: fc.array(write, { maxLength: 3 }),
    clientCloses: fc.boolean(),
    serverCloses: fc.boolean(),
    mutations: fc.oneof(
      { arbitrary: fc.constant([] as TargetedMutation[]), weight: 1 },
      { arbitrary: fc.array(targetedMutation, { minLength: 1, maxLength: 1 }), weight: 4 },
      { arbitrary: fc.array(targetedMutation, { minLength: 2, maxLength: 4 }), weight: 3 },
    ),
    chunks: fc.record({ toServer: chunkSizes, toClient: chunkSizes }),
  });
}

/** A deterministic random source per case (xorshift32), so handshakes replay from the case alone. */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let x = seed | 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/** Application bytes that differ at every position of every write, so reorders and replays show. */
function payload(side: 'client' | 'server', index: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const salt = side === 'client' ? 17 : 89;
  for (let i = 0; i < length; i++) out[i] = (i * 31 + index * 7 + salt + (i >> 8)) & 0xff;
  return out;
}

export interface CaseOptions {
  /** Fixed clock for certificate validity. */
  now: number;
  crypto?: ClientConfig['crypto'];
}

/** The random sources of the case being run; the configs below read them through a stable function. */
const streams = { client: seededRandom(1), server: seededRandom(2) };
const prepared = new WeakMap<
  PairFixture,
  { options: CaseOptions; client: ClientConfig; server: ServerConfig }
>();

/**
 * One config object per fixture, reused by every case: the engine caches parsed certificates and
 * keys per config object, so cases pay for handshakes, not for PEM parsing and key checks.
 */
function preparedConfigs(
  fx: PairFixture,
  options: CaseOptions,
): { client: ClientConfig; server: ServerConfig } {
  const hit = prepared.get(fx);
  if (hit && hit.options.now === options.now && hit.options.crypto === options.crypto) return hit;
  const extra = { now: () => options.now, ...(options.crypto ? { crypto: options.crypto } : {}) };
  const made = {
    options,
    client: { ...fx.client, ...extra, random: (n: number) => streams.client(n) },
    server: { ...fx.server, ...extra, random: (n: number) => streams.server(n) },
  };
  prepared.set(fx, made);
  return made;
}

export interface CaseResult {
  violations: string[];
  outcome: 'open' | 'failed' | 'stalled';
  hostile: boolean;
  /** Each side's fatal error, if it failed. */
  errors?: { client: TlsError | undefined; server: TlsError | undefined };
}

/** Run one case and return every invariant it broke (empty when it holds). */
export function runPairCase(fx: PairFixture, c: PairCase, options: CaseOptions): CaseResult {
  const violations: string[] = [];
  const configs = preparedConfigs(fx, options);
  streams.client = seededRandom(c.seed);
  streams.server = seededRandom(c.seed ^ 0x5bd1e995);
  const client = new TlsClient(configs.client);
  const server = new TlsServer(configs.server);
  const w: CaseWatch = {
    client: newSide('client', client),
    server: newSide('server', server),
    applied: [],
    violations,
  };

  const sideOf = (d: Direction) => (d === 'toServer' ? w.client : w.server);
  const peerOf = (d: Direction) => (d === 'toServer' ? w.server : w.client);
  const flights = { toServer: 0, toClient: 0 };
  const writes = (phase: 'early' | 'late') => {
    for (const [s, list] of [
      [w.client, c.clientWrites],
      [w.server, c.serverWrites],
    ] as const) {
      list.forEach((wr, i) => {
        if ((phase === 'early') !== wr.early) return;
        if (phase === 'late' && s.conn.state !== 'open') return;
        const data = payload(s.role, i, wr.length);
        if (call(w, s, 'write', () => s.conn.write(data)) !== THREW) s.written.push(data);
      });
    }
  };
  writes('early');
  let late = false;
  for (let round = 0; round < 64; round++) {
    let moved = false;
    for (const dir of ['toServer', 'toClient'] as const) {
      const from = sideOf(dir);
      const to = peerOf(dir);
      const out = call(w, from, 'takeOutgoing', () => from.conn.takeOutgoing());
      if (out === THREW || out.length === 0) continue;
      moved = true;
      from.outgoing.push(out);
      const sentSoFar = from.outgoing.reduce((n, b) => n + b.length, 0);
      const budget = 65_536 + 2 * from.written.reduce((n, b) => n + b.length, 0);
      if (sentSoFar > budget)
        violations.push(`${from.role} sent ${sentSoFar} bytes, over the bound ${budget}`);
      const flight = flights[dir]++;
      let records = parseRecords(out, from.sentCcs);
      if (records.some((r) => r.type === 20)) from.sentCcs = true;
      const byteLevel: TargetedMutation[] = [];
      for (const t of c.mutations) {
        if (t.direction !== dir || t.flight !== flight) continue;
        if (t.mutation.kind === 'truncate' || t.mutation.kind === 'insert') {
          byteLevel.push(t);
          continue;
        }
        const r = applyMutation(records, t.mutation);
        if (!r) continue;
        records = r.records;
        w.applied.push({
          direction: dir,
          flight,
          mutation: t.mutation,
          target: r.target,
          next: r.next,
        } as Applied);
      }
      let bytes = concat(records.map((r) => r.bytes));
      for (const t of byteLevel) {
        const b = applyBytes(bytes, t.mutation);
        if (!b) continue;
        bytes = b;
        w.applied.push({ direction: dir, flight, mutation: t.mutation });
      }
      for (const piece of chunk(bytes, c.chunks[dir])) {
        const events = call(w, to, 'receive', () => to.conn.receive(piece));
        if (events !== THREW) onEvents(w, to, events);
        checkBuffered(w, to);
      }
    }
    if (!moved) {
      if (late) break;
      late = true;
      writes('late');
      if (c.clientCloses) call(w, w.client, 'close', () => w.client.conn.close());
      if (c.serverCloses) call(w, w.server, 'close', () => w.server.conn.close());
      for (const s of [w.client, w.server]) {
        if (s.conn.state !== 'failed') continue;
        // A failed connection refuses writes with its own error (never another exception).
        try {
          s.conn.write(new Uint8Array([1]));
          violations.push(`${s.role}: write() on a failed connection did not throw`);
        } catch (e) {
          if (e !== s.conn.error) violations.push(`${s.role}: write() after failure threw ${String(e)}`);
        }
      }
    }
  }
  const result = checkOutcome(w, c);
  checkRfcChoice(w);
  return { ...result, errors: { client: client.error, server: server.error } };
}

export interface Side {
  role: 'client' | 'server';
  conn: TlsConnection;
  written: Uint8Array[];
  writtenJoined?: { parts: number; bytes: Uint8Array };
  delivered: Uint8Array[];
  deliveredBytes: number;
  handshook: boolean;
  peerClosedAfterHandshake: boolean;
  firstError: TlsError | undefined;
  outgoing: Uint8Array[];
  sentCcs: boolean;
}

function newSide(role: 'client' | 'server', conn: TlsConnection): Side {
  return {
    role,
    conn,
    written: [],
    delivered: [],
    deliveredBytes: 0,
    handshook: false,
    peerClosedAfterHandshake: false,
    firstError: undefined,
    outgoing: [],
    sentCcs: false,
  };
}

const THREW = Symbol('threw');

/** Every public call: nothing but a TlsError may escape, and only where the API says it throws. */
function call<T>(w: CaseWatch, s: Side, name: string, f: () => T): T | typeof THREW {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof TlsError)) {
      w.violations.push(
        `${s.role}.${name}() threw a non-TlsError: ${e instanceof Error ? e.stack : String(e)}`,
      );
    } else if (!(name === 'write' && s.conn.state === 'failed')) {
      w.violations.push(`${s.role}.${name}() threw ${e.kind}/${e.code}: ${e.message}`);
    }
    return THREW;
  }
}

function peerWritten(w: CaseWatch, s: Side): Uint8Array {
  const peer = s.role === 'client' ? w.server : w.client;
  if (peer.writtenJoined?.parts !== peer.written.length) {
    peer.writtenJoined = { parts: peer.written.length, bytes: concat(peer.written) };
  }
  return peer.writtenJoined.bytes;
}

function onEvents(w: CaseWatch, s: Side, events: TlsEvent[]): void {
  for (const e of events) {
    switch (e.type) {
      case 'error': {
        if (!(e.error instanceof TlsError)) {
          w.violations.push(`${s.role}: error event without a TlsError: ${String(e.error)}`);
          break;
        }
        // (A received internal_error alert is the peer's word, not a crash here.)
        if (e.error.code === 'internal_error' && e.error.kind !== 'alertReceived') {
          const cause = e.error.cause instanceof Error ? e.error.cause.stack : String(e.error.cause);
          w.violations.push(`${s.role}: an exception inside the engine became internal_error: ${cause}`);
        }
        if (e.error.kind === 'local')
          w.violations.push(`${s.role}: receive() failed with a local error ${e.error.code}`);
        s.firstError ??= e.error;
        break;
      }
      case 'handshake':
        if (s.handshook) w.violations.push(`${s.role}: a second handshake event`);
        s.handshook = true;
        break;
      case 'data': {
        if (!s.handshook) w.violations.push(`${s.role}: data delivered before the handshake completed`);
        const sent = peerWritten(w, s);
        const at = s.deliveredBytes;
        s.delivered.push(e.data);
        s.deliveredBytes += e.data.length;
        if (s.deliveredBytes > sent.length || e.data.some((b, i) => b !== sent[at + i])) {
          w.violations.push(`${s.role}: delivered data is not a prefix of what the peer wrote`);
        }
        break;
      }
      case 'peerClosed':
        if (s.handshook) {
          s.peerClosedAfterHandshake = true;
          // An authenticated close_notify ends the stream: nothing the peer wrote may be missing.
          if (s.deliveredBytes !== peerWritten(w, s).length) {
            w.violations.push(
              `${s.role}: close_notify accepted with ${s.deliveredBytes} of ${peerWritten(w, s).length} bytes delivered`,
            );
          }
        }
        break;
      case 'alert':
        break;
    }
  }
}

/**
 * The engine has no public accessor for the bytes it holds between calls; this peeks at the record
 * deframer and the handshake reassembler. Bounds: one partial record (5 + 2^14 + 2048, RFC 5246 §6.2.3)
 * and one partial handshake message (4 + the configured maximum, 64 KiB by default).
 */
function checkBuffered(w: CaseWatch, s: Side): void {
  if (s.conn.state === 'failed') return;
  const inner = s.conn as unknown as {
    records?: { deframer?: { bufferedBytes?: number } };
    reassembler?: { start?: number; end?: number };
  };
  const framed = inner.records?.deframer?.bufferedBytes;
  if (framed !== undefined && framed > 5 + 16_384 + 2048) {
    w.violations.push(`${s.role}: the record deframer holds ${framed} bytes`);
  }
  const r = inner.reassembler;
  if (r?.start !== undefined && r.end !== undefined && r.end - r.start > 4 + 65_536) {
    w.violations.push(`${s.role}: the handshake reassembler holds ${r.end - r.start} bytes`);
  }
}
