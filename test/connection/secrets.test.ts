// Key material is wiped when a connection closes or fails: master secret, key block, keyed AEADs,
// ephemeral ECDHE keys and handshake state (RFC 5246 §6.3, §8.1, RFC 5705 §4).

import { beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/ciphers/noble-provider.js';
import type { Aead, CryptoProvider, KeyShare } from '../../src/ciphers/provider.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { nodeCryptoProvider } from '../../src/providers/node/provider.js';
import { errorOf, runPair } from '../helpers/pair.js';
import { p256Configs, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let base: { client: ClientConfig; server: ServerConfig };
/**
 * The server config without session tickets: a context's ticket key (an AEAD from the same
 * provider) lives as long as the context, not the connection, and is not what these tests count.
 */
let perConnection: ServerConfig;
beforeAll(() => {
  pki = testPki();
  base = p256Configs(pki);
  perConnection = { ...base.server, sessionTickets: false };
}, 120_000);

/** The noble provider, keeping a reference to every key share, AEAD and AEAD key it hands out. */
function recordingProvider() {
  const shares: KeyShare[] = [];
  const aeads: Aead[] = [];
  const aeadKeys: Uint8Array[] = [];
  const provider: CryptoProvider = {
    ...nobleProvider,
    name: 'recording',
    aead(algorithm, key) {
      aeadKeys.push(key);
      const aead = nobleProvider.aead(algorithm, key);
      aeads.push(aead);
      return aead;
    },
    generateKeyShare(group, random) {
      const share = nobleProvider.generateKeyShare(group, random);
      shares.push(share);
      return share;
    },
  };
  return { provider, shares, aeads, aeadKeys };
}

/** The secret bytes inside our own key shares and AEADs (private fields, read for the test only). */
function privateKeyOf(share: KeyShare): Uint8Array {
  const key = (share as unknown as { privateKey?: Uint8Array }).privateKey;
  expect(key).toBeInstanceOf(Uint8Array);
  return key!;
}

function keyMaterialOf(aead: Aead): Uint8Array {
  const inner = aead as unknown as { roundKeys?: Uint32Array; key?: Uint8Array };
  const material = inner.roundKeys ? new Uint8Array(inner.roundKeys.buffer) : inner.key;
  expect(material).toBeInstanceOf(Uint8Array);
  return material!;
}

function masterSecretOf(connection: TlsClient | TlsServer): Uint8Array {
  const held = (connection as unknown as { phase: { secrets?: { masterSecret: Uint8Array } } }).phase;
  expect(held.secrets?.masterSecret).toBeInstanceOf(Uint8Array);
  return held.secrets!.masterSecret;
}

function handshakeStateOf(connection: TlsClient | TlsServer): { step: string; masterSecret?: Uint8Array } {
  return (connection as unknown as { handshake: { state: { step: string; masterSecret?: Uint8Array } } })
    .handshake.state;
}

const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

function caught(f: () => unknown): TlsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TlsError);
    return e as TlsError;
  }
  throw new Error('expected a throw');
}

/** The records of `flight` up to (not including) the first ChangeCipherSpec. */
function beforeChangeCipherSpec(flight: Uint8Array): Uint8Array {
  let offset = 0;
  while (offset < flight.length && flight[offset] !== 20) {
    offset += 5 + ((flight[offset + 3]! << 8) | flight[offset + 4]!);
  }
  return flight.subarray(0, offset);
}

const FATAL_HANDSHAKE_FAILURE = new Uint8Array([21, 3, 3, 0, 2, 2, 40]);

describe('wiping key material', () => {
  it.each(['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'])(
    'close_notify both ways zeroes the master secret and the keyed AEADs (%s)',
    (suite) => {
      const rec = recordingProvider();
      const c = new TlsClient({ ...base.client, cipherSuites: [suite], crypto: rec.provider });
      const s = new TlsServer({ ...perConnection, crypto: rec.provider });
      runPair(c, s);
      expect(c.state).toBe('open');
      const secrets = [masterSecretOf(c), masterSecretOf(s)];
      const aeadKeys = rec.aeads.map(keyMaterialOf);
      expect(aeadKeys).toHaveLength(4);
      for (const k of [...secrets, ...aeadKeys]) expect(isZero(k)).toBe(false);

      c.close();
      expect(c.state).toBe('closing');
      // Still usable while closing (the application may export after sending close_notify).
      expect(c.exportKeyingMaterial('EXPORTER-test', 16)).toHaveLength(16);
      runPair(c, s);
      expect(s.state).toBe('closing'); // the server has received close_notify but not sent its own
      expect(isZero(secrets[0]!)).toBe(false);
      s.close();
      runPair(c, s);
      expect(c.state).toBe('closed');
      expect(s.state).toBe('closed');
      for (const k of [...secrets, ...aeadKeys]) expect(isZero(k)).toBe(true);
      for (const conn of [c, s]) {
        const e = caught(() => conn.exportKeyingMaterial('EXPORTER-test', 16));
        expect(e.kind).toBe('local');
        expect(e.code).toBe('closed');
      }
    },
  );

  it("with the node provider, closing drops the AEADs' key objects (later use is a local error)", () => {
    const aeads: Aead[] = [];
    const provider: CryptoProvider = {
      ...nodeCryptoProvider,
      aead(algorithm, key) {
        const aead = nodeCryptoProvider.aead(algorithm, key);
        aeads.push(aead);
        return aead;
      },
    };
    const c = new TlsClient({ ...base.client, crypto: provider });
    const s = new TlsServer({ ...perConnection, crypto: provider });
    runPair(c, s);
    c.close();
    s.close();
    runPair(c, s);
    expect(c.state).toBe('closed');
    expect(aeads).toHaveLength(4);
    for (const aead of aeads) {
      expect(caught(() => aead.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(1))).code).toBe(
        'aead_disposed',
      );
    }
  });

  it('a connection failure after the handshake zeroes everything and still sends its alert', () => {
    const rec = recordingProvider();
    const c = new TlsClient({ ...base.client, crypto: rec.provider });
    const s = new TlsServer({ ...perConnection, crypto: rec.provider });
    runPair(c, s);
    const secrets = [masterSecretOf(c), masterSecretOf(s)];
    const aeadKeys = rec.aeads.map(keyMaterialOf);
    c.write(new Uint8Array([1, 2, 3]));
    const record = c.takeOutgoing();
    record[record.length - 1]! ^= 1; // break the tag
    const events = s.receive(record);
    expect(errorOf(events)?.code).toBe('bad_record_mac');
    const alert = s.takeOutgoing();
    expect(alert.length).toBeGreaterThan(0); // the fatal alert was queued before the wipe
    expect(isZero(secrets[1]!)).toBe(true);
    expect(isZero(keyMaterialOf(rec.aeads[2]!))).toBe(true); // server read (client write) direction
    expect(isZero(keyMaterialOf(rec.aeads[3]!))).toBe(true); // server write
    const e = caught(() => s.exportKeyingMaterial('EXPORTER-test', 16));
    expect(e.kind).toBe('local');
    expect(e.code).toBe('failed');
    // The client learns of the failure from the alert and wipes too.
    expect(errorOf(c.receive(alert))?.kind).toBe('alertReceived');
    expect(isZero(secrets[0]!)).toBe(true);
    for (const k of aeadKeys) expect(isZero(k)).toBe(true);
    expect(caught(() => c.exportKeyingMaterial('EXPORTER-test', 16)).kind).toBe('local');
  });

  it('the key block is zeroed once the record layer has keyed its AEADs', () => {
    const rec = recordingProvider();
    const c = new TlsClient({ ...base.client, crypto: rec.provider });
    const s = new TlsServer({ ...perConnection, crypto: rec.provider });
    runPair(c, s);
    expect(c.state).toBe('open');
    expect(rec.aeadKeys).toHaveLength(4);
    for (const key of rec.aeadKeys) expect(isZero(key)).toBe(true);
    // …while the AEADs, which keep their own copies, still work.
    c.write(new Uint8Array([7]));
    expect(errorOf(runPair(c, s).server)).toBeUndefined();
  });

  it("a refused client certificate zeroes the server's ephemeral ECDHE key", () => {
    const rec = recordingProvider();
    const other = pki.leaf('p256', 'client', { otherRoot: true });
    const c = new TlsClient({ ...base.client, cert: other.cert, key: other.key, crypto: rec.provider });
    const s = new TlsServer({ ...perConnection, clientAuth: 'required', crypto: rec.provider });
    s.receive(c.takeOutgoing()); // ClientHello → the server makes its share
    expect(rec.shares).toHaveLength(1);
    const serverKey = privateKeyOf(rec.shares[0]!);
    expect(isZero(serverKey)).toBe(false);
    const log = runPair(c, s);
    expect(errorOf(log.server)?.code).toBe('unknown_ca');
    expect(s.state).toBe('failed');
    expect(isZero(serverKey)).toBe(true);
  });

  it('a failure between ClientKeyExchange and Finished zeroes the master secret the handshake holds', () => {
    const c = new TlsClient({ ...base.client });
    const s = new TlsServer({ ...base.server });
    s.receive(c.takeOutgoing());
    c.receive(s.takeOutgoing());
    expect(handshakeStateOf(c).step).toBe('awaitNewSessionTicket'); // the server acknowledged session_ticket
    const clientSecret = handshakeStateOf(c).masterSecret!;
    s.receive(beforeChangeCipherSpec(c.takeOutgoing())); // Certificate, ClientKeyExchange, CertificateVerify
    expect(handshakeStateOf(s).step).toBe('awaitChangeCipherSpec');
    const serverSecret = handshakeStateOf(s).masterSecret!;
    expect(isZero(clientSecret)).toBe(false);
    expect(isZero(serverSecret)).toBe(false);
    expect(errorOf(c.receive(FATAL_HANDSHAKE_FAILURE))?.kind).toBe('alertReceived');
    expect(errorOf(s.receive(FATAL_HANDSHAKE_FAILURE))?.kind).toBe('alertReceived');
    expect(isZero(clientSecret)).toBe(true);
    expect(isZero(serverSecret)).toBe(true);
  });

  it('close_notify from the peer in the middle of the handshake zeroes the ephemeral key', () => {
    const rec = recordingProvider();
    const c = new TlsClient({ ...base.client, crypto: rec.provider });
    const s = new TlsServer({ ...perConnection, clientAuth: 'required', crypto: rec.provider });
    s.receive(c.takeOutgoing());
    const serverKey = privateKeyOf(rec.shares[0]!);
    s.receive(new Uint8Array([21, 3, 3, 0, 2, 1, 0])); // warning close_notify
    expect(s.state).toBe('closed');
    expect(isZero(serverKey)).toBe(true);
  });
});
