// In-memory pairs with the config's `crl` (RFC 5280 §6.3) and `verifyPeer`: a revoked peer is refused
// with certificate_revoked on either side, the application's reason with access_denied, a throwing
// callback with internal_error; verifyPeer sees the validated path and runs after the chain and name checks.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { createClientContext, createServerContext } from '../../src/context.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { createRoot, type IssuedCertificate, issueCertificate } from '../../src/x509/issue.js';
import { issueCrl } from '../../src/x509/issue-crl.js';
import type { Certificate, PeerIdentity } from '../../src/x509/types.js';
import { errorOf, runPair } from '../helpers/pair.js';

let root: IssuedCertificate;
let server: IssuedCertificate;
let client: IssuedCertificate;
let other: IssuedCertificate;

const NOW = Date.now();

function crlRevoking(...certs: IssuedCertificate[]): string {
  return issueCrl({
    issuer: { certificate: root.certificate, key: root.key },
    revoked: certs.map((c) => ({
      serialNumber: parseCertificate(c.certificate).serialNumber,
      revocationDate: NOW,
    })),
    crlNumber: 1n,
    now: NOW,
  }).pem;
}

function configs(
  extra: { client?: Partial<ClientConfig>; server?: Partial<ServerConfig> } = {},
  clientCert = client,
): { client: ClientConfig; server: ServerConfig } {
  return {
    server: { ca: root.certificatePem, cert: server.certificatePem, key: server.keyPem, ...extra.server },
    client: {
      ca: root.certificatePem,
      serverName: 'server.test',
      cert: clientCert.certificatePem,
      key: clientCert.keyPem,
      ...extra.client,
    },
  };
}

function handshake(c: { client: ClientConfig; server: ServerConfig }) {
  const tlsClient = new TlsClient(c.client);
  const tlsServer = new TlsServer(c.server);
  const log = runPair(tlsClient, tlsServer);
  return { client: errorOf(log.client), server: errorOf(log.server), tlsClient, tlsServer };
}

beforeAll(() => {
  root = createRoot({ commonName: 'revocation test root' });
  const issue = (cn: string, usage: 'server' | 'client') =>
    issueCertificate({ issuer: { certificate: root.certificate, key: root.key }, commonName: cn, usage });
  server = issue('server.test', 'server');
  client = issue('device-1', 'client');
  other = issue('device-2', 'client');
});

describe('crl in the config', () => {
  it('a server refuses a revoked client: revoked / certificate_revoked; the client hears certificate_revoked', () => {
    const r = handshake(configs({ server: { crl: crlRevoking(client) } }));
    expect(r.server?.code).toBe('revoked');
    expect(r.server?.alertSent).toBe('certificate_revoked');
    expect(r.server?.message).toMatch(/certificate 'CN=device-1'.*was revoked/);
    expect(r.client?.kind).toBe('alertReceived');
    expect(r.client?.alertReceived).toBe('certificate_revoked');
    expect(r.client?.message).toMatch(/certificate_revoked \(our certificate is on its revocation list/);
  });

  it('the same server accepts a client that is not on the list', () => {
    const r = handshake(configs({ server: { crl: crlRevoking(client) } }, other));
    expect(r.server).toBeUndefined();
    expect(r.client).toBeUndefined();
    expect(r.tlsServer.state).toBe('open');
  });

  it('a client refuses a revoked server', () => {
    const r = handshake(configs({ client: { crl: crlRevoking(server) } }));
    expect(r.client?.code).toBe('revoked');
    expect(r.client?.alertSent).toBe('certificate_revoked');
    expect(r.server?.alertReceived).toBe('certificate_revoked');
  });

  it('a context compiled with a CRL that later goes stale refuses peers with crl_expired', () => {
    let now = NOW;
    const c = configs({ server: { crl: crlRevoking(), now: () => now } }, other);
    const context = createServerContext(c.server);
    now = NOW + 40 * 86_400_000; // past the default 30 days
    const tlsServer = new TlsServer(context);
    const log = runPair(new TlsClient(c.client), tlsServer);
    expect(errorOf(log.server)?.code).toBe('crl_expired');
    expect(errorOf(log.server)?.alertSent).toBe('certificate_expired');
  });

  it('is parsed once into the context, from a copy; the context shows its issuer and size', () => {
    const der = issueCrl({
      issuer: { certificate: root.certificate, key: root.key },
      revoked: [{ serialNumber: parseCertificate(client.certificate).serialNumber, revocationDate: NOW }],
      crlNumber: 1n,
      now: NOW,
    }).der;
    const context = createServerContext({ ...configs().server, crl: [der] });
    der.fill(0);
    expect(context.toJSON().crls).toEqual([{ issuer: 'CN=revocation test root', revoked: 1 }]);
    const log = runPair(new TlsClient(configs().client), new TlsServer(context));
    expect(errorOf(log.server)?.code).toBe('revoked');
  });

  it('a bad crl is a local bad_config error when the context is made', () => {
    expect(() => createClientContext({ ...configs().client, crl: root.certificatePem })).toThrow(
      /no X509 CRL PEM block found/,
    );
    const stale = issueCrl({
      issuer: { certificate: root.certificate, key: root.key },
      revoked: [],
      crlNumber: 1n,
      now: NOW - 10 * 86_400_000,
      days: 1,
    });
    expect(() => createServerContext({ ...configs().server, crl: stale.der })).toThrow(
      /was due to be replaced/,
    );
  });
});

describe('verifyPeer', () => {
  it('is called with the identity and the validated path (leaf first, root last) on both sides', () => {
    const seen: { side: string; identity: PeerIdentity; chain: readonly Certificate[] }[] = [];
    const record = (side: string) => (identity: PeerIdentity, chain: readonly Certificate[]) => {
      seen.push({ side, identity, chain });
      return undefined;
    };
    const r = handshake(
      configs({ server: { verifyPeer: record('server') }, client: { verifyPeer: record('client') } }),
    );
    expect(r.server).toBeUndefined();
    expect(r.client).toBeUndefined();
    expect(seen.map((s) => s.side).sort()).toEqual(['client', 'server']);
    const atServer = seen.find((s) => s.side === 'server')!;
    expect(atServer.identity.commonName).toBe('device-1');
    expect(atServer.chain.map((c) => c.subject.text)).toEqual(['CN=device-1', 'CN=revocation test root']);
    expect(seen.find((s) => s.side === 'client')!.identity.subjectAltNames).toEqual(['DNS:server.test']);
  });

  it('a reason refuses the client: rejected_by_application, access_denied, the reason escaped', () => {
    const r = handshake(
      configs({
        server: { verifyPeer: (id) => (id.commonName === 'device-1' ? 'not in the\nregistry' : undefined) },
      }),
    );
    expect(r.server?.kind).toBe('certificate');
    expect(r.server?.code).toBe('rejected_by_application');
    expect(r.server?.alertSent).toBe('access_denied');
    expect(r.server?.message).toContain(
      "the application refused the client 'CN=device-1': not in the\\x0aregistry",
    );
    expect(r.client?.alertReceived).toBe('access_denied');
    expect(r.client?.message).toMatch(
      /access_denied \(it verified our certificate but its own check refused us\)/,
    );
    // Another device passes the same check.
    const ok = handshake(
      configs({ server: { verifyPeer: (id) => (id.commonName === 'device-1' ? 'no' : undefined) } }, other),
    );
    expect(ok.server).toBeUndefined();
  });

  it('a reason refuses the server on the client side (certificate pinning)', () => {
    const pinned = parseCertificate(other.certificate).fingerprintSha256;
    const r = handshake(
      configs({
        client: {
          verifyPeer: (id) =>
            id.fingerprintSha256 === pinned ? undefined : `fingerprint ${id.fingerprintSha256} is not pinned`,
        },
      }),
    );
    expect(r.client?.code).toBe('rejected_by_application');
    expect(r.client?.alertSent).toBe('access_denied');
    expect(r.server?.alertReceived).toBe('access_denied');
  });

  it('a throw fails the handshake with internal_error (verify_peer_failed, cause kept), not a crash', () => {
    const boom = new Error('registry unreachable');
    const r = handshake(
      configs({
        server: {
          verifyPeer: () => {
            throw boom;
          },
        },
      }),
    );
    expect(r.server).toBeInstanceOf(TlsError);
    expect(r.server?.kind).toBe('internal');
    expect(r.server?.code).toBe('verify_peer_failed');
    expect(r.server?.alertSent).toBe('internal_error');
    expect(r.server?.cause).toBe(boom);
    expect(r.server?.message).toMatch(/verifyPeer callback threw: registry unreachable/);
    expect(r.client?.alertReceived).toBe('internal_error');
    expect(r.tlsServer.state).toBe('failed');
  });

  it('an answer that is neither a string nor undefined is the application bug it is: verify_peer_failed', () => {
    const r = handshake(configs({ server: { verifyPeer: (() => true) as never } }));
    expect(r.server?.code).toBe('verify_peer_failed');
    expect(r.server?.message).toMatch(/returned boolean; it must return a reason/);
    expect(r.client?.alertReceived).toBe('internal_error');
  });

  it('is not called when the chain or the name check fails', () => {
    let calls = 0;
    const count = () => {
      calls++;
      return undefined;
    };
    const wrongName = handshake(configs({ client: { serverName: 'wrong.test', verifyPeer: count } }));
    expect(wrongName.client?.code).toBe('hostname_mismatch');
    const revoked = handshake(configs({ server: { crl: crlRevoking(client), verifyPeer: count } }));
    expect(revoked.server?.code).toBe('revoked');
    expect(calls).toBe(0);
  });

  it('must be a function', () => {
    expect(() => createServerContext({ ...configs().server, verifyPeer: 'yes' as never })).toThrow(
      /verifyPeer must be a function/,
    );
  });
});
