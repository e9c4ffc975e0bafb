// A test-only CryptoProvider whose AEADs are node:crypto (OpenSSL), so record tests do not depend on
// our own AEAD code. Only `aead` is implemented.

import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Aead, CryptoProvider } from '../../src/ciphers/provider.js';
import type { AeadAlgorithm } from '../../src/ciphers/suites.js';

const NODE_NAMES: Record<AeadAlgorithm, 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'> = {
  'AES-128-GCM': 'aes-128-gcm',
  'AES-256-GCM': 'aes-256-gcm',
  'CHACHA20-POLY1305': 'chacha20-poly1305',
};

function nodeAead(algorithm: AeadAlgorithm, keyIn: Uint8Array): Aead {
  const key = Buffer.from(keyIn); // a copy: the caller may zero its key
  const name = NODE_NAMES[algorithm];
  return {
    algorithm,
    nonceLength: 12,
    tagLength: 16,
    seal(nonce, aad, plaintext) {
      // biome-ignore lint/suspicious/noExplicitAny: node's overloads do not cover a union of names
      const cipher = createCipheriv(name as any, key, nonce, { authTagLength: 16 });
      cipher.setAAD(aad, { plaintextLength: plaintext.length });
      const head = cipher.update(plaintext);
      const tail = cipher.final();
      const tag = cipher.getAuthTag();
      const out = new Uint8Array(head.length + tail.length + 16);
      out.set(head, 0);
      out.set(tail, head.length);
      out.set(tag, head.length + tail.length);
      return out;
    },
    open(nonce, aad, ciphertextAndTag) {
      if (ciphertextAndTag.length < 16) return undefined;
      const n = ciphertextAndTag.length - 16;
      try {
        // biome-ignore lint/suspicious/noExplicitAny: as above
        const decipher = createDecipheriv(name as any, key, nonce, { authTagLength: 16 });
        decipher.setAuthTag(ciphertextAndTag.subarray(n));
        decipher.setAAD(aad, { plaintextLength: n });
        const head = decipher.update(ciphertextAndTag.subarray(0, n));
        const tail = decipher.final();
        const out = new Uint8Array(head.length + tail.length);
        out.set(head, 0);
        out.set(tail, head.length);
        return out;
      } catch {
        return undefined;
      }
    },
    dispose() {
      key.fill(0);
    },
  };
}

function notImplemented(what: string): never {
  throw new Error(`test provider: ${what} is not implemented`);
}

export const nodeTestProvider: CryptoProvider = {
  name: 'node-test',
  aead: nodeAead,
  hash: () => notImplemented('hash'),
  hmac: () => notImplemented('hmac'),
  generateKeyShare: () => notImplemented('generateKeyShare'),
  sign: () => notImplemented('sign'),
  verify: () => notImplemented('verify'),
};
