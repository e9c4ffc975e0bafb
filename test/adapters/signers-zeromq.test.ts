// memtls/zeromq with signers that answer later on both sides: the shared receive loop waits for each
// signature, so a ROUTER and a DEALER complete mutual TLS with keys held in node:crypto KeyObjects.

import { afterAll, describe, expect, it } from 'vitest';
import { connectZmq, createZmqServer, type ZmqServer } from '../../src/adapters/zeromq.js';
import { testPki } from '../helpers/pki.js';
import { keyObjectSigner } from '../helpers/signers.js';

const pki = testPki();
const server = pki.leaf('p256', 'server');
const client = pki.leaf('rsa2048', 'client');

describe('memtls/zeromq with signers', () => {
  let router: ZmqServer | undefined;
  afterAll(async () => {
    await router?.close();
  });

  it('a ROUTER and a DEALER, each with a signer answering later, do mutual TLS and exchange a message', async () => {
    const serverSigner = keyObjectSigner(server.key, 'async');
    const clientSigner = keyObjectSigner(client.key, 'async');
    router = await createZmqServer(
      { ca: pki.ca, cert: server.cert, key: serverSigner, bind: 'tcp://127.0.0.1:*' },
      async (session) => {
        for await (const m of session) await session.send(m.slice().reverse());
      },
    );
    const dealer = await connectZmq({
      ca: pki.ca,
      cert: client.cert,
      key: clientSigner,
      serverName: 'server.test',
      connect: router.address,
      handshakeTimeout: 10_000,
    });
    expect(dealer.info.peerIdentity?.commonName).toBe('server.test');
    await dealer.send(new TextEncoder().encode('abc'));
    for await (const reply of dealer) {
      expect(new TextDecoder().decode(reply)).toBe('cba');
      break;
    }
    expect(serverSigner.calls).toEqual(['ecdsa_secp256r1_sha256']);
    expect(clientSigner.calls).toHaveLength(1);
    await dealer.close();
  }, 30_000);
});
