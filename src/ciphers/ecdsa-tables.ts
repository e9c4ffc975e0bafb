// ECDSA verification (SEC 1 v2 §4.1.4, FIPS 186-5 §6.4.2) with a precomputed window table for a
// public key that verifies again and again — a pinned root's — built from noble's point arithmetic.

import { p256, p384 } from '@noble/curves/nist.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import type { EcCurve, PublicKey } from './keys.js';

const CURVES = { 'P-256': p256, 'P-384': p384 } as const;
type EcPoint = InstanceType<(typeof p256)['Point']>;

/**
 * Window of the table: 4 bits. Measured for P-256 on Node 20 (busy machine): a verification with
 * the table ~3× faster than noble's verify; the table holds ~0.3 MB and takes ~45–140 ms to build
 * (6 bits: ~0.6 MB, ~170–220 ms for little more), so it is built only for a key that has shown it
 * is used often.
 */
const TABLE_WINDOW = 4;

/** Verifications with a registered key before its table is built (cheaper than the table until then). */
export const TABLE_AFTER_USES = 8;

interface RepeatedKey {
  uses: number;
  point?: EcPoint;
}

/** Keys registered by expectRepeatedUse, by identity: the table lives as long as the key object. */
const repeatedKeys = new WeakMap<PublicKey, RepeatedKey>();

/**
 * Mark `key` (a pinned root's EC key, kept by a compiled context) as one that will verify many
 * signatures: after TABLE_AFTER_USES verifications a window table is built for it, and later
 * verifications with this key object use it. Other key types are ignored.
 */
export function expectRepeatedUse(key: PublicKey | undefined): void {
  if (key?.type === 'ec' && key.curve in CURVES && !repeatedKeys.has(key)) {
    repeatedKeys.set(key, { uses: 0 });
  }
}

/** The table-backed point for `key` once it has earned one, else undefined (use the plain path). */
export function tablePointFor(key: Extract<PublicKey, { type: 'ec' }>): EcPoint | undefined {
  const entry = repeatedKeys.get(key);
  if (entry === undefined) return undefined;
  if (entry.point !== undefined) return entry.point;
  if (++entry.uses < TABLE_AFTER_USES) return undefined;
  const point = CURVES[key.curve].Point.fromBytes(key.point); // checks the point is on the curve
  point.precompute(TABLE_WINDOW);
  point.multiplyUnsafe(2n); // builds the table now, for the variable-time path verification uses
  entry.point = point;
  return point;
}

/** True when `key` has its table (for tests and benchmarks). */
export function hasTable(key: PublicKey): boolean {
  return repeatedKeys.get(key)?.point !== undefined;
}

/**
 * Verify a DER ECDSA signature over `digest` (the message hash, already computed) with `point`'s
 * table: e = the leftmost min(hash, order) bits of the digest, w = s⁻¹, R = (e·w)·G + (r·w)·Q,
 * valid when R is not the identity and R.x mod n = r. r and s outside [1, n − 1] are refused by
 * noble's DER decoder (which throws). Only public values are involved, so variable time is fine.
 */
export function verifyWithTable(
  curve: EcCurve,
  point: EcPoint,
  digest: Uint8Array,
  signatureDer: Uint8Array,
): boolean {
  const { Point, Signature } = CURVES[curve];
  const Fn = Point.Fn;
  const { r, s } = Signature.fromBytes(signatureDer, 'der');
  if (r <= 0n || r >= Fn.ORDER || s <= 0n || s >= Fn.ORDER) return false;
  const e = Fn.create(bytesToNumberBE(digest.subarray(0, Math.min(digest.length, Fn.BYTES))));
  const w = Fn.inv(s);
  const R = Point.BASE.multiplyUnsafe(Fn.create(e * w)).add(
    (point as unknown as InstanceType<typeof Point>).multiplyUnsafe(Fn.create(r * w)),
  );
  if (R.is0()) return false;
  return Fn.create(R.toAffine().x) === r;
}
