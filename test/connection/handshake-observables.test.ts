// What a connection reports of its handshake beyond the negotiated parameters: the Finished
// verify_data both ways (RFC 5246 §7.4.9), the per-connection key-log listener (NSS key log format),
// the verified certification path (RFC 5280 §6.1) and our own configured chain.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { toDerList } from '../../src/x509/pem.js';
import { runPair } from '../helpers/pair.js';
import { p256Configs, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let base: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  pki = testPki();
  base = p256Configs(pki);
}, 120_000);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('handshake observables', () => {
  it('SessionInfo.finished holds the verify_data each side sent and received', () => {
    const c = new TlsClient(base.client);
    const s = new TlsServer(base.server);
    runPair(c, s);
    const ci = c.info!;
    const si = s.info!;
    expect(ci.finished.sent).toHaveLength(12);
    expect(ci.finished.received).toHaveLength(12);
    expect(hex(ci.finished.sent)).toBe(hex(si.finished.received));
    expect(hex(ci.finished.received)).toBe(hex(si.finished.sent));
    expect(hex(ci.finished.sent)).not.toBe(hex(ci.finished.received));
    expect(hex(ci.finished.sent)).not.toBe('00'.repeat(12));
  });

  it('onKeyLog gets the same NSS line as config.keyLog, on both sides, with the real master secret', () => {
    const fromConfig: string[] = [];
    const c = new TlsClient({ ...base.client, keyLog: (l) => fromConfig.push(l) });
    const s = new TlsServer(base.server);
    const clientLines: string[] = [];
    const serverLines: string[] = [];
    c.onKeyLog = (l) => clientLines.push(l);
    s.onKeyLog = (l) => serverLines.push(l);
    runPair(c, s);
    expect(clientLines).toHaveLength(1);
    expect(clientLines).toEqual(fromConfig);
    expect(serverLines).toEqual(clientLines);
    expect(clientLines[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
    // The logged secret is the connection's own master secret.
    const secret = (c as unknown as { phase: { secrets: { masterSecret: Uint8Array } } }).phase.secrets
      .masterSecret;
    expect(clientLines[0]!.split(' ')[2]).toBe(hex(secret));
  });

  it('peerIdentity.verifiedPath runs from the leaf to the pinned root; localCertificates is our chain', () => {
    const c = new TlsClient(base.client);
    const s = new TlsServer(base.server);
    runPair(c, s);
    const root = parseCertificate(toDerList(pki.ca, 'CERTIFICATE')[0]!);
    const serverLeaf = parseCertificate(toDerList(String(base.server.cert), 'CERTIFICATE')[0]!);
    const clientLeaf = parseCertificate(toDerList(String(base.client.cert), 'CERTIFICATE')[0]!);
    const path = c.info!.peerIdentity!.verifiedPath!;
    expect(path.map((x) => x.fingerprintSha256)).toEqual([
      serverLeaf.fingerprintSha256,
      root.fingerprintSha256,
    ]);
    const clientPath = s.info!.peerIdentity!.verifiedPath!;
    expect(clientPath.map((x) => x.fingerprintSha256)).toEqual([
      clientLeaf.fingerprintSha256,
      root.fingerprintSha256,
    ]);
    expect(s.localCertificates.map((x) => x.fingerprintSha256)).toEqual([serverLeaf.fingerprintSha256]);
    expect(c.localCertificates.map((x) => x.fingerprintSha256)).toEqual([clientLeaf.fingerprintSha256]);
    expect(new TlsClient({ ca: pki.ca, serverName: 'server.test' }).localCertificates).toEqual([]);
  });
});
