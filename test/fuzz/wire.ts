// The wire mutation model for pair fuzzing: TLS records (RFC 5246 §6.2.1) as a sender wrote them, and
// the hostile or benign changes an on-path attacker or a network may make to them in one flight.

import fc from 'fast-check';

export type Direction = 'toServer' | 'toClient';

/** One record as the sender framed it; `protected` once the sender's ChangeCipherSpec went out. */
export interface WireRecord {
  bytes: Uint8Array;
  type: number;
  protected: boolean;
  /** Inserted by the mutator, not written by the sender. */
  injected?: boolean;
  /** The second half of a split handshake record: a message may be incomplete before it. */
  fragmentTail?: boolean;
}

/** Content for an injected record: alerts, ChangeCipherSpec, empty records of every type, unknown types. */
export type Injection =
  | { what: 'alert'; level: number; description: number }
  | { what: 'ccs'; body: number[] }
  | { what: 'empty'; type: number }
  | { what: 'unknownType'; type: number; length: number };

/**
 * Positions are relative (`record` is taken modulo the flight's record count, `offset` modulo the
 * record's length), so a mutation means the same thing when signature lengths vary between runs.
 */
export type Mutation =
  | { kind: 'flip'; record: number; offset: number; xor: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'drop'; record: number }
  | { kind: 'duplicate'; record: number }
  | { kind: 'swap'; record: number }
  | { kind: 'inject'; record: number; injection: Injection }
  /** Benign: split a plaintext handshake record into two records (RFC 5246 §6.2.1 allows any split). */
  | { kind: 'split'; record: number; at: number };

export interface TargetedMutation {
  direction: Direction;
  flight: number;
  mutation: Mutation;
}

const injection: fc.Arbitrary<Injection> = fc.oneof(
  fc.record({
    what: fc.constant('alert' as const),
    level: fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 255 })),
    description: fc.oneof(
      fc.constantFrom(0, 10, 20, 40, 42, 47, 50, 90, 100),
      fc.integer({ min: 0, max: 255 }),
    ),
  }),
  fc.record({
    what: fc.constant('ccs' as const),
    body: fc.oneof(
      fc.constant([1] as number[]),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }),
    ),
  }),
  fc.record({ what: fc.constant('empty' as const), type: fc.constantFrom(20, 21, 22, 23) }),
  fc.record({
    what: fc.constant('unknownType' as const),
    type: fc.oneof(fc.constantFrom(0, 19, 24, 255), fc.integer({ min: 0, max: 255 })),
    length: fc.integer({ min: 0, max: 40 }),
  }),
);

const nat = fc.nat({ max: 1 << 20 });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      record: nat,
      offset: nat,
      xor: fc.integer({ min: 1, max: 255 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: nat }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      at: nat,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), record: nat }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate' as const), record: nat }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('swap' as const), record: nat }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('inject' as const), record: nat, injection }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('split' as const), record: nat, at: nat }), weight: 2 },
);

export const targetedMutation: fc.Arbitrary<TargetedMutation> = fc.record({
  direction: fc.constantFrom('toServer' as const, 'toClient' as const),
  flight: fc.integer({ min: 0, max: 3 }),
  mutation,
});

/** Cut the sender's bytes into records; `protectedFrom` says whether its ChangeCipherSpec already went out. */
export function parseRecords(bytes: Uint8Array, protectedAlready: boolean): WireRecord[] {
  const out: WireRecord[] = [];
  let isProtected = protectedAlready;
  for (let o = 0; o + 5 <= bytes.length; ) {
    const length = (bytes[o + 3]! << 8) | bytes[o + 4]!;
    const type = bytes[o]!;
    out.push({ bytes: bytes.slice(o, o + 5 + length), type, protected: isProtected });
    if (type === 20) isProtected = true;
    o += 5 + length;
  }
  return out;
}

export function recordBytes(type: number, body: Uint8Array | number[]): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out.set([type, 3, 3, body.length >> 8, body.length & 0xff]);
  out.set(body, 5);
  return out;
}

function injectedRecord(i: Injection): Uint8Array {
  switch (i.what) {
    case 'alert':
      return recordBytes(21, [i.level, i.description]);
    case 'ccs':
      return recordBytes(20, i.body);
    case 'empty':
      return recordBytes(i.type, []);
    case 'unknownType':
      return recordBytes(i.type, new Uint8Array(i.length).fill(0x41));
  }
}

/** What a mutation did, for the invariant checker. */
export interface Applied {
  direction: Direction;
  flight: number;
  mutation: Mutation;
  /** The records it touched, as the sender framed them (before the change). */
  target?: WireRecord;
  /** The sender-framed record that follows the change point in this flight, if any. */
  next?: WireRecord;
}

/** Apply one mutation to a flight's records; undefined when it does not apply (nothing changes). */
export function applyMutation(
  records: WireRecord[],
  m: Mutation,
): { records: WireRecord[]; target?: WireRecord; next?: WireRecord } | undefined {
  const n = records.length;
  const at = (i: number) => i % n;
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return undefined;
      const i = at(m.record);
      const r = records[i]!;
      const bytes = r.bytes.slice();
      const offset = m.offset % bytes.length;
      bytes[offset]! ^= m.xor;
      const copy = records.slice();
      copy[i] = { ...r, bytes };
      return { records: copy, target: r };
    }
    case 'drop': {
      if (n === 0) return undefined;
      const i = at(m.record);
      return { records: records.filter((_, j) => j !== i), target: records[i] };
    }
    case 'duplicate': {
      if (n === 0) return undefined;
      const i = at(m.record);
      const copy = records.slice();
      copy.splice(i + 1, 0, { ...records[i]!, injected: true });
      return { records: copy, target: records[i], next: records[i + 1] };
    }
    case 'swap': {
      if (n < 2) return undefined;
      const i = m.record % (n - 1);
      const copy = records.slice();
      [copy[i], copy[i + 1]] = [copy[i + 1]!, copy[i]!];
      return { records: copy, target: records[i], next: records[i + 1] };
    }
    case 'inject': {
      const i = m.record % (n + 1);
      const copy = records.slice();
      const bytes = injectedRecord(m.injection);
      const before = records[i] ?? records[n - 1];
      // The injected record is plaintext; it lands in the protected part of the stream when the
      // sender's ChangeCipherSpec precedes this point.
      const prot =
        i > 0 ? records[i - 1]!.protected || records[i - 1]!.type === 20 : (before?.protected ?? false);
      copy.splice(i, 0, { bytes, type: bytes[0]!, protected: prot, injected: true });
      return { records: copy, next: records[i] };
    }
    case 'split': {
      if (n === 0) return undefined;
      const i = at(m.record);
      const r = records[i]!;
      const body = r.bytes.subarray(5);
      if (r.protected || r.type !== 22 || body.length < 2) return undefined;
      const cut = 1 + (m.at % (body.length - 1));
      const a = { ...r, bytes: recordBytes(22, body.subarray(0, cut)) };
      const b = {
        ...r,
        bytes: recordBytes(22, body.subarray(cut)),
        fragmentTail: !atMessageBoundary(body, cut),
      };
      a.bytes.set(r.bytes.subarray(1, 3), 1);
      b.bytes.set(r.bytes.subarray(1, 3), 1);
      const copy = records.slice();
      copy.splice(i, 1, a, b);
      return { records: copy, target: r };
    }
    case 'truncate':
    case 'insert':
      return undefined; // byte-level: see applyBytes
  }
}

/** Whether `cut` falls between two whole handshake messages of `body` (4-byte headers, RFC 5246 §7.4). */
function atMessageBoundary(body: Uint8Array, cut: number): boolean {
  let o = 0;
  while (o < cut && o + 4 <= body.length)
    o += 4 + ((body[o + 1]! << 16) | (body[o + 2]! << 8) | body[o + 3]!);
  return o === cut;
}

/** Byte-level mutations on the flight after the record-level ones. */
export function applyBytes(bytes: Uint8Array, m: Mutation): Uint8Array | undefined {
  if (m.kind === 'truncate') {
    if (bytes.length === 0) return undefined;
    return bytes.slice(0, m.at % bytes.length);
  }
  if (m.kind === 'insert') {
    const at = m.at % (bytes.length + 1);
    const out = new Uint8Array(bytes.length + m.bytes.length);
    out.set(bytes.subarray(0, at));
    out.set(m.bytes, at);
    out.set(bytes.subarray(at), at + m.bytes.length);
    return out;
  }
  return undefined;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Re-cut a byte stream into delivery chunks (TCP segmentation) by cycling through `sizes`. */
export function chunk(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  if (sizes.length === 0 || bytes.length === 0) return [bytes];
  const out: Uint8Array[] = [];
  for (let o = 0, i = 0; o < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(bytes.subarray(o, o + size));
    o += size;
  }
  return out;
}
