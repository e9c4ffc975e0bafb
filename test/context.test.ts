// Compiled contexts: createServerContext / createClientContext copy what they keep (later changes to
// the config, its arrays or its buffers change nothing), parse once, hide key material, and unknown
// config keys are refused with the key meant.

import { inspect } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ClientConfig,
  ClientContext,
  createClientContext,
  createServerContext,
  type ServerConfig,
  ServerContext,
  TlsClient,
  TlsServer,
} from '../src/index.js';
import { parsePem } from '../src/x509/pem.js';
import { dataOf, errorOf, runPair } from './helpers/pair.js';
import { type Identity, testPki } from './helpers/pki.js';

const parses = vi.hoisted(() => ({ certificates: 0, keys: 0 }));
vi.mock('../src/x509/certificate.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/x509/certificate.js')>();
  return {
    ...real,
    parseCertificate: (...args: Parameters<typeof real.parseCertificate>) => {
      parses.certificates++;
      return real.parseCertificate(...args);
    },
  };
});
vi.mock('../src/x509/private-key.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/x509/private-key.js')>();
  return {
    ...real,
    parsePrivateKey: (...args: Parameters<typeof real.parsePrivateKey>) => {
      parses.keys++;
      return real.parsePrivateKey(...args);
    },
  };
});

let ca: string;
let otherCa: string;
let serverId: Identity;
/** Client identities issued by the main root and by the other root. */
let fromRoot: Identity;
let fromOther: Identity;
let client: ClientConfig;
beforeAll(() => {
  const pki = testPki();
  ca = pki.ca;
  otherCa = pki.otherCa;
  serverId = pki.leaf('p256', 'server');
  fromRoot = pki.leaf('p256', 'client');
  fromOther = pki.leaf('p256', 'client', { otherRoot: true });
  client = { ca, serverName: 'server.test' };
}, 120_000);

function serverConfig(roots: string[] | Uint8Array): ServerConfig {
  return { ca: roots instanceof Uint8Array ? roots : [...roots], cert: serverId.cert, key: serverId.key };
}

/** Handshake then one message; the server's error (undefined when it accepted the client). */
function handshake(server: TlsServer, identity: Identity | undefined): Error | undefined {
  const c = new TlsClient(identity ? { ...client, cert: identity.cert, key: identity.key } : client);
  const log = runPair(c, server);
  const error = errorOf(log.server);
  if (error) return error;
  c.write(new TextEncoder().encode('ping'));
  expect(new TextDecoder().decode(dataOf(runPair(c, server).server))).toBe('ping');
  return undefined;
}

describe('a config changed after use', () => {
  it('a root removed from the ca array (pop) no longer admits its clients', () => {
    const config = serverConfig([ca, otherCa]);
    expect(handshake(new TlsServer(config), fromOther)).toBeUndefined();
    (config.ca as string[]).pop();
    expect(handshake(new TlsServer(config), fromOther)).toMatchObject({ kind: 'certificate' });
    expect(handshake(new TlsServer(config), fromRoot)).toBeUndefined();
  });
});

describe('createServerContext copies what it keeps', () => {
  it('ca.pop() and ca.push() on the config after createServerContext change nothing', () => {
    const both = serverConfig([ca, otherCa]);
    const bothContext = createServerContext(both);
    (both.ca as string[]).pop();
    expect(handshake(new TlsServer(bothContext), fromOther)).toBeUndefined();

    const one = serverConfig([ca]);
    const oneContext = createServerContext(one);
    (one.ca as string[]).push(otherCa);
    expect(handshake(new TlsServer(oneContext), fromOther)).toMatchObject({ kind: 'certificate' });
    expect(handshake(new TlsServer(oneContext), fromRoot)).toBeUndefined();
  });

  it('overwriting the bytes of a DER root, certificate or key passed in changes nothing', () => {
    const root = parsePem(ca)[0]!.der.slice();
    const cert = parsePem(serverId.cert)[0]!.der.slice();
    const key = parsePem(serverId.key)[0]!.der.slice();
    const context = createServerContext({ ca: root, cert, key });
    root.fill(0);
    cert.fill(0);
    key.fill(0);
    expect(handshake(new TlsServer(context), fromRoot)).toBeUndefined();
  });

  it('changing clientAuth, alpn or cipherSuites on the config afterwards changes nothing', () => {
    const config: ServerConfig = { ...serverConfig([ca]), alpn: ['h2'] };
    const context = createServerContext(config);
    config.clientAuth = 'none';
    config.alpn!.push('mqtt');
    config.cipherSuites = ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'];
    expect(handshake(new TlsServer(context), undefined)).toMatchObject({ kind: 'certificate' });
    expect(context.toJSON()).toMatchObject({ clientAuth: 'required', alpn: ['h2'] });
  });

  it('a client context keeps its copies too (serverName, ca)', () => {
    const config: ClientConfig = {
      ca: [ca],
      serverName: 'server.test',
      cert: fromRoot.cert,
      key: fromRoot.key,
    };
    const context = createClientContext(config);
    config.serverName = 'other.test';
    (config.ca as string[]).splice(0, 1, otherCa);
    const c = new TlsClient(context);
    const log = runPair(c, new TlsServer(serverConfig([ca])));
    expect(errorOf(log.client)).toBeUndefined();
    expect(c.state).toBe('open');
    expect(context.serverName).toBe('server.test');
  });

  it('is frozen and recognisable without instanceof', () => {
    const context = createServerContext(serverConfig([ca]));
    expect(Object.isFrozen(context)).toBe(true);
    expect(ServerContext.is(context)).toBe(true);
    expect(ClientContext.is(context)).toBe(false);
    expect(ServerContext.is({ ...context })).toBe(false);
    expect(ClientContext.is(createClientContext(client))).toBe(true);
  });
});

describe('contexts hide key material', () => {
  it('inspect and JSON show names and the key type, never key bytes', () => {
    const context = createServerContext(serverConfig([ca]));
    const keyDer = parsePem(serverId.key)[0]!.der;
    const hex = Buffer.from(keyDer.subarray(keyDer.length - 16)).toString('hex');
    for (const text of [inspect(context, { depth: 10 }), JSON.stringify(context)]) {
      expect(text).toContain('server.test');
      expect(text).toContain('redacted');
      expect(text).not.toContain(hex);
      expect(text).not.toMatch(/PRIVATE KEY|"d"|scalar/);
    }
  });
});

describe('a context is parsed once', () => {
  it('1000 TlsServers and TlsClients from contexts parse no certificate or key again', () => {
    const serverContext = createServerContext(serverConfig([ca]));
    const clientContext = createClientContext({ ...client, cert: fromRoot.cert, key: fromRoot.key });
    const before = { ...parses };
    for (let i = 0; i < 1000; i++) {
      new TlsServer(serverContext);
      new TlsClient(clientContext);
    }
    expect(parses).toEqual(before);
    // A config (not a context) is compiled on the spot: parsed each time, so the spy does count.
    new TlsServer(serverConfig([ca]));
    expect(parses.certificates).toBeGreaterThan(before.certificates);
    expect(parses.keys).toBe(before.keys + 1);
  });
});

describe('unknown config keys', () => {
  const refused = (f: () => unknown, message: RegExp) =>
    expect(f).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'bad_config', message: expect.stringMatching(message) }),
    );

  it('are refused with the key meant', () => {
    refused(
      () => createClientContext({ ...client, servername: 'x' } as ClientConfig),
      /'servername'.*did you mean 'serverName'/,
    );
    refused(() => createClientContext({ ...client, CA: ca } as ClientConfig), /'CA'.*did you mean 'ca'/);
    refused(
      () => createServerContext({ ...serverConfig([ca]), certificate: 'x' } as ServerConfig),
      /'certificate'.*'cert'/,
    );
    refused(
      () => createServerContext({ ...serverConfig([ca]), clientauth: 'none' } as ServerConfig),
      /did you mean 'clientAuth'/,
    );
    refused(
      () => new TlsClient({ ...client, alpns: ['h2'] } as ClientConfig),
      /'alpns'.*did you mean 'alpn'/,
    );
    refused(() => createClientContext({ ...client, zzzzzz: 1 } as ClientConfig), /unknown option 'zzzzzz'$/);
  });

  it('node:tls options get what to do instead', () => {
    refused(
      () => createClientContext({ ...client, rejectUnauthorized: false } as ClientConfig),
      /always verifies.*'ca'.*verifyHostname: false/,
    );
    refused(
      () => createServerContext({ ...serverConfig([ca]), rejectUnauthorized: false } as ServerConfig),
      /clientAuth/,
    );
    refused(
      () => createServerContext({ ...serverConfig([ca]), requestCert: true } as ServerConfig),
      /clientAuth/,
    );
    refused(
      () => createClientContext({ ...client, checkServerIdentity: () => undefined } as ClientConfig),
      /serverName/,
    );
    refused(() => createClientContext({ ...client, minVersion: 'TLSv1.3' } as ClientConfig), /TLS 1.2 only/);
    refused(() => createClientContext({ ...client, ciphers: 'ECDHE' } as ClientConfig), /cipherSuites/);
    refused(() => createClientContext({ ...client, ALPNProtocols: ['h2'] } as ClientConfig), /'alpn'/);
    refused(() => createClientContext({ ...client, secureContext: {} } as ClientConfig), /context/);
  });

  it("the other side's options are named as such", () => {
    refused(
      () => createClientContext({ ...client, clientAuth: 'none' } as ClientConfig),
      /'clientAuth' is a server option/,
    );
    refused(
      () => createServerContext({ ...serverConfig([ca]), serverName: 'x' } as ServerConfig),
      /'serverName' is a client option/,
    );
  });
});
