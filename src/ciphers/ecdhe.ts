// Ephemeral ECDHE key shares over x25519 (RFC 7748 §5, §6.1) and secp256r1/secp384r1 (SEC 1 §3.3,
// RFC 8422 §5.10), with the peer-value checks RFC 8422 §5.11 and RFC 7748 §6.1 ask for.

import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { localError, peerError } from '../errors.js';
import { GROUPS, type GroupName } from './groups.js';
import type { KeyShare } from './provider.js';

const NIST_CURVES = { secp256r1: p256, secp384r1: p384 } as const;
type NistGroup = keyof typeof NIST_CURVES;

/** SEC 1 §2.3.3: the uncompressed point prefix; 0x00 is infinity, 0x02/0x03 are compressed forms. */
const UNCOMPRESSED = 0x04;

function disposedError(group: GroupName): Error {
  return localError(
    'key_share_disposed',
    `this ${group} key share was disposed; make a new one per handshake`,
  );
}

function badShare(group: GroupName, problem: string): Error {
  return peerError('bad_ecdhe_share', `the peer's ${group} ECDHE share ${problem}`);
}

/** The private-key length `keyShareFromPrivate` takes: 32 for x25519, the scalar size for NIST curves. */
export function privateKeyLength(group: GroupName): number {
  return group === 'x25519' ? 32 : NIST_CURVES[group].lengths.secretKey!;
}

/**
 * A fresh ephemeral key pair for `group`, its private key made from `random`: 32 bytes for x25519
 * (clamped by the ladder), and for NIST curves seed bytes ≥ 1.5 × the scalar size reduced into
 * [1, n-1] (noble's randomSecretKey / mapHashToField, FIPS 186-5 A.2.1), so the bias is negligible.
 */
export function generateKeyShare(group: GroupName, random: (n: number) => Uint8Array): KeyShare {
  if (group === 'x25519') {
    const privateKey = random(32);
    try {
      return keyShareFromPrivate(group, privateKey);
    } finally {
      privateKey.fill(0);
    }
  }
  const curve = NIST_CURVES[group];
  if (curve === undefined) throw localError('unsupported', `unknown ECDHE group '${String(group)}'`);
  const seed = random(curve.lengths.seed!);
  const privateKey = curve.utils.randomSecretKey(seed);
  seed.fill(0);
  try {
    return keyShareFromPrivate(group, privateKey);
  } finally {
    privateKey.fill(0);
  }
}

/**
 * A key share from a given private key (for known-answer tests and reproducible handshakes): a
 * 32-byte x25519 scalar, or a big-endian scalar in [1, n-1] of the curve's size. The share keeps
 * its own copy; the caller may wipe `privateKey` afterwards.
 */
export function keyShareFromPrivate(group: GroupName, privateKey: Uint8Array): KeyShare {
  const params = GROUPS[group];
  if (params === undefined) throw localError('unsupported', `unknown ECDHE group '${String(group)}'`);
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== privateKeyLength(group)) {
    throw localError('bad_key', `a ${group} private key must be ${privateKeyLength(group)} bytes`);
  }
  return group === 'x25519' ? new X25519Share(privateKey) : new NistShare(group, privateKey);
}

class X25519Share implements KeyShare {
  readonly group = 'x25519' as const;
  readonly publicKey: Uint8Array;
  private readonly privateKey: Uint8Array;
  private disposed = false;

  constructor(privateKey: Uint8Array) {
    this.privateKey = new Uint8Array(privateKey);
    this.publicKey = x25519.getPublicKey(this.privateKey);
  }

  deriveSharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    if (this.disposed) throw disposedError('x25519');
    if (!(peerPublicKey instanceof Uint8Array) || peerPublicKey.length !== 32) {
      throw badShare('x25519', `has ${describeLength(peerPublicKey)}; an x25519 public value is 32 bytes`);
    }
    let shared: Uint8Array;
    try {
      // noble refuses the low-order u values (whose result would be all zeros) before the ladder.
      shared = x25519.getSharedSecret(this.privateKey, peerPublicKey);
    } catch {
      throw badShare('x25519', 'is a low-order point: the shared secret would be all zeros (RFC 7748 §6.1)');
    }
    let any = 0;
    for (const b of shared) any |= b;
    if (any === 0) {
      throw badShare('x25519', 'gives an all-zero shared secret (RFC 7748 §6.1)');
    }
    return shared;
  }

  dispose(): void {
    this.disposed = true;
    this.privateKey.fill(0);
  }
}

class NistShare implements KeyShare {
  readonly group: NistGroup;
  readonly publicKey: Uint8Array;
  private readonly privateKey: Uint8Array;
  private disposed = false;

  constructor(group: NistGroup, privateKey: Uint8Array) {
    const curve = NIST_CURVES[group];
    if (!curve.utils.isValidSecretKey(privateKey)) {
      throw localError('bad_key', `a ${group} private key must be a scalar in [1, n-1]`);
    }
    this.group = group;
    this.privateKey = new Uint8Array(privateKey);
    this.publicKey = curve.getPublicKey(this.privateKey, false);
  }

  deriveSharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    const group = this.group;
    if (this.disposed) throw disposedError(group);
    const curve = NIST_CURVES[group];
    const expected = GROUPS[group].publicKeyLength;
    if (!(peerPublicKey instanceof Uint8Array) || peerPublicKey.length === 0) {
      throw badShare(group, `is empty; expected an uncompressed point of ${expected} bytes`);
    }
    const prefix = peerPublicKey[0]!;
    if (prefix === 0x00) {
      throw badShare(group, 'is the point at infinity (SEC 1 prefix 0x00)');
    }
    if (prefix === 0x02 || prefix === 0x03) {
      throw badShare(
        group,
        `is a compressed point (prefix 0x0${prefix}); only uncompressed points (0x04) were negotiated (RFC 8422 §5.1.2)`,
      );
    }
    if (prefix !== UNCOMPRESSED) {
      throw badShare(group, `starts with 0x${hexByte(prefix)}; an uncompressed point starts with 0x04`);
    }
    if (peerPublicKey.length !== expected) {
      throw badShare(
        group,
        `has ${describeLength(peerPublicKey)}; an uncompressed point is ${expected} bytes`,
      );
    }
    let point: ReturnType<typeof curve.Point.fromBytes>;
    try {
      point = curve.Point.fromBytes(peerPublicKey); // checks coordinates < p and the curve equation
    } catch {
      throw badShare(group, 'is not a point on the curve (RFC 8422 §5.11)');
    }
    if (point.is0()) throw badShare(group, 'is the point at infinity');
    // The premaster secret is the x-coordinate of d·Q (RFC 8422 §5.10); the uncompressed form
    // is 0x04 ‖ X ‖ Y. Prime-order curves: d·Q is never infinity for d in [1, n-1] and Q ≠ O.
    const product = curve.getSharedSecret(this.privateKey, peerPublicKey, false);
    const coordinateLength = GROUPS[group].sharedSecretLength;
    const shared = product.slice(1, 1 + coordinateLength);
    product.fill(0);
    return shared;
  }

  dispose(): void {
    this.disposed = true;
    this.privateKey.fill(0);
  }
}

function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function describeLength(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : `no bytes (${typeof value})`;
}
