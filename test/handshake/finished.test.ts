// After the handshake a connection keeps only its result (FinishedHandshake): the state machine,
// its handler table and record-layer view are dropped, and late handshake messages, a late
// ChangeCipherSpec and wiping behave as before.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { ClientHandshake } from '../../src/handshake/client.js';
import { FinishedHandshake } from '../../src/handshake/finished.js';
import { ServerHandshake } from '../../src/handshake/server.js';
import { runPair } from '../helpers/pair.js';
import { p256Configs, testPki } from '../helpers/pki.js';

const handshakeOf = (c: TlsClient | TlsServer) => (c as unknown as { handshake: unknown }).handshake;

let configs: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  configs = p256Configs(testPki());
});

describe('FinishedHandshake', () => {
  it('replaces both state machines once the handshake completes', () => {
    const client = new TlsClient(configs.client);
    const server = new TlsServer(configs.server);
    expect(handshakeOf(client)).toBeInstanceOf(ClientHandshake);
    expect(handshakeOf(server)).toBeInstanceOf(ServerHandshake);
    runPair(client, server);
    expect(client.state).toBe('open');
    expect(handshakeOf(client)).toBeInstanceOf(FinishedHandshake);
    expect(handshakeOf(server)).toBeInstanceOf(FinishedHandshake);
    expect(client.info?.cipherSuite).toBe(server.info?.cipherSuite);
  });

  it('refuses a late ChangeCipherSpec and handshake message, naming the peer; wipe zeroes the master secret', () => {
    const secret = new Uint8Array(48).fill(7);
    const finished = new FinishedHandshake(
      { masterSecret: secret } as unknown as ConstructorParameters<typeof FinishedHandshake>[0],
      'client',
    );
    expect(() => finished.onChangeCipherSpec()).toThrowError(
      expect.objectContaining({
        code: 'unexpected_change_cipher_spec',
        message: 'the client sent ChangeCipherSpec while the handshake is complete',
      }),
    );
    expect(() => finished.handle({ type: 20 })).toThrowError(
      expect.objectContaining({ alertSent: 'unexpected_message' }),
    );
    finished.wipe();
    expect(secret.every((b) => b === 0)).toBe(true);
  });
});
