// Configuration resolution: validation errors are local, and the per-object cache notices changes.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientConfig,
  resolveClientConfig,
  resolveServerConfig,
  type ServerConfig,
} from '../src/config.js';
import { testPki } from './helpers/pki.js';

let client: ClientConfig;
let server: ServerConfig;
beforeAll(() => {
  const pki = testPki();
  const s = pki.leaf('p256', 'server');
  server = { ca: pki.ca, cert: s.cert, key: s.key };
  client = { ca: pki.ca, serverName: 'server.test' };
}, 120_000);

describe('resolved configuration', () => {
  it('is reused for an unchanged config object and redone when a field changes', () => {
    const cfg: ClientConfig = { ...client, alpn: ['h2'] };
    const a = resolveClientConfig(cfg);
    expect(resolveClientConfig(cfg)).toBe(a);
    cfg.alpn = ['mqtt'];
    const b = resolveClientConfig(cfg);
    expect(b).not.toBe(a);
    expect(b.alpn).toEqual(['mqtt']);
    cfg.verifyHostname = false; // a field added
    expect(resolveClientConfig(cfg).verifyHostname).toBe(false);
    delete cfg.verifyHostname; // and removed again
    expect(resolveClientConfig(cfg).verifyHostname).toBe(true);
  });

  it('keeps client and server resolutions of one object apart', () => {
    const both = { ...server, serverName: 'server.test' } as ServerConfig & ClientConfig;
    const asServer = resolveServerConfig(both);
    const asClient = resolveClientConfig(both);
    expect(asServer.clientAuth).toBe('required');
    expect((asClient as { clientAuth?: string }).clientAuth).toBeUndefined();
    expect(asClient.serverName).toBe('server.test');
  });

  it('refuses bad values with local errors that say what to do', () => {
    const local = expect.objectContaining({ kind: 'local', code: 'bad_config' });
    expect(() =>
      resolveClientConfig({ ...client, cipherSuites: ['TLS_RSA_WITH_AES_128_CBC_SHA'] }),
    ).toThrowError(local);
    expect(() => resolveClientConfig({ ...client, groups: ['secp521r1'] })).toThrowError(/supported: x25519/);
    expect(() => resolveClientConfig({ ...client, signatureSchemes: ['rsa_pkcs1_sha1'] })).toThrowError(
      /SHA-1/,
    );
    expect(() => resolveClientConfig({ ...client, maxRecordSize: 10 })).toThrowError(/64/);
    expect(() => resolveClientConfig({ ...client, serverName: '' })).toThrowError(/serverName/);
    expect(() =>
      resolveServerConfig({ ...server, cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] }),
    ).toThrowError(/ECDSA suites need an EC or Ed25519 key/);
    expect(() => resolveServerConfig({ ...server, clientAuth: 'sometimes' as 'none' })).toThrowError(local);
  });
});

describe('random', () => {
  it('a random source returning the wrong length is a local error', async () => {
    const { TlsClient } = await import('../src/endpoints.js');
    expect(() => new TlsClient({ ...client, random: () => new Uint8Array(3) })).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'bad_config' }),
    );
  });
});
