// OpenSSL cipher strings resolved to memtls suites, checked against `openssl ciphers` itself: the same
// suites, in the same order, once OpenSSL's answer is narrowed to the suites memtls speaks.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resolveCipherString, selectOpensslSuites } from '../../src/cli/cipher-string.js';
import { SUITES, suiteByName, TlsError } from '../../src/index.js';

const OURS = new Set(Object.values(SUITES).map((s) => s.opensslName));

/** What `openssl ciphers STRING` lists, narrowed to our suites (OpenSSL names, in its order). */
function openssl(cipherString: string): string[] {
  const out = execFileSync('openssl', ['ciphers', cipherString], { encoding: 'utf8' });
  return out
    .trim()
    .split(':')
    .filter((name) => OURS.has(name));
}

function ours(cipherString: string): string[] {
  return resolveCipherString(cipherString).map((name) => suiteByName(name)!.opensslName);
}

describe('OpenSSL cipher strings', () => {
  const strings = [
    'ECDH+AESGCM',
    'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305',
    'HIGH:!aNULL',
    'DEFAULT',
    'ALL:@STRENGTH',
    'ECDHE:-AES256:+CHACHA20',
    'AESGCM:CHACHA20:-ECDSA:ECDSA',
    'kECDHE+aRSA',
    'ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:ECDH+AES256:!aNULL:!MD5:!DSS',
    'EECDH+AESGCM:EDH+AESGCM',
    'AES128:AES256',
    'HIGH:!AES256:@SECLEVEL=2',
    'CHACHA20:!ECDSA',
    'ECDHE+AES256:ECDHE+AES128:!SHA384:!SHA256:!SHA1',
    'HIGH:-AESGCM:+aRSA:AESGCM',
  ];
  for (const s of strings) {
    it(`'${s}' selects what openssl ciphers selects`, () => {
      const expected = openssl(s);
      expect(expected.length).toBeGreaterThan(0);
      expect(ours(s)).toEqual(expected);
    });
  }

  it('IANA names and comma lists still work', () => {
    expect(
      resolveCipherString('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'),
    ).toEqual(['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256']);
  });

  it('RSA means RSA key exchange and SHA256 a CBC MAC, as in OpenSSL: none is ours, and the error lists them', () => {
    for (const [s, listed] of [
      ['RSA', 'AES128-GCM-SHA256 (RSA key exchange, no forward secrecy)'],
      ['SHA256', 'ECDHE-ECDSA-AES128-SHA256 (AES-128 in CBC mode with HMAC-SHA256, not an AEAD)'],
      ['AES128-SHA', 'AES128-SHA (RSA key exchange'],
    ] as const) {
      expect(openssl(s)).toEqual([]);
      let error: unknown;
      try {
        resolveCipherString(s);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TlsError);
      expect((error as TlsError).message).toContain(listed);
      expect((error as TlsError).message).toContain('memtls speaks ECDHE-ECDSA-AES128-GCM-SHA256');
    }
    expect(selectOpensslSuites('RSA').every((s) => s.kx === 'RSA')).toBe(true);
  });

  it('an unknown word is named', () => {
    expect(() => resolveCipherString('ECDH+AESGMC')).toThrow(
      /'AESGMC' is neither a cipher suite name nor an OpenSSL alias/,
    );
  });
});
