// ECDSA verification (SEC 1 v2 §4.1.4) that keeps noble's precomputed point tables for public keys
// that recur — a pinned root, a server's leaf, a device that reconnects — bounded in count and memory.

import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { latin1 } from '../codec.js';
import type { EcCurve } from './keys.js';

const CURVES = { 'P-256': p256, 'P-384': p384 } as const;

/**
 * The window of a key's table. Measured for P-256 on the pure provider (one verification, then the
 * table's build time and heap): no table 1.9 ms; W=3 0.73 ms, 5.4 ms, 71 KiB; W=4 0.61 ms, 6.7 ms,
 * 117 KiB; W=5 0.56 ms, 10 ms, 186 KiB; W=6 0.53 ms, 17 ms, 309 KiB. W=4 keeps most of the gain for
 * a third of W=6's memory and repays its build within four verifications.
 */
export const TABLE_WINDOW = 4;
/** At most this many keys hold a table (≈ 117 KiB each for P-256): under 1 MiB per process. */
export const TABLES_MAX = 8;
/** A key earns a table at its third successful verification: a key seen once or twice costs nothing. */
export const VERIFICATIONS_BEFORE_TABLE = 3;
/**
 * A table is given up for another key only after this many verifications without a use, so keys that
 * take turns (many devices reconnecting in rotation) cannot make tables be built and thrown away over
 * and over: at most {@link TABLES_MAX} builds per this many verifications, whatever the peers do.
 */
export const IDLE_BEFORE_EVICTION = 256;
/** Counts are kept for this many keys without tables (least recently verified forgotten first). */
const COUNTED_KEYS_MAX = 1024;

type Point = WeierstrassPoint<bigint>;

interface KeyTable {
  readonly point: Point;
  lastUse: number;
}

/** The keys with tables and the counts of the keys on their way to one. Public keys only: no secret. */
class RecurringKeys {
  private clock = 0;
  private readonly counts = new Map<string, number>();
  private readonly tables = new Map<string, KeyTable>();

  /** The key's precomputed point when it has one (marking its use); else undefined. */
  tableFor(id: string): Point | undefined {
    this.clock++;
    const table = this.tables.get(id);
    if (table === undefined) return undefined;
    table.lastUse = this.clock;
    this.tables.delete(id); // Map order is use order: the first entry is the least recently used
    this.tables.set(id, table);
    return table.point;
  }

  /** Count a successful verification by a key without a table; build its table when it has earned one. */
  verified(id: string, curve: EcCurve, encoded: Uint8Array): void {
    const count = (this.counts.get(id) ?? 0) + 1;
    this.counts.delete(id);
    if (count < VERIFICATIONS_BEFORE_TABLE || !this.makeRoom()) {
      this.counts.set(id, count);
      if (this.counts.size > COUNTED_KEYS_MAX) this.counts.delete(this.counts.keys().next().value!);
      return;
    }
    const point = CURVES[curve].Point.fromBytes(encoded).precompute(TABLE_WINDOW, false);
    this.tables.set(id, { point, lastUse: this.clock });
  }

  /** True when a table may be added: there is room, or the least recently used table has gone idle. */
  private makeRoom(): boolean {
    if (this.tables.size < TABLES_MAX) return true;
    const [oldestId, oldest] = this.tables.entries().next().value!;
    if (this.clock - oldest.lastUse < IDLE_BEFORE_EVICTION) return false;
    this.tables.delete(oldestId);
    return true;
  }

  /** True when the key holds a table (for tests; does not count as a use). */
  has(curve: EcCurve, encoded: Uint8Array): boolean {
    return this.tables.has(curve + latin1(encoded));
  }

  /** How many keys hold a table (for tests). */
  get tableCount(): number {
    return this.tables.size;
  }

  /** Forget every table and count (for tests). */
  clear(): void {
    this.clock = 0;
    this.counts.clear();
    this.tables.clear();
  }
}

/** The process's recurring keys, shared by every context that uses the pure provider. */
export const recurringKeys = new RecurringKeys();

/**
 * SEC 1 v2 §4.1.4 with the digest already made: e is the digest's leftmost bits (as many as the order
 * has), u1 = e·s⁻¹, u2 = r·s⁻¹ (mod n), R = u1·G + u2·Q, valid when R ≠ O and R.x mod n = r. Q is the
 * key's precomputed point. Throws on a malformed signature (callers treat a throw as invalid).
 */
function verifyWithTable(curve: EcCurve, q: Point, digest: Uint8Array, signatureDer: Uint8Array): boolean {
  const { Point, Signature } = CURVES[curve];
  const Fn = Point.Fn;
  const { r, s } = Signature.fromBytes(signatureDer, 'der'); // r and s in [1, n − 1]
  const excess = digest.length * 8 - Fn.BITS;
  const e = Fn.create(excess > 0 ? bytesToNumberBE(digest) >> BigInt(excess) : bytesToNumberBE(digest));
  const sInverse = Fn.inv(s);
  const R = Point.BASE.multiplyUnsafe(Fn.mul(e, sInverse)).add(q.multiplyUnsafe(Fn.mul(r, sInverse)));
  return !R.is0() && Fn.create(R.toAffine().x) === r;
}

/**
 * Verify a DER ECDSA signature over `digest` by the uncompressed point `encoded`, high S accepted
 * (as OpenSSL). A key that keeps verifying gets a precomputed table, and later verifications by it
 * take about a third of the time. Throws on a malformed signature or point.
 */
export function verifyEcdsaDigest(
  curve: EcCurve,
  encoded: Uint8Array,
  digest: Uint8Array,
  signatureDer: Uint8Array,
): boolean {
  const id = curve + latin1(encoded);
  const table = recurringKeys.tableFor(id);
  if (table !== undefined) return verifyWithTable(curve, table, digest, signatureDer);
  const valid = CURVES[curve].verify(signatureDer, digest, encoded, {
    prehash: false,
    format: 'der',
    lowS: false,
  });
  if (valid) recurringKeys.verified(id, curve, encoded);
  return valid;
}
