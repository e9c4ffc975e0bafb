// AEADs keyed once per connection and direction: AES-GCM (NIST SP 800-38D, RFC 5288) built from
// noble's AES block cipher and GHASH, and ChaCha20-Poly1305 (RFC 8439 §2.8, RFC 7905).

import { GHASH } from '@noble/ciphers/_polyval.js';
import { unsafe as aesUnsafe } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { equalBytes } from '../codec.js';
import { localError } from '../errors.js';
import type { Aead } from './provider.js';
import type { AeadAlgorithm } from './suites.js';

const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const BLOCK = 16;
/** An all-zero block; 4-byte aligned as noble's unsafe CTR needs (offset 0 of its own buffer). */
const ZERO_BLOCK = new Uint8Array(BLOCK);

/**
 * Length hint for noble's GHASH table size: a hint ≤ 1 KiB selects its smallest table, the 2-bit
 * window (64 windows × 4 entries; noble's sizes are 2, 4 and 8 bits). Measured per instance on
 * Node 20 (bench/pure.ts notes, README "Performance: pure provider"): 2-bit 17 KB, table built in
 * ~50 µs, GHASH ~93 MB/s, a 16 KiB AES-128-GCM seal ~58 MB/s; 4-bit 33 KB, ~90 µs, ~144 MB/s,
 * ~70 MB/s; 8-bit 265 KB, ~230–590 µs, ~160–220 MB/s, ~67–78 MB/s. A connection holds two
 * instances, so the 2-bit window keeps an idle AES-GCM connection 32 KB smaller for ~17% of the
 * bulk rate.
 */
const GHASH_TABLE_HINT = 1024;

/**
 * noble's GHASH builds its multiplication table in the constructor and marks itself finished on
 * digest. This subclass adds `restart()`, which clears only the running accumulator, so one table
 * (derived from H = AES_K(0^128)) serves every record of a connection, and `absorb()`, which feeds
 * a segment (zero-padded to a block, SP 800-38D §7.1 step 5) straight into noble's block
 * multiplication `_updateBlock` without the defensive copy `update()` makes of every input.
 */
class RestartableGhash extends GHASH {
  private readonly tail = new Uint8Array(BLOCK);

  constructor(hashKey: Uint8Array) {
    super(hashKey, GHASH_TABLE_HINT);
    shareZeroEntries(this.t, (this as unknown as { windowSize: number }).windowSize);
  }

  restart(): this {
    this.s0 = 0;
    this.s1 = 0;
    this.s2 = 0;
    this.s3 = 0;
    this.finished = false;
    return this;
  }

  /** _updateBlock takes the block as four little-endian 32-bit words (noble's u32 view on LE hosts). */
  absorb(segment: Uint8Array): void {
    const full = segment.length - (segment.length % BLOCK);
    if (full > 0) {
      const view = new DataView(segment.buffer, segment.byteOffset, full);
      for (let i = 0; i < full; i += BLOCK) {
        this._updateBlock(
          view.getUint32(i, true),
          view.getUint32(i + 4, true),
          view.getUint32(i + 8, true),
          view.getUint32(i + 12, true),
        );
      }
    }
    if (full < segment.length) {
      this.tail.fill(0);
      this.tail.set(segment.subarray(full));
      const t = this.tail;
      this._updateBlock(wordLE(t, 0), wordLE(t, 4), wordLE(t, 8), wordLE(t, 12));
    }
  }

  /** The last block, len(A) ‖ len(C) in bits as 64-bit big-endian numbers (SP 800-38D §7.1 step 5). */
  absorbLengths(aadBytes: number, ciphertextBytes: number): void {
    this._updateBlock(
      swap32(Math.floor(aadBytes / 0x20000000)),
      swap32((aadBytes * 8) >>> 0),
      swap32(Math.floor(ciphertextBytes / 0x20000000)),
      swap32((ciphertextBytes * 8) >>> 0),
    );
  }

  /** noble zeroes the table; the running accumulator (last record's GHASH) is cleared here. */
  override destroy(): void {
    super.destroy();
    this.restart();
    this.tail.fill(0);
  }
}

/** Bytes b[i..i+4] as a little-endian 32-bit word. */
function wordLE(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

/** A 32-bit value's big-endian bytes read as a little-endian word. */
function swap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

type GhashEntry = { s0: number; s1: number; s2: number; s3: number };

/**
 * One all-zero entry for every GHASH table. noble keeps a table of {s0..s3} objects (56 bytes
 * each on V8) and the first entry of every window (no bit set) is always zero; pointing those
 * slots at this object saves a quarter of a 2-bit table (64 × 56 bytes). Its words are only ever
 * written with zeros (noble's destroy() wipes every entry), so sharing it leaks nothing.
 */
const ZERO_ENTRY: GhashEntry = { s0: 0, s1: 0, s2: 0, s3: 0 };

function shareZeroEntries(table: GhashEntry[], windowSize: number): void {
  for (let i = 0; i < table.length; i += windowSize) {
    const e = table[i]!;
    if ((e.s0 | e.s1 | e.s2 | e.s3) === 0) table[i] = ZERO_ENTRY;
  }
}

function aligned(bytes: Uint8Array): Uint8Array {
  // new Uint8Array(x) always copies; x.slice() would not for a Node Buffer (its slice is a view).
  return bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
}

function checkKeyLength(algorithm: AeadAlgorithm, key: Uint8Array, expected: number): void {
  if (!(key instanceof Uint8Array) || key.length !== expected) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
    throw localError('bad_key_length', `${algorithm} needs a ${expected}-byte key, got ${got}`);
  }
}

function disposedError(algorithm: AeadAlgorithm): Error {
  return localError('aead_disposed', `this ${algorithm} instance was disposed; its key is gone`);
}

function checkSealNonce(algorithm: AeadAlgorithm, nonce: Uint8Array): void {
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_LENGTH) {
    throw localError('bad_nonce', `${algorithm} needs a 12-byte nonce`);
  }
}

function isBadOpenInput(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): boolean {
  return (
    !(nonce instanceof Uint8Array) ||
    nonce.length !== NONCE_LENGTH ||
    !(aad instanceof Uint8Array) ||
    !(ciphertextAndTag instanceof Uint8Array) ||
    ciphertextAndTag.length < TAG_LENGTH
  );
}

/** AES-GCM with a 96-bit nonce: the key schedule, H and the GHASH table are computed once. */
class AesGcm implements Aead {
  readonly algorithm: AeadAlgorithm;
  readonly nonceLength = NONCE_LENGTH;
  readonly tagLength = TAG_LENGTH;
  private readonly roundKeys: Uint32Array;
  private readonly ghash: RestartableGhash;
  /** Scratch blocks reused by every call (the engine is single-threaded and calls never nest). */
  private readonly counter = new Uint8Array(BLOCK);
  private readonly tagMask = new Uint8Array(BLOCK);
  private readonly tag = new Uint8Array(BLOCK);
  private disposed = false;

  constructor(algorithm: 'AES-128-GCM' | 'AES-256-GCM', key: Uint8Array) {
    checkKeyLength(algorithm, key, algorithm === 'AES-128-GCM' ? 16 : 32);
    this.algorithm = algorithm;
    this.roundKeys = aesUnsafe.expandKeyLE(key);
    const hashKey = aesUnsafe.encryptBlock(this.roundKeys, new Uint8Array(BLOCK)); // H = E_K(0^128)
    this.ghash = new RestartableGhash(hashKey);
    hashKey.fill(0);
  }

  /** Sets `counter` to J0 = nonce ‖ 0^31 ‖ 1, stores E_K(J0) in `tagMask`, leaves counter at inc32(J0). */
  private startCounter(nonce: Uint8Array): void {
    this.counter.set(nonce);
    this.counter[12] = 0;
    this.counter[13] = 0;
    this.counter[14] = 0;
    this.counter[15] = 1;
    aesUnsafe.ctr32(this.roundKeys, false, this.counter, ZERO_BLOCK, this.tagMask);
  }

  /** tag = GHASH_H(A, C) ⊕ E_K(J0) into `this.tag` (SP 800-38D §7.1 steps 5–6). */
  private computeTag(aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    const ghash = this.ghash.restart();
    ghash.absorb(aad);
    ghash.absorb(ciphertext);
    ghash.absorbLengths(aad.length, ciphertext.length);
    ghash.digestInto(this.tag);
    for (let i = 0; i < BLOCK; i++) this.tag[i]! ^= this.tagMask[i]!;
    return this.tag;
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.disposed) throw disposedError(this.algorithm);
    checkSealNonce(this.algorithm, nonce);
    const length = plaintext.length;
    const out = new Uint8Array(length + TAG_LENGTH);
    const ciphertext = out.subarray(0, length);
    this.startCounter(nonce);
    if (length > 0) aesUnsafe.ctr32(this.roundKeys, false, this.counter, aligned(plaintext), ciphertext);
    out.set(this.computeTag(aad, ciphertext), length);
    return out;
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | undefined {
    if (this.disposed) throw disposedError(this.algorithm);
    if (isBadOpenInput(nonce, aad, ciphertextAndTag)) return undefined;
    const length = ciphertextAndTag.length - TAG_LENGTH;
    const ciphertext = aligned(ciphertextAndTag.subarray(0, length));
    this.startCounter(nonce);
    // Verify before decrypting, so unauthenticated plaintext never exists (SP 800-38D §7.2).
    if (!equalBytes(this.computeTag(aad, ciphertext), ciphertextAndTag.subarray(length))) return undefined;
    const plaintext = new Uint8Array(length);
    if (length > 0) aesUnsafe.ctr32(this.roundKeys, false, this.counter, ciphertext, plaintext);
    return plaintext;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.roundKeys.fill(0);
    this.ghash.destroy(); // zeroes the key-derived table
    this.counter.fill(0);
    this.tagMask.fill(0);
    this.tag.fill(0);
  }
}

/**
 * ChaCha20-Poly1305. Its key setup is only copying 32 bytes (the Poly1305 key comes from the
 * nonce), so noble's one-shot construction per message costs nothing worth caching.
 */
class ChaCha20Poly1305 implements Aead {
  readonly algorithm: AeadAlgorithm = 'CHACHA20-POLY1305';
  readonly nonceLength = NONCE_LENGTH;
  readonly tagLength = TAG_LENGTH;
  private readonly key: Uint8Array;
  private disposed = false;

  constructor(key: Uint8Array) {
    checkKeyLength('CHACHA20-POLY1305', key, 32);
    this.key = new Uint8Array(key);
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (this.disposed) throw disposedError(this.algorithm);
    checkSealNonce(this.algorithm, nonce);
    return chacha20poly1305(this.key, nonce, aad).encrypt(plaintext);
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | undefined {
    if (this.disposed) throw disposedError(this.algorithm);
    if (isBadOpenInput(nonce, aad, ciphertextAndTag)) return undefined;
    try {
      return chacha20poly1305(this.key, nonce, aad).decrypt(ciphertextAndTag);
    } catch {
      return undefined; // noble throws only for a tag mismatch once the sizes above are checked
    }
  }

  dispose(): void {
    this.disposed = true;
    this.key.fill(0);
  }
}

/** An AEAD keyed once with `key` (16 bytes for AES-128-GCM, 32 for AES-256-GCM and ChaCha20-Poly1305). */
export function createAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead {
  switch (algorithm) {
    case 'AES-128-GCM':
    case 'AES-256-GCM':
      return new AesGcm(algorithm, key);
    case 'CHACHA20-POLY1305':
      return new ChaCha20Poly1305(key);
    default:
      throw localError('unsupported', `unknown AEAD algorithm '${String(algorithm)}'`);
  }
}
