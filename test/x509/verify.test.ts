// verifyChain behaviour on the test PKI: messages, identity, path building, rotation, bounds, tampering.

import { beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/errors.js';
import { verifyChain } from '../../src/x509/verify.js';
import { certOf, certsOf, pkiDir } from '../helpers/pki.js';

let dir = '';
/** Set after the PKI exists: a freshly made certificate is valid from the second it was made. */
let now = 0;

beforeAll(() => {
  dir = pkiDir();
  now = Date.now();
});

const S = 'server.test';

interface Case {
  leaf: string;
  untrusted?: string;
  hostname?: string;
}

function ours(c: Case) {
  const chain = [certOf(dir, c.leaf), ...(c.untrusted ? certsOf(dir, c.untrusted) : [])];
  return verifyChain({ chain, root: certOf(dir, 'root.pem'), now, usage: 'server', hostname: c.hostname });
}

describe('verifyChain messages and identity', () => {
  it('says how to fix a CN-only certificate', () => {
    const result = ours({ leaf: 'v1-server.pem', hostname: S });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('subjectAltName = DNS:server.test');
    expect(result.error.message).toContain('allowCommonNameFallback: true');
    expect(result.error.alertSent).toBe('bad_certificate');
  });

  it('names the expiry date in ISO form', () => {
    const result = ours({ leaf: 'expired.pem' });
    expect(!result.ok && result.error.message).toContain('2021-01-01T00:00:00Z');
    expect(!result.ok && result.error.alertSent).toBe('certificate_expired');
  });

  it("names the leaf's issuer and the pinned root when there is no path", () => {
    const result = ours({ leaf: 'leaf-via-inter.pem' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain("'C=DE, O=memtls test, CN=memtls Test Intermediate'");
    expect(result.error.message).toContain("'C=DE, O=memtls test, CN=memtls Test Root'");
    expect(result.error.alertSent).toBe('unknown_ca');
  });

  it('returns the path and the identity of the leaf', () => {
    const result = ours({ leaf: 'leaf-via-inter.pem', untrusted: 'inter.pem', hostname: S });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.path.map((c) => c.subject.text)).toEqual([
      'C=DE, O=memtls test, CN=server.test',
      'C=DE, O=memtls test, CN=memtls Test Intermediate',
      'C=DE, O=memtls test, CN=memtls Test Root',
    ]);
    expect(result.identity.commonName).toBe('server.test');
    expect(result.identity.subjectAltNames).toEqual(['DNS:server.test', 'DNS:client1.test']);
    expect(result.identity.subject).toBe('C=DE, O=memtls test, CN=server.test');
    expect(result.identity.fingerprintSha256).toMatch(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    expect(result.identity.certificate.der).toEqual(certOf(dir, 'leaf-via-inter.pem'));
  });

  it('builds paths from intermediates in any order, with the root and strays sent too', () => {
    const leaf = certOf(dir, 'leaf-via-sub.pem');
    const [, sub, pathlen0] = certsOf(dir, 'leaf-via-sub-chain.pem') as [Uint8Array, Uint8Array, Uint8Array];
    const root = certOf(dir, 'root.pem');
    const stray = certOf(dir, 'wrong-root.pem');
    for (const rest of [
      [sub, pathlen0],
      [pathlen0, sub],
      [stray, pathlen0, root, sub],
    ]) {
      const result = verifyChain({ chain: [leaf, ...rest], root, now, usage: 'server' });
      // This path is found, and refused for its path length: proof the order did not matter.
      expect(!result.ok && result.error.code).toBe('path_too_long');
    }
    const inter = certOf(dir, 'inter.pem');
    const ok = verifyChain({
      chain: [certOf(dir, 'leaf-via-inter.pem'), root, stray, inter],
      root,
      now,
      usage: 'server',
    });
    expect(ok.ok).toBe(true);
    if (ok.ok)
      expect(ok.path.map((c) => c.subject.text.split('CN=')[1])).toEqual([
        'server.test',
        'memtls Test Intermediate',
        'memtls Test Root',
      ]);
  });

  it('never trusts the peer copy of a root that is not pinned', () => {
    const chain = [certOf(dir, 'wrong-root-leaf.pem'), certOf(dir, 'wrong-root.pem')];
    const result = verifyChain({ chain, root: certOf(dir, 'root.pem'), now, usage: 'server' });
    expect(!result.ok && result.error.code).toBe('unknown_ca');
  });

  it('accepts any root of a rotation list', () => {
    const chain = [certOf(dir, 'wrong-root-leaf.pem')];
    const root = [certOf(dir, 'root.pem'), certOf(dir, 'wrong-root.pem')];
    expect(verifyChain({ chain, root, now, usage: 'server', hostname: S }).ok).toBe(true);
  });

  it('bounds the depth', () => {
    const chain = [certOf(dir, 'leaf-via-inter.pem'), certOf(dir, 'inter.pem')];
    const root = certOf(dir, 'root.pem');
    expect(verifyChain({ chain, root, now, usage: 'server', maxDepth: 2 }).ok).toBe(true);
    const result = verifyChain({ chain, root, now, usage: 'server', maxDepth: 1 });
    expect(!result.ok && result.error.code).toBe('path_too_long');
  });

  it('refuses altered certificates with bad_signature', () => {
    const root = certOf(dir, 'root.pem');
    for (const [file, at] of [
      ['server-p256.pem', -5], // in the signature
      ['server-p256.pem', 20], // in the serial number
    ] as const) {
      const der = certOf(dir, file).slice();
      const index = at < 0 ? der.length + at : at;
      der[index] = der[index]! ^ 1;
      const result = verifyChain({ chain: [der], root, now, usage: 'server' });
      expect(!result.ok && result.error.code, file).toBe('bad_signature');
    }
  });

  it('reports an empty chain and malformed certificates', () => {
    const root = certOf(dir, 'root.pem');
    const empty = verifyChain({ chain: [], root, now, usage: 'client' });
    expect(!empty.ok && empty.error.code).toBe('empty_chain');
    const junk = verifyChain({ chain: [new Uint8Array([0x30, 0x03, 1, 2, 3])], root, now, usage: 'client' });
    expect(!junk.ok && junk.error.code).toBe('decode_error');
    expect(!junk.ok && junk.error.kind).toBe('certificate');
  });

  it('throws a local bad_config error for a malformed or missing root', () => {
    const chain = [certOf(dir, 'server-p256.pem')];
    const bad = () => verifyChain({ chain, root: new Uint8Array([1, 2, 3]), now, usage: 'server' });
    expect(bad).toThrowError(TlsError);
    expect(() => verifyChain({ chain, root: [], now, usage: 'server' })).toThrowError(/no pinned root/);
    try {
      bad();
    } catch (error) {
      expect((error as TlsError).kind).toBe('local');
      expect((error as TlsError).code).toBe('bad_config');
    }
  });

  it('refuses the pinned root itself as the leaf (a CA as end entity)', () => {
    const root = certOf(dir, 'root.pem');
    const result = verifyChain({ chain: [root], root, now, usage: 'server' });
    expect(!result.ok && result.error.code).toBe('ca_as_end_entity');
  });
});
