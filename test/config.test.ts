// Configuration resolution: validation errors are local, every resolution reads the config afresh and
// is frozen, and a config holding the other side's options is refused.

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
  it('reads the config afresh each time: a changed, added or removed field is seen', () => {
    const cfg: ClientConfig = { ...client, alpn: ['h2'] };
    const a = resolveClientConfig(cfg);
    expect(a.alpn).toEqual(['h2']);
    cfg.alpn = ['mqtt'];
    const b = resolveClientConfig(cfg);
    expect(b).not.toBe(a);
    expect(b.alpn).toEqual(['mqtt']);
    expect(a.alpn).toEqual(['h2']);
    cfg.verifyHostname = false; // a field added
    expect(resolveClientConfig(cfg).verifyHostname).toBe(false);
    delete cfg.verifyHostname; // and removed again
    expect(resolveClientConfig(cfg).verifyHostname).toBe(true);
  });

  it('is frozen, its lists too', () => {
    const resolved = resolveServerConfig({ ...server, alpn: ['h2'] });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.alpn)).toBe(true);
    expect(Object.isFrozen(resolved.roots)).toBe(true);
    expect(Object.isFrozen(resolved.suites)).toBe(true);
  });

  it("refuses one object holding both sides' options, naming the other side's key", () => {
    const both = { ...server, clientAuth: 'required', serverName: 'server.test' } as ServerConfig &
      ClientConfig;
    const local = expect.objectContaining({ kind: 'local', code: 'bad_config' });
    expect(() => resolveServerConfig(both)).toThrowError(local);
    expect(() => resolveServerConfig(both)).toThrowError(/'serverName' is a client option/);
    expect(() => resolveClientConfig(both)).toThrowError(/'clientAuth' is a server option/);
    const { serverName: _, ...asServer } = both;
    expect(resolveServerConfig(asServer).clientAuth).toBe('required');
    expect(resolveClientConfig({ ...client, cert: server.cert, key: server.key }).serverName).toBe(
      'server.test',
    );
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
