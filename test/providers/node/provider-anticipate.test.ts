// The node:crypto provider's Aead.anticipate: the next record's cipher object is built in a
// setImmediate callback and used only for exactly that nonce and direction, once.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';

const built = vi.hoisted(() => ({ ciphers: 0, deciphers: 0 }));

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    createCipheriv: (...args: Parameters<typeof real.createCipheriv>) => {
      built.ciphers++;
      return real.createCipheriv(...args);
    },
    createDecipheriv: (...args: Parameters<typeof real.createDecipheriv>) => {
      built.deciphers++;
      return real.createDecipheriv(...args);
    },
  };
});

const { nodeCryptoProvider } = await import('../../../src/providers/node/provider.js');
const { nobleProvider } = await import('../../../src/ciphers/noble-provider.js');
const { TlsError } = await import('../../../src/errors.js');

type Algorithm = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';
const KEY_LENGTH = { 'AES-128-GCM': 16, 'AES-256-GCM': 32, 'CHACHA20-POLY1305': 32 } as const;
const AAD = new Uint8Array(13).fill(0x17);
const MESSAGE = new TextEncoder().encode('anticipated');
/** What open returns, compared as bytes (node hands back a Buffer). */
const plainMessage = Buffer.from(MESSAGE);

function nonce(n: number): Uint8Array {
  const out = new Uint8Array(12).fill(0xa0);
  new DataView(out.buffer).setUint32(8, n);
  return out;
}

function keyFor(algorithm: Algorithm): Uint8Array {
  return new Uint8Array(KEY_LENGTH[algorithm]).map((_, i) => i + 1);
}

/** The same seal from the noble provider, an independent implementation. */
function reference(algorithm: Algorithm, n: number, plaintext = MESSAGE): Uint8Array {
  return nobleProvider.aead(algorithm, keyFor(algorithm)).seal(nonce(n), AAD, plaintext);
}

describe('node provider: Aead.anticipate', () => {
  for (const algorithm of ['AES-128-GCM', 'CHACHA20-POLY1305'] as const) {
    it(`${algorithm}: the sealing object is built in idle time and used by the next seal`, async () => {
      const aead = nodeCryptoProvider.aead(algorithm, keyFor(algorithm));
      expect(aead.seal(nonce(0), AAD, MESSAGE)).toEqual(reference(algorithm, 0));
      const before = built.ciphers;
      aead.anticipate!(nonce(1));
      expect(built.ciphers).toBe(before); // nothing is built during the call …
      await nextTurn();
      expect(built.ciphers).toBe(before + 1); // … but in the setImmediate callback
      expect(aead.seal(nonce(1), AAD, MESSAGE)).toEqual(reference(algorithm, 1));
      expect(built.ciphers).toBe(before + 1); // the seal used it
    });

    it(`${algorithm}: the opening object likewise; a forged tag still fails with it`, async () => {
      const aead = nodeCryptoProvider.aead(algorithm, keyFor(algorithm));
      expect(aead.open(nonce(0), AAD, reference(algorithm, 0))).toEqual(plainMessage);
      aead.anticipate!(nonce(1));
      await nextTurn();
      const forged = reference(algorithm, 1);
      forged[forged.length - 1]! ^= 1;
      const before = built.deciphers;
      expect(aead.open(nonce(1), AAD, forged)).toBeUndefined();
      expect(built.deciphers).toBe(before);
      // Used once: the genuine record with the same nonce gets an object of its own.
      expect(aead.open(nonce(1), AAD, reference(algorithm, 1))).toEqual(plainMessage);
      expect(built.deciphers).toBe(before + 1);
    });
  }

  it('a wrong guess is only wasted work: the call builds its own object and the guessed one is dropped', async () => {
    const aead = nodeCryptoProvider.aead('AES-256-GCM', keyFor('AES-256-GCM'));
    aead.seal(nonce(0), AAD, MESSAGE);
    aead.anticipate!(nonce(1));
    await nextTurn();
    const before = built.ciphers;
    expect(aead.seal(nonce(7), AAD, MESSAGE)).toEqual(reference('AES-256-GCM', 7));
    expect(built.ciphers).toBe(before + 1);
    expect(aead.seal(nonce(1), AAD, MESSAGE)).toEqual(reference('AES-256-GCM', 1));
    expect(built.ciphers).toBe(before + 2);
  });

  it('builds for the direction the instance works in: a sealing object never opens', async () => {
    const algorithm = 'AES-128-GCM';
    const aead = nodeCryptoProvider.aead(algorithm, keyFor(algorithm));
    aead.seal(nonce(0), AAD, MESSAGE);
    aead.anticipate!(nonce(1));
    await nextTurn();
    const deciphers = built.deciphers;
    expect(aead.open(nonce(1), AAD, reference(algorithm, 1))).toEqual(plainMessage);
    expect(built.deciphers).toBe(deciphers + 1);
  });

  it('several hints in one turn build one object, for the last nonce', async () => {
    const algorithm = 'CHACHA20-POLY1305';
    const aead = nodeCryptoProvider.aead(algorithm, keyFor(algorithm));
    aead.seal(nonce(0), AAD, MESSAGE);
    const before = built.ciphers;
    for (let n = 1; n <= 5; n++) aead.anticipate!(nonce(n));
    await nextTurn();
    expect(built.ciphers).toBe(before + 1);
    expect(aead.seal(nonce(5), AAD, MESSAGE)).toEqual(reference(algorithm, 5));
    expect(built.ciphers).toBe(before + 1);
  });

  it('no hint before the first call, and nothing after dispose: the pending callback builds nothing', async () => {
    const algorithm = 'AES-128-GCM';
    const fresh = nodeCryptoProvider.aead(algorithm, keyFor(algorithm));
    const before = built.ciphers + built.deciphers;
    fresh.anticipate!(nonce(0)); // it does not know yet whether it seals or opens
    await nextTurn();
    expect(built.ciphers + built.deciphers).toBe(before);

    fresh.seal(nonce(0), AAD, MESSAGE);
    fresh.anticipate!(nonce(1));
    fresh.dispose();
    const afterDispose = built.ciphers;
    await nextTurn();
    expect(built.ciphers).toBe(afterDispose);
    let thrown: unknown;
    try {
      fresh.seal(nonce(1), AAD, MESSAGE);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TlsError);
    expect(thrown).toMatchObject({ kind: 'local', code: 'aead_disposed' });
  });

  it('dispose drops an object already built', async () => {
    const algorithm = 'AES-128-GCM';
    const aead = nodeCryptoProvider.aead(algorithm, keyFor(algorithm));
    aead.seal(nonce(0), AAD, MESSAGE);
    aead.anticipate!(nonce(1));
    await nextTurn();
    aead.dispose();
    expect(() => aead.seal(nonce(1), AAD, MESSAGE)).toThrow(/disposed/);
  });

  it('hints wait for one callback per turn, at most 4096 of them: a caller that never yields collects nothing more', async () => {
    const algorithm = 'AES-128-GCM';
    const aeads = Array.from({ length: 5000 }, () => nodeCryptoProvider.aead(algorithm, keyFor(algorithm)));
    for (const aead of aeads) {
      aead.seal(nonce(0), AAD, MESSAGE);
      aead.anticipate!(nonce(1));
    }
    const before = built.ciphers;
    await nextTurn();
    expect(built.ciphers - before).toBe(4096);
    // The ones left out still seal correctly, building their own object.
    expect(aeads[4999]!.seal(nonce(1), AAD, MESSAGE)).toEqual(reference(algorithm, 1));
    expect(built.ciphers - before).toBe(4097);
    for (const aead of aeads) aead.dispose();
  });
});
