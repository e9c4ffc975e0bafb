// In TLS 1.2 signature_algorithms pairs a hash with ECDSA independently of the certificate's curve
// (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.1): ecdsa_secp521r1_sha512 (0x0603) means ECDSA with SHA-512
// on a P-256 key too, in ServerKeyExchange, CertificateVerify and when verifying either.

import { beforeAll, describe, expect, it } from 'vitest';
import { type ClientConfig, resolveClientConfig, type ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { buildClientHello } from '../../src/handshake/build-client-hello.js';
import { encodeSignatureAlgorithms } from '../../src/handshake/messages/extensions.js';
import { encodeHandshake } from '../../src/handshake/messages/handshake.js';
import { encodeClientHello } from '../../src/handshake/messages/hello.js';
import { ExtensionType } from '../../src/handshake/messages/types.js';
import { errorOf, runPair } from '../helpers/pair.js';
import { type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let client: ClientConfig;
let server: ServerConfig;
beforeAll(() => {
  pki = testPki();
  const s = pki.leaf('p256', 'server');
  const c = pki.leaf('p256', 'client');
  server = { ca: pki.ca, cert: s.cert, key: s.key };
  client = { ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key };
}, 120_000);

function handshake(clientOverrides: Partial<ClientConfig>, serverOverrides: Partial<ServerConfig>) {
  const c = new TlsClient({ ...client, ...clientOverrides });
  const s = new TlsServer({ ...server, ...serverOverrides });
  const log = runPair(c, s);
  return { c, s, log };
}

/** Our client's ClientHello, with signature_algorithms replaced by `codes`, as one record. */
function helloOffering(codes: number[]): Uint8Array {
  const hello = buildClientHello(resolveClientConfig(client));
  const extensions = hello.extensions.map((e) =>
    e.type === ExtensionType.signature_algorithms
      ? { type: e.type, data: encodeSignatureAlgorithms(codes) }
      : e,
  );
  const message = encodeHandshake(1, (w) => encodeClientHello(w, { ...hello, extensions }));
  return new Uint8Array([22, 3, 3, message.length >> 8, message.length & 0xff, ...message]);
}

describe('ECDSA hash independent of the curve (TLS 1.2)', () => {
  it('a P-256 server signs with SHA-512 for a client that offers only ecdsa+sha512', () => {
    const { c, s } = handshake({ signatureSchemes: ['ecdsa_secp521r1_sha512'] }, {});
    expect(c.state).toBe('open');
    expect(s.state).toBe('open');
    // The client verified ServerKeyExchange as ECDSA/SHA-512 over the P-256 key.
    expect(c.info?.signatureScheme).toBe('ecdsa_secp521r1_sha512');
    // And its own P-256 CertificateVerify, with the only hash it allows, was accepted by the server.
    expect(s.info?.signatureScheme).toBe('ecdsa_secp521r1_sha512');
  });

  it('a client offering only ecdsa+sha224 or ecdsa+sha1 gets a clean handshake_failure naming them', () => {
    for (const [code, name] of [
      [0x0303, 'ecdsa_sha224'],
      [0x0203, 'ecdsa_sha1'],
    ] as const) {
      const s = new TlsServer(server);
      const error = errorOf(s.receive(helloOffering([code])));
      expect(error?.code).toBe('no_common_signature_scheme');
      expect(error?.alertSent).toBe('handshake_failure');
      expect(error?.message).toContain(name);
      expect(s.takeOutgoing()).toEqual(new Uint8Array([21, 3, 3, 0, 2, 2, 40]));
    }
  });

  it('our default client accepts a P-256 server that signs with SHA-512', () => {
    const { c } = handshake({}, { signatureSchemes: ['ecdsa_secp521r1_sha512'] });
    expect(c.state).toBe('open');
    expect(c.info?.signatureScheme).toBe('ecdsa_secp521r1_sha512');
  });

  it('a client that offers only ecdsa+sha256 accepts a P-384 server signing with SHA-256', () => {
    const p384 = pki.leaf('p384', 'server');
    const { c } = handshake(
      { signatureSchemes: ['ecdsa_secp256r1_sha256'] },
      { cert: p384.cert, key: p384.key },
    );
    expect(c.state).toBe('open');
    expect(c.info?.signatureScheme).toBe('ecdsa_secp256r1_sha256');
  });

  it('a P-384 server prefers SHA-384 when the client offers both', () => {
    const p384 = pki.leaf('p384', 'server');
    const { c } = handshake({}, { cert: p384.cert, key: p384.key });
    expect(c.info?.signatureScheme).toBe('ecdsa_secp384r1_sha384');
  });
});
