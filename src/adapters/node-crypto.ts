// nodeCryptoProvider: the CryptoProvider over node:crypto (OpenSSL): AES-GCM (RFC 5288), ChaCha20-Poly1305
// (RFC 7905), SHA-2/HMAC, ECDHE over x25519 (RFC 7748) and P-256/P-384 (RFC 8422 §5.10–5.11), and
// ECDSA / RSASSA-PKCS1-v1_5 / RSASSA-PSS (RFC 8017 §8) / Ed25519 (RFC 8032) signatures.

import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  type JsonWebKey,
  type KeyObject,
  constants as nodeConstants,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { GROUPS, type GroupName } from '../ciphers/groups.js';
import type { PrivateKey, PublicKey } from '../ciphers/keys.js';
import type { Aead, CryptoProvider, KeyShare } from '../ciphers/provider.js';
import type { SignatureAlgorithm } from '../ciphers/schemes.js';
import type { AeadAlgorithm, HashName } from '../ciphers/suites.js';
import { localError, peerError } from '../errors.js';

const TAG_LENGTH = 16;
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

function nodeAead(algorithm: AeadAlgorithm, key: Uint8Array): Aead {
  const params = AEAD_NAMES[algorithm];
  if (params === undefined) throw localError('unsupported', `unknown AEAD '${String(algorithm)}'`);
  if (!(key instanceof Uint8Array) || key.length !== params.keyLength) {
    throw localError('bad_key_length', `${algorithm} needs a ${params.keyLength}-byte key`);
  }
  const name = params.name as 'aes-128-gcm'; // node's overloads take one literal; all three behave alike
  let secret: KeyObject | undefined = createSecretKey(key); // copies the bytes
  const keyed = (): KeyObject => {
    if (!secret) throw localError('aead_disposed', `this ${algorithm} instance was disposed; its key is gone`);
    return secret;
  };
  return {
    algorithm,
    nonceLength: 12,
    tagLength: TAG_LENGTH,
    seal(nonce, aad, plaintext) {
      const cipher = createCipheriv(name, keyed(), nonce, { authTagLength: TAG_LENGTH });
      cipher.setAAD(aad, { plaintextLength: plaintext.length });
      const out = new Uint8Array(plaintext.length + TAG_LENGTH);
      const body = cipher.update(plaintext);
      out.set(body, 0);
      const tail = cipher.final(); // empty for GCM and ChaCha20-Poly1305
      out.set(tail, body.length);
      out.set(cipher.getAuthTag(), body.length + tail.length);
      return out;
    },
    open(nonce, aad, ciphertextAndTag) {
      const keyObject = keyed();
      if (ciphertextAndTag.length < TAG_LENGTH || nonce.length !== 12) return undefined;
      const n = ciphertextAndTag.length - TAG_LENGTH;
      try {
        const decipher = createDecipheriv(name, keyObject, nonce, { authTagLength: TAG_LENGTH });
        decipher.setAuthTag(ciphertextAndTag.subarray(n));
        decipher.setAAD(aad, { plaintextLength: n });
        const body = decipher.update(ciphertextAndTag.subarray(0, n));
        const tail = decipher.final(); // throws when the tag does not verify
        if (tail.length === 0) return plain(body);
        const out = new Uint8Array(body.length + tail.length);
        out.set(body, 0);
        out.set(tail, body.length);
        return out;
      } catch {
        return undefined;
      }
    },
    dispose() {
      secret = undefined; // KeyObject memory cannot be wiped from JS; dropping it is what node allows
    },
  };
}

// ---------------------------------------------------------------------------------------------
// ECDHE key shares. The private key comes from `random` exactly as in the noble provider (32 bytes
// for x25519; for NIST curves 1.5 × the scalar size reduced into [1, n-1], FIPS 186-5 A.2.1), so a
// fixed `random` gives the same public value with either provider.

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

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
  return peerError('illegal_parameter', 'bad_ecdhe_share', `the peer's ${group} ECDHE share ${problem}`);
}

function disposedShare(group: GroupName): Error {
  return localError('key_share_disposed', `this ${group} key share was disposed; make a new one per handshake`);
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
  const der = Buffer.concat([X25519_PKCS8_PREFIX, scalar]);
  scalar.fill(0);
  let privateKey: KeyObject | undefined = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    group: 'x25519',
    publicKey: Uint8Array.from(spki.subarray(spki.length - 32)),
    deriveSharedSecret(peer) {
      if (!privateKey) throw disposedShare('x25519');
      if (!(peer instanceof Uint8Array) || peer.length !== 32) {
        throw badShare('x25519', `has ${describeLength(peer)}; an x25519 public value is 32 bytes`);
      }
      let shared: Buffer;
      try {
        const publicKey = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, peer]), format: 'der', type: 'spki' });
        shared = diffieHellman({ privateKey, publicKey }); // OpenSSL fails on an all-zero result
      } catch {
        throw badShare('x25519', 'is a low-order point: the shared secret would be all zeros (RFC 7748 §6.1)');
      }
      if (shared.every((b) => b === 0)) throw badShare('x25519', 'gives an all-zero shared secret (RFC 7748 §6.1)');
      return Uint8Array.from(shared);
    },
    dispose() {
      privateKey = undefined;
    },
  };
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
        throw badShare(group, `starts with 0x${prefix.toString(16).padStart(2, '0')}; an uncompressed point starts with 0x04`);
      }
      if (peer.length !== expected) {
        throw badShare(group, `has ${describeLength(peer)}; an uncompressed point is ${expected} bytes`);
      }
      try {
        // OpenSSL checks coordinates < p and the curve equation; the x-coordinate comes back padded.
        return Uint8Array.from(ecdh.computeSecret(peer));
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
// Signatures: our key objects become KeyObjects through JWK, once per key object.

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const bigB64u = (x: bigint): string => {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};
const EC_SIZE = { 'P-256': 32, 'P-384': 48 } as const;

/** An EC scalar of exactly the curve's length (SEC 1 encoders sometimes drop leading zeros). */
function fixedLength(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return bytes;
  let start = 0;
  while (start < bytes.length - length && bytes[start] === 0) start++;
  const body = bytes.subarray(start);
  if (body.length > length) throw localError('bad_key', 'EC private key is longer than the curve order');
  const out = new Uint8Array(length);
  out.set(body, length - body.length);
  return out;
}

function ecPointJwk(curve: 'P-256' | 'P-384', point: Uint8Array): JsonWebKey {
  const size = EC_SIZE[curve];
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) throw localError('bad_key', 'bad EC public point');
  return { kty: 'EC', crv: curve, x: b64u(point.subarray(1, 1 + size)), y: b64u(point.subarray(1 + size)) };
}

function publicJwk(key: PublicKey | PrivateKey): JsonWebKey {
  switch (key.type) {
    case 'rsa':
      return { kty: 'RSA', n: bigB64u(key.n), e: bigB64u(key.e) };
    case 'ec':
      return ecPointJwk(key.curve, key.point);
    case 'ed25519':
      return { kty: 'OKP', crv: 'Ed25519', x: b64u(key.key) };
  }
}

function privateJwk(key: PrivateKey): JsonWebKey {
  const jwk = publicJwk(key);
  switch (key.type) {
    case 'rsa':
      return {
        ...jwk,
        d: bigB64u(key.d),
        p: bigB64u(key.p),
        q: bigB64u(key.q),
        dp: bigB64u(key.dp),
        dq: bigB64u(key.dq),
        qi: bigB64u(key.qi),
      };
    case 'ec':
      return { ...jwk, d: b64u(fixedLength(key.d, EC_SIZE[key.curve])) };
    case 'ed25519':
      return { ...jwk, d: b64u(key.seed) };
  }
}

const privateKeyObjects = new WeakMap<PrivateKey, KeyObject>();
const publicKeyObjects = new WeakMap<PublicKey, KeyObject>();

function privateKeyObject(key: PrivateKey): KeyObject {
  let k = privateKeyObjects.get(key);
  if (!k) {
    try {
      k = createPrivateKey({ key: privateJwk(key), format: 'jwk' });
    } catch (e) {
      throw localError('bad_key', `node:crypto refused the private key: ${e instanceof Error ? e.message : e}`);
    }
    privateKeyObjects.set(key, k);
  }
  return k;
}

function publicKeyObject(key: PublicKey): KeyObject {
  let k = publicKeyObjects.get(key);
  if (!k) {
    k = createPublicKey({ key: publicJwk(key), format: 'jwk' }); // throws for points off the curve
    publicKeyObjects.set(key, k);
  }
  return k;
}

const KEY_TYPE_FOR = { ecdsa: 'ec', ed25519: 'ed25519', 'rsa-pkcs1': 'rsa', 'rsa-pss': 'rsa' } as const;

/** Bits of an RSA modulus. */
function bitLength(n: bigint): number {
  return n <= 0n ? 0 : n.toString(2).length;
}

/** The same RSA size rules as the noble provider: verify 1024–8192 bits, sign from 2048. */
function rsaKeyProblem(key: { n: bigint; e: bigint }): string | undefined {
  const bits = bitLength(key.n);
  if (bits < 1024 || bits > 8192) return `RSA modulus of ${bits} bits is outside 1024..8192`;
  if ((key.n & 1n) === 0n) return 'RSA modulus is even';
  if (key.e < 3n || (key.e & 1n) === 0n || key.e >= key.n) return 'RSA public exponent is not an odd e ≥ 3';
  if (bits > 3072 && bitLength(key.e) > 64) return 'RSA public exponent is over 64 bits';
  return undefined;
}

function describeKeyType(key: PrivateKey): string {
  return key.type === 'rsa' ? `RSA-${key.bits}` : key.type === 'ec' ? `EC ${key.curve}` : 'Ed25519';
}

function sign(
  algorithm: SignatureAlgorithm,
  key: PrivateKey,
  message: Uint8Array,
  _random: (n: number) => Uint8Array,
): Uint8Array {
  // OpenSSL draws ECDSA nonces and PSS salts from its own CSPRNG: these signatures are not
  // reproducible from `random` (they need not be; verification is what the peer checks).
  if (key.type !== KEY_TYPE_FOR[algorithm.kind]) {
    const what = algorithm.kind === 'ed25519' ? 'Ed25519' : `${algorithm.kind} with ${algorithm.hash}`;
    throw localError('key_mismatch', `cannot make a ${what} signature with an ${describeKeyType(key)} key`);
  }
  if (key.type === 'rsa') {
    const problem = rsaKeyProblem(key);
    if (problem !== undefined) throw localError('bad_key', `cannot sign: ${problem}`);
    if (bitLength(key.n) < 2048) {
      throw localError('weak_key', `refusing to sign with RSA-${bitLength(key.n)}: keys must have at least 2048 bits`);
    }
  }
  const keyObject = privateKeyObject(key);
  switch (algorithm.kind) {
    case 'ecdsa':
      return plain(nodeSign(algorithm.hash, message, { key: keyObject, dsaEncoding: 'der' }));
    case 'rsa-pkcs1':
      return plain(nodeSign(algorithm.hash, message, { key: keyObject, padding: nodeConstants.RSA_PKCS1_PADDING }));
    case 'rsa-pss':
      if (!Number.isSafeInteger(algorithm.saltLength) || algorithm.saltLength < 0) {
        throw localError('bad_input', `RSA-PSS: invalid salt length ${algorithm.saltLength}`);
      }
      return plain(
        nodeSign(algorithm.hash, message, {
          key: keyObject,
          padding: nodeConstants.RSA_PKCS1_PSS_PADDING,
          saltLength: algorithm.saltLength,
        }),
      );
    case 'ed25519':
      return plain(nodeSign(null, message, keyObject));
  }
}

const HASHES: readonly HashName[] = ['sha256', 'sha384', 'sha512'];

function verify(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.type !== KEY_TYPE_FOR[algorithm.kind]) return false;
    if (algorithm.kind !== 'ed25519' && !HASHES.includes(algorithm.hash)) return false;
    switch (algorithm.kind) {
      case 'ecdsa':
        // OpenSSL re-encodes (r, s) and compares, so only canonical DER without trailing bytes passes.
        return nodeVerify(algorithm.hash, message, { key: publicKeyObject(key), dsaEncoding: 'der' }, signature);
      case 'rsa-pkcs1':
      case 'rsa-pss': {
        if (key.type !== 'rsa' || rsaKeyProblem(key) !== undefined) return false;
        if (signature.length !== Math.ceil(bitLength(key.n) / 8)) return false;
        if (algorithm.kind === 'rsa-pkcs1') {
          return nodeVerify(
            algorithm.hash,
            message,
            { key: publicKeyObject(key), padding: nodeConstants.RSA_PKCS1_PADDING },
            signature,
          );
        }
        // A non-negative salt length makes OpenSSL check the salt is exactly that long.
        if (!Number.isSafeInteger(algorithm.saltLength) || algorithm.saltLength < 0) return false;
        return nodeVerify(
          algorithm.hash,
          message,
          { key: publicKeyObject(key), padding: nodeConstants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength },
          signature,
        );
      }
      case 'ed25519':
        if (key.type !== 'ed25519' || key.key.length !== 32 || signature.length !== 64) return false;
        return nodeVerify(null, message, publicKeyObject(key), signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------

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
  sign,
  verify,
};
