import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/ciphers/noble-provider.js';
import { signMessage, verifySignature } from '../../src/ciphers/signatures.js';
import { fromHex, toHex } from '../../src/codec.js';
import { AEAD_VECTORS } from '../vectors/aead.js';
import { ECDH_VECTORS } from '../vectors/ecdh.js';

describe('nobleProvider', () => {
  it('is named noble and wires sign/verify from signatures.ts', () => {
    expect(nobleProvider.name).toBe('noble');
    expect(nobleProvider.sign).toBe(signMessage);
    expect(nobleProvider.verify).toBe(verifySignature);
  });

  it('builds AEADs that pass the known answers', () => {
    for (const v of AEAD_VECTORS) {
      const aead = nobleProvider.aead(v.algorithm, fromHex(v.key));
      expect(toHex(aead.seal(fromHex(v.nonce), fromHex(v.aad), fromHex(v.plaintext)))).toBe(
        v.ciphertext + v.tag,
      );
    }
  });

  it('hashes and MACs like node:crypto', () => {
    const data = fromHex('00010203');
    const key = fromHex('0a0b');
    for (const alg of ['sha256', 'sha384', 'sha512'] as const) {
      expect(toHex(nobleProvider.hash(alg, data))).toBe(createHash(alg).update(data).digest('hex'));
      expect(toHex(nobleProvider.hmac(alg, key, data))).toBe(createHmac(alg, key).update(data).digest('hex'));
    }
  });

  it('makes key shares from the given random that agree pairwise', () => {
    for (const v of ECDH_VECTORS) {
      const a = nobleProvider.generateKeyShare(v.group, (n) => new Uint8Array(n).fill(3));
      const b = nobleProvider.generateKeyShare(v.group, (n) => new Uint8Array(n).fill(4));
      expect(toHex(a.deriveSharedSecret(b.publicKey))).toBe(toHex(b.deriveSharedSecret(a.publicKey)));
    }
  });
});
