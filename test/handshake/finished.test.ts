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

  it('refuses a late ChangeCipherSpec, handshake message and signature, naming the peer', () => {
    const finished = FinishedHandshake.ofServer;
    expect(() => finished.onChangeCipherSpec()).toThrowError(
      expect.objectContaining({
        code: 'unexpected_change_cipher_spec',
        message: 'the client sent ChangeCipherSpec while the handshake is complete',
      }),
    );
    expect(() => finished.handle({ type: 20 } as Parameters<typeof finished.handle>[0])).toThrowError(
      expect.objectContaining({ alertSent: 'unexpected_message' }),
    );
    expect(finished.pendingSignature).toBeUndefined();
    expect(() => finished.provideSignature(new Uint8Array(64))).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'no_pending_signature' }),
    );
  });

  it('holds nothing per connection: the master secret lives in the phase, which wipes it on close', () => {
    const client = new TlsClient(configs.client);
    const server = new TlsServer(configs.server);
    runPair(client, server);
    expect(handshakeOf(client)).toBe(FinishedHandshake.ofClient);
    expect(handshakeOf(server)).toBe(FinishedHandshake.ofServer);
    const phase = (client as unknown as { phase: { secrets: { masterSecret: Uint8Array } } }).phase;
    const secret = phase.secrets.masterSecret;
    expect(secret.some((b) => b !== 0)).toBe(true);
    client.close();
    runPair(client, server);
    server.close();
    runPair(client, server);
    expect(client.state).toBe('closed');
    expect(secret.every((b) => b === 0)).toBe(true);
  });
});
