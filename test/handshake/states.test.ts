// Handshake states carry exactly their data: `done` carries the result the connection takes, our
// ephemeral key lives only until ClientKeyExchange, the client's certificate is present exactly when
// CertificateVerify must check it (RFC 5246 §7.3, §7.4.7–7.4.8).

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { runPair } from '../helpers/pair.js';
import { testPki } from '../helpers/pki.js';

let client: ClientConfig;
let server: ServerConfig;
beforeAll(() => {
  const pki = testPki();
  const s = pki.leaf('p256', 'server');
  const c = pki.leaf('p256', 'client');
  server = { ca: pki.ca, cert: s.cert, key: s.key, clientAuth: 'required' };
  client = { ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key };
}, 120_000);

type State = { step: string; [field: string]: unknown };
const stateOf = (c: TlsClient | TlsServer) =>
  (c as unknown as { handshake: { state: State } }).handshake.state;

describe('handshake states', () => {
  it('done carries the result the connection reports', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    runPair(c, s);
    for (const conn of [c, s]) {
      const state = stateOf(conn) as { step: string; result?: { info: unknown } };
      expect(state.step).toBe('done');
      expect(state.result?.info).toBe(conn.info);
    }
    expect(c.info?.peerIdentity).toBeDefined();
    expect(s.info?.peerIdentity).toBeDefined();
  });

  it('the server holds its ephemeral key until ClientKeyExchange and the client certificate until it is proved', () => {
    const c = new TlsClient(client);
    const s = new TlsServer(server);
    s.receive(c.takeOutgoing());
    const awaitingCertificate = stateOf(s);
    expect(awaitingCertificate.step).toBe('awaitCertificate');
    expect(awaitingCertificate).toHaveProperty('share');
    c.receive(s.takeOutgoing());
    const flight = c.takeOutgoing();
    // Certificate, ClientKeyExchange and CertificateVerify arrive in separate records; feed them one by one.
    let offset = 0;
    const seen: State[] = [];
    while (offset < flight.length) {
      const length = 5 + ((flight[offset + 3]! << 8) | flight[offset + 4]!);
      s.receive(flight.subarray(offset, offset + length));
      seen.push(stateOf(s));
      offset += length;
    }
    const verify = seen.find((x) => x.step === 'awaitCertificateVerify')!;
    expect(verify).not.toHaveProperty('share');
    expect(verify.client).toMatchObject({ key: expect.anything() });
    const ccs = seen.find((x) => x.step === 'awaitChangeCipherSpec')!;
    expect(ccs.client).toMatchObject({ scheme: { name: 'ecdsa_secp256r1_sha256' } });
    expect(stateOf(s).step).toBe('done');
  });
});
