// verifyChain against the openssl-made test PKI: every verdict compared with `openssl verify`.

import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PublicKey } from '../../src/ciphers/keys.js';
import type { SignatureAlgorithm } from '../../src/ciphers/schemes.js';
import { TlsError } from '../../src/errors.js';
import { type SignatureVerifier, verifyChain } from '../../src/x509/verify.js';
import { certOf, certsOf, opensslVerify, pkiDir } from '../helpers/pki.js';

let dir = '';
/** Set after the PKI exists: a freshly made certificate is valid from the second it was made. */
let now = 0;
const atSeconds = (ms: number): string => String(Math.floor(ms / 1000));

beforeAll(() => {
  dir = pkiDir();
  now = Date.now();
});

interface Case {
  name: string;
  leaf: string;
  /** PEM file(s) with the intermediates the peer sends (also given to openssl as -untrusted). */
  untrusted?: string;
  root?: string;
  usage?: 'server' | 'client';
  hostname?: string;
  at?: number;
  allowCommonNameFallback?: boolean;
  /** 'ok' or our error code. */
  expect: string;
  /** 'ok' or an X509_V_ERR number openssl reports (it may report several). */
  openssl: 'ok' | number;
  /** Why we deliberately differ from openssl (required when the verdicts differ). */
  differs?: string;
}

const S = 'server.test';
const CASES: Case[] = [
  { name: 'RSA-2048 leaf', leaf: 'server-rsa.pem', hostname: S, expect: 'ok', openssl: 'ok' },
  { name: 'EC P-256 leaf (SEC 1 key)', leaf: 'server-p256.pem', hostname: S, expect: 'ok', openssl: 'ok' },
  { name: 'EC P-384 leaf, sha384WithRSA', leaf: 'server-p384.pem', hostname: S, expect: 'ok', openssl: 'ok' },
  { name: 'Ed25519 leaf', leaf: 'server-ed25519.pem', hostname: S, expect: 'ok', openssl: 'ok' },
  {
    name: 'compressed EC point',
    leaf: 'server-p256-compressed.pem',
    hostname: S,
    expect: 'ok',
    openssl: 'ok',
  },
  { name: 'RSASSA-PSS signature', leaf: 'server-rsa-pss.pem', hostname: S, expect: 'ok', openssl: 'ok' },
  { name: 'RSASSA-PSS subject key', leaf: 'server-pss-key.pem', hostname: S, expect: 'ok', openssl: 'ok' },
  { name: 'localhost SAN', leaf: 'server-rsa.pem', hostname: 'localhost', expect: 'ok', openssl: 'ok' },
  { name: 'IPv4 SAN', leaf: 'server-rsa.pem', hostname: '127.0.0.1', expect: 'ok', openssl: 'ok' },
  { name: 'IPv6 SAN', leaf: 'ip.pem', hostname: '::1', expect: 'ok', openssl: 'ok' },
  { name: 'IP not in SANs', leaf: 'ip.pem', hostname: '10.0.0.1', expect: 'hostname_mismatch', openssl: 64 },
  { name: 'client certificate', leaf: 'client.pem', usage: 'client', expect: 'ok', openssl: 'ok' },
  { name: 'serverAuth+clientAuth as client', leaf: 'both.pem', usage: 'client', expect: 'ok', openssl: 'ok' },
  {
    name: 'serverAuth+clientAuth as server',
    leaf: 'both.pem',
    hostname: 'both.test',
    expect: 'ok',
    openssl: 'ok',
  },
  { name: 'no EKU as server', leaf: 'no-eku.pem', hostname: 'no-eku.test', expect: 'ok', openssl: 'ok' },
  { name: 'no EKU as client', leaf: 'no-eku.pem', usage: 'client', expect: 'ok', openssl: 'ok' },
  {
    name: 'server-only EKU as client',
    leaf: 'server-only.pem',
    usage: 'client',
    expect: 'bad_extended_key_usage',
    openssl: 26,
  },
  {
    name: 'client-only EKU as server',
    leaf: 'client-only.pem',
    expect: 'bad_extended_key_usage',
    openssl: 26,
  },
  {
    name: 'v1 leaf (no SAN) by hostname',
    leaf: 'v1-server.pem',
    hostname: S,
    expect: 'hostname_mismatch',
    openssl: 'ok',
    differs: "openssl's -verify_hostname falls back to the CN; RFC 9525 §6.3 and memtls do not by default",
  },
  {
    name: 'v1 leaf with allowCommonNameFallback',
    leaf: 'v1-server.pem',
    hostname: S,
    allowCommonNameFallback: true,
    expect: 'ok',
    openssl: 'ok',
  },
  {
    name: 'v1 leaf as client (no name check)',
    leaf: 'v1-server.pem',
    usage: 'client',
    expect: 'ok',
    openssl: 'ok',
  },
  { name: 'wrong name', leaf: 'wrong-name.pem', hostname: S, expect: 'hostname_mismatch', openssl: 62 },
  { name: 'wildcard match', leaf: 'wildcard.pem', hostname: 'a.wild.test', expect: 'ok', openssl: 'ok' },
  {
    name: 'wildcard vs its base',
    leaf: 'wildcard.pem',
    hostname: 'wild.test',
    expect: 'hostname_mismatch',
    openssl: 62,
  },
  {
    name: 'wildcard vs two labels',
    leaf: 'wildcard.pem',
    hostname: 'b.a.wild.test',
    expect: 'hostname_mismatch',
    openssl: 62,
  },
  { name: 'expired', leaf: 'expired.pem', hostname: S, expect: 'expired', openssl: 10 },
  { name: 'not yet valid', leaf: 'not-yet-valid.pem', hostname: S, expect: 'not_yet_valid', openssl: 9 },
  {
    name: 'checked before notBefore',
    leaf: 'server-p256.pem',
    hostname: S,
    at: Date.UTC(2001, 0, 1),
    expect: 'not_yet_valid',
    openssl: 9,
  },
  {
    name: 'unknown critical extension',
    leaf: 'critical-ext.pem',
    hostname: S,
    expect: 'unsupported_critical_extension',
    openssl: 34,
  },
  {
    name: 'keyUsage keyEncipherment only',
    leaf: 'ku-keyenc.pem',
    hostname: S,
    expect: 'bad_key_usage',
    openssl: 'ok',
    differs:
      'openssl accepts keyEncipherment for RSA key exchange; memtls only does ECDHE, which needs digitalSignature',
  },
  {
    name: 'keyUsage nonRepudiation only',
    leaf: 'ku-nonrep.pem',
    hostname: S,
    expect: 'bad_key_usage',
    openssl: 26,
  },
  {
    name: 'SHA-1 signature',
    leaf: 'sha1.pem',
    hostname: S,
    expect: 'weak_signature',
    openssl: 'ok',
    differs: 'openssl verify (security level 1 for chains) still accepts SHA-1; memtls refuses SHA-1 and MD5',
  },
  {
    name: 'CA certificate as leaf',
    leaf: 'ca-as-leaf.pem',
    hostname: S,
    expect: 'ca_as_end_entity',
    openssl: 'ok',
    differs: 'openssl lets a CA:TRUE certificate act as the server; memtls refuses a CA as an end entity',
  },
  {
    name: 'same-name root, AKI mismatch',
    leaf: 'impostor.pem',
    hostname: S,
    expect: 'unknown_ca',
    openssl: 20,
  },
  { name: 'same-name root, no AKI', leaf: 'impostor-v1.pem', hostname: S, expect: 'unknown_ca', openssl: 20 },
  {
    name: 'v1 pinned root (openssl x509 -req -signkey)',
    leaf: 'v1-root-leaf.pem',
    root: 'v1-root.pem',
    hostname: S,
    expect: 'ok',
    openssl: 'ok',
  },
  {
    name: 'issued by another root',
    leaf: 'wrong-root-leaf.pem',
    hostname: S,
    expect: 'unknown_ca',
    openssl: 20,
  },
  {
    name: 'pinned to the wrong root',
    leaf: 'server-p256.pem',
    root: 'wrong-root.pem',
    hostname: S,
    expect: 'unknown_ca',
    openssl: 20,
  },
  {
    name: 'intermediate',
    leaf: 'leaf-via-inter.pem',
    untrusted: 'inter.pem',
    hostname: S,
    expect: 'ok',
    openssl: 'ok',
  },
  {
    name: 'intermediate missing',
    leaf: 'leaf-via-inter.pem',
    hostname: S,
    expect: 'unknown_ca',
    openssl: 20,
  },
  {
    name: 'P-384 intermediate (ecdsa-with-SHA384)',
    leaf: 'leaf-via-p384.pem',
    untrusted: 'inter-p384.pem',
    hostname: S,
    expect: 'ok',
    openssl: 'ok',
  },
  {
    name: 'Ed25519 intermediate',
    leaf: 'leaf-via-ed25519.pem',
    untrusted: 'inter-ed25519.pem',
    hostname: S,
    expect: 'ok',
    openssl: 'ok',
  },
  {
    name: 'CA:FALSE issuer',
    leaf: 'notca-leaf.pem',
    untrusted: 'notca-inter.pem',
    expect: 'not_a_ca',
    openssl: 79,
  },
  {
    name: 'v1 intermediate',
    leaf: 'v1-inter-leaf.pem',
    untrusted: 'v1-inter.pem',
    expect: 'not_a_ca',
    openssl: 79,
  },
  {
    name: 'issuer without keyCertSign',
    leaf: 'nocertsign-leaf.pem',
    untrusted: 'nocertsign-inter.pem',
    expect: 'bad_key_usage',
    openssl: 32,
  },
  {
    name: 'pathlen:0, leaf below',
    leaf: 'pathlen0-leaf.pem',
    untrusted: 'pathlen0-inter.pem',
    expect: 'ok',
    openssl: 'ok',
  },
  {
    name: 'pathlen:0 with a sub-CA',
    leaf: 'leaf-via-sub.pem',
    untrusted: 'leaf-via-sub-chain.pem',
    expect: 'path_too_long',
    openssl: 25,
  },
  {
    name: 'name constraints: permitted',
    leaf: 'nc-ok.pem',
    untrusted: 'nc-inter.pem',
    hostname: 'www.good.test',
    expect: 'ok',
    openssl: 'ok',
  },
  {
    name: 'name constraints: outside',
    leaf: 'nc-outside.pem',
    untrusted: 'nc-inter.pem',
    expect: 'name_constraints',
    openssl: 47,
  },
  {
    name: 'name constraints: excluded',
    leaf: 'nc-excluded.pem',
    untrusted: 'nc-inter.pem',
    expect: 'name_constraints',
    openssl: 48,
  },
  {
    name: 'name constraints: IP outside',
    leaf: 'nc-ip-outside.pem',
    untrusted: 'nc-inter.pem',
    expect: 'name_constraints',
    openssl: 47,
  },
];

function ours(c: Case, verifySignature?: SignatureVerifier) {
  const chain = [certOf(dir, c.leaf), ...(c.untrusted ? certsOf(dir, c.untrusted) : [])];
  return verifyChain({
    chain,
    root: certOf(dir, c.root ?? 'root.pem'),
    now: c.at ?? now,
    usage: c.usage ?? 'server',
    hostname: c.hostname,
    allowCommonNameFallback: c.allowCommonNameFallback,
    verifySignature,
  });
}

function opensslArgs(c: Case): string[] {
  const args = ['-CAfile', c.root ?? 'root.pem'];
  if (c.untrusted) args.push('-untrusted', c.untrusted);
  args.push('-purpose', c.usage === 'client' ? 'sslclient' : 'sslserver', '-attime', atSeconds(c.at ?? now));
  if (c.hostname) {
    const isIp = c.hostname.includes(':') || /^[0-9.]+$/.test(c.hostname);
    args.push(isIp ? '-verify_ip' : '-verify_hostname', c.hostname);
  }
  return [...args, c.leaf];
}

describe('verifyChain on the openssl test PKI', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.expect}`, () => {
      const result = ours(c);
      const code = result.ok ? 'ok' : result.error.code;
      expect(code, result.ok ? '' : result.error.message).toBe(c.expect);
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(TlsError);
        expect(result.error.kind).toBe('certificate');
        expect(result.error.message.length).toBeGreaterThan(30);
      }
      const theirs = opensslVerify(dir, opensslArgs(c));
      if (c.openssl === 'ok') expect(theirs.ok, theirs.output).toBe(true);
      else expect(theirs.errors, theirs.output).toContain(c.openssl);
      // A difference in verdict must be a documented, deliberate one.
      if ((c.expect === 'ok') !== (c.openssl === 'ok')) expect(c.differs).toBeTruthy();
    });
  }

  it('gives the same verdicts with a node:crypto signature verifier (cross-check of src/ciphers/signatures.ts)', () => {
    for (const c of CASES) {
      const result = ours(c, nodeCryptoVerifier);
      expect(result.ok ? 'ok' : result.error.code, c.name).toBe(c.expect);
    }
  });
});

/** A SignatureVerifier over node:crypto, to cross-check ours (keys rebuilt from JWK). */
const nodeCryptoVerifier: SignatureVerifier = (
  algorithm: SignatureAlgorithm,
  key: PublicKey,
  message,
  signature,
) => {
  const b64 = (bytes: Uint8Array | bigint): string => {
    if (typeof bytes === 'bigint') {
      const hex = bytes.toString(16);
      return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
    }
    return Buffer.from(bytes).toString('base64url');
  };
  const size = key.type === 'ec' ? (key.point.length - 1) / 2 : 0;
  const jwk =
    key.type === 'rsa'
      ? { kty: 'RSA', n: b64(key.n), e: b64(key.e) }
      : key.type === 'ec'
        ? {
            kty: 'EC',
            crv: key.curve,
            x: b64(key.point.subarray(1, 1 + size)),
            y: b64(key.point.subarray(1 + size)),
          }
        : { kty: 'OKP', crv: 'Ed25519', x: b64(key.key) };
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  if (algorithm.kind === 'ed25519') return nodeVerify(null, message, publicKey, signature);
  const options =
    algorithm.kind === 'rsa-pss'
      ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength }
      : algorithm.kind === 'ecdsa'
        ? { key: publicKey, dsaEncoding: 'der' as const }
        : { key: publicKey };
  return nodeVerify(algorithm.hash, message, options, signature);
};
