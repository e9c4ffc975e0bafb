// Hashes and HMAC over noble's SHA-2 (FIPS 180-4, RFC 2104) for the PRF, transcripts and signatures.

import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { HashName } from './suites.js';

/** The noble hash function for a name. */
export const HASHES = { sha256, sha384, sha512 } as const;

/** Output length in bytes of each hash. */
export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha256: 32, sha384: 48, sha512: 64 };

export function hash(algorithm: HashName, data: Uint8Array): Uint8Array {
  return HASHES[algorithm](data);
}

export function hmac(algorithm: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return nobleHmac(HASHES[algorithm], key, data);
}

/**
 * HMAC keyed once: the inner and outer pads are hashed a single time and cloned for each message.
 * Used by the PRF, which runs many HMACs under one secret.
 */
export function keyedHmac(algorithm: HashName, key: Uint8Array): (...parts: Uint8Array[]) => Uint8Array {
  const keyed = nobleHmac.create(HASHES[algorithm], key);
  return (...parts) => {
    const mac = keyed.clone();
    for (const part of parts) mac.update(part);
    return mac.digest();
  };
}
