// The certificate profile (src/x509/profile.ts): what strict verifiers refuse is refused with a code
// naming the rule, and the OpenSSL-CLI private PKI shapes keep verifying (test/fixtures/make-profile-pki.sh).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveClientConfig } from '../../src/config.js';
import { authenticatePeer } from '../../src/handshake/shared.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { verifyChain } from '../../src/x509/verify.js';
import { certOf, certsOf } from '../helpers/pki.js';

const MAKE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'make-profile-pki.sh');
let dir = '';
let now = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtls-profile-pki-'));
  execFileSync('bash', [MAKE, dir], { stdio: 'pipe' });
  now = Date.now() + 1000;
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Case {
  /** Leaf file, or NAME-chain.pem (leaf first). */
  chain: string;
  root?: string;
  usage?: 'server' | 'client';
  minRsaKeyBits?: number;
}

function verdict(c: Case) {
  return verifyChain({
    chain: certsOf(dir, c.chain),
    root: certOf(dir, c.root ?? 'root.pem'),
    now,
    usage: c.usage ?? 'server',
    hostname: (c.usage ?? 'server') === 'server' ? 'server.test' : undefined,
    ...(c.minRsaKeyBits === undefined ? {} : { minRsaKeyBits: c.minRsaKeyBits }),
  });
}

function refused(c: Case, code: string, alert = 'bad_certificate'): string {
  const result = verdict(c);
  expect(result.ok, `${c.chain} should be refused with ${code}`).toBe(false);
  if (result.ok) return '';
  expect(result.error.kind).toBe('certificate');
  expect(result.error.code).toBe(code);
  expect(result.error.alertSent).toBe(alert);
  return result.error.message;
}

function accepted(c: Case): void {
  const result = verdict(c);
  expect(result.ok ? 'ok' : `${result.error.code}: ${result.error.message}`).toBe('ok');
}

describe('RSA keys', () => {
  it('refuses a 1024-bit RSA leaf key by default, naming minRsaKeyBits and how to regenerate', () => {
    const message = refused({ chain: 'rsa1024.pem' }, 'weak_key');
    expect(message).toContain('1024-bit RSA key');
    expect(message).toContain('minRsaKeyBits');
    expect(message).toContain('openssl genrsa');
  });

  it('accepts the 1024-bit leaf when minRsaKeyBits is lowered to 1024', () => {
    accepted({ chain: 'rsa1024.pem', minRsaKeyBits: 1024 });
  });

  it('throws a local bad_config error for a minRsaKeyBits outside 1024..16384', () => {
    for (const minRsaKeyBits of [512, 2048.5, Number.NaN]) {
      expect(() => verdict({ chain: 'rsa1024.pem', minRsaKeyBits })).toThrowError(
        expect.objectContaining({ kind: 'local', code: 'bad_config' }),
      );
    }
  });

  it('refuses a 1024-bit RSA pinned root', () => {
    expect(refused({ chain: 'rsa1024-root-leaf.pem', root: 'rsa1024-root.pem' }, 'weak_key')).toContain(
      'Profile RSA-1024 Root',
    );
  });

  it('refuses an RSA modulus that is not a whole number of bytes (2052 bits)', () => {
    expect(refused({ chain: 'rsa2052.pem' }, 'weak_key')).toContain('not a whole number of bytes');
  });

  it('refuses a PKCS#1 v1.5 signature made by an RSASSA-PSS-restricted key', () => {
    const message = refused({ chain: 'pss-root-leaf.pem', root: 'pss-root.pem' }, 'rsa_pss_key_mismatch');
    expect(message).toContain('RFC 4055');
    // The same key as rsaEncryption may make that signature.
    accepted({ chain: 'pss-root-leaf.pem', root: 'pss-root-pkcs1.pem' });
  });

  it('accepts a PSS signature that respects the key parameters (SHA-256, salt 32)', () => {
    accepted({ chain: 'pss-root-ok-leaf.pem', root: 'pss-root.pem' });
  });

  it('refuses an RSASSA-PSS leaf key in the handshake, which could sign only with rsa_pss_pss_*', () => {
    const cfg = resolveClientConfig({
      ca: certOf(dir, 'root.pem'),
      serverName: 'server.test',
      now: () => now,
    });
    accepted({ chain: 'pss-key-leaf.pem' });
    expect(() =>
      authenticatePeer(cfg, certsOf(dir, 'pss-key-leaf.pem'), 'server', 'server.test'),
    ).toThrowError(
      expect.objectContaining({ code: 'unsupported_algorithm', alertSent: 'unsupported_certificate' }),
    );
    expect(
      authenticatePeer(cfg, certsOf(dir, 'server-p256.pem'), 'server', 'server.test').identity.commonName,
    ).toBe('server.test');
  });
});

describe('CA markings', () => {
  it('refuses a leaf with keyCertSign that is not a CA', () => {
    expect(refused({ chain: 'ku-certsign.pem' }, 'bad_key_usage', 'unsupported_certificate')).toContain(
      'RFC 5280 §4.2.1.9',
    );
  });

  it('refuses an intermediate CA whose basicConstraints is not critical', () => {
    expect(refused({ chain: 'bc-noncrit-inter-leaf-chain.pem' }, 'bad_basic_constraints')).toContain(
      'Noncritical BC Inter',
    );
  });

  it('refuses a pinned root whose basicConstraints is not critical', () => {
    refused({ chain: 'bc-noncrit-root-leaf.pem', root: 'bc-noncrit-root.pem' }, 'bad_basic_constraints');
  });

  it('refuses a CA with an empty subject', () => {
    refused({ chain: 'empty-subject-inter-leaf-chain.pem' }, 'empty_ca_subject');
  });
});

describe('name constraints and dNSNames', () => {
  it('refuses name constraints that are not critical', () => {
    expect(refused({ chain: 'nc-noncrit-inter-leaf-chain.pem' }, 'bad_name_constraints')).toContain(
      'is not critical',
    );
  });

  it('refuses name constraints in a leaf', () => {
    expect(refused({ chain: 'nc-leaf.pem' }, 'bad_name_constraints')).toContain('not a CA');
  });

  it('refuses a nameConstraints extension with both subtree lists empty', () => {
    expect(refused({ chain: 'nc-empty-inter-leaf-chain.pem' }, 'bad_name_constraints')).toContain(
      'neither permitted nor excluded',
    );
  });

  it('refuses a dNSName constraint with an underscore or an empty label', () => {
    expect(refused({ chain: 'nc-underscore-inter-leaf-chain.pem' }, 'bad_name_constraints')).toContain(
      'underscore',
    );
    expect(refused({ chain: 'nc-emptylabel-inter-leaf-chain.pem' }, 'bad_name_constraints')).toContain(
      'empty label',
    );
  });

  it('accepts a leading dot in a dNSName constraint', () => {
    accepted({ chain: 'nc-dot-inter-leaf-chain.pem' });
  });

  it('refuses SAN dNSNames with an underscore, a leading dot or an empty label', () => {
    expect(refused({ chain: 'san-underscore.pem' }, 'bad_dns_name')).toContain('under_score.test');
    expect(refused({ chain: 'san-dot.pem' }, 'bad_dns_name')).toContain('starts with a dot');
    expect(refused({ chain: 'san-emptylabel.pem' }, 'bad_dns_name')).toContain('empty label');
  });
});

describe('serials, AKI, AIA', () => {
  it('refuses zero, negative and 21-octet serial numbers', () => {
    expect(refused({ chain: 'serial-zero.pem' }, 'bad_serial_number')).toContain('is zero');
    expect(refused({ chain: 'serial-negative.pem' }, 'bad_serial_number')).toContain('is negative');
    expect(refused({ chain: 'serial-21.pem' }, 'bad_serial_number')).toContain('21 octets');
  });

  it('accepts a 20-octet serial with its high bit set (21 DER bytes with the sign byte)', () => {
    accepted({ chain: 'serial-20.pem' });
  });

  it('refuses a critical authorityKeyIdentifier', () => {
    expect(refused({ chain: 'aki-critical.pem' }, 'bad_extension')).toContain('RFC 5280 §4.2.1.1');
  });

  it('refuses a malformed authorityInfoAccess (empty, or not a SEQUENCE)', () => {
    expect(refused({ chain: 'aia-empty.pem' }, 'bad_extension')).toContain('authorityInfoAccess');
    refused({ chain: 'aia-garbage.pem' }, 'bad_extension');
  });
});

describe('extended key usage and identity', () => {
  it('refuses a leaf whose EKU is anyExtendedKeyUsage only', () => {
    expect(refused({ chain: 'eku-any.pem' }, 'bad_extended_key_usage', 'unsupported_certificate')).toContain(
      'without serverAuth',
    );
  });

  it('refuses a leaf whose critical EKU holds an unknown purpose and anyExtendedKeyUsage', () => {
    refused({ chain: 'eku-critical-unknown.pem' }, 'bad_extended_key_usage', 'unsupported_certificate');
  });

  it('refuses a leaf whose critical EKU names serverAuth next to an unknown purpose', () => {
    const message = refused(
      { chain: 'eku-critical-mixed.pem' },
      'bad_extended_key_usage',
      'unsupported_certificate',
    );
    expect(message).toContain('1.3.6.1.4.1.55555.7');
  });

  it('accepts a critical EKU that holds serverAuth only', () => {
    accepted({ chain: 'eku-critical-server.pem' });
  });

  it('refuses a leaf under a pinned root whose EKU excludes the usage asked for', () => {
    const c = { chain: 'eku-client-root-leaf.pem', root: 'eku-client-root.pem' };
    expect(refused(c, 'bad_extended_key_usage', 'unsupported_certificate')).toContain('pinned root');
  });

  it('refuses a subject with several Common Names (CN=device7, CN=admin), never reporting one', () => {
    const message = refused({ chain: 'two-cn.pem', usage: 'client' }, 'ambiguous_common_name');
    expect(message).toContain('device7, admin');
  });
});

describe('what OpenSSL-CLI private PKIs rely on keeps verifying', () => {
  it('a v1 leaf without extensions (openssl x509 -req -CAcreateserial)', () => {
    expect(parseCertificate(certOf(dir, 'v1-leaf.pem')).version).toBe(1);
    accepted({ chain: 'v1-leaf.pem', usage: 'client' });
  });

  it('a root without SKI/AKI and a leaf without AKI', () => {
    accepted({ chain: 'plain-root-leaf.pem', root: 'plain-root.pem' });
  });

  it('a self-signed certificate pinned as its own root', () => {
    accepted({ chain: 'self-signed.pem', root: 'self-signed.pem' });
  });
});
