// The CryptoProvider interface: the one seam between protocol and math (docs/ARCHITECTURE.md "The layers").
// Everything is synchronous so the engine stays a plain state machine.

import type { GroupName } from './groups.js';
import type { PrivateKey, PublicKey } from './keys.js';
import type { SignatureAlgorithm } from './schemes.js';
import type { AeadAlgorithm, HashName } from './suites.js';

/**
 * An AEAD keyed once (per connection and direction). `seal` returns ciphertext ‖ tag;
 * `open` returns the plaintext, or undefined when authentication fails (never throws for bad input).
 * Calls are synchronous and must not call back into memtls; the `nonce` and `aad` arrays are lent
 * for the call only (the record layer reuses them for every connection) and must not be kept.
 */
export interface Aead {
  readonly algorithm: AeadAlgorithm;
  readonly nonceLength: 12;
  readonly tagLength: 16;
  /** Encrypt and authenticate: ciphertext ‖ 16-byte tag. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /**
   * Optional: seal, with the ciphertext and the 16-byte tag returned apart, as the implementation
   * made them. The record layer sends large records with it without joining the two (one buffer and
   * one copy fewer per record); without it, it uses seal.
   */
  sealParts?(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): readonly [Uint8Array, Uint8Array];
  /**
   * Optional: a hint that this instance's next seal (or open, if it opens) will probably use
   * `nonce`. The record layer gives it after each application-data record. An implementation may
   * prepare for that nonce ahead of time (the node provider builds its cipher object in a
   * setImmediate callback, while the thread would otherwise wait for the network), but must use
   * what it prepared only for a call with exactly that nonce: the guess can be wrong (a peer's
   * AES-GCM explicit nonce is its own choice). The array is lent for the call only; what the
   * method throws is ignored.
   */
  anticipate?(nonce: Uint8Array): void;
  /** Check and decrypt ciphertext ‖ tag; undefined when the tag does not verify. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | undefined;
  /** Zero the key material held by this instance. */
  dispose(): void;
}

/** An ephemeral ECDHE key pair: one per handshake, never reused. */
export interface KeyShare {
  readonly group: GroupName;
  /** The public value as sent on the wire (32-byte x25519 u, or uncompressed SEC 1 point). */
  readonly publicKey: Uint8Array;
  /**
   * The shared secret with the peer's public value (the x-coordinate for NIST curves).
   * Throws TlsError (peer, illegal_parameter) for points not on the curve, the point at infinity,
   * compressed or wrongly sized encodings, and an all-zero x25519 result.
   */
  deriveSharedSecret(peerPublicKey: Uint8Array): Uint8Array;
  /** Zero the private key. */
  dispose(): void;
}

/**
 * The one seam for cryptography (docs/ARCHITECTURE.md "The layers"): key shares, AEADs, signatures,
 * hashes and random bytes. nobleProvider is the default; memtls/node has nodeCryptoProvider.
 */
export interface CryptoProvider {
  readonly name: string;
  /**
   * Build an AEAD keyed once with `key` (16 or 32 bytes as the algorithm needs). The engine zeroes
   * `key` as soon as this returns: keep a copy (or a derived key schedule), never the reference.
   */
  aead(algorithm: AeadAlgorithm, key: Uint8Array): Aead;
  /** The digest of `data`. */
  hash(algorithm: HashName, data: Uint8Array): Uint8Array;
  /** HMAC (RFC 2104) of `data` under `key`. */
  hmac(algorithm: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * A fresh ephemeral key pair. `random` supplies the private-key entropy so that handshakes with
   * a fixed config random are reproducible.
   */
  generateKeyShare(group: GroupName, random: (n: number) => Uint8Array): KeyShare;
  /**
   * Sign `message` (the whole message; the provider hashes it as the algorithm says).
   * ECDSA signatures are DER-encoded (RFC 8422 §5.4, RFC 5480). `random` feeds PSS salts;
   * ECDSA uses RFC 6979 deterministic nonces (with extra entropy from `random` where supported).
   */
  sign(
    algorithm: SignatureAlgorithm,
    key: PrivateKey,
    message: Uint8Array,
    random: (n: number) => Uint8Array,
  ): Uint8Array;
  /** True when the signature is valid; false (never a throw) for any malformed input. */
  verify(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Default randomness: the platform CSPRNG (browsers, Deno, Bun, workers, Node ≥ 20). */
export function defaultRandom(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < n; i += 65536)
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}
