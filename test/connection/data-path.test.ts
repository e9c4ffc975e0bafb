// The connection's data path after the handshake (RFC 5246 §6.2): records are opened straight from the
// caller's bytes, only what is left unread is kept (as a copy), no data event is a view of the
// caller's buffer, and takeOutgoingChunks() hands sealed records on without joining them.

import { beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/ciphers/noble-provider.js';
import type { CryptoProvider } from '../../src/ciphers/provider.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TlsEvent } from '../../src/connection.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { nodeCryptoProvider } from '../../src/providers/node/provider.js';
import { dataOf, errorOf, runPair } from '../helpers/pair.js';
import { p256Configs, testPki } from '../helpers/pki.js';

let base: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  base = p256Configs(testPki());
}, 120_000);

function connectedPair(provider: CryptoProvider = nobleProvider): { client: TlsClient; server: TlsServer } {
  const client = new TlsClient({ ...base.client, crypto: provider });
  const server = new TlsServer({ ...base.server, crypto: provider });
  runPair(client, server);
  expect(client.state).toBe('open');
  expect(server.state).toBe('open');
  return { client, server };
}

function pattern(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}

/** An AEAD that writes the plaintext over its ciphertext and returns a view of it. */
const inPlace: CryptoProvider = {
  ...nobleProvider,
  name: 'in-place',
  aead(algorithm, key) {
    const inner = nobleProvider.aead(algorithm, key);
    return {
      ...inner,
      seal: (n, a, p) => inner.seal(n, a, p),
      open(nonce, aad, sealed) {
        const plaintext = inner.open(nonce, aad, sealed);
        if (plaintext === undefined) return undefined;
        const view = sealed.subarray(0, plaintext.length);
        view.set(plaintext);
        return view;
      },
      dispose: () => inner.dispose(),
    };
  },
};

describe('receive() after the handshake', () => {
  it('keeps a partial record intact when the caller reuses its buffer afterwards', () => {
    const { client, server } = connectedPair();
    const message = pattern(3000, 1);
    client.write(message);
    const wire = client.takeOutgoing();
    const cut = 1000;
    // The caller's one reusable read buffer: first half of the record, then (overwritten) the rest.
    const readBuffer = new Uint8Array(wire.length);
    readBuffer.set(wire.subarray(0, cut));
    const first = server.receive(readBuffer.subarray(0, cut));
    expect(first).toEqual([]);
    readBuffer.fill(0xee);
    readBuffer.set(wire.subarray(cut), 0);
    const events = server.receive(readBuffer.subarray(0, wire.length - cut));
    expect(errorOf(events)).toBeUndefined();
    expect(dataOf(events)).toEqual(message);
  });

  it('keeps whole records past maxRecordsPerReceive intact when the caller reuses its buffer', () => {
    const client = new TlsClient(base.client);
    const server = new TlsServer({ ...base.server, maxRecordsPerReceive: 1 });
    // The handshake flights hold several records each: continue the paused receive() as callers must.
    for (let round = 0; round < 20 && server.state !== 'open'; round++) {
      runPair(client, server);
      if (server.hasPendingInput) server.receive(new Uint8Array(0));
    }
    runPair(client, server);
    expect(client.state).toBe('open');
    expect(server.state).toBe('open');
    const a = pattern(100, 2);
    const b = pattern(100, 3);
    client.write(a);
    client.write(b);
    const readBuffer = Uint8Array.from(client.takeOutgoing());
    const first = server.receive(readBuffer);
    expect(dataOf(first)).toEqual(a);
    expect(server.hasPendingInput).toBe(true);
    readBuffer.fill(0);
    const second = server.receive(new Uint8Array(0));
    expect(errorOf(second)).toBeUndefined();
    expect(dataOf(second)).toEqual(b);
  });

  it('gives data that is not a view of the caller’s bytes, even from a provider that decrypts in place', () => {
    const { client, server } = connectedPair(inPlace);
    const message = pattern(500, 4);
    client.write(message);
    const readBuffer = Uint8Array.from(client.takeOutgoing());
    const events = server.receive(readBuffer);
    const data = events.find((e): e is Extract<TlsEvent, { type: 'data' }> => e.type === 'data')!.data;
    expect(data.buffer).not.toBe(readBuffer.buffer);
    readBuffer.fill(0);
    expect(data).toEqual(message);
  });

  it("keeps every record cut across reads intact while the cut records' buffers are reused", () => {
    // The in-place provider's records hold plaintext: their buffers must not be reused.
    for (const provider of [nobleProvider, nodeCryptoProvider, inPlace]) {
      const { client, server } = connectedPair(provider);
      const messages = Array.from({ length: 6 }, (_, i) => pattern(9000 + i * 1000, 10 + i));
      for (const m of messages) client.write(m);
      const wire = client.takeOutgoing();
      // Socket-sized reads through one reused buffer: most records are cut between two reads.
      const readBuffer = new Uint8Array(7000);
      const data: Uint8Array[] = [];
      for (let at = 0; at < wire.length; at += readBuffer.length) {
        const piece = wire.subarray(at, at + readBuffer.length);
        readBuffer.set(piece);
        const events = server.receive(readBuffer.subarray(0, piece.length));
        expect(errorOf(events)).toBeUndefined();
        data.push(...events.flatMap((e) => (e.type === 'data' ? [e.data] : [])));
        readBuffer.fill(0xee);
      }
      // Checked only now: no data event was overwritten by a later record assembled in a reused buffer.
      expect(data.map((d) => d.length)).toEqual(messages.map((m) => m.length));
      for (const [i, d] of data.entries()) expect(Uint8Array.from(d), provider.name).toEqual(messages[i]);
    }
  });

  it('still fails a tampered record with bad_record_mac', () => {
    const { client, server } = connectedPair(nodeCryptoProvider);
    client.write(pattern(64, 5));
    const wire = Uint8Array.from(client.takeOutgoing());
    wire[wire.length - 1]! ^= 1;
    expect(errorOf(server.receive(wire))?.code).toBe('bad_record_mac');
  });
});

describe('takeOutgoingChunks()', () => {
  it('queues a large write as the AEAD made it: ciphertexts, tags and headers apart, the same bytes takeOutgoing() gives', () => {
    for (const provider of [nobleProvider, nodeCryptoProvider]) {
      const { client, server } = connectedPair(provider);
      const message = pattern(40_000, 6); // three records: 16384 + 16384 + 7232
      client.write(message);
      const chunks = client.takeOutgoingChunks();
      // header+nonce, ciphertext; previous tag+header+nonce, ciphertext; …; the last tag.
      expect(chunks.map((c) => c.length)).toEqual([13, 16384, 29, 16384, 29, 7232, 16]);
      const none = client.takeOutgoingChunks();
      expect(none).toEqual([]);
      expect(Object.isFrozen(none)).toBe(true); // never the engine's live queue
      const events = chunks.flatMap((c) => server.receive(c));
      expect(dataOf(events)).toEqual(message);

      // takeOutgoing() joins the same chunks into one buffer.
      client.write(message);
      const joined = client.takeOutgoing();
      expect(joined.length).toBe(3 * 13 + 16400 * 2 + 7248);
      expect(dataOf(server.receive(joined))).toEqual(message);
    }
  });

  it('queues small writes as one chunk per write (header, nonce and body together)', () => {
    const { client, server } = connectedPair(nodeCryptoProvider);
    client.write(pattern(64, 7));
    const chunks = client.takeOutgoingChunks();
    expect(chunks.map((c) => c.length)).toEqual([5 + 8 + 64 + 16]);
    expect(dataOf(server.receive(chunks[0]!))).toEqual(pattern(64, 7));
  });
});
