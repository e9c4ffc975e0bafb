import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeExtendedMasterSecret,
  computeMasterSecret,
  computeVerifyData,
  deriveKeyBlock,
  exportKeyingMaterial,
  prf,
} from '../../src/ciphers/prf.js';
import { SUITES } from '../../src/ciphers/suites.js';
import { concatBytes, fromHex, toHex } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { PRF_VECTORS } from '../vectors/prf.js';

/** An independent PRF over node:crypto's HMAC, written straight from RFC 5246 §5. */
function referencePrf(
  hash: 'sha256' | 'sha384',
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  const labelAndSeed = concatBytes(new TextEncoder().encode(label), seed);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let a: Uint8Array = labelAndSeed;
  while (total < length) {
    a = createHmac(hash, secret).update(a).digest();
    const chunk = createHmac(hash, secret).update(a).update(labelAndSeed).digest();
    chunks.push(chunk);
    total += chunk.length;
  }
  return concatBytes(...chunks).slice(0, length);
}

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const clientRandom = fromHex('01'.repeat(32));
const serverRandom = fromHex('02'.repeat(32));

describe('prf', () => {
  for (const v of PRF_VECTORS) {
    it(`matches the IETF TLS WG ${v.hash} known answer`, () => {
      const out = prf(v.hash, fromHex(v.secret), v.label, fromHex(v.seed), v.output.length / 2);
      expect(toHex(out)).toBe(v.output);
    });
  }

  it('equals an independent node:crypto HMAC implementation for any secret, seed and length', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sha256' as const, 'sha384' as const),
        bytes(0, 80),
        fc.string({ maxLength: 20 }),
        bytes(0, 80),
        fc.integer({ min: 0, max: 200 }),
        (hash, secret, label, seed, length) => {
          expect(toHex(prf(hash, secret, label, seed, length))).toBe(
            toHex(referencePrf(hash, secret, label, seed, length)),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives a prefix of a longer output for a shorter length', () => {
    const long = prf('sha256', fromHex('aa'), 'x', fromHex('bb'), 100);
    expect(toHex(prf('sha256', fromHex('aa'), 'x', fromHex('bb'), 33))).toBe(toHex(long.slice(0, 33)));
  });

  it('refuses a negative or fractional length as a local error', () => {
    expect(() => prf('sha256', fromHex('aa'), 'x', fromHex('bb'), -1)).toThrow(TlsError);
    expect(() => prf('sha256', fromHex('aa'), 'x', fromHex('bb'), 1.5)).toThrow(TlsError);
  });
});

describe('master secrets', () => {
  const preMasterSecret = fromHex('0f'.repeat(32));

  it('computeMasterSecret is PRF(pms, "master secret", client_random + server_random)[48]', () => {
    for (const hash of ['sha256', 'sha384'] as const) {
      const ms = computeMasterSecret(hash, preMasterSecret, clientRandom, serverRandom);
      expect(ms.length).toBe(48);
      const expected = referencePrf(
        hash,
        preMasterSecret,
        'master secret',
        concatBytes(clientRandom, serverRandom),
        48,
      );
      expect(toHex(ms)).toBe(toHex(expected));
    }
  });

  it('computeExtendedMasterSecret is PRF(pms, "extended master secret", session_hash)[48]', () => {
    const sessionHash = fromHex('5a'.repeat(48));
    const ems = computeExtendedMasterSecret('sha384', preMasterSecret, sessionHash);
    expect(ems.length).toBe(48);
    expect(toHex(ems)).toBe(
      toHex(referencePrf('sha384', preMasterSecret, 'extended master secret', sessionHash, 48)),
    );
    expect(toHex(ems)).not.toBe(
      toHex(computeMasterSecret('sha384', preMasterSecret, clientRandom, serverRandom)),
    );
  });
});

describe('deriveKeyBlock', () => {
  const masterSecret = fromHex('3c'.repeat(48));

  for (const suite of Object.values(SUITES)) {
    it(`splits the key block for ${suite.name} as keys then IVs, seeded server_random + client_random`, () => {
      const kb = deriveKeyBlock(suite, masterSecret, clientRandom, serverRandom);
      const k = suite.keyLength;
      const iv = suite.fixedIvLength;
      expect([kb.clientKey.length, kb.serverKey.length]).toEqual([k, k]);
      expect([kb.clientIv.length, kb.serverIv.length]).toEqual([iv, iv]);
      const block = referencePrf(
        suite.prfHash,
        masterSecret,
        'key expansion',
        concatBytes(serverRandom, clientRandom),
        2 * (k + iv),
      );
      expect(toHex(concatBytes(kb.clientKey, kb.serverKey, kb.clientIv, kb.serverIv))).toBe(toHex(block));
    });
  }
});

describe('computeVerifyData', () => {
  it('is 12 bytes of PRF(master_secret, finished_label, handshake_hash) and depends on the label', () => {
    const masterSecret = fromHex('11'.repeat(48));
    const handshakeHash = fromHex('22'.repeat(32));
    const client = computeVerifyData('sha256', masterSecret, 'client finished', handshakeHash);
    const server = computeVerifyData('sha256', masterSecret, 'server finished', handshakeHash);
    expect(client.length).toBe(12);
    expect(toHex(client)).toBe(
      toHex(referencePrf('sha256', masterSecret, 'client finished', handshakeHash, 12)),
    );
    expect(toHex(server)).toBe(
      toHex(referencePrf('sha256', masterSecret, 'server finished', handshakeHash, 12)),
    );
    expect(toHex(client)).not.toBe(toHex(server));
  });
});

describe('exportKeyingMaterial (RFC 5705 §4)', () => {
  const masterSecret = fromHex('44'.repeat(48));
  const randoms = concatBytes(clientRandom, serverRandom);

  it('without context seeds with client_random + server_random', () => {
    const out = exportKeyingMaterial('sha256', masterSecret, clientRandom, serverRandom, 'EXPORTER-test', 40);
    expect(toHex(out)).toBe(toHex(referencePrf('sha256', masterSecret, 'EXPORTER-test', randoms, 40)));
  });

  it('with context appends a u16 length and the context; an empty context differs from none', () => {
    const context = fromHex('c0ffee');
    const out = exportKeyingMaterial(
      'sha384',
      masterSecret,
      clientRandom,
      serverRandom,
      'EXPORTER-x',
      20,
      context,
    );
    const seed = concatBytes(randoms, fromHex('0003'), context);
    expect(toHex(out)).toBe(toHex(referencePrf('sha384', masterSecret, 'EXPORTER-x', seed, 20)));
    const empty = exportKeyingMaterial(
      'sha384',
      masterSecret,
      clientRandom,
      serverRandom,
      'EXPORTER-x',
      20,
      new Uint8Array(0),
    );
    const none = exportKeyingMaterial('sha384', masterSecret, clientRandom, serverRandom, 'EXPORTER-x', 20);
    expect(toHex(empty)).toBe(
      toHex(referencePrf('sha384', masterSecret, 'EXPORTER-x', concatBytes(randoms, fromHex('0000')), 20)),
    );
    expect(toHex(empty)).not.toBe(toHex(none));
  });

  it('refuses labels TLS itself uses and contexts over 65535 bytes', () => {
    for (const label of [
      'master secret',
      'key expansion',
      'client finished',
      'server finished',
      'extended master secret',
    ]) {
      expect(() =>
        exportKeyingMaterial('sha256', masterSecret, clientRandom, serverRandom, label, 16),
      ).toThrow(expect.objectContaining({ kind: 'local' }));
    }
    expect(() =>
      exportKeyingMaterial(
        'sha256',
        masterSecret,
        clientRandom,
        serverRandom,
        'EXPORTER-x',
        16,
        new Uint8Array(65536),
      ),
    ).toThrow(expect.objectContaining({ kind: 'local' }));
  });
});
