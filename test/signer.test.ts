// Signers: keys outside JavaScript memory. A signer that answers at once, one that answers later (the
// handshake pauses, bytes received meanwhile wait, provideSignature continues), a wrong or failing
// signer (a local error, nothing bad on the wire), and the key-certificate check at context time.

import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createClientContext,
  createServerContext,
  ecdsaSignatureToDer,
  issueCertificateForPublicKey,
  type Signer,
  TlsClient,
  type TlsError,
  type TlsEvent,
  TlsServer,
} from '../src/index.js';
import { errorOf, runPair } from './helpers/pair.js';
import { type Identity, opensslVerify, type TestPki, testPki } from './helpers/pki.js';
import { keyObjectSigner } from './helpers/signers.js';

let pki: TestPki;
let server: Identity;
let client: Identity;
let rsaServer: Identity;
let rsaClient: Identity;

beforeAll(() => {
  pki = testPki();
  server = pki.leaf('p256', 'server');
  client = pki.leaf('p256', 'client');
  rsaServer = pki.leaf('rsa2048', 'server');
  rsaClient = pki.leaf('rsa2048', 'client');
}, 60_000);

type Request = Extract<TlsEvent, { type: 'signatureRequest' }>;
/** A client with its key in memory, for a server whose key is a signer. */
const inMemoryClient = () =>
  new TlsClient({ ca: pki.ca, serverName: 'server.test', cert: client.cert, key: client.key });
const requestOf = (events: TlsEvent[]) => events.find((e): e is Request => e.type === 'signatureRequest');

describe('a signer that answers at once', () => {
  for (const kind of ['p256', 'rsa'] as const) {
    it(`${kind}: signs the ServerKeyExchange and the CertificateVerify; the key never enters memtls`, () => {
      const s = kind === 'p256' ? server : rsaServer;
      const c = kind === 'p256' ? client : rsaClient;
      const serverSigner = keyObjectSigner(s.key, 'sync');
      const clientSigner = keyObjectSigner(c.key, 'sync');
      const tlsClient = new TlsClient({
        ca: pki.ca,
        serverName: 'server.test',
        cert: c.cert,
        key: clientSigner,
      });
      const tlsServer = new TlsServer({ ca: pki.ca, cert: s.cert, key: serverSigner });
      const log = runPair(tlsClient, tlsServer);
      expect(errorOf(log.client)).toBeUndefined();
      expect(errorOf(log.server)).toBeUndefined();
      expect(tlsClient.state).toBe('open');
      expect(tlsServer.info?.peerIdentity?.subject).toContain('client.test');
      expect(serverSigner.calls).toHaveLength(1);
      expect(clientSigner.calls).toHaveLength(1);
      expect(serverSigner.calls[0]).toBe(tlsClient.info?.signatureScheme);
      expect(clientSigner.calls[0]).toBe(tlsServer.info?.signatureScheme);
    });
  }

  it("keeps to the signer's own schemes", () => {
    const signer = { ...keyObjectSigner(rsaServer.key, 'sync'), schemes: ['rsa_pkcs1_sha384'] as const };
    const tlsClient = inMemoryClient();
    const tlsServer = new TlsServer({ ca: pki.ca, cert: rsaServer.cert, key: signer });
    const log = runPair(tlsClient, tlsServer);
    expect(errorOf(log.client)).toBeUndefined();
    expect(tlsClient.info?.signatureScheme).toBe('rsa_pkcs1_sha384');
  });
});

describe('a signer that answers later', () => {
  it('pauses the server handshake; bytes received meanwhile wait; provideSignature continues', async () => {
    const signer = keyObjectSigner(server.key, 'async');
    const tlsClient = inMemoryClient();
    const tlsServer = new TlsServer({ ca: pki.ca, cert: server.cert, key: signer });
    const hello = tlsClient.takeOutgoing();
    // The ClientHello in two pieces: the pause comes with the second.
    expect(tlsServer.receive(hello.subarray(0, 10))).toEqual([]);
    const events = tlsServer.receive(hello.subarray(10));
    const request = requestOf(events);
    expect(request?.scheme).toBe('ecdsa_secp256r1_sha256');
    expect(tlsServer.pendingSignature).toBeDefined();
    // ServerHello and Certificate may go now; the ServerKeyExchange waits for the signer.
    const early = tlsServer.takeOutgoing();
    expect(early.length).toBeGreaterThan(0);
    expect(tlsClient.receive(early).filter((e) => e.type === 'error')).toEqual([]);
    expect(tlsClient.takeOutgoing().length).toBe(0); // the client waits for the rest of the flight
    // Interleaved receive() calls while paused: kept, not processed (a warning alert, then nothing).
    expect(tlsServer.receive(new Uint8Array([21, 3, 3, 0, 2, 1, 90]))).toEqual([]);
    expect(tlsServer.receive(new Uint8Array(0))).toEqual([]);
    expect(tlsServer.hasPendingInput).toBe(false);
    const signature = await request!.signature;
    const resumed = tlsServer.provideSignature(signature);
    // The alert received meanwhile is read after the flight is out.
    expect(resumed).toEqual([{ type: 'alert', level: 'warning', description: 'user_canceled' }]);
    expect(tlsServer.pendingSignature).toBeUndefined();
    const log = runPair(tlsClient, tlsServer);
    expect(errorOf(log.client)).toBeUndefined();
    expect(errorOf(log.server)).toBeUndefined();
    expect(tlsClient.state).toBe('open');
    expect(tlsServer.state).toBe('open');
  });

  it('pauses the client before CertificateVerify; writes made meanwhile go after the handshake', async () => {
    const signer = keyObjectSigner(client.key, 'async');
    const tlsClient = new TlsClient({
      ca: pki.ca,
      serverName: 'server.test',
      cert: client.cert,
      key: signer,
    });
    const tlsServer = new TlsServer({ ca: pki.ca, cert: server.cert, key: server.key });
    tlsServer.receive(tlsClient.takeOutgoing());
    const flight = tlsServer.takeOutgoing();
    // The server's flight byte by byte: the pause comes with its last byte (ServerHelloDone).
    const events: TlsEvent[] = [];
    for (let i = 0; i < flight.length; i++) events.push(...tlsClient.receive(flight.subarray(i, i + 1)));
    const request = requestOf(events);
    expect(request).toBeDefined();
    tlsClient.write(new TextEncoder().encode('early'));
    // Certificate and ClientKeyExchange may go; the server waits for CertificateVerify.
    const partial = tlsClient.takeOutgoing();
    expect(tlsServer.receive(partial).filter((e) => e.type === 'error')).toEqual([]);
    expect(tlsServer.takeOutgoing().length).toBe(0);
    const resumed = tlsClient.provideSignature(await request!.signature);
    expect(resumed.filter((e) => e.type === 'error')).toEqual([]);
    const log = runPair(tlsClient, tlsServer);
    expect(errorOf(log.server)).toBeUndefined();
    expect(tlsServer.info?.peerIdentity?.subject).toContain('client.test');
    expect(new TextDecoder().decode(log.server.find((e) => e.type === 'data')?.data)).toBe('early');
  });

  it('a peer that keeps sending while we wait hits maxHandshakeMessageSize (input_while_signing)', () => {
    const tlsClient = inMemoryClient();
    const tlsServer = new TlsServer({
      ca: pki.ca,
      cert: server.cert,
      key: keyObjectSigner(server.key, 'async'),
      maxHandshakeMessageSize: 1024,
    });
    expect(requestOf(tlsServer.receive(tlsClient.takeOutgoing()))).toBeDefined();
    const alert = new Uint8Array([21, 3, 3, 0, 2, 1, 90]);
    let error: TlsError | undefined;
    for (let i = 0; i < 200 && !error; i++) error = errorOf(tlsServer.receive(alert));
    expect(error?.kind).toBe('limit');
    expect(error?.code).toBe('input_while_signing');
    expect(error?.message).toContain('maxHandshakeMessageSize');
  });

  it('provideSignature without a pending request is a local error', () => {
    const tlsServer = new TlsServer({ ca: pki.ca, cert: server.cert, key: server.key });
    expect(() => tlsServer.provideSignature(new Uint8Array(64))).toThrow(/not waiting for a signature/);
  });
});

describe('a wrong or failing signer is a local error, not a bad handshake on the wire', () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

  it('a signature by another key (answered at once) fails the server before its ServerKeyExchange goes out', () => {
    const honest = keyObjectSigner(server.key, 'sync');
    const liar: Signer = {
      publicKey: honest.publicKey,
      sign: (_scheme, message) => new Uint8Array(sign('sha256', message, other)),
    };
    const tlsClient = inMemoryClient();
    const tlsServer = new TlsServer({ ca: pki.ca, cert: server.cert, key: liar });
    const error = errorOf(tlsServer.receive(tlsClient.takeOutgoing()));
    expect(error?.kind).toBe('local');
    expect(error?.code).toBe('bad_signer_signature');
    expect(error?.alertSent).toBeUndefined();
    // ServerHello and Certificate were queued; no ServerKeyExchange and no alert follow them.
    expect(tlsClient.receive(tlsServer.takeOutgoing()).filter((e) => e.type === 'error')).toEqual([]);
    expect(tlsClient.state).toBe('handshaking');
    expect(tlsClient.takeOutgoing().length).toBe(0);
  });

  it('a wrong signature provided later fails the connection locally; the peer got no ServerKeyExchange', async () => {
    const tlsClient = inMemoryClient();
    const tlsServer = new TlsServer({
      ca: pki.ca,
      cert: server.cert,
      key: keyObjectSigner(server.key, 'async'),
    });
    const request = requestOf(tlsServer.receive(tlsClient.takeOutgoing()))!;
    const early = tlsServer.takeOutgoing();
    const good = await request.signature;
    const bad = good.slice();
    bad[bad.length - 1]! ^= 1;
    const error = errorOf(tlsServer.provideSignature(bad));
    expect(error?.kind).toBe('local');
    expect(error?.code).toBe('bad_signer_signature');
    expect(tlsServer.state).toBe('failed');
    expect(tlsServer.takeOutgoing().length).toBe(0);
    expect(tlsClient.receive(early).filter((e) => e.type === 'error')).toEqual([]);
    // A later answer changes nothing.
    expect(errorOf(tlsServer.provideSignature(good))?.code).toBe('bad_signer_signature');
  });

  it('raw r‖s from WebCrypto is refused with a hint; ecdsaSignatureToDer converts it', async () => {
    const key = keyObjectSigner(client.key, 'sync');
    const privateKey = (await import('node:crypto')).createPrivateKey(client.key);
    const raw: Signer = {
      publicKey: key.publicKey,
      sign: (_s, m) => new Uint8Array(sign('sha256', m, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
    };
    const run = (signer: Signer) => {
      const tlsClient = new TlsClient({
        ca: pki.ca,
        serverName: 'server.test',
        cert: client.cert,
        key: signer,
      });
      const tlsServer = new TlsServer({ ca: pki.ca, cert: server.cert, key: server.key });
      return { log: runPair(tlsClient, tlsServer), tlsClient };
    };
    const refused = errorOf(run(raw).log.client);
    expect(refused?.code).toBe('bad_signer_signature');
    expect(refused?.message).toContain('ecdsaSignatureToDer');
    const fixed = run({ ...raw, sign: (s, m) => ecdsaSignatureToDer(raw.sign(s, m) as Uint8Array) });
    expect(errorOf(fixed.log.client)).toBeUndefined();
    expect(fixed.tlsClient.state).toBe('open');
  });

  it('a signer that throws, or whose promise rejects (failSignature), gives signer_failed', async () => {
    const honest = keyObjectSigner(server.key, 'sync');
    const thrower: Signer = {
      publicKey: honest.publicKey,
      sign: () => {
        throw new Error('HSM unplugged');
      },
    };
    const c1 = new TlsClient({ ca: pki.ca, serverName: 'server.test', cert: client.cert, key: client.key });
    const s1 = new TlsServer({ ca: pki.ca, cert: server.cert, key: thrower });
    const e1 = errorOf(s1.receive(c1.takeOutgoing()));
    expect(e1?.code).toBe('signer_failed');
    expect(e1?.message).toContain('HSM unplugged');
    const rejecter: Signer = {
      publicKey: honest.publicKey,
      sign: () => Promise.reject(new Error('token locked')),
    };
    const c2 = new TlsClient({ ca: pki.ca, serverName: 'server.test', cert: client.cert, key: client.key });
    const s2 = new TlsServer({ ca: pki.ca, cert: server.cert, key: rejecter });
    const request = requestOf(s2.receive(c2.takeOutgoing()))!;
    const reason = await Promise.resolve(request.signature).then(
      () => undefined,
      (e: unknown) => e,
    );
    const e2 = errorOf(s2.failSignature(reason));
    expect(e2?.kind).toBe('local');
    expect(e2?.code).toBe('signer_failed');
    expect(e2?.message).toContain('token locked');
  });
});

describe('certifying a key kept elsewhere', () => {
  it('issueCertificateForPublicKey certifies a KeyObject signer’s public key; OpenSSL and memtls accept it', () => {
    const signer = keyObjectSigner(generatePem(), 'async');
    const issued = issueCertificateForPublicKey(
      {
        commonName: 'hsm-device.test',
        usage: 'client',
        issuer: { certificate: pki.ca, key: readFileSync(join(pki.dir, 'root.key'), 'utf8') },
      },
      signer.publicKey as Uint8Array,
    );
    const file = join(pki.dir, 'hsm-device.pem');
    writeFileSync(file, issued.certificatePem);
    expect(opensslVerify(pki.dir, ['-CAfile', pki.caPath, '-purpose', 'sslclient', file]).ok).toBe(true);
    const context = createClientContext({
      ca: pki.ca,
      serverName: 'server.test',
      cert: issued.certificatePem,
      key: signer,
    });
    expect(context.toJSON().key).toEqual({ type: 'ec', signer: true });
    expect(() =>
      issueCertificateForPublicKey(
        {
          commonName: 'x',
          issuer: { certificate: pki.ca, key: readFileSync(join(pki.dir, 'root.key'), 'utf8') },
        },
        new Uint8Array([48, 0]),
      ),
    ).toThrow(/SubjectPublicKeyInfo/);
  });

  it('ecdsaSignatureToDer refuses what is not a raw P-256 or P-384 signature', () => {
    expect(() => ecdsaSignatureToDer(new Uint8Array(70))).toThrow(/64 \(P-256\) or 96 \(P-384\)/);
  });
});

function generatePem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

describe('the signer at context time', () => {
  it("refuses a signer whose public key is not the certificate's", () => {
    const wrong = keyObjectSigner(client.key, 'sync');
    expect(() => createServerContext({ ca: pki.ca, cert: server.cert, key: wrong })).toThrow(
      /not the key of certificate/,
    );
    try {
      createClientContext({ ca: pki.ca, serverName: 'x', cert: server.cert, key: wrong });
    } catch (e) {
      expect((e as TlsError).code).toBe('key_mismatch');
    }
  });

  it('refuses a bad publicKey, a passphrase with a signer and unknown schemes', () => {
    const good = keyObjectSigner(server.key, 'sync');
    expect(() =>
      createServerContext({
        ca: pki.ca,
        cert: server.cert,
        key: { ...good, publicKey: new Uint8Array([1, 2]) },
      }),
    ).toThrow(/SubjectPublicKeyInfo/);
    expect(() => createServerContext({ ca: pki.ca, cert: server.cert, key: good, passphrase: 'x' })).toThrow(
      /passphrase/,
    );
    expect(() =>
      createServerContext({
        ca: pki.ca,
        cert: server.cert,
        key: { ...good, schemes: ['rsa_pkcs1_sha1' as never] },
      }),
    ).toThrow(/rsa_pkcs1_sha1/);
  });

  it('shows a signer as such, never as key bytes', () => {
    const json = JSON.stringify(
      createServerContext({ ca: pki.ca, cert: server.cert, key: keyObjectSigner(server.key, 'sync') }),
    );
    expect(json).toContain('"signer":true');
  });
});
