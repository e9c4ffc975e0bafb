import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/ciphers/noble-provider.js';
import type { Aead, CryptoProvider } from '../../src/ciphers/provider.js';
import { SUITES, type SuiteParams } from '../../src/ciphers/suites.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { RecordProtector } from '../../src/record/protection.js';
import { ALL_SUITES, PROVIDERS, testKeys } from './providers.js';
import { nodeTestProvider } from './test-provider.js';

/** A provider whose "AEAD" records the nonce and additional data it is given (ciphertext = plaintext). */
function recordingProvider(calls: { nonce: string; aad: string }[]): CryptoProvider {
  const aead: Aead = {
    algorithm: 'AES-128-GCM',
    nonceLength: 12,
    tagLength: 16,
    seal(nonce, aad, plaintext) {
      calls.push({ nonce: toHex(nonce), aad: toHex(aad) });
      return concatBytes(plaintext, new Uint8Array(16));
    },
    open(nonce, aad, sealed) {
      calls.push({ nonce: toHex(nonce), aad: toHex(aad) });
      return sealed.slice(0, sealed.length - 16);
    },
    dispose() {},
  };
  return { ...nodeTestProvider, aead: () => aead };
}

function bad(f: () => unknown): TlsError {
  try {
    f();
  } catch (error) {
    if (error instanceof TlsError) return error;
    throw new Error(`expected a TlsError, got ${String(error)}`);
  }
  throw new Error('expected a TlsError, nothing was thrown');
}

/** The same record sealed directly with node:crypto from a hand-built nonce and additional data. */
function nodeSeal(suite: SuiteParams, key: Uint8Array, nonce: string, aad: string, plaintext: Uint8Array) {
  const name = {
    'AES-128-GCM': 'aes-128-gcm',
    'AES-256-GCM': 'aes-256-gcm',
    'CHACHA20-POLY1305': 'chacha20-poly1305',
  }[suite.aead] as 'aes-128-gcm';
  const c = createCipheriv(name, key, fromHex(nonce), { authTagLength: 16 });
  c.setAAD(fromHex(aad), { plaintextLength: plaintext.length });
  return concatBytes(c.update(plaintext), c.final(), c.getAuthTag());
}

const SEQ = 0x0102030405060708n;
const HELLO = utf8.encode('hello');

describe('record protection: nonce and additional data (RFC 5246 §6.2.3.3, RFC 5288 §3, RFC 7905 §2)', () => {
  // Hand-computed: keys from testKeys (GCM salt a0a1a2a3; ChaCha IV a0a1…ab), seq 0x0102030405060708,
  // type 23, version 0x0303, 5 bytes of plaintext.
  //   additional_data = 0102030405060708 ‖ 17 ‖ 0303 ‖ 0005
  //   GCM nonce       = a0a1a2a3 ‖ 0102030405060708          (salt ‖ nonce_explicit = seq)
  //   ChaCha nonce    = a0a1a2a3a4a5a6a7a8a9aaab XOR 00000000 ‖ 0102030405060708
  //                   = a0a1a2a3 a5a7a5a3 adafada3
  const expectedAad = '0102030405060708170303' + '0005';
  const expectedNonce: Record<string, string> = {
    'AES-128-GCM': 'a0a1a2a30102030405060708',
    'AES-256-GCM': 'a0a1a2a30102030405060708',
    'CHACHA20-POLY1305': 'a0a1a2a3a5a7a5a3adafada3',
  };

  for (const suite of ALL_SUITES) {
    it(`${suite.name}: seal and open build the hand-computed nonce and additional data`, () => {
      const calls: { nonce: string; aad: string }[] = [];
      const provider = recordingProvider(calls);
      const keys = testKeys(suite);
      const sender = new RecordProtector(keys, provider, { sequenceNumber: SEQ });
      const fragment = sender.seal(23, 0x0303, HELLO);
      expect(calls[0]).toEqual({ nonce: expectedNonce[suite.aead], aad: expectedAad });
      const explicit = suite.explicitNonceLength === 8 ? '0102030405060708' : '';
      expect(toHex(fragment)).toBe(`${explicit}${toHex(HELLO)}${'00'.repeat(16)}`);
      const receiver = new RecordProtector(keys, provider, { sequenceNumber: SEQ });
      expect(receiver.open(23, 0x0303, fragment)).toEqual(HELLO);
      expect(calls[1]).toEqual(calls[0]);
    });

    it(`${suite.name}: at sequence number 0 the nonce is salt ‖ 0 (GCM) or the IV itself (ChaCha)`, () => {
      const calls: { nonce: string; aad: string }[] = [];
      new RecordProtector(testKeys(suite), recordingProvider(calls)).seal(22, 0x0303, new Uint8Array(16));
      const iv = toHex(testKeys(suite).fixedIv);
      expect(calls[0]!.nonce).toBe(suite.explicitNonceLength === 8 ? `${iv}0000000000000000` : iv);
      expect(calls[0]!.aad).toBe('0000000000000000' + '16' + '0303' + '0010');
    });

    for (const { name, provider } of PROVIDERS) {
      it(`${suite.name} (${name}): sealed bytes equal node:crypto over the hand-built nonce and AAD`, () => {
        const keys = testKeys(suite);
        const fragment = new RecordProtector(keys, provider, { sequenceNumber: SEQ }).seal(23, 0x0303, HELLO);
        const sealed = nodeSeal(suite, keys.key, expectedNonce[suite.aead]!, expectedAad, HELLO);
        const explicit = suite.explicitNonceLength === 8 ? '0102030405060708' : '';
        expect(toHex(fragment)).toBe(explicit + toHex(sealed));
      });
    }
  }

  it('GCM open takes nonce_explicit from the record, whatever the sender chose (RFC 5288 §3)', () => {
    const suite = SUITES.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
    const keys = testKeys(suite);
    // OpenSSL 3 sends a counter from a random start, not the sequence number (see openssl-records.json).
    const explicit = 'e5df082ae2e334b1';
    const aad = `0000000000000001170303${'0005'}`;
    const fragment = concatBytes(
      fromHex(explicit),
      nodeSeal(suite, keys.key, `a0a1a2a3${explicit}`, aad, HELLO),
    );
    for (const { provider } of PROVIDERS) {
      const receiver = new RecordProtector(keys, provider, { sequenceNumber: 1n });
      expect(receiver.open(23, 0x0303, fragment)).toEqual(HELLO);
    }
  });
});

describe('record protection: behaviour for every suite and provider', () => {
  for (const suite of ALL_SUITES) {
    for (const { name, provider } of PROVIDERS) {
      describe(`${suite.name} (${name})`, () => {
        it('round-trips and advances the sequence number each record; reordering fails', () => {
          const keys = testKeys(suite, 7);
          const sender = new RecordProtector(keys, provider);
          const messages = [HELLO, new Uint8Array(0), new Uint8Array(16384).fill(0x5a), utf8.encode('bye')];
          const fragments = messages.map((m) => sender.seal(23, 0x0303, m));
          expect(sender.sequenceNumber).toBe(4n);
          fragments.forEach((f, i) => {
            expect(f.length).toBe(messages[i]!.length + sender.overhead);
          });
          const reordered = new RecordProtector(keys, provider);
          expect(bad(() => reordered.open(23, 0x0303, fragments[1]!)).code).toBe('bad_record_mac');
          expect(reordered.sequenceNumber).toBe(0n); // failures do not advance
          const receiver = new RecordProtector(keys, provider);
          fragments.forEach((f, i) => {
            expect(receiver.open(23, 0x0303, f)).toEqual(messages[i]);
          });
          expect(receiver.sequenceNumber).toBe(4n);
        });

        it('every truncation and every single-byte flip fails with bad_record_mac, never wrong plaintext', () => {
          fc.assert(
            fc.property(
              fc.uint8Array({ maxLength: 48 }),
              fc.integer({ min: 1, max: 255 }),
              fc.constantFrom(21, 22, 23),
              (plaintext, mask, type) => {
                const keys = testKeys(suite, 3);
                const fragment = new RecordProtector(keys, provider).seal(type, 0x0303, plaintext);
                const receiver = new RecordProtector(keys, provider);
                const expectMacFailure = (f: Uint8Array, t: number = type, v = 0x0303) => {
                  const error = bad(() => receiver.open(t, v, f));
                  expect(error).toMatchObject({
                    code: 'bad_record_mac',
                    alertSent: 'bad_record_mac',
                    kind: 'peer',
                  });
                };
                for (let n = 0; n < fragment.length; n++) expectMacFailure(fragment.subarray(0, n));
                for (let i = 0; i < fragment.length; i++) {
                  const flipped = fragment.slice();
                  flipped[i]! ^= mask;
                  expectMacFailure(flipped);
                }
                expectMacFailure(fragment, type ^ 1); // the header is authenticated too
                expectMacFailure(fragment, type, 0x0301);
                expect(receiver.open(type, 0x0303, fragment)).toEqual(plaintext);
              },
            ),
            { numRuns: 8 },
          );
        });
      });
    }
  }

  it('sequence number 2^64 − 1 is used once, then records are refused (limit error)', () => {
    const suite = SUITES.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
    const keys = testKeys(suite);
    const last = (1n << 64n) - 1n;
    const sender = new RecordProtector(keys, nodeTestProvider, { sequenceNumber: last - 1n });
    const receiver = new RecordProtector(keys, nodeTestProvider, { sequenceNumber: last - 1n });
    for (let i = 0; i < 2; i++)
      expect(receiver.open(23, 0x0303, sender.seal(23, 0x0303, HELLO))).toEqual(HELLO);
    expect(sender.sequenceNumber).toBe(0n);
    expect(bad(() => sender.seal(23, 0x0303, HELLO))).toMatchObject({
      kind: 'limit',
      code: 'sequence_number_overflow',
    });
    expect(bad(() => receiver.open(23, 0x0303, new Uint8Array(40))).code).toBe('sequence_number_overflow');
  });

  it('refuses wrongly sized keys and IVs as local errors, and use after dispose', () => {
    const suite = SUITES.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;
    const keys = testKeys(suite);
    expect(bad(() => new RecordProtector({ ...keys, key: new Uint8Array(16) }, nodeTestProvider)).kind).toBe(
      'local',
    );
    expect(
      bad(() => new RecordProtector({ ...keys, fixedIv: new Uint8Array(12) }, nodeTestProvider)).kind,
    ).toBe('local');
    const p = new RecordProtector(keys, nodeTestProvider);
    p.dispose();
    expect(bad(() => p.seal(23, 0x0303, HELLO)).code).toBe('disposed');
  });

  it('keeps copies of the keys: zeroing the caller’s key block afterwards changes nothing', () => {
    for (const suite of ALL_SUITES) {
      for (const { provider } of PROVIDERS) {
        // The IV as a Node Buffer too, whose slice() is a view rather than a copy. (The key goes to
        // provider.aead, which owns copying it.)
        const plainKeys = testKeys(suite);
        const keys = { suite, key: plainKeys.key, fixedIv: Buffer.from(plainKeys.fixedIv) };
        const sender = new RecordProtector(keys, provider);
        const receiver = new RecordProtector(testKeys(suite), provider);
        keys.key.fill(0);
        keys.fixedIv.fill(0);
        expect(receiver.open(23, 0x0303, sender.seal(23, 0x0303, HELLO))).toEqual(HELLO);
      }
    }
  });
});

/**
 * A provider wrapping `inner` whose AEADs log, in order, every nonce given to seal, open and
 * anticipate; `throwing` makes anticipate throw after logging.
 */
function anticipatingProvider(inner: CryptoProvider, log: string[], throwing = false): CryptoProvider {
  return {
    ...inner,
    aead(algorithm, key) {
      const real = inner.aead(algorithm, key);
      return {
        algorithm: real.algorithm,
        nonceLength: 12,
        tagLength: 16,
        seal(nonce, aad, plaintext) {
          log.push(`seal ${toHex(nonce)}`);
          return real.seal(nonce, aad, plaintext);
        },
        open(nonce, aad, sealed) {
          log.push(`open ${toHex(nonce)}`);
          return real.open(nonce, aad, sealed);
        },
        anticipate(nonce) {
          log.push(`anticipate ${toHex(nonce)}`);
          if (throwing) throw new Error('a faulty hint');
        },
        dispose: () => real.dispose(),
      };
    },
  };
}

describe('record protection: Aead.anticipate, the next record’s nonce as a hint', () => {
  const gcm = SUITES.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
  const chacha = SUITES.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;

  for (const suite of [gcm, chacha]) {
    it(`${suite.aead}: after each application-data record, the nonce the next one uses (both directions)`, () => {
      const keys = testKeys(suite, 5);
      const sent: string[] = [];
      const opened: string[] = [];
      const sender = new RecordProtector(keys, anticipatingProvider(nobleProvider, sent));
      const receiver = new RecordProtector(keys, anticipatingProvider(nobleProvider, opened));
      const records = [
        sender.seal(22, 0x0303, HELLO), // a handshake record: no hint
        sender.seal(23, 0x0303, HELLO),
        sender.seal(21, 0x0303, new Uint8Array([1, 0])), // an alert: no hint
        sender.seal(23, 0x0303, new Uint8Array(3000)),
        sender.seal(23, 0x0303, HELLO),
      ];
      const types = [22, 23, 21, 23, 23];
      records.forEach((r, i) => {
        expect(receiver.open(types[i]!, 0x0303, r).length).toBeGreaterThan(0);
      });
      for (const [log, verb] of [
        [sent, 'seal'],
        [opened, 'open'],
      ] as const) {
        expect(log.map((line) => line.split(' ')[0])).toEqual([
          verb,
          verb,
          'anticipate',
          verb,
          verb,
          'anticipate',
          verb,
          'anticipate',
        ]);
        // Each hint names exactly the nonce the next call in that direction used …
        const nonceOf = (line: string) => line.split(' ')[1]!;
        log.forEach((line, i) => {
          if (line.startsWith('anticipate') && i + 1 < log.length)
            expect(nonceOf(line)).toBe(nonceOf(log[i + 1]!));
        });
        // … and the last one the nonce of sequence number 5: salt ‖ seq, or write IV XOR seq.
        const iv = toHex(keys.fixedIv);
        expect(nonceOf(log.at(-1)!)).toBe(
          suite === gcm ? `${iv}0000000000000005` : `${iv.slice(0, 22)}${(0xb0 ^ 5).toString(16)}`,
        );
      }
    });
  }
});

describe('record protection: Aead.anticipate never costs a record', () => {
  it('a hint that throws is ignored: the record was sealed or opened and counted', () => {
    const keys = testKeys(SUITES.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 9);
    const log: string[] = [];
    const sender = new RecordProtector(keys, anticipatingProvider(nobleProvider, log, true));
    const receiver = new RecordProtector(keys, anticipatingProvider(nobleProvider, log, true));
    for (let i = 0; i < 3; i++)
      expect(receiver.open(23, 0x0303, sender.seal(23, 0x0303, HELLO))).toEqual(HELLO);
    expect([sender.sequenceNumber, receiver.sequenceNumber]).toEqual([3n, 3n]);
    expect(log.filter((line) => line.startsWith('anticipate'))).toHaveLength(6);
  });

  it('no hint after sequence number 2^64 − 1, which ends the direction', () => {
    const keys = testKeys(SUITES.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
    const log: string[] = [];
    const last = (1n << 64n) - 1n;
    const sender = new RecordProtector(keys, anticipatingProvider(nobleProvider, log), {
      sequenceNumber: last - 1n,
    });
    sender.seal(23, 0x0303, HELLO);
    sender.seal(23, 0x0303, HELLO);
    expect(log.map((line) => line.split(' ')[0])).toEqual(['seal', 'anticipate', 'seal']);
  });
});
