// A finished handshake keeps the peer's chain as DER and parses it again when SessionInfo is read
// (src/handshake/kept-peer.ts): same values as the chain verified during the handshake.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { keptPeer } from '../../src/handshake/kept-peer.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { runPair } from '../helpers/pair.js';
import { p256Configs, testPki } from '../helpers/pki.js';

let base: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  base = p256Configs(testPki());
}, 120_000);

describe('the peer chain a finished handshake keeps', () => {
  it('reports the verified certificates and identity on both sides', () => {
    const client = new TlsClient(base.client);
    const server = new TlsServer({ ...base.server, clientAuth: 'required' });
    runPair(client, server);
    for (const c of [client, server]) {
      const info = c.info!;
      expect(info.peerCertificates.length).toBeGreaterThan(0);
      const leaf = info.peerCertificates[0]!;
      // Parsed once, then the same objects on every read.
      expect(info.peerCertificates).toBe(info.peerCertificates);
      expect(info.peerIdentity!.certificate).toBe(leaf);
      expect(info.peerIdentity!.fingerprintSha256).toBe(leaf.fingerprintSha256);
      expect(info.peerIdentity!.subject).toContain(c === client ? 'server' : 'client');
      // Enumerable like any other field: JSON and spreads see it.
      expect(Object.keys(info)).toContain('peerCertificates');
      expect({ ...info }.peerCertificates).toBe(info.peerCertificates);
    }
  });

  it('parses the certificates again from copies of their DER, equal to what was verified', () => {
    const client = new TlsClient(base.client);
    const server = new TlsServer({ ...base.server, clientAuth: 'required' });
    runPair(client, server);
    const der = client.info!.peerCertificates[0]!.der;
    const original = parseCertificate(der, { source: 'peer' });
    // The DER is a copy, not a view into a handshake buffer: its own buffer, exactly its length.
    const bytes = new Uint8Array(der.length + 10);
    bytes.set(der, 5);
    const view = bytes.subarray(5, 5 + der.length);
    const chain = [parseCertificate(view, { source: 'peer' })];
    const kept = keptPeer(chain, undefined);
    bytes.fill(0);
    const reparsed = kept.chain.certificates()[0]!;
    expect(reparsed.der.buffer.byteLength).toBe(der.length);
    expect(reparsed.fingerprintSha256).toBe(original.fingerprintSha256);
    expect(reparsed.subject).toEqual(original.subject);
    expect(reparsed.publicKey).toEqual(original.publicKey);
  });

  it('keeps an empty chain empty (a server without client authentication)', () => {
    const client = new TlsClient(base.client);
    const server = new TlsServer({ ...base.server, clientAuth: 'none' });
    runPair(client, server);
    expect(server.state).toBe('open');
    expect(server.info!.peerCertificates).toEqual([]);
    expect(server.info!.peerIdentity).toBeUndefined();
  });
});
