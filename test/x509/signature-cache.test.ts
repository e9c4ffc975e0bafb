// The compiled context's cache of verified chain signatures: a reconnecting peer costs no chain
// signature check, while a different context (root, provider), different DER or an expired
// certificate never rides on an earlier verdict; the cache stays bounded (least recently used out).

import { beforeAll, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/ciphers/noble-provider.js';
import type { CryptoProvider } from '../../src/ciphers/provider.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { createClientContext, createServerContext } from '../../src/context.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { createRoot, issueCertificate } from '../../src/x509/issue.js';
import { VerifiedSignatureCache } from '../../src/x509/signature-cache.js';
import { verifyChain } from '../../src/x509/verify.js';
import { runPair } from '../helpers/pair.js';
import { p256Configs, type TestPki, testPki } from '../helpers/pki.js';

/** nobleProvider with every verify() counted. */
function countingProvider(): { provider: CryptoProvider; verifies: () => number } {
  let count = 0;
  const provider: CryptoProvider = {
    ...nobleProvider,
    verify(algorithm, key, message, signature) {
      count++;
      return nobleProvider.verify(algorithm, key, message, signature);
    },
  };
  return { provider, verifies: () => count };
}

function handshake(client: ClientConfig | ReturnType<typeof createClientContext>, server: TlsServer) {
  const c = new TlsClient(client);
  runPair(c, server);
  return { client: c, server };
}

let pki: TestPki;
let configs: { client: ClientConfig; server: ServerConfig };

beforeAll(() => {
  pki = testPki();
  configs = p256Configs(pki);
});

describe('a reconnecting peer, same contexts', () => {
  it('costs the two handshake signatures and not four: chain checks come from the cache', () => {
    const counted = countingProvider();
    const serverCtx = createServerContext({ ...configs.server, crypto: counted.provider });
    const clientCtx = createClientContext({ ...configs.client, crypto: counted.provider });
    const first = handshake(clientCtx, new TlsServer(serverCtx));
    expect(first.client.state).toBe('open');
    expect(first.server.state).toBe('open');
    // Each side: the root's signature on the peer's leaf + the peer's handshake signature.
    expect(counted.verifies()).toBe(4);
    const second = handshake(clientCtx, new TlsServer(serverCtx));
    expect(second.client.state).toBe('open');
    expect(second.server.state).toBe('open');
    // Only ServerKeyExchange and CertificateVerify are verified again.
    expect(counted.verifies()).toBe(6);
  });

  it('misses in a new context (a cache never crosses contexts)', () => {
    const counted = countingProvider();
    const clientCtx = createClientContext({ ...configs.client, crypto: counted.provider });
    handshake(clientCtx, new TlsServer(createServerContext({ ...configs.server, crypto: counted.provider })));
    expect(counted.verifies()).toBe(4);
    // A new server context (the same settings, compiled again): its chain check runs again.
    handshake(clientCtx, new TlsServer(createServerContext({ ...configs.server, crypto: counted.provider })));
    expect(counted.verifies()).toBe(4 + 3);
  });

  it('still checks validity on a hit: a certificate expired since the first handshake is refused', () => {
    let now = Date.now();
    const serverCtx = createServerContext({ ...configs.server, now: () => now });
    const clientCtx = createClientContext(configs.client);
    expect(handshake(clientCtx, new TlsServer(serverCtx)).server.state).toBe('open');
    now += 400 * 86_400_000; // past the client leaf's 365 days
    const late = handshake(clientCtx, new TlsServer(serverCtx));
    expect(late.server.state).toBe('failed');
    expect(late.server.error?.code).toBe('expired');
  });

  it('a leaf under another root is refused after a hit for the trusted one (unknown_ca)', () => {
    const serverCtx = createServerContext(configs.server);
    expect(handshake(createClientContext(configs.client), new TlsServer(serverCtx)).server.state).toBe(
      'open',
    );
    const stranger = pki.leaf('p256', 'client', { otherRoot: true });
    const other = handshake(
      createClientContext({ ...configs.client, cert: stranger.cert, key: stranger.key }),
      new TlsServer(serverCtx),
    );
    expect(other.server.state).toBe('failed');
    expect(other.server.error?.code).toBe('unknown_ca');
  });
});

describe('VerifiedSignatureCache with verifyChain', () => {
  const root = createRoot({ commonName: 'cache root' });
  const issuer = { certificate: root.certificate, key: root.key };
  const leafA = issueCertificate({ commonName: 'a.test', issuer });
  const verifyCounted = (chain: Uint8Array[], cache: VerifiedSignatureCache, rootDer = root.certificate) => {
    let calls = 0;
    const result = verifyChain({
      chain,
      root: rootDer,
      now: Date.now(),
      usage: 'server',
      signatureCache: cache,
      verifySignature: (...args) => {
        calls++;
        return nobleProvider.verify(...args);
      },
    });
    return { result, calls };
  };

  it('a hit skips the signature check; the same key in a re-issued certificate (other DER) misses', () => {
    const cache = new VerifiedSignatureCache();
    expect(verifyCounted([leafA.certificate], cache).calls).toBe(1);
    expect(cache.size).toBe(1);
    const again = verifyCounted([leafA.certificate], cache);
    expect(again.result.ok).toBe(true);
    expect(again.calls).toBe(0);
    const reissued = issueCertificate({ commonName: 'a.test', key: leafA.key, issuer });
    expect(verifyCounted([reissued.certificate], cache).calls).toBe(1);
  });

  it('a pair that failed is not remembered, so a bad signature is checked (and refused) every time', () => {
    const cache = new VerifiedSignatureCache();
    const tampered = new Uint8Array(leafA.certificate);
    tampered[tampered.length - 5]! ^= 1; // inside the signature value
    for (let i = 0; i < 2; i++) {
      const { result, calls } = verifyCounted([tampered], cache);
      expect(result.ok).toBe(false);
      expect(calls).toBe(1);
    }
    expect(cache.size).toBe(0);
  });

  it('keeps at most `capacity` pairs, dropping the least recently used', () => {
    const cache = new VerifiedSignatureCache(2);
    const leaves = ['b', 'c', 'd'].map((n) => issueCertificate({ commonName: `${n}.test`, issuer }));
    const [b, c, d] = leaves.map((l) => l.certificate) as [Uint8Array, Uint8Array, Uint8Array];
    verifyCounted([b], cache);
    verifyCounted([c], cache);
    expect(verifyCounted([b], cache).calls).toBe(0); // b is now the most recent
    verifyCounted([d], cache); // evicts c
    expect(cache.size).toBe(2);
    expect(cache.has(parseCertificate(b), parseCertificate(root.certificate))).toBe(true);
    expect(verifyCounted([c], cache).calls).toBe(1);
  });
});
