// The cost one peer's chain may impose: signatures checked from the pinned root down and once per
// pair, signature / candidate / name-constraint budgets, chain count and bytes (counted, not timed).

import { beforeAll, describe, expect, it } from 'vitest';
import type { PublicKey } from '../../src/ciphers/keys.js';
import { nobleProvider } from '../../src/ciphers/noble-provider.js';
import type { CryptoProvider } from '../../src/ciphers/provider.js';
import { verifySignature } from '../../src/ciphers/signatures.js';
import { resolveServerConfig } from '../../src/config.js';
import { TlsError } from '../../src/errors.js';
import { authenticatePeer } from '../../src/handshake/shared.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { createRoot, generateKey, issueCertificate } from '../../src/x509/issue.js';
import { VerifiedSignatureCache } from '../../src/x509/signature-cache.js';
import { type SignatureVerifier, verifyChain } from '../../src/x509/verify.js';
import {
  branchingChain,
  type HostilePki,
  hostilePki,
  type RawRsaKey,
  rootClaimingChain,
  rsaKeyWithExponent,
  serverAwaitingFlight,
} from '../helpers/hostile-chain.js';
import { certOf, pkiDir } from '../helpers/pki.js';

/** A verifier that records the key of every call. */
function counting(): { verify: SignatureVerifier; keys: PublicKey[] } {
  const keys: PublicKey[] = [];
  return {
    keys,
    verify: (algorithm, key, message, signature) => {
      keys.push(key);
      return verifySignature(algorithm, key, message, signature);
    },
  };
}

function keyId(k: PublicKey): string {
  if (k.type === 'rsa') return `rsa:${k.n}:${k.e}`;
  return `${k.type}:${Buffer.from(k.type === 'ec' ? k.point : k.key).toString('hex')}`;
}
const sameKey = (a: PublicKey, b: PublicKey): boolean => keyId(a) === keyId(b);

let pki: HostilePki;
let peerKey: RawRsaKey;
let rootKey: PublicKey;

beforeAll(() => {
  pki = hostilePki(2048);
  rootKey = parseCertificate(pki.root).publicKey!;
  peerKey = rsaKeyWithExponent(2048, 65537n);
});

/** verifyChain of a client chain to the test root, with a counting signature verifier. */
function verifyCounted(chain: readonly Uint8Array[], verify: SignatureVerifier) {
  return verifyChain({ chain, root: pki.root, now: Date.now(), usage: 'client', verifySignature: verify });
}

describe('signatures from the pinned root down', () => {
  it("never uses a peer's key whose own certificate did not verify (the issue's branching shape)", () => {
    const chain = branchingChain(pki.rootName, peerKey, 2);
    const { verify, keys } = counting();
    const result = verifyCounted(chain, verify);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('bad_signature');
    // Leaf first, today's code checks the 2 valid links of each of 4 candidates before the top one.
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => sameKey(k, rootKey))).toBe(true);
    // One check per distinct top certificate (2), each made once whatever the candidates.
    expect(keys.length).toBe(2);
  });

  it('checks each (issuer, certificate) pair once across candidate paths', () => {
    const past = Date.now() - 10 * 86_400_000;
    const root = createRoot({ commonName: 'pair root', now: past - 86_400_000 });
    const upper = issueCertificate({
      commonName: 'pair upper CA',
      ca: true,
      issuer: { certificate: root.certificate, key: root.key },
      now: past - 86_400_000,
    });
    const byUpper = { certificate: upper.certificate, key: upper.key };
    const interKey = generateKey('p256');
    // The same intermediate twice (same name and key): an expired copy first, then a valid one.
    const expired = issueCertificate({
      commonName: 'pair CA',
      ca: true,
      key: interKey,
      issuer: byUpper,
      now: past,
      days: 1,
    });
    const current = issueCertificate({ commonName: 'pair CA', ca: true, key: interKey, issuer: byUpper });
    const leaf = issueCertificate({
      commonName: 'leaf.test',
      issuer: { certificate: current.certificate, key: interKey },
    });
    const { verify, keys } = counting();
    const result = verifyChain({
      chain: [leaf.certificate, expired.certificate, current.certificate, upper.certificate],
      root: root.certificate,
      now: Date.now(),
      usage: 'server',
      verifySignature: verify,
    });
    expect(result.ok).toBe(true);
    // Candidates leaf–expired–upper–root (fails on validity) and leaf–current–upper–root: the
    // root's signature on 'pair upper CA' is checked once, not once per candidate.
    const rootKeyOfPair = parseCertificate(root.certificate).publicKey!;
    expect(keys.filter((k) => keyId(k) === keyId(rootKeyOfPair)).length).toBe(1);
    expect(keys.length).toBe(5);
  });
});

describe('budgets for one chain', () => {
  let dir = '';
  beforeAll(() => {
    dir = pkiDir();
  });

  it('stops at maxSignatureChecks with a limit error (bad_certificate) naming the option', () => {
    const result = verifyChain({
      chain: [certOf(dir, 'leaf-via-inter.pem'), certOf(dir, 'inter.pem')],
      root: certOf(dir, 'root.pem'),
      now: Date.now(),
      usage: 'server',
      limits: { maxSignatureChecks: 1 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('limit');
    expect(result.error.code).toBe('signature_check_limit');
    expect(result.error.alertSent).toBe('bad_certificate');
    expect(result.error.message).toContain('maxSignatureChecks');
  });

  it("counts only real checks: pairs from the context's cache of verified signatures cost none", () => {
    const chain = [certOf(dir, 'leaf-via-inter.pem'), certOf(dir, 'inter.pem')];
    const verifyWith = (cache: VerifiedSignatureCache, maxSignatureChecks: number) => {
      const { verify, keys } = counting();
      const result = verifyChain({
        chain,
        root: certOf(dir, 'root.pem'),
        now: Date.now(),
        usage: 'server',
        limits: { maxSignatureChecks },
        signatureCache: cache,
        verifySignature: verify,
      });
      return { result, checks: keys.length };
    };
    const cache = new VerifiedSignatureCache();
    const first = verifyWith(cache, 16);
    expect(first.result.ok).toBe(true);
    expect(first.checks).toBe(2);
    // Both pairs are cached: no check at all, so a budget of one is enough.
    const again = verifyWith(cache, 1);
    expect(again.result.ok).toBe(true);
    expect(again.checks).toBe(0);
    // Without the cache the same budget is spent after the first of the two checks.
    const cold = verifyWith(new VerifiedSignatureCache(), 1);
    expect(cold.checks).toBe(1);
    expect(!cold.result.ok && cold.result.error.code).toBe('signature_check_limit');
  });

  it('refuses more candidate paths than maxPathCandidates, after at most that many checks', () => {
    const chain = rootClaimingChain(pki.rootName, peerKey, 12);
    const { verify, keys } = counting();
    const result = verifyCounted(chain, verify);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('limit');
    expect(result.error.code).toBe('path_candidate_limit');
    expect(result.error.message).toContain('maxPathCandidates');
    expect(keys.length).toBeLessThanOrEqual(8);
    expect(keys.every((k) => sameKey(k, rootKey))).toBe(true);
  });

  it('bounds name-constraint work (names × constraints) with maxNameConstraintChecks', () => {
    const options = {
      chain: [certOf(dir, 'nc-ok.pem'), certOf(dir, 'nc-inter.pem')],
      root: certOf(dir, 'root.pem'),
      now: Date.now(),
      usage: 'server' as const,
    };
    expect(verifyChain(options).ok).toBe(true);
    const result = verifyChain({ ...options, limits: { maxNameConstraintChecks: 2 } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('name_constraint_limit');
    expect(result.error.kind).toBe('limit');
    expect(result.error.message).toContain('maxNameConstraintChecks');
  });
});

describe('chain count and bytes, before parsing', () => {
  it('refuses more certificates than maxChainCertificates (default 12)', () => {
    const cfg = resolveServerConfig(pki.server);
    const chain = rootClaimingChain(pki.rootName, peerKey, 13);
    let error: unknown;
    try {
      authenticatePeer(cfg, chain, 'client', undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe('chain_too_long');
    expect((error as TlsError).kind).toBe('limit');
    expect((error as TlsError).alertSent).toBe('bad_certificate');
    expect((error as TlsError).message).toContain('maxChainCertificates');
  });

  it('refuses more certificate bytes than maxChainBytes', () => {
    const cfg = resolveServerConfig({ ...pki.server, maxChainBytes: 1500 });
    const chain = rootClaimingChain(pki.rootName, peerKey, 3);
    expect(() => authenticatePeer(cfg, chain, 'client', undefined)).toThrow(/maxChainBytes/);
  });

  it('rejects a limit that is not a whole number ≥ 1 in the config', () => {
    expect(() => resolveServerConfig({ ...pki.server, maxSignatureChecks: 0 })).toThrow(/maxSignatureChecks/);
  });
});

describe("a server's receive() of a hostile client flight", () => {
  /** The noble provider, counting verify calls. */
  function countingProvider(): { provider: CryptoProvider; calls: () => number } {
    let calls = 0;
    return {
      calls: () => calls,
      provider: {
        ...nobleProvider,
        verify: (...args) => {
          calls++;
          return nobleProvider.verify(...args);
        },
      },
    };
  }

  it('costs at most the signature budget, every check with the root key', () => {
    const { provider, calls } = countingProvider();
    const chain = branchingChain(pki.rootName, peerKey, 5);
    const { server, flight } = serverAwaitingFlight(pki, chain, { crypto: provider });
    const events = server.receive(flight);
    const error = events.find((e) => e.type === 'error');
    // 32 candidates: the first 8 fail at the root's check of the top link, then the limit.
    expect(error?.type === 'error' && error.error.code).toBe('path_candidate_limit');
    expect(calls()).toBeGreaterThan(0);
    expect(calls()).toBeLessThanOrEqual(2);
  });

  it('refuses a 17-certificate flight before parsing it', () => {
    const { provider, calls } = countingProvider();
    const { server, flight } = serverAwaitingFlight(pki, branchingChain(pki.rootName, peerKey, 8), {
      crypto: provider,
    });
    const events = server.receive(flight);
    const error = events.find((e) => e.type === 'error');
    expect(error?.type === 'error' && error.error.code).toBe('chain_too_long');
    expect(calls()).toBe(0);
  });
});
