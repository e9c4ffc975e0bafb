// Hostname and IP matching (RFC 9525 §6.3 DNS names and wildcards, §6.2 IP addresses; RFC 4291 §2.2 text forms).

import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/errors.js';
import {
  checkHostname,
  isIpLiteral,
  matchesHostname,
  parseIpAddress,
  parseReferenceIdentity,
} from '../../src/x509/hostname.js';
import { ipText } from '../../src/x509/name.js';
import type { Certificate, GeneralName } from '../../src/x509/types.js';

/** Only subject and subjectAltNames matter to the hostname check. */
function cert(sans: string[] | undefined, commonName = 'cert.test'): Certificate {
  const subjectAltNames = sans?.map((s): GeneralName => {
    const [type, value] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
    if (type === 'IP') {
      const bytes = parseIpAddress(value);
      if (!bytes) throw new Error(`bad IP in test table: ${value}`);
      return { type: 'ip', value: bytes, text: ipText(bytes) };
    }
    return { type: 'dns', value };
  });
  const subject = {
    rdns: [[{ type: 'CN', oid: '2.5.4.3', value: commonName }]],
    text: `CN=${commonName}`,
    der: new Uint8Array(),
  };
  return { subject, subjectAltNames } as unknown as Certificate;
}

// [SANs, hostname, expected]
const TABLE: [string[], string, boolean][] = [
  [['DNS:a.test'], 'a.test', true],
  [['DNS:a.test'], 'A.TEST', true],
  [['DNS:A.Test'], 'a.test', true],
  [['DNS:a.test'], 'a.test.', true],
  [['DNS:a.test.'], 'a.test', true],
  [['DNS:a.test'], 'b.test', false],
  [['DNS:a.test'], 'x.a.test', false],
  [['DNS:x.a.test'], 'a.test', false],
  [['DNS:a.test'], '', false],
  [['DNS:a.test'], '.', false],
  [['DNS:a.test'], 'a..test', false],
  [['DNS:a.test', 'DNS:b.test'], 'b.test', true],
  // Wildcards: only the whole left-most label, exactly one label, at least two labels after it.
  [['DNS:*.a.test'], 'b.a.test', true],
  [['DNS:*.a.test'], 'B.A.TEST.', true],
  [['DNS:*.a.test'], 'a.test', false],
  [['DNS:*.a.test'], 'c.b.a.test', false],
  [['DNS:*.a.test'], '.a.test', false],
  [['DNS:*.a.test'], '*.a.test', false],
  [['DNS:f*.a.test'], 'foo.a.test', false],
  [['DNS:*o.a.test'], 'foo.a.test', false],
  [['DNS:f*o.a.test'], 'foo.a.test', false],
  [['DNS:b.*.test'], 'b.a.test', false],
  [['DNS:*.*.test'], 'b.a.test', false],
  [['DNS:*.test'], 'a.test', false],
  [['DNS:*.com'], 'example.com', false],
  [['DNS:*'], 'a', false],
  [['DNS:*.'], 'a', false],
  // IDNA: A-labels compare as ASCII; a U-label reference is converted to its A-label.
  [['DNS:xn--bcher-kva.test'], 'xn--bcher-kva.test', true],
  [['DNS:xn--bcher-kva.test'], 'XN--BCHER-KVA.TEST', true],
  [['DNS:xn--bcher-kva.test'], 'bücher.test', true],
  [['DNS:*.xn--bcher-kva.test'], 'www.bücher.test', true],
  [['DNS:bucher.test'], 'bücher.test', false],
  // IPv4: only against iPAddress SANs, dotted quads only.
  [['IP:10.0.0.1'], '10.0.0.1', true],
  [['IP:10.0.0.1'], '10.0.0.2', false],
  [['DNS:10.0.0.1'], '10.0.0.1', false],
  [['IP:10.0.0.1'], '010.0.0.1', false],
  [['IP:10.0.0.1'], '10.0.1', false],
  [['IP:10.0.0.1'], '10.0.0.1.', false],
  [['IP:10.0.0.1'], '0x0a.0.0.1', false],
  [['IP:10.0.0.1'], '167772161', false],
  [['DNS:*.0.0.1'], '10.0.0.1', false],
  // IPv6 in any textual form.
  [['IP:::1'], '::1', true],
  [['IP:::1'], '[::1]', true],
  [['IP:::1'], '0:0:0:0:0:0:0:1', true],
  [['IP:::1'], '0000:0000:0000:0000:0000:0000:0000:0001', true],
  [['IP:::1'], '::0:1', true],
  [['IP:::1'], '::2', false],
  [['IP:2001:db8::1'], '2001:DB8::1', true],
  [['IP:2001:db8::1'], '2001:db8:0:0:0:0:0:1', true],
  [['IP:2001:db8::1'], '2001:db8::0:1', true],
  [['IP:2001:db8:1::'], '2001:db8:1:0:0:0:0:0', true],
  [['IP:::ffff:1.2.3.4'], '::ffff:102:304', true],
  [['IP:::ffff:1.2.3.4'], '::FFFF:1.2.3.4', true],
  [['IP:::ffff:1.2.3.4'], '1.2.3.4', false],
  [['IP:1.2.3.4'], '::ffff:1.2.3.4', false],
  [['IP:::1'], '::1%eth0', false],
  [['IP:::1'], ':::1', false],
  [['IP:::1'], '1::2::3', false],
  [['IP:::1'], '[::1', false],
  [['IP:::1'], '1:2:3:4:5:6:7:8:9', false],
  [['IP:::1'], '12345::1', false],
  [['DNS:localhost', 'IP:::1'], 'localhost', true],
  [['DNS:localhost', 'IP:127.0.0.1'], '127.0.0.1', true],
];

describe('matchesHostname', () => {
  for (const [sans, hostname, expected] of TABLE) {
    it(`${sans.join(', ')} ${expected ? 'matches' : 'does not match'} '${hostname}'`, () => {
      expect(matchesHostname(cert(sans), hostname)).toBe(expected);
      const error = checkHostname(cert(sans), hostname);
      expect(error === undefined).toBe(expected);
      if (error) {
        expect(error).toBeInstanceOf(TlsError);
        expect(error.code).toBe('hostname_mismatch');
        expect(error.kind).toBe('certificate');
      }
    });
  }
});

describe('Common Name fallback', () => {
  it('is off by default and the error says how to fix it', () => {
    const error = checkHostname(cert(undefined, 'cn.test'), 'cn.test');
    expect(error?.code).toBe('hostname_mismatch');
    expect(error?.message).toContain("Common Name 'cn.test'");
    expect(error?.message).toContain('subjectAltName = DNS:cn.test');
    expect(error?.message).toContain('allowCommonNameFallback: true');
  });

  it('matches the CN (wildcards too) when allowed and there is no dNSName SAN', () => {
    const options = { allowCommonNameFallback: true };
    expect(matchesHostname(cert(undefined, 'cn.test'), 'CN.test', options)).toBe(true);
    expect(matchesHostname(cert(undefined, '*.cn.test'), 'a.cn.test', options)).toBe(true);
    expect(matchesHostname(cert(['IP:10.0.0.1'], 'cn.test'), 'cn.test', options)).toBe(true);
    expect(matchesHostname(cert(undefined, 'cn.test'), 'other.test', options)).toBe(false);
  });

  it('never uses the CN when a dNSName SAN exists, nor for IP addresses', () => {
    const options = { allowCommonNameFallback: true };
    expect(matchesHostname(cert(['DNS:a.test'], 'cn.test'), 'cn.test', options)).toBe(false);
    expect(matchesHostname(cert(undefined, '10.0.0.1'), '10.0.0.1', options)).toBe(false);
    expect(matchesHostname(cert(['DNS:a.test'], 'cn.test'), 'a.test', options)).toBe(true);
  });

  it('does not suggest the CN when it would not have matched', () => {
    const error = checkHostname(cert(undefined, 'cn.test'), 'other.test');
    expect(error?.message).not.toContain('allowCommonNameFallback');
    expect(error?.message).toContain("(Common Name 'cn.test')");
  });
});

describe('mismatch messages', () => {
  it('lists the names the certificate has', () => {
    const error = checkHostname(cert(['DNS:a.test', 'IP:10.0.0.1'], 'a.test'), 'b.test');
    expect(error?.message).toBe(
      "certificate for 'CN=a.test' does not match 'b.test'; its names are: DNS:a.test, IP:10.0.0.1",
    );
  });

  it('explains that IP addresses need IP SANs', () => {
    const error = checkHostname(cert(['DNS:10.0.0.1']), '10.0.0.1');
    expect(error?.message).toContain('subjectAltName = IP:10.0.0.1');
    expect(error?.message).toContain('its names are: DNS:10.0.0.1');
  });

  it('says when the hostname is neither a name nor an address', () => {
    expect(checkHostname(cert(['DNS:a.test']), '010.0.0.1')?.message).toContain(
      'not a valid DNS name or IP address',
    );
    expect(checkHostname(cert(['DNS:a.test']), 'a b.test')?.message).toContain(
      'not a valid DNS name or IP address',
    );
  });
});

describe('IP address parsing and formatting', () => {
  it('parses and prints canonical forms (RFC 5952)', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', '127.0.0.1'],
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['2001:0DB8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['fe80::1:2', 'fe80::1:2'],
      ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ];
    for (const [input, canonical] of cases) {
      const bytes = parseIpAddress(input);
      expect(bytes, input).toBeDefined();
      expect(ipText(bytes!)).toBe(canonical);
      expect(parseIpAddress(canonical)).toEqual(bytes);
    }
  });

  it('classifies references', () => {
    expect(parseReferenceIdentity('Example.TEST.')).toEqual({ type: 'dns', name: 'example.test' });
    expect(parseReferenceIdentity('[::1]')?.type).toBe('ip');
    expect(parseReferenceIdentity('256.1.1.1')).toBeUndefined();
    expect(parseReferenceIdentity('a_b.test')).toEqual({ type: 'dns', name: 'a_b.test' });
    expect(parseReferenceIdentity('a/b.test')).toBeUndefined();
  });
});

describe('isIpLiteral: the one IP-literal parser decides where a client sends no SNI (RFC 6066 §3)', () => {
  it('is true for what parseIpAddress reads, bracketed or with an IPv6 zone', () => {
    for (const host of [
      '192.0.2.1',
      '::1',
      '[2001:db8::1]',
      'fe80::1%eth0',
      '[fe80::1%25eth0]',
      '::ffff:192.0.2.1',
    ]) {
      expect(isIpLiteral(host), host).toBe(true);
    }
  });

  it('is false for names and for strings that only look like addresses (as Go net.ParseIP)', () => {
    for (const host of [
      'example.com',
      'localhost',
      '999.1.1.1',
      '010.0.0.1',
      '1.2.3',
      '::g',
      '%eth0',
      '[]',
    ]) {
      expect(isIpLiteral(host), host).toBe(false);
    }
  });
});
