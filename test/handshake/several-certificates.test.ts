// Several certificates per server: the choice by SNI (wildcards included) and by what the client can
// verify, the first as fallback, strictServerName, and what SessionInfo reports (RFC 6066 §3, RFC 8422 §5.1.1).

import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientConfig,
  createServerContext,
  parseCertificate,
  type ServerConfig,
  TlsClient,
  TlsError,
  TlsServer,
  toDerList,
} from '../../src/index.js';
import { errorOf, runPair } from '../helpers/pair.js';
import { type Identity, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let ecA: Identity; // P-256, a.test
let rsaB: Identity; // RSA, b.test
let rsaA: Identity; // RSA, a.test
let p384A: Identity; // P-384, a.test
let wild: Identity; // P-256, *.wild.test
let client: Identity;

beforeAll(() => {
  pki = testPki();
  ecA = pki.leaf('p256', 'server', { cn: 'a.test' });
  rsaB = pki.leaf('rsa2048', 'server', { cn: 'b.test' });
  rsaA = pki.leaf('rsa2048', 'server', { cn: 'a.test' });
  p384A = pki.leaf('p384', 'server', { cn: 'a.test' });
  wild = pki.leaf('p256', 'server', { cn: 'wild', san: 'DNS:*.wild.test' });
  client = pki.leaf('p256', 'client');
}, 60_000);

function subjectOf(pem: string): string {
  return parseCertificate(toDerList(pem)[0]!).subject.text;
}

function connect(server: ServerConfig, clientExtra: Partial<ClientConfig> & { serverName: string }) {
  const c = new TlsClient({ ca: pki.ca, cert: client.cert, key: client.key, ...clientExtra });
  const s = new TlsServer(createServerContext(server));
  const log = runPair(c, s);
  return { c, s, log };
}

const both = (first: Identity, second: Identity): ServerConfig => ({
  ca: pki.ca,
  certificates: [
    { cert: first.cert, key: first.key },
    { cert: second.cert, key: second.key },
  ],
});

describe('several certificates: the choice', () => {
  it('picks by SNI: a.test gets the ECDSA a.test certificate, b.test the RSA b.test one', () => {
    for (const [name, id, suite] of [
      ['a.test', ecA, 'ECDSA'],
      ['b.test', rsaB, 'RSA'],
    ] as const) {
      const { c, s, log } = connect(both(ecA, rsaB), { serverName: name });
      expect(errorOf(log.client)).toBeUndefined();
      expect(s.info?.serverName).toBe(name);
      expect(s.info?.certificate?.subject.text).toBe(subjectOf(id.cert));
      expect(c.info?.peerIdentity?.subject).toBe(subjectOf(id.cert));
      expect(c.info?.cipherSuite).toContain(`_${suite}_`);
    }
  });

  it('matches wildcard names as the hostname check does', () => {
    const { s, log } = connect(both(ecA, wild), { serverName: 'x.wild.test' });
    expect(errorOf(log.client)).toBeUndefined();
    expect(s.info?.certificate?.subject.text).toBe(subjectOf(wild.cert));
  });

  it('for one name with RSA and ECDSA: an ECDSA-capable client gets ECDSA, an RSA-only client RSA', () => {
    const server = both(rsaA, ecA); // RSA first: ECDSA still wins for a client that can verify it
    const ecdsa = connect(server, { serverName: 'a.test' });
    expect(ecdsa.s.info?.certificate?.subject.text).toBe(subjectOf(ecA.cert));
    expect(ecdsa.c.info?.cipherSuite).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    const rsaOnly = connect(server, {
      serverName: 'a.test',
      cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    });
    expect(errorOf(rsaOnly.log.client)).toBeUndefined();
    expect(rsaOnly.s.info?.certificate?.subject.text).toBe(subjectOf(rsaA.cert));
    // Only RSA signatures (and no client certificate: ours is P-256 and could not sign with them).
    const rsaSchemes = connect(
      { ...server, clientAuth: 'none' },
      { serverName: 'a.test', signatureSchemes: ['rsa_pss_rsae_sha256'] },
    );
    expect(errorOf(rsaSchemes.log.client)).toBeUndefined();
    expect(rsaSchemes.s.info?.certificate?.subject.text).toBe(subjectOf(rsaA.cert));
  });

  it('skips an ECDSA certificate whose curve the client did not list in supported_groups', () => {
    const { s, log } = connect(both(p384A, ecA), { serverName: 'a.test', groups: ['x25519', 'secp256r1'] });
    expect(errorOf(log.client)).toBeUndefined();
    expect(s.info?.certificate?.subject.text).toBe(subjectOf(ecA.cert));
    const any = connect(both(p384A, ecA), { serverName: 'a.test' });
    expect(any.s.info?.certificate?.subject.text).toBe(subjectOf(p384A.cert));
  });

  it('a name no certificate carries gets the first (the client sees the mismatch)', () => {
    const { s, log } = connect(both(ecA, rsaB), { serverName: 'c.test', verifyHostname: false });
    expect(errorOf(log.client)).toBeUndefined();
    expect(s.info?.certificate?.subject.text).toBe(subjectOf(ecA.cert));
    expect(s.info?.serverName).toBe('c.test');
    const checked = connect(both(ecA, rsaB), { serverName: 'c.test' });
    expect(errorOf(checked.log.client)?.code).toBe('hostname_mismatch');
  });

  it('strictServerName refuses a name no certificate carries with unrecognized_name', () => {
    const { log } = connect({ ...both(ecA, rsaB), strictServerName: true }, { serverName: 'c.test' });
    const serverError = errorOf(log.server);
    expect(serverError?.kind).toBe('incompatible');
    expect(serverError?.code).toBe('unrecognized_name');
    expect(serverError?.alertSent).toBe('unrecognized_name');
    expect(serverError?.message).toContain("'c.test'");
    expect(errorOf(log.client)?.alertReceived).toBe('unrecognized_name');
    const known = connect({ ...both(ecA, rsaB), strictServerName: true }, { serverName: 'b.test' });
    expect(errorOf(known.log.client)).toBeUndefined();
  });

  it('strictServerName lets a client without SNI (an IP address) in, with the first certificate', () => {
    const { s, log } = connect(
      { ...both(rsaB, ecA), strictServerName: true },
      {
        serverName: '127.0.0.1',
        verifyHostname: false,
        cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
      },
    );
    expect(errorOf(log.client)).toBeUndefined();
    expect(s.info?.serverName).toBeUndefined();
    expect(s.info?.certificate?.subject.text).toBe(subjectOf(rsaB.cert));
  });

  it('cert/key come first, certificates after', () => {
    const server: ServerConfig = {
      ca: pki.ca,
      cert: ecA.cert,
      key: ecA.key,
      certificates: [{ cert: rsaB.cert, key: rsaB.key }],
    };
    expect(createServerContext(server).toJSON().certificates).toEqual([
      subjectOf(ecA.cert),
      subjectOf(rsaB.cert),
    ]);
    const { s } = connect(server, { serverName: 'b.test' });
    expect(s.info?.certificate?.subject.text).toBe(subjectOf(rsaB.cert));
    expect(connect(server, { serverName: 'a.test' }).s.info?.certificate?.subject.text).toBe(
      subjectOf(ecA.cert),
    );
  });

  it('with one certificate the errors stay those of one certificate', () => {
    const { log } = connect(
      { ca: pki.ca, cert: ecA.cert, key: ecA.key },
      { serverName: 'a.test', cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
    );
    expect(errorOf(log.server)?.code).toBe('no_common_cipher_suite');
  });
});

describe('several certificates: configuration', () => {
  const expectBad = (config: ServerConfig, code: string, text: RegExp) => {
    let error: unknown;
    try {
      createServerContext(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe(code);
    expect((error as TlsError).message).toMatch(text);
  };

  it('refuses a key that is not its certificate’s, naming the entry', () => {
    expectBad(
      {
        ca: pki.ca,
        certificates: [
          { cert: ecA.cert, key: ecA.key },
          { cert: rsaB.cert, key: ecA.key },
        ],
      },
      'key_mismatch',
      /b\.test/,
    );
  });

  it('refuses entries without cert or key, unknown entry options, and no certificate at all', () => {
    expectBad({ ca: pki.ca, certificates: [{ cert: ecA.cert } as never] }, 'bad_config', /certificates\[0\]/);
    expectBad(
      { ca: pki.ca, certificates: [{ cert: ecA.cert, key: ecA.key, pass: 'x' } as never] },
      'bad_config',
      /unknown option 'pass'/,
    );
    expectBad({ ca: pki.ca, certificates: [] }, 'bad_config', /certificates/);
    expectBad({ ...both(ecA, rsaB), strictServerName: 'yes' as never }, 'bad_config', /strictServerName/);
  });
});
