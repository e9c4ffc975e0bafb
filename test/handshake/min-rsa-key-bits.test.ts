// minRsaKeyBits: our own RSA key under the bound is a configuration error, and the peer's RSA key
// under it is refused during the handshake, in both directions (certificate code weak_key). memtls
// never loads an RSA key under 2048 bits, so the bound is raised to 3072 against RSA-2048 peers.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientConfig,
  resolveClientConfig,
  resolveServerConfig,
  type ServerConfig,
} from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { dataOf, errorOf, runPair } from '../helpers/pair.js';
import { type Identity, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let rsa2048: Identity;
let base: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  pki = testPki();
  rsa2048 = pki.leaf('rsa2048', 'server');
  const s = pki.leaf('p256', 'server');
  const c = pki.leaf('p256', 'client');
  base = {
    server: { ca: pki.ca, cert: s.cert, key: s.key },
    client: { ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key },
  };
}, 120_000);

function run(client: Partial<ClientConfig>, server: Partial<ServerConfig>) {
  const c = new TlsClient({ ...base.client, ...client } as ClientConfig);
  const s = new TlsServer({ ...base.server, ...server } as ServerConfig);
  c.write(new TextEncoder().encode('hello'));
  const log = runPair(c, s);
  return { c, s, log };
}

describe('minRsaKeyBits', () => {
  it('refuses our own RSA key under the bound at configuration time, saying how to fix it', () => {
    const config = { ...base.server, cert: rsa2048.cert, key: rsa2048.key, minRsaKeyBits: 3072 };
    expect(() => resolveServerConfig(config)).toThrowError(
      expect.objectContaining({
        kind: 'local',
        code: 'bad_config',
        message: expect.stringMatching(/2048-bit RSA key, below minRsaKeyBits \(3072\)/),
      }),
    );
    expect(() => resolveServerConfig(config)).toThrowError(/openssl genrsa/);
    expect(resolveServerConfig({ ...config, minRsaKeyBits: 2048 }).minRsaKeyBits).toBe(2048);
  });

  it('refuses bounds that are not whole numbers from 1024 to 16384', () => {
    for (const minRsaKeyBits of [512, 2048.5, Number.NaN, 32768]) {
      expect(() => resolveClientConfig({ ...base.client, minRsaKeyBits })).toThrowError(
        expect.objectContaining({ kind: 'local', code: 'bad_config' }),
      );
    }
    expect(resolveClientConfig(base.client).minRsaKeyBits).toBe(2048);
  });

  it("refuses the server's RSA key under the client's bound in the handshake", () => {
    const rsaServer = { cert: rsa2048.cert, key: rsa2048.key };
    const refused = run({ minRsaKeyBits: 3072 }, rsaServer);
    expect(errorOf(refused.log.client)?.code).toBe('weak_key');
    expect(errorOf(refused.log.client)?.alertSent).toBe('bad_certificate');
    expect(errorOf(refused.log.server)?.alertReceived).toBe('bad_certificate');
    expect(dataOf(refused.log.server).length).toBe(0);

    const accepted = run({}, rsaServer);
    expect(accepted.c.state).toBe('open');
    expect(dataOf(accepted.log.server)).toEqual(new TextEncoder().encode('hello'));
  });

  it("refuses the client's RSA certificate under the server's bound", () => {
    const rsaClient = pki.leaf('rsa2048', 'client');
    const o = run({ cert: rsaClient.cert, key: rsaClient.key }, { minRsaKeyBits: 3072 });
    expect(errorOf(o.log.server)?.code).toBe('weak_key');
    expect(dataOf(o.log.server).length).toBe(0);
  });
});
