import { createECDH, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyShare, keyShareFromPrivate, privateKeyLength } from '../../src/ciphers/ecdhe.js';
import { GROUPS, type GroupName } from '../../src/ciphers/groups.js';
import { concatBytes, fromHex, toHex } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { ECDH_VECTORS, X25519_LOW_ORDER_POINTS } from '../vectors/ecdh.js';

const GROUP_NAMES: readonly GroupName[] = ['x25519', 'secp256r1', 'secp384r1'];

/** A deterministic `random` for reproducible tests (not cryptographic). */
function seededRandom(seed: number): (n: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      out[i] = state & 0xff;
    }
    return out;
  };
}

/** node:crypto's view of the shared secret between a fresh node key and our public value. */
function nodeAgreement(
  group: GroupName,
  ourPublic: Uint8Array,
): { nodePublic: Uint8Array; shared: Uint8Array } {
  if (group === 'x25519') {
    const pkcs8 = concatBytes(fromHex('302e020100300506032b656e04220420'), new Uint8Array(32).fill(0x42));
    const privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    const spki = concatBytes(fromHex('302a300506032b656e032100'), ourPublic);
    const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const nodePublic = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
    return { nodePublic, shared: diffieHellman({ privateKey, publicKey }) };
  }
  const ecdh = createECDH(group === 'secp256r1' ? 'prime256v1' : 'secp384r1');
  ecdh.generateKeys();
  return { nodePublic: ecdh.getPublicKey(), shared: ecdh.computeSecret(ourPublic) };
}

function expectBadShare(f: () => unknown, group: GroupName, detail: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TlsError);
  const error = thrown as TlsError;
  expect({ kind: error.kind, alertSent: error.alertSent, code: error.code }).toEqual({
    kind: 'peer',
    alertSent: 'illegal_parameter',
    code: 'bad_ecdhe_share',
  });
  expect(error.message).toContain(group);
  expect(error.message).toMatch(detail);
}

describe('ECDH known answers', () => {
  for (const v of ECDH_VECTORS) {
    it(`${v.group}: ${v.name}`, () => {
      const ours = keyShareFromPrivate(v.group, fromHex(v.privateKey));
      const theirs = keyShareFromPrivate(v.group, fromHex(v.peerPrivateKey));
      expect(ours.group).toBe(v.group);
      expect(toHex(ours.publicKey)).toBe(v.publicKey);
      expect(toHex(theirs.publicKey)).toBe(v.peerPublicKey);
      expect(toHex(ours.deriveSharedSecret(fromHex(v.peerPublicKey)))).toBe(v.sharedSecret);
      expect(toHex(theirs.deriveSharedSecret(fromHex(v.publicKey)))).toBe(v.sharedSecret);
    });
  }
});

describe('generateKeyShare', () => {
  for (const group of GROUP_NAMES) {
    it(`${group}: agrees with node:crypto and with itself; sizes match the registry`, () => {
      const share = generateKeyShare(group, seededRandom(7));
      expect(share.publicKey.length).toBe(GROUPS[group].publicKeyLength);
      const node = nodeAgreement(group, share.publicKey);
      const shared = share.deriveSharedSecret(node.nodePublic);
      expect(shared.length).toBe(GROUPS[group].sharedSecretLength);
      expect(toHex(shared)).toBe(toHex(node.shared));

      const peer = generateKeyShare(group, seededRandom(8));
      expect(toHex(share.deriveSharedSecret(peer.publicKey))).toBe(
        toHex(peer.deriveSharedSecret(share.publicKey)),
      );
    });

    it(`${group}: the private key comes from random (same random, same key; different, different)`, () => {
      const a = generateKeyShare(group, seededRandom(1));
      const b = generateKeyShare(group, seededRandom(1));
      const c = generateKeyShare(group, seededRandom(2));
      expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
      expect(toHex(a.publicKey)).not.toBe(toHex(c.publicKey));
    });
  }

  it('asks random for 32 bytes (x25519) or 1.5 × the scalar size (NIST curves) and wipes them', () => {
    for (const [group, expected] of [
      ['x25519', 32],
      ['secp256r1', 48],
      ['secp384r1', 72],
    ] as const) {
      const requested: Uint8Array[] = [];
      generateKeyShare(group, (n) => {
        const bytes = new Uint8Array(n).fill(0x5c);
        requested.push(bytes);
        return bytes;
      });
      expect(requested.map((r) => r.length)).toEqual([expected]);
      expect(requested[0]!.every((b) => b === 0)).toBe(true);
    }
  });

  it('NIST key shares from random bytes are always valid scalars (random property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('secp256r1' as const, 'secp384r1' as const),
        fc.uint8Array({ minLength: 72, maxLength: 72 }),
        (group, bytes) => {
          const share = generateKeyShare(group, (n) => bytes.slice(0, n));
          expect(share.publicKey[0]).toBe(4);
        },
      ),
      { numRuns: 10 },
    );
  });
});

describe('peer share validation', () => {
  const p256 = keyShareFromPrivate('secp256r1', fromHex(ECDH_VECTORS[1]!.privateKey));
  const p384 = keyShareFromPrivate('secp384r1', fromHex(ECDH_VECTORS[2]!.privateKey));
  const x = keyShareFromPrivate('x25519', fromHex(ECDH_VECTORS[0]!.privateKey));
  const nist = [
    [p256, fromHex(ECDH_VECTORS[1]!.peerPublicKey)],
    [p384, fromHex(ECDH_VECTORS[2]!.peerPublicKey)],
  ] as const;

  for (const [share, valid] of nist) {
    const group = share.group;
    const coordinate = (valid.length - 1) / 2;

    it(`${group}: refuses compressed points (0x02/0x03), even at the uncompressed length`, () => {
      const compressed = concatBytes(fromHex('02'), valid.subarray(1, 1 + coordinate));
      expectBadShare(() => share.deriveSharedSecret(compressed), group, /compressed/);
      expectBadShare(
        () => share.deriveSharedSecret(concatBytes(fromHex('03'), valid.subarray(1, 1 + coordinate))),
        group,
        /compressed/,
      );
      expectBadShare(
        () => share.deriveSharedSecret(concatBytes(fromHex('02'), valid.subarray(1))),
        group,
        /compressed/,
      );
    });

    it(`${group}: refuses the point at infinity and other prefixes`, () => {
      expectBadShare(() => share.deriveSharedSecret(fromHex('00')), group, /infinity/);
      expectBadShare(
        () => share.deriveSharedSecret(concatBytes(fromHex('00'), valid.subarray(1))),
        group,
        /infinity/,
      );
      expectBadShare(
        () => share.deriveSharedSecret(concatBytes(fromHex('06'), valid.subarray(1))),
        group,
        /0x06/,
      );
      expectBadShare(() => share.deriveSharedSecret(new Uint8Array(0)), group, /empty/);
    });

    it(`${group}: refuses wrong lengths`, () => {
      expectBadShare(() => share.deriveSharedSecret(valid.subarray(0, valid.length - 1)), group, /bytes/);
      expectBadShare(() => share.deriveSharedSecret(concatBytes(valid, fromHex('00'))), group, /bytes/);
    });

    it(`${group}: refuses points not on the curve`, () => {
      const offCurve = valid.slice();
      offCurve[offCurve.length - 1]! ^= 1;
      expectBadShare(() => share.deriveSharedSecret(offCurve), group, /not a point on the curve/);
      const zeros = concatBytes(fromHex('04'), new Uint8Array(2 * coordinate));
      expectBadShare(() => share.deriveSharedSecret(zeros), group, /not a point on the curve/);
      const huge = concatBytes(fromHex('04'), new Uint8Array(2 * coordinate).fill(0xff));
      expectBadShare(() => share.deriveSharedSecret(huge), group, /not a point on the curve/);
    });

    it(`${group}: random bytes as a share are refused with a TlsError or accepted, never another exception`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2 * valid.length }), (bytes) => {
          try {
            share.deriveSharedSecret(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(TlsError);
          }
        }),
        { numRuns: 30 },
      );
    });
  }

  it('x25519: refuses wrong lengths', () => {
    for (const length of [0, 31, 33, 65]) {
      expectBadShare(() => x.deriveSharedSecret(new Uint8Array(length).fill(9)), 'x25519', /32 bytes/);
    }
  });

  for (const u of X25519_LOW_ORDER_POINTS) {
    it(`x25519: refuses low-order point ${u.slice(0, 8)}… (all-zero shared secret)`, () => {
      expectBadShare(() => x.deriveSharedSecret(fromHex(u)), 'x25519', /all.zero/);
    });
  }
});

describe('keyShareFromPrivate and dispose', () => {
  it('refuses private keys of the wrong size and NIST scalars outside [1, n-1]', () => {
    for (const group of GROUP_NAMES) {
      expect(() => keyShareFromPrivate(group, new Uint8Array(privateKeyLength(group) + 1))).toThrow(
        expect.objectContaining({ kind: 'local' }),
      );
    }
    expect(() => keyShareFromPrivate('secp256r1', new Uint8Array(32))).toThrow(
      expect.objectContaining({ kind: 'local' }),
    );
    expect(() => keyShareFromPrivate('secp384r1', new Uint8Array(48).fill(0xff))).toThrow(
      expect.objectContaining({ kind: 'local' }),
    );
  });

  it('copies the private key (the caller may wipe theirs) and refuses to derive after dispose', () => {
    for (const v of ECDH_VECTORS) {
      const privateKey = fromHex(v.privateKey);
      const share = keyShareFromPrivate(v.group, privateKey);
      privateKey.fill(0);
      expect(toHex(share.deriveSharedSecret(fromHex(v.peerPublicKey)))).toBe(v.sharedSecret);
      share.dispose();
      expect(() => share.deriveSharedSecret(fromHex(v.peerPublicKey))).toThrow(
        expect.objectContaining({ kind: 'local', code: 'key_share_disposed' }),
      );
    }
  });
});
