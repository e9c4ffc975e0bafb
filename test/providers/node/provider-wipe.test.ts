// The node:crypto provider zeroes the Buffers node hands back holding ECDHE shared secrets.

import { describe, expect, it, vi } from 'vitest';

const returned = vi.hoisted(() => [] as Uint8Array[]);

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    diffieHellman: (options: Parameters<typeof real.diffieHellman>[0]) => {
      const secret = real.diffieHellman(options);
      returned.push(secret);
      return secret;
    },
    createECDH: (curve: string) => {
      const ecdh = real.createECDH(curve);
      const computeSecret = ecdh.computeSecret.bind(ecdh) as (peer: Uint8Array) => Buffer;
      (ecdh as unknown as { computeSecret: (peer: Uint8Array) => Buffer }).computeSecret = (peer) => {
        const secret = computeSecret(peer);
        returned.push(secret);
        return secret;
      };
      return ecdh;
    },
  };
});

const { nodeCryptoProvider } = await import('../../../src/providers/node/provider.js');
const { defaultRandom } = await import('../../../src/ciphers/provider.js');

describe('node provider ECDHE shared secrets', () => {
  it.each(['x25519', 'secp256r1', 'secp384r1'] as const)(
    '%s: the caller gets a copy; the Buffer node returned is zeroed',
    (group) => {
      returned.length = 0;
      const a = nodeCryptoProvider.generateKeyShare(group, defaultRandom);
      const b = nodeCryptoProvider.generateKeyShare(group, defaultRandom);
      const shared = a.deriveSharedSecret(b.publicKey);
      expect(toHexOf(shared)).toBe(toHexOf(b.deriveSharedSecret(a.publicKey)));
      expect(shared.some((x) => x !== 0)).toBe(true);
      expect(returned).toHaveLength(2);
      for (const buffer of returned) expect(buffer.every((x) => x === 0)).toBe(true);
    },
  );
});

function toHexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
}
