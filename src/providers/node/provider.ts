// nodeCryptoProvider: the CryptoProvider over node:crypto (OpenSSL): AES-GCM (RFC 5288), ChaCha20-Poly1305
// (RFC 7905), SHA-2/HMAC (FIPS 180-4, RFC 2104), ECDHE over x25519 (RFC 7748) and P-256/P-384
// (RFC 8422 §5.10–5.11); signatures live in signatures.ts. Written
// against the public CryptoProvider interface only, as any third-party provider would be.

import {
  type CipherGCM,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type DecipherGCM,
  diffieHellman,
  type KeyObject,
} from 'node:crypto';
import {
  type Aead,
  type AeadAlgorithm,
  type CryptoProvider,
  GROUPS,
  type GroupName,
  type KeyShare,
  localError,
  peerError,
} from '../../index.js';
import { nodeSign, nodeVerify } from './signatures.js';

const TAG_LENGTH = 16;
/** Sealed outputs from this size on skip the zero-fill (below it, zeroing costs less than a Buffer). */
const UNFILLED_FROM = 4096;
/** One options object for every cipher (plaintextLength in setAAD matters only for CCM). */
const TAG_OPTIONS = { authTagLength: TAG_LENGTH } as const;
const AEAD_NAMES = {
  'AES-128-GCM': { name: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { name: 'aes-256-gcm', keyLength: 32 },
  'CHACHA20-POLY1305': { name: 'chacha20-poly1305', keyLength: 32 },
} as const;

/** A Uint8Array over a Buffer's bytes (no copy): Buffer#slice does not copy, so it must not leak out. */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

// ---------------------------------------------------------------------------------------------
// AEADs: the key is imported once into a KeyObject; node has no way to reuse a cipher context
// across nonces, so each record still builds a cipher from that KeyObject.
// Wiping: KeyObjects and ECDH objects keep their keys in OpenSSL memory that JavaScript cannot
// zero. dispose() drops our only reference (later use throws a local error), which is all node
// allows; the bytes go when the garbage collector frees the object. Secrets node hands back in a
// Buffer (shared secrets) are copied out and the Buffer zeroed.

function nodeAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead {
  const params = AEAD_NAMES[algorithm];
  if (params === undefined) throw localError('unsupported', `unknown AEAD '${String(algorithm)}'`);
  if (!(key instanceof Uint8Array) || key.length !== params.keyLength) {
    throw localError('bad_key_length', `${algorithm} needs a ${params.keyLength}-byte key`);
  }
  return new NodeAead(algorithm, params.name as CipherName, createSecretKey(key)); // copies the bytes
}

function sameNonce(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** node's overloads take one literal; all three AEADs behave alike. */
type CipherName = 'aes-128-gcm';

const SEALS = 1;
const OPENS = 2;

/**
 * The instances given a hint (Aead.anticipate) since the last setImmediate callback ran; bounded, so a
 * caller that runs connections without ever yielding to the event loop does not collect them.
 */
const anticipating: NodeAead[] = [];
const MAX_ANTICIPATING = 4096;

/**
 * One keyed AEAD: a class, so an idle connection's two directions hold two small objects and their
 * KeyObjects, not a set of closures each.
 *
 * Building a node:crypto cipher object is about a third of what a small record costs (node has no
 * way to give an existing one a new nonce). The record layer tells us the next record's nonce
 * (Aead.anticipate), so the object for it is built in a setImmediate callback, when this thread has
 * finished the turn that sealed or opened the last record and would otherwise wait for the network.
 * seal and open use it only for exactly that nonce and that direction, once; on a wrong guess (a
 * peer whose explicit AES-GCM nonce is not its sequence number) they build their own as before.
 */
class NodeAead implements Aead {
  readonly nonceLength = 12;
  readonly tagLength = TAG_LENGTH;
  /** A true private field: util.inspect and enumeration never show it. */
  #secret: KeyObject | undefined;
  /** SEALS or OPENS: what the last call did (a connection gives each direction its own instance). */
  #role = 0;
  /** The nonce last given to anticipate(); #ready, when set, was built for it. */
  #anticipated: Uint8Array | undefined;
  #scheduled = false;
  /** The object built in advance, for #anticipated and #readyRole only. */
  #ready: CipherGCM | DecipherGCM | undefined;
  #readyRole = 0;

  constructor(
    readonly algorithm: AeadAlgorithm,
    private readonly name: CipherName,
    secret: KeyObject,
  ) {
    this.#secret = secret;
  }

  anticipate(nonce: Uint8Array): void {
    if (this.#secret === undefined || this.#role === 0 || nonce.length !== 12) return;
    this.#ready = undefined; // built for the nonce about to be replaced
    this.#anticipated ??= new Uint8Array(12);
    this.#anticipated.set(nonce);
    if (this.#scheduled) return; // once per turn: the callback builds for the latest nonce
    if (anticipating.length >= MAX_ANTICIPATING) return; // a hint only: this record builds its own
    this.#scheduled = true;
    anticipating.push(this);
    if (anticipating.length === 1) setImmediate(NodeAead.#prepareAll);
  }

  /** The setImmediate callback: one per turn for every instance that was given a hint in it. */
  static #prepareAll(): void {
    // Nothing here calls back into memtls, so no instance is added while the list is walked.
    for (let i = 0; i < anticipating.length; i++) NodeAead.#prepareAnticipated(anticipating[i]!);
    anticipating.length = 0;
  }

  /** Build the object for the anticipated nonce. */
  static #prepareAnticipated(aead: NodeAead): void {
    aead.#scheduled = false;
    const secret = aead.#secret;
    const nonce = aead.#anticipated;
    const role = aead.#role;
    if (secret === undefined || nonce === undefined || aead.#ready !== undefined) return;
    try {
      aead.#ready =
        role === SEALS
          ? createCipheriv(aead.name, secret, nonce, TAG_OPTIONS)
          : createDecipheriv(aead.name, secret, nonce, TAG_OPTIONS);
      aead.#readyRole = role;
    } catch {
      // nothing is lost: seal and open build their own (and report what is wrong there)
    }
  }

  /** The object built in advance, if it was built for this nonce and role; it is never used twice. */
  private takeReady(nonce: Uint8Array, role: number): CipherGCM | DecipherGCM | undefined {
    this.#role = role;
    const ready = this.#ready;
    if (ready === undefined) return undefined;
    this.#ready = undefined;
    return this.#readyRole === role && sameNonce(this.#anticipated!, nonce) ? ready : undefined;
  }

  private keyed(): KeyObject {
    if (!this.#secret) {
      throw localError('aead_disposed', `this ${this.algorithm} instance was disposed; its key is gone`);
    }
    return this.#secret;
  }

  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const [body, tag] = this.sealParts(nonce, aad, plaintext);
    const length = body.length + tag.length;
    // Large: not zero-filled (every byte is written below), never from Node's shared buffer pool.
    // Small: a plain Uint8Array is cheaper than a Buffer and its Uint8Array view.
    const out = length >= UNFILLED_FROM ? plain(Buffer.allocUnsafeSlow(length)) : new Uint8Array(length);
    out.set(body, 0);
    out.set(tag, body.length);
    return out;
  }

  /** seal without the join: node:crypto's own output buffer and tag, as they come. */
  sealParts(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): readonly [Uint8Array, Uint8Array] {
    const keyObject = this.keyed();
    const cipher =
      (this.takeReady(nonce, SEALS) as CipherGCM | undefined) ??
      createCipheriv(this.name, keyObject, nonce, TAG_OPTIONS);
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const tail = cipher.final(); // empty for GCM and ChaCha20-Poly1305
    // node:crypto's outputs are returned as they are: each is a Buffer over an ArrayBuffer of its own
    // (never Node's shared pool), so no view or copy is needed to hand them on.
    let ciphertext: Uint8Array = body;
    if (tail.length > 0) {
      ciphertext = new Uint8Array(body.length + tail.length);
      ciphertext.set(body, 0);
      ciphertext.set(tail, body.length);
    }
    return [ciphertext, cipher.getAuthTag()];
  }

  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | undefined {
    const keyObject = this.keyed();
    if (ciphertextAndTag.length < TAG_LENGTH || nonce.length !== 12) return undefined;
    const n = ciphertextAndTag.length - TAG_LENGTH;
    try {
      const decipher =
        (this.takeReady(nonce, OPENS) as DecipherGCM | undefined) ??
        createDecipheriv(this.name, keyObject, nonce, TAG_OPTIONS);
      decipher.setAuthTag(ciphertextAndTag.subarray(n));
      decipher.setAAD(aad);
      const body = decipher.update(ciphertextAndTag.subarray(0, n));
      const tail = decipher.final(); // throws when the tag does not verify
      if (tail.length === 0) return body; // a Buffer over its own ArrayBuffer (see sealParts)
      const out = new Uint8Array(body.length + tail.length);
      out.set(body, 0);
      out.set(tail, body.length);
      return out;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    // KeyObject and cipher memory cannot be wiped from JS; dropping them is what node allows.
    this.#secret = undefined;
    this.#ready = undefined;
    this.#anticipated?.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// ECDHE key shares. The private key comes from `random` exactly as in the noble provider (32 bytes
// for x25519; for NIST curves 1.5 × the scalar size reduced into [1, n-1], FIPS 186-5 A.2.1), so a
// fixed `random` gives the same public value with either provider.

// x25519 keys go in and out of node:crypto as JWK (RFC 8037): node imports those with
// EVP_PKEY_new_raw_private_key/public_key, some 10× faster than the PKCS#8/SPKI DER route through
// OpenSSL 3's decoders (~30 µs against ~450 µs for key pair + public value on Node 20), which was
// the largest single cost of a handshake with this provider. The price: the ephemeral scalar passes
// through a base64url string, which cannot be wiped (it is garbage as soon as the import returns).

const NIST = {
  secp256r1: {
    curveName: 'prime256v1',
    seedLength: 48,
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  secp384r1: {
    curveName: 'secp384r1',
    seedLength: 72,
    order:
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
} as const;
type NistGroup = keyof typeof NIST;

function badShare(group: GroupName, problem: string): Error {
  return peerError('bad_ecdhe_share', `the peer's ${group} ECDHE share ${problem}`);
}

function disposedShare(group: GroupName): Error {
  return localError(
    'key_share_disposed',
    `this ${group} key share was disposed; make a new one per handshake`,
  );
}

function describeLength(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : `no bytes (${typeof value})`;
}

function bigIntToBytes(x: bigint, length: number): Buffer {
  return Buffer.from(x.toString(16).padStart(length * 2, '0'), 'hex');
}

function x25519Share(random: (n: number) => Uint8Array): KeyShare {
  const scalar = random(32);
  if (!(scalar instanceof Uint8Array) || scalar.length !== 32) {
    throw localError('bad_random', 'the random source gave a short x25519 private key');
  }
  const d = Buffer.from(scalar.buffer, scalar.byteOffset, scalar.length).toString('base64url');
  scalar.fill(0);
  let privateKey: KeyObject | undefined = createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d, x: '' }, // node reads only `d` of a private OKP JWK
    format: 'jwk',
  });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  const publicKey = Uint8Array.from(Buffer.from(typeof x === 'string' ? x : '', 'base64url'));
  if (publicKey.length !== 32) throw localError('unsupported', 'node:crypto gave no x25519 public value');
  return {
    group: 'x25519',
    publicKey,
    deriveSharedSecret(peer) {
      if (!privateKey) throw disposedShare('x25519');
      if (!(peer instanceof Uint8Array) || peer.length !== 32) {
        throw badShare('x25519', `has ${describeLength(peer)}; an x25519 public value is 32 bytes`);
      }
      let shared: Buffer;
      try {
        const publicKey = createPublicKey({
          key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') },
          format: 'jwk',
        });
        shared = diffieHellman({ privateKey, publicKey }); // OpenSSL fails on an all-zero result
      } catch {
        throw badShare(
          'x25519',
          'is a low-order point: the shared secret would be all zeros (RFC 7748 §6.1)',
        );
      }
      if (shared.every((b) => b === 0))
        throw badShare('x25519', 'gives an all-zero shared secret (RFC 7748 §6.1)');
      return copyAndWipe(shared);
    },
    dispose() {
      privateKey = undefined;
    },
  };
}

/** A plain copy of a secret node handed us in a Buffer, whose own bytes are then zeroed. */
function copyAndWipe(secret: Buffer): Uint8Array {
  const out = Uint8Array.from(secret);
  secret.fill(0);
  return out;
}

function nistShare(group: NistGroup, random: (n: number) => Uint8Array): KeyShare {
  const { curveName, seedLength, order } = NIST[group];
  const seed = random(seedLength);
  if (!(seed instanceof Uint8Array) || seed.length !== seedLength) {
    throw localError('bad_random', `the random source gave a short ${group} seed`);
  }
  const scalar = (BigInt(`0x${Buffer.from(seed).toString('hex')}`) % (order - 1n)) + 1n;
  seed.fill(0);
  const coordinate = GROUPS[group].sharedSecretLength;
  let ecdh: ReturnType<typeof createECDH> | undefined = createECDH(curveName);
  const d = bigIntToBytes(scalar, coordinate);
  ecdh.setPrivateKey(d);
  d.fill(0);
  const expected = GROUPS[group].publicKeyLength;
  return {
    group,
    publicKey: Uint8Array.from(ecdh.getPublicKey()),
    deriveSharedSecret(peer) {
      if (!ecdh) throw disposedShare(group);
      if (!(peer instanceof Uint8Array) || peer.length === 0) {
        throw badShare(group, `is empty; expected an uncompressed point of ${expected} bytes`);
      }
      const prefix = peer[0]!;
      if (prefix === 0x00) throw badShare(group, 'is the point at infinity (SEC 1 prefix 0x00)');
      if (prefix === 0x02 || prefix === 0x03) {
        throw badShare(
          group,
          `is a compressed point (prefix 0x0${prefix}); only uncompressed points (0x04) were negotiated (RFC 8422 §5.1.2)`,
        );
      }
      if (prefix !== 0x04) {
        throw badShare(
          group,
          `starts with 0x${prefix.toString(16).padStart(2, '0')}; an uncompressed point starts with 0x04`,
        );
      }
      if (peer.length !== expected) {
        throw badShare(group, `has ${describeLength(peer)}; an uncompressed point is ${expected} bytes`);
      }
      try {
        // OpenSSL checks coordinates < p and the curve equation; the x-coordinate comes back padded.
        return copyAndWipe(ecdh.computeSecret(peer));
      } catch {
        throw badShare(group, 'is not a point on the curve (RFC 8422 §5.11)');
      }
    },
    dispose() {
      ecdh = undefined;
    },
  };
}

function generateKeyShare(group: GroupName, random: (n: number) => Uint8Array): KeyShare {
  if (group === 'x25519') return x25519Share(random);
  if (group === 'secp256r1' || group === 'secp384r1') return nistShare(group, random);
  throw localError('unsupported', `unknown ECDHE group '${String(group)}'`);
}

// ---------------------------------------------------------------------------------------------

/** A CryptoProvider on node:crypto (OpenSSL underneath): faster on Node; give it as `crypto` in a config. */
export const nodeCryptoProvider: CryptoProvider = {
  name: 'node:crypto',
  aead: nodeAead,
  hash(algorithm, data) {
    return plain(createHash(algorithm).update(data).digest());
  },
  hmac(algorithm, key, data) {
    return plain(createHmac(algorithm, key).update(data).digest());
  },
  generateKeyShare,
  sign: nodeSign,
  verify: nodeVerify,
};
