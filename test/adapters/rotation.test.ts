// Operating a private PKI without a restart (memtls/node): setSecureContext() with a new CRL shuts a
// revoked device out of new handshakes (certificate_revoked, RFC 5280 §6.3) and with a new certificate
// serves it to new clients, while established connections keep going.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type TlsSocket } from '../../src/adapters/node.js';
import {
  type ClientContext,
  createClientContext,
  createRoot,
  createServerContext,
  type IssuedCertificate,
  issueCertificate,
  issueCrl,
  parseCertificate,
  type ServerConfig,
  TlsError,
} from '../../src/index.js';

let root: IssuedCertificate;
let serverCert: IssuedCertificate;
let device1: ClientContext;
let device2: ClientContext;
let base: ServerConfig;

function crl(number: bigint, ...revoked: IssuedCertificate[]): string {
  return issueCrl({
    issuer: { certificate: root.certificate, key: root.key },
    revoked: revoked.map((c) => ({
      serialNumber: parseCertificate(c.certificate).serialNumber,
      revocationDate: Date.now() - 1000,
    })),
    crlNumber: number,
    now: Date.now() - 1000,
  }).pem;
}

let device1Cert: IssuedCertificate;

beforeAll(() => {
  root = createRoot({ commonName: 'rotation root' });
  const issue = (cn: string, usage: 'server' | 'client') =>
    issueCertificate({ issuer: { certificate: root.certificate, key: root.key }, commonName: cn, usage });
  serverCert = issue('server.test', 'server');
  device1Cert = issue('device-1', 'client');
  const device2Cert = issue('device-2', 'client');
  const client = (c: IssuedCertificate) =>
    createClientContext({
      ca: root.certificatePem,
      serverName: 'server.test',
      cert: c.certificatePem,
      key: c.keyPem,
    });
  device1 = client(device1Cert);
  device2 = client(device2Cert);
  base = { ca: root.certificatePem, cert: serverCert.certificatePem, key: serverCert.keyPem };
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function connectTo(port: number, secureContext: ClientContext): Promise<TlsSocket> {
  const socket = connect({ host: '127.0.0.1', port, secureContext, handshakeTimeout: 10_000 });
  cleanup.push(() => socket.destroy());
  const [outcome] = await Promise.race([
    once(socket, 'secureConnect').then(() => ['ok']),
    once(socket, 'error'),
  ]);
  if (outcome !== 'ok') throw outcome;
  return socket;
}

async function echo(socket: TlsSocket, text: string): Promise<string> {
  socket.write(text);
  const [chunk] = await once(socket, 'data');
  return String(chunk);
}

async function echoServer(config: ServerConfig) {
  const refusals: TlsError[] = [];
  const server = createServer({ secureContext: createServerContext(config), handshakeTimeout: 10_000 }, (s) =>
    s.pipe(s),
  );
  server.on('tlsClientError', (e: TlsError) => refusals.push(e));
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, refusals, port: (server.address() as AddressInfo).port };
}

describe('setSecureContext with a new CRL or certificate', () => {
  it('a new CRL refuses the revoked device from its next handshake; its open connection and others go on', async () => {
    const { server, refusals, port } = await echoServer({ ...base, crl: crl(1n) });
    const established = await connectTo(port, device1);
    expect(await echo(established, 'before')).toBe('before');

    server.setSecureContext(createServerContext({ ...base, crl: crl(2n, device1Cert) }));
    const refused = await connectTo(port, device1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TlsError);
    expect((refused as TlsError).alertReceived).toBe('certificate_revoked');
    expect(refusals.map((e) => e.code)).toEqual(['revoked']);
    expect(await echo(await connectTo(port, device2), 'device-2')).toBe('device-2');
    expect(await echo(established, 'still open')).toBe('still open');
  });

  it('a new server certificate reaches new clients; the old connection keeps the old one', async () => {
    const { server, port } = await echoServer(base);
    const before = await connectTo(port, device2);
    const renewed = issueCertificate({
      issuer: { certificate: root.certificate, key: root.key },
      commonName: 'server.test',
    });
    server.setSecureContext({ ...base, cert: renewed.certificatePem, key: renewed.keyPem });
    const after = await connectTo(port, device2);
    expect(after.info?.peerIdentity?.fingerprintSha256).toBe(
      parseCertificate(renewed.certificate).fingerprintSha256,
    );
    expect(before.info?.peerIdentity?.fingerprintSha256).toBe(
      parseCertificate(serverCert.certificate).fingerprintSha256,
    );
    expect(await echo(before, 'old certificate')).toBe('old certificate');
    expect(await echo(after, 'new certificate')).toBe('new certificate');
  });
});
