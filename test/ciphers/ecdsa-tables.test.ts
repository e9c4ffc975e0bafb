// ECDSA verification with a precomputed table (a pinned root's key): the same verdicts as noble's
// verify for valid, altered, high-S, out-of-range and foreign signatures, at every hash/curve
// pairing TLS uses; tables only for registered keys, after TABLE_AFTER_USES verifications.

import { p256, p384 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  expectRepeatedUse,
  hasTable,
  TABLE_AFTER_USES,
  tablePointFor,
  verifyWithTable,
} from '../../src/ciphers/ecdsa-tables.js';
import type { PublicKey } from '../../src/ciphers/keys.js';
import { SCHEMES } from '../../src/ciphers/schemes.js';
import { verifySignature } from '../../src/ciphers/signatures.js';
import { createServerContext, resolvedServer } from '../../src/context.js';
import { p256Configs, testPki } from '../helpers/pki.js';

const CURVES = { 'P-256': p256, 'P-384': p384 } as const;
const HASHES = { sha256, sha384, sha512 } as const;

function keyPair(curve: keyof typeof CURVES) {
  const c = CURVES[curve];
  const secret = c.utils.randomSecretKey();
  const key: PublicKey = { type: 'ec', curve, point: c.getPublicKey(secret, false) };
  return { secret, key };
}

function sign(curve: keyof typeof CURVES, secret: Uint8Array, digest: Uint8Array): Uint8Array {
  return CURVES[curve].sign(digest, secret, { prehash: false, format: 'der', lowS: false });
}

function nobleVerdict(curve: keyof typeof CURVES, key: PublicKey, digest: Uint8Array, der: Uint8Array) {
  if (key.type !== 'ec') throw new Error('not EC');
  try {
    return CURVES[curve].verify(der, digest, key.point, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
}

const tablePoints = new Map<PublicKey, unknown>();

function tableVerdict(curve: keyof typeof CURVES, key: PublicKey, digest: Uint8Array, der: Uint8Array) {
  if (key.type !== 'ec') throw new Error('not EC');
  let point = tablePoints.get(key);
  if (point === undefined) {
    point = CURVES[curve].Point.fromBytes(key.point).precompute(4);
    tablePoints.set(key, point);
  }
  try {
    return verifyWithTable(curve, point as never, digest, der);
  } catch {
    return false;
  }
}

describe('verifyWithTable', () => {
  for (const curve of ['P-256', 'P-384'] as const) {
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      it(`agrees with noble's verify on ${curve} with ${hash}`, () => {
        const { secret, key } = keyPair(curve);
        const other = keyPair(curve);
        const n = CURVES[curve].Point.Fn.ORDER;
        for (let i = 0; i < 4; i++) {
          const digest = HASHES[hash](new Uint8Array([i, 1, 2, 3]));
          const der = sign(curve, secret, digest);
          const sig = CURVES[curve].Signature.fromBytes(der, 'der');
          const highS = new CURVES[curve].Signature(sig.r, n - sig.s).toBytes('der');
          const altered = HASHES[hash](new Uint8Array([i, 1, 2, 4]));
          const cases: [Uint8Array, Uint8Array, PublicKey, boolean][] = [
            [digest, der, key, true],
            [digest, highS, key, true], // OpenSSL makes high-S signatures; both accept them
            [altered, der, key, false],
            [digest, der, other.key, false],
            [digest, new CURVES[curve].Signature(sig.r, (sig.s + 1n) % n).toBytes('der'), key, false],
            [digest, new CURVES[curve].Signature((sig.r + 1n) % n, sig.s).toBytes('der'), key, false],
          ];
          for (const [d, s, k, expected] of cases) {
            expect(nobleVerdict(curve, k, d, s)).toBe(expected);
            expect(tableVerdict(curve, k, d, s)).toBe(expected);
          }
        }
      });
    }
  }

  it('refuses r or s of 0 or ≥ n', () => {
    const { secret, key } = keyPair('P-256');
    const digest = sha256(new Uint8Array([9]));
    const sig = p256.Signature.fromBytes(sign('P-256', secret, digest), 'der');
    const n = p256.Point.Fn.ORDER;
    // DER INTEGER encodings built by hand: noble's Signature refuses to hold such values.
    const int = (v: bigint) => {
      let hex = v.toString(16);
      if (hex.length % 2) hex = `0${hex}`;
      if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
      const bytes = Buffer.from(hex, 'hex');
      return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
    };
    const der = (r: bigint, s: bigint) => {
      const body = Buffer.concat([int(r), int(s)]);
      return new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body]));
    };
    for (const [r, s] of [
      [0n, sig.s],
      [sig.r, 0n],
      [sig.r + n, sig.s],
      [sig.r, sig.s + n],
    ] as const) {
      expect(tableVerdict('P-256', key, digest, der(r, s))).toBe(false);
    }
  });
});

describe('tables for registered keys only', () => {
  it(`builds a table on the ${TABLE_AFTER_USES}th verification with a registered key, and verifies with it`, () => {
    const { secret, key } = keyPair('P-256');
    const scheme = SCHEMES.ecdsa_secp256r1_sha256.algorithm;
    const message = new Uint8Array([1, 2, 3]);
    const signature = sign('P-256', secret, sha256(message));
    if (key.type !== 'ec') throw new Error('not EC');
    expectRepeatedUse(key);
    for (let i = 1; i < TABLE_AFTER_USES; i++) {
      expect(verifySignature(scheme, key, message, signature)).toBe(true);
      expect(hasTable(key)).toBe(false);
    }
    expect(verifySignature(scheme, key, message, signature)).toBe(true);
    expect(hasTable(key)).toBe(true);
    expect(tablePointFor(key)).toBeDefined();
    // Through the table: still refuses an altered message and a foreign key's signature.
    expect(verifySignature(scheme, key, new Uint8Array([1, 2, 4]), signature)).toBe(false);
    const foreign = sign('P-256', keyPair('P-256').secret, sha256(message));
    expect(verifySignature(scheme, key, message, foreign)).toBe(false);
  });

  it('never builds one for a key nobody registered (a peer leaf key)', () => {
    const { secret, key } = keyPair('P-256');
    const scheme = SCHEMES.ecdsa_secp256r1_sha256.algorithm;
    const signature = sign('P-256', secret, sha256(new Uint8Array([7])));
    for (let i = 0; i < TABLE_AFTER_USES + 2; i++) {
      expect(verifySignature(scheme, key, new Uint8Array([7]), signature)).toBe(true);
    }
    expect(hasTable(key)).toBe(false);
  });

  it("a compiled context registers its pinned root's key", () => {
    const ctx = createServerContext(p256Configs(testPki()).server);
    const rootKey = resolvedServer(ctx).rootCertificates[0]!.publicKey!;
    const scheme = SCHEMES.ecdsa_secp256r1_sha256.algorithm;
    const { secret } = keyPair('P-256');
    const signature = sign('P-256', secret, sha256(new Uint8Array([5])));
    for (let i = 0; i < TABLE_AFTER_USES; i++)
      verifySignature(scheme, rootKey, new Uint8Array([5]), signature);
    expect(hasTable(rootKey)).toBe(true);
  });
});
