// ECDSA verification with precomputed tables for recurring keys: the same answers as noble's verify
// (OpenSSL's signatures, random and mutated ones), and the bounds on which keys get a table.

import { p256, p384 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  IDLE_BEFORE_EVICTION,
  recurringKeys,
  TABLES_MAX,
  VERIFICATIONS_BEFORE_TABLE,
  verifyEcdsaDigest,
} from '../../src/ciphers/ecdsa-key-tables.js';
import type { EcCurve } from '../../src/ciphers/keys.js';
import { hashMessage } from '../../src/ciphers/rsa.js';
import { fromHex } from '../../src/codec.js';
import { loadEcdsa } from './signature-vectors.js';

const CURVES = { 'P-256': p256, 'P-384': p384 } as const;

/** A key pair and a valid DER signature over `digest`. */
function signed(curve: EcCurve, secret: Uint8Array, digest: Uint8Array) {
  const c = CURVES[curve];
  return {
    point: c.getPublicKey(secret, false),
    signature: c.sign(digest, secret, { prehash: false, format: 'der', lowS: false }),
  };
}

/** noble's own verdict (the reference), false where it throws. */
function reference(curve: EcCurve, point: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  try {
    return CURVES[curve].verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
}

function ours(curve: EcCurve, point: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifyEcdsaDigest(curve, point, digest, signature);
  } catch {
    return false;
  }
}

/** Verify good signatures by `point` until it holds a table. */
function earnTable(curve: EcCurve, secret: Uint8Array): Uint8Array {
  const before = recurringKeys.tableCount;
  let point = new Uint8Array();
  for (let i = 0; i < VERIFICATIONS_BEFORE_TABLE; i++) {
    const digest = sha256(Uint8Array.of(i));
    const s = signed(curve, secret, digest);
    point = s.point;
    expect(recurringKeys.tableCount).toBe(before);
    expect(verifyEcdsaDigest(curve, s.point, digest, s.signature)).toBe(true);
  }
  expect(recurringKeys.tableCount).toBe(before + 1);
  return point;
}

beforeEach(() => recurringKeys.clear());

describe('verification with a key table', () => {
  for (const name of ['p256', 'p384'] as const) {
    const { file, key } = loadEcdsa(name);
    it(`accepts every OpenSSL ${key.curve} signature and refuses them altered`, () => {
      const point = fromHex(file.key.point);
      const digests = file.signatures.map((v) => hashMessage(v.hash, fromHex(v.message)));
      // The first three verifications run through noble's verify and earn the key its table.
      for (let i = 0; i < VERIFICATIONS_BEFORE_TABLE; i++) {
        const v = file.signatures[i % file.signatures.length]!;
        expect(verifyEcdsaDigest(key.curve, point, digests[i % digests.length]!, fromHex(v.signature))).toBe(
          true,
        );
      }
      expect(recurringKeys.tableCount).toBe(1);
      const Fn = CURVES[key.curve].Point.Fn;
      file.signatures.forEach((v, i) => {
        const sig = fromHex(v.signature);
        const digest = digests[i]!;
        expect(verifyEcdsaDigest(key.curve, point, digest, sig), v.command).toBe(true);
        const { r, s } = CURVES[key.curve].Signature.fromBytes(sig, 'der');
        const twin = new CURVES[key.curve].Signature(r, Fn.neg(s)).toBytes('der');
        expect(verifyEcdsaDigest(key.curve, point, digest, twin)).toBe(true);
        const otherR = new CURVES[key.curve].Signature(Fn.add(r, 1n), s).toBytes('der');
        expect(verifyEcdsaDigest(key.curve, point, digest, otherR)).toBe(false);
        const otherDigest = Uint8Array.from(digest);
        otherDigest[0]! ^= 1;
        expect(verifyEcdsaDigest(key.curve, point, otherDigest, sig)).toBe(false);
      });
    });
  }

  it('gives the same verdict as noble for random keys, digests of every length and mutated signatures', () => {
    const secretOf = (curve: EcCurve, seed: number) => {
      const bytes =
        curve === 'P-256' ? sha256(Uint8Array.of(seed & 0xff, seed >> 8)) : sha384(Uint8Array.of(seed));
      return bytes; // a hash output is a valid scalar with overwhelming probability
    };
    const keys = ([0, 1, 2] as const).flatMap((i) =>
      (['P-256', 'P-384'] as const).map((curve) => {
        const secret = secretOf(curve, i);
        return { curve, secret, point: earnTable(curve, secret) };
      }),
    );
    expect(recurringKeys.tableCount).toBe(keys.length);
    fc.assert(
      fc.property(
        fc.nat(keys.length - 1),
        fc.nat(keys.length - 1),
        fc.constantFrom(sha256, sha384, sha512),
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.constantFrom('none', 'digest', 'r', 's', 'negate-s', 'byte'),
        fc.nat(),
        (signer, verifier, hash, message, mutation, where) => {
          const k = keys[signer]!;
          const digest = hash(message);
          const c = CURVES[k.curve];
          let signature = c.sign(digest, k.secret, { prehash: false, format: 'der', lowS: false });
          let checked = digest;
          const { r, s } = c.Signature.fromBytes(signature, 'der');
          if (mutation === 'digest') {
            checked = Uint8Array.from(digest);
            checked[where % digest.length]! ^= 1 << (where % 8);
          } else if (mutation === 'r') signature = new c.Signature(c.Point.Fn.add(r, 1n), s).toBytes('der');
          else if (mutation === 's') signature = new c.Signature(r, c.Point.Fn.add(s, 1n)).toBytes('der');
          else if (mutation === 'negate-s') signature = new c.Signature(r, c.Point.Fn.neg(s)).toBytes('der');
          else if (mutation === 'byte') {
            signature = Uint8Array.from(signature);
            signature[where % signature.length]! ^= 1 << (where % 8);
          }
          const v = keys[verifier]!;
          if (v.curve !== k.curve && mutation === 'none') return; // a foreign curve's signature: covered below
          expect(ours(v.curve, v.point, checked, signature)).toBe(
            reference(v.curve, v.point, checked, signature),
          );
        },
      ),
      { numRuns: 150, seed: 20261205 },
    );
  });

  it('refuses signatures with r or s of 0 or the group order, with or without a table', () => {
    const secret = sha256(Uint8Array.of(9));
    const point = earnTable('P-256', secret);
    const n = p256.Point.Fn.ORDER;
    const der = (r: bigint, s: bigint) => {
      const int = (x: bigint) => {
        let hex = x.toString(16);
        if (hex.length % 2) hex = `0${hex}`;
        if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
        return [0x02, hex.length / 2, ...fromHex(hex)];
      };
      const body = [...int(r), ...int(s)];
      return Uint8Array.from([0x30, body.length, ...body]);
    };
    const digest = sha256(Uint8Array.of(1));
    for (const [r, s] of [
      [0n, 1n],
      [1n, 0n],
      [n, 1n],
      [1n, n],
    ] as const) {
      expect(ours('P-256', point, digest, der(r, s))).toBe(false);
    }
  });
});

describe('which keys get a table', () => {
  it('counts only successful verifications', () => {
    const secret = sha256(Uint8Array.of(1));
    const digest = sha256(Uint8Array.of(2));
    const { point, signature } = signed('P-256', secret, digest);
    const wrong = sha256(Uint8Array.of(3));
    for (let i = 0; i < 10; i++) expect(verifyEcdsaDigest('P-256', point, wrong, signature)).toBe(false);
    expect(recurringKeys.tableCount).toBe(0);
    for (let i = 0; i < VERIFICATIONS_BEFORE_TABLE; i++) {
      expect(verifyEcdsaDigest('P-256', point, digest, signature)).toBe(true);
    }
    expect(recurringKeys.tableCount).toBe(1);
  });

  it(`holds at most ${TABLES_MAX} tables and gives one up only when it has gone idle`, () => {
    const secrets = Array.from({ length: TABLES_MAX + 1 }, (_, i) => sha256(Uint8Array.of(100 + i)));
    const digest = sha256(new Uint8Array(1));
    const pairs = secrets.map((secret) => signed('P-256', secret, digest));
    const verifyAll = (p: (typeof pairs)[number]) =>
      expect(verifyEcdsaDigest('P-256', p.point, digest, p.signature)).toBe(true);
    for (const p of pairs.slice(0, TABLES_MAX))
      for (let i = 0; i < VERIFICATIONS_BEFORE_TABLE; i++) verifyAll(p);
    expect(recurringKeys.tableCount).toBe(TABLES_MAX);
    // Keys taking turns: the newcomer earns a table but finds no idle one to replace.
    const newcomer = pairs[TABLES_MAX]!;
    for (let round = 0; round < 4; round++) {
      for (const p of pairs) verifyAll(p);
    }
    expect(recurringKeys.has('P-256', newcomer.point)).toBe(false);
    for (const p of pairs.slice(0, TABLES_MAX)) expect(recurringKeys.has('P-256', p.point)).toBe(true);
    // Once the oldest table has gone unused for long enough, the newcomer takes its place.
    const busy = pairs.slice(1, TABLES_MAX);
    for (let i = 0; i * busy.length < IDLE_BEFORE_EVICTION; i++) for (const p of busy) verifyAll(p);
    verifyAll(newcomer);
    expect(recurringKeys.tableCount).toBe(TABLES_MAX);
    expect(recurringKeys.has('P-256', newcomer.point)).toBe(true);
    expect(recurringKeys.has('P-256', pairs[0]!.point)).toBe(false);
    for (const p of busy) expect(recurringKeys.has('P-256', p.point)).toBe(true);
  });
});
