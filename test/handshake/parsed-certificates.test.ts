// The per-context cache of parsed peer certificates (src/handshake/parsed-certificates.ts): same bytes,
// same frozen Certificate; bounded, least recently used out; a failed parse is never kept; and a
// reconnecting peer's chain is still verified in full on every handshake.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClientContext, createServerContext, resolvedServer } from '../../src/context.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { ParsedCertificateCache, parsedCertificatesOf } from '../../src/handshake/parsed-certificates.js';
import { runPair } from '../helpers/pair.js';
import { certOf, p256Configs, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let ders: Uint8Array[];
beforeAll(() => {
  pki = testPki();
  ders = [
    certOf(pki.dir, pki.leaf('p256', 'server').certPath.split('/').pop()!),
    certOf(pki.dir, pki.leaf('p256', 'client').certPath.split('/').pop()!),
    certOf(pki.dir, pki.caPath.split('/').pop()!),
  ];
}, 120_000);

describe('ParsedCertificateCache', () => {
  it('gives the same frozen certificate for the same bytes, from any buffer, once kept', () => {
    const cache = new ParsedCertificateCache();
    const first = cache.parse(ders[0]!);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.subject)).toBe(true);
    expect(Object.isFrozen(first.extensions)).toBe(true);
    // Not kept yet: parsed again.
    expect(cache.parse(ders[0]!)).not.toBe(first);
    expect(cache.size).toBe(0);
    cache.keep([first]);
    expect(cache.parse(new Uint8Array(ders[0]!))).toBe(first); // equal bytes, another buffer
    expect(cache.parse(ders[1]!)).not.toBe(first);
    expect(cache.size).toBe(1);
  });

  it('keeps its own copy of the bytes: a later change to the caller buffer does not reach it', () => {
    const cache = new ParsedCertificateCache();
    const input = new Uint8Array(ders[0]!);
    const parsed = cache.parse(input);
    cache.keep([parsed]);
    input.fill(0);
    expect(parsed.der).toEqual(ders[0]);
    expect(cache.parse(ders[0]!)).toBe(parsed);
    // The zeroed buffer is other bytes: it is parsed (and fails), never answered from the cache.
    expect(() => cache.parse(input)).toThrow(TlsError);
  });

  it('never keeps a certificate that does not parse', () => {
    const cache = new ParsedCertificateCache();
    const broken = ders[0]!.slice(0, ders[0]!.length - 5);
    expect(() => cache.parse(broken)).toThrow(TlsError);
    expect(() => cache.parseChain([broken])).toThrow(TlsError);
    expect(cache.size).toBe(0);
  });

  it('holds at most its capacity, evicting the least recently used', () => {
    const cache = new ParsedCertificateCache(2);
    const [a, b] = cache.parseChain([ders[0]!, ders[1]!]);
    expect(cache.parse(ders[0]!)).toBe(a); // a is now the most recently used
    cache.parseChain([ders[2]!]); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.parse(ders[0]!)).toBe(a);
    expect(cache.parse(ders[1]!)).not.toBe(b);
  });
});

describe('handshakes with a context', () => {
  it('reuse the parsed chain of a reconnecting peer and still verify it at every handshake', () => {
    const base = p256Configs(pki);
    const serverContext = createServerContext({ ...base.server, clientAuth: 'required' });
    let now = Date.now();
    const clientContext = createClientContext({ ...base.client, now: () => now });
    const leaves = [];
    for (let i = 0; i < 2; i++) {
      const client = new TlsClient(clientContext);
      runPair(client, new TlsServer(serverContext));
      expect(client.info).toBeDefined();
      leaves.push(client.info!.peerIdentity!.fingerprintSha256);
    }
    expect(leaves[1]).toBe(leaves[0]);
    // The same bytes, parsed already: validity is still checked at this use.
    now += 3 * 366 * 24 * 3600 * 1000;
    const late = new TlsClient(clientContext);
    const log = runPair(late, new TlsServer(serverContext));
    expect(late.info).toBeUndefined();
    const failure = log.client.find((e) => e.type === 'error');
    expect(failure?.type === 'error' && failure.error.code).toBe('expired');
  });

  it('remember only certificates whose chain verified: an untrusted peer leaves the cache as it was', () => {
    const base = p256Configs(pki);
    const serverContext = createServerContext({ ...base.server, clientAuth: 'required' });
    const cache = parsedCertificatesOf(resolvedServer(serverContext));
    const stranger = pki.leaf('p256', 'client', { otherRoot: true });
    for (let i = 0; i < 3; i++) {
      const client = new TlsClient({ ...base.client, cert: stranger.cert, key: stranger.key });
      const server = new TlsServer(serverContext);
      const log = runPair(client, server);
      const failure = log.server.find((e) => e.type === 'error');
      expect(failure?.type === 'error' && failure.error.code).toBe('unknown_ca');
    }
    expect(cache.size).toBe(0);
    runPair(new TlsClient(base.client), new TlsServer(serverContext));
    expect(cache.size).toBe(1); // the trusted client's leaf (the root is the context's own)
  });
});
