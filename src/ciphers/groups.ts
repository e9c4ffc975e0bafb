// The named-group registry for ECDHE (RFC 8422 §5.1.1, RFC 7748).

import type { EcCurve } from './keys.js';

/** Named group code points (RFC 8422 §5.1.1, RFC 7748) memtls implements. */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  x25519: 0x001d,
} as const;
/** A group memtls implements: 'x25519', 'secp256r1' or 'secp384r1'. */
export type GroupName = keyof typeof NamedGroup;

/** A key-exchange group's name, IANA code and sizes (GROUPS holds one per group). */
export interface GroupParams {
  /** The group's name. */
  readonly name: GroupName;
  /** Its NamedGroup code on the wire (RFC 8422 §5.1.1, RFC 7919). */
  readonly code: number;
  /** Length of the public value on the wire (uncompressed point for NIST curves). */
  readonly publicKeyLength: number;
  /** Length of the shared secret (the x-coordinate for NIST curves). */
  readonly sharedSecretLength: number;
}

/** Every group memtls implements, with its code and parameters. */
export const GROUPS: Readonly<Record<GroupName, GroupParams>> = {
  x25519: { name: 'x25519', code: NamedGroup.x25519, publicKeyLength: 32, sharedSecretLength: 32 },
  secp256r1: { name: 'secp256r1', code: NamedGroup.secp256r1, publicKeyLength: 65, sharedSecretLength: 32 },
  secp384r1: { name: 'secp384r1', code: NamedGroup.secp384r1, publicKeyLength: 97, sharedSecretLength: 48 },
};

/** Groups offered and accepted when a config names none, in preference order. */
export const DEFAULT_GROUPS: readonly GroupName[] = ['x25519', 'secp256r1', 'secp384r1'];

const byCode = new Map<number, GroupParams>(Object.values(GROUPS).map((g) => [g.code, g]));

export function groupByCode(code: number): GroupParams | undefined {
  return byCode.get(code);
}

/** Accepts x25519, secp256r1/P-256/prime256v1, secp384r1/P-384 (case-insensitive). */
export function groupByName(name: string): GroupParams | undefined {
  const n = name.trim().toLowerCase();
  if (n === 'x25519') return GROUPS.x25519;
  if (n === 'secp256r1' || n === 'p-256' || n === 'p256' || n === 'prime256v1') return GROUPS.secp256r1;
  if (n === 'secp384r1' || n === 'p-384' || n === 'p384') return GROUPS.secp384r1;
  return undefined;
}

/** The group of an ECDSA key's curve (RFC 8422 §5.1.1: the client must list it for us to sign with it). */
export function groupOfCurve(curve: EcCurve): GroupName {
  return curve === 'P-256' ? 'secp256r1' : 'secp384r1';
}

/** EC point formats (RFC 8422 §5.1.2): only uncompressed is supported. */
export const ECPointFormat = { uncompressed: 0 } as const;
