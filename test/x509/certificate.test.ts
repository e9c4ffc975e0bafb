// parseCertificate (RFC 5280 §4.1, §4.2) against openssl's view of the test PKI, plus crafted edge cases.

import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/errors.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { generalNameText } from '../../src/x509/name.js';
import { certOf, pkiDir } from '../helpers/pki.js';
import { bytes, name, oid, seq, tlv } from './der.js';

const run = promisify(execFile);
let dir = '';
beforeAll(() => {
  dir = pkiDir();
});

function thrown(fn: () => unknown): TlsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TlsError);
    return error as TlsError;
  }
  throw new Error('expected a TlsError');
}

describe('parseCertificate on the openssl test PKI', () => {
  it('agrees with `openssl x509` on every certificate', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.pem') && !f.endsWith('-chain.pem'));
    expect(files.length).toBeGreaterThan(40);
    const args = ['-noout', '-text', '-subject', '-issuer', '-serial', '-dates', '-dateopt', 'iso_8601'];
    const outputs = await Promise.all(
      files.map((file) =>
        run('openssl', ['x509', '-in', file, ...args, '-fingerprint', '-sha256'], {
          cwd: dir,
          encoding: 'utf8',
        }),
      ),
    );
    files.forEach((file, i) => {
      const out = outputs[i]!.stdout;
      const cert = parseCertificate(certOf(dir, file));
      const field = (re: RegExp): string => re.exec(out)?.[1] ?? `missing ${re}`;
      const dn = (text: string): string => text.replaceAll(' = ', '=');
      const iso = (text: string): string => text.replace(' ', 'T').replace('Z', '.000Z');
      expect(cert.subject.text, file).toBe(dn(field(/^subject=(.*)$/m)));
      expect(cert.issuer.text, file).toBe(dn(field(/^issuer=(.*)$/m)));
      expect(cert.serialNumber.toUpperCase(), file).toBe(field(/^serial=(.*)$/m));
      expect(new Date(cert.notBefore).toISOString(), file).toBe(iso(field(/^notBefore=(.*)$/m)));
      expect(new Date(cert.notAfter).toISOString(), file).toBe(iso(field(/^notAfter=(.*)$/m)));
      expect(cert.version, file).toBe(Number(field(/Version: (\d)/)));
      expect(cert.signatureAlgorithmName, file).toBe(field(/Signature Algorithm: (\S+)/));
      expect(cert.fingerprintSha256.toUpperCase(), file).toBe(field(/Fingerprint=(.*)$/m));
      const san = /X509v3 Subject Alternative Name:.*\n\s*(.*)/.exec(out)?.[1];
      const ours = (cert.subjectAltNames ?? [])
        .map(generalNameText)
        .map((t) => t.replace(/^IP:/, 'IP Address:'));
      const theirs = san
        ? san.split(', ').map((t) => (t === 'IP Address:0:0:0:0:0:0:0:1' ? 'IP Address:::1' : t))
        : [];
      expect(ours, file).toEqual(theirs);
    });
  });

  it('reads the extensions of a typical server certificate', () => {
    const cert = parseCertificate(certOf(dir, 'server-rsa.pem'));
    const root = parseCertificate(certOf(dir, 'root.pem'));
    expect(cert.version).toBe(3);
    expect(cert.basicConstraints).toEqual({ ca: false, pathLength: undefined });
    expect(cert.keyUsage?.digitalSignature).toBe(true);
    expect(cert.keyUsage?.keyEncipherment).toBe(true);
    expect(cert.keyUsage?.keyCertSign).toBe(false);
    expect(cert.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.extensions.find((e) => e.oid === '2.5.29.15')?.critical).toBe(true);
    expect(cert.authorityKeyIdentifier).toEqual(root.subjectKeyIdentifier);
    expect(cert.subjectKeyIdentifier?.length).toBe(20);
    expect(cert.publicKey).toMatchObject({ type: 'rsa', bits: 2048, e: 65537n });
    expect(cert.signatureAlgorithm).toEqual({ kind: 'rsa-pkcs1', hash: 'sha256' });
    expect(root.publicKey).toMatchObject({ type: 'rsa', bits: 4096 });
    expect(cert.unknownCriticalExtensions).toEqual([]);
  });

  it('reads v1 certificates (no extensions)', () => {
    const cert = parseCertificate(certOf(dir, 'v1-server.pem'));
    expect(cert.version).toBe(1);
    expect(cert.extensions).toEqual([]);
    expect(cert.basicConstraints).toBeUndefined();
    expect(cert.subjectAltNames).toBeUndefined();
  });

  it('reads key types: P-256 (compressed too), P-384, Ed25519, RSASSA-PSS', () => {
    const p256 = parseCertificate(certOf(dir, 'server-p256-compressed.pem')).publicKey;
    expect(p256?.type === 'ec' && p256.curve === 'P-256' && p256.point.length === 65 && p256.point[0]).toBe(
      4,
    );
    const p384 = parseCertificate(certOf(dir, 'server-p384.pem')).publicKey;
    expect(p384?.type === 'ec' && p384.curve === 'P-384' && p384.point.length).toBe(97);
    const ed = parseCertificate(certOf(dir, 'server-ed25519.pem')).publicKey;
    expect(ed?.type === 'ed25519' && ed.key.length).toBe(32);
    const pss = parseCertificate(certOf(dir, 'server-pss-key.pem'));
    expect(pss.publicKeyAlgorithmOid).toBe('1.2.840.113549.1.1.10');
    expect(pss.publicKey?.type).toBe('rsa');
    expect(parseCertificate(certOf(dir, 'server-rsa-pss.pem')).signatureAlgorithm).toEqual({
      kind: 'rsa-pss',
      hash: 'sha256',
      saltLength: 32,
    });
  });

  it('reads constraints, pathlen, SAN kinds and unknown critical extensions', () => {
    const nc = parseCertificate(certOf(dir, 'nc-inter.pem')).nameConstraints;
    expect(nc?.permitted.map(generalNameText)).toEqual(['DNS:.good.test', 'IP:10.0.0.0/8']);
    expect(nc?.excluded.map(generalNameText)).toEqual(['DNS:bad.good.test']);
    expect(parseCertificate(certOf(dir, 'pathlen0-inter.pem')).basicConstraints).toEqual({
      ca: true,
      pathLength: 0,
    });
    const client = parseCertificate(certOf(dir, 'client.pem'));
    expect(client.subjectAltNames?.map(generalNameText)).toEqual([
      'DNS:client1.test',
      'email:client1@memtls.test',
    ]);
    const critical = parseCertificate(certOf(dir, 'critical-ext.pem'));
    expect(critical.unknownCriticalExtensions).toEqual(['1.3.6.1.4.1.55555.1']);
    expect(critical.extensions.some((e) => e.oid === '1.3.6.1.4.1.55555.1' && e.critical)).toBe(true);
    const sha1 = parseCertificate(certOf(dir, 'sha1.pem'));
    expect(sha1.signatureAlgorithm).toBeUndefined();
    expect(sha1.weakSignatureHash).toBe('sha1');
    expect(sha1.signatureAlgorithmName).toBe('sha1WithRSAEncryption');
  });
});

// --- crafted certificates -----------------------------------------------------------------------

const ED25519_SPKI = seq(seq(oid('1.3.101.112')), tlv(0x03, bytes(0), new Uint8Array(32).fill(7)));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const utcTime = (s: string) => tlv(0x17, new TextEncoder().encode(s));
const generalizedTime = (s: string) => tlv(0x18, new TextEncoder().encode(s));
const extension = (id: string, value: Uint8Array, critical = false) =>
  seq(oid(id), ...(critical ? [tlv(0x01, bytes(0xff))] : []), tlv(0x04, value));

interface Craft {
  version?: Uint8Array | null;
  serial?: Uint8Array;
  innerAlgorithm?: Uint8Array;
  outerAlgorithm?: Uint8Array;
  subject?: Uint8Array;
  notBefore?: Uint8Array;
  notAfter?: Uint8Array;
  spki?: Uint8Array;
  extensions?: Uint8Array[];
}

function craft(c: Craft = {}): Uint8Array {
  const version = c.version === undefined ? tlv(0xa0, tlv(0x02, bytes(2))) : (c.version ?? new Uint8Array());
  const tbs = seq(
    version,
    tlv(0x02, c.serial ?? bytes(1)),
    c.innerAlgorithm ?? ECDSA_SHA256,
    name(['2.5.4.3', 'Crafted CA']),
    seq(c.notBefore ?? utcTime('250101000000Z'), c.notAfter ?? generalizedTime('20500101000000Z')),
    c.subject ?? name(['2.5.4.6', 'DE'], ['2.5.4.3', 'crafted']),
    c.spki ?? ED25519_SPKI,
    ...(c.extensions ? [tlv(0xa3, seq(...c.extensions))] : []),
  );
  return seq(tbs, c.outerAlgorithm ?? ECDSA_SHA256, tlv(0x03, bytes(0, 1, 2, 3)));
}

describe('parseCertificate on crafted DER', () => {
  it('parses the crafted baseline', () => {
    const cert = parseCertificate(
      craft({ extensions: [extension('2.5.29.19', seq(tlv(0x01, bytes(0xff))), true)] }),
    );
    expect(cert.subject.text).toBe('C=DE, CN=crafted');
    expect(cert.notBefore).toBe(Date.UTC(2025, 0, 1));
    expect(cert.notAfter).toBe(Date.UTC(2050, 0, 1));
    expect(cert.basicConstraints).toEqual({ ca: true, pathLength: undefined });
  });

  it('refuses duplicate extensions, extensions in v1, and a mismatched inner algorithm', () => {
    const bc = extension('2.5.29.19', seq());
    expect(thrown(() => parseCertificate(craft({ extensions: [bc, bc] }))).message).toContain(
      'more than once',
    );
    expect(thrown(() => parseCertificate(craft({ version: null, extensions: [bc] }))).message).toContain(
      'version 1',
    );
    const sha384 = seq(oid('1.2.840.10045.4.3.3'));
    expect(thrown(() => parseCertificate(craft({ innerAlgorithm: sha384 }))).message).toContain('differs');
  });

  it('refuses DER violations: trailing data, long-form short lengths, indefinite lengths', () => {
    const good = craft();
    const cases = [
      new Uint8Array([...good, 0]),
      new Uint8Array([0x30, 0x81, 0x03, 0x02, 0x01, 0x01]),
      new Uint8Array([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]),
      new Uint8Array([0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x01]),
      new Uint8Array(),
    ];
    for (const der of cases) {
      const error = thrown(() => parseCertificate(der));
      expect(error.kind).toBe('certificate');
      expect(error.code).toBe('decode_error');
    }
  });

  it('accepts a length that is a multiple of 256 (asn1js 3.1 warns on it by mistake)', () => {
    const subject = name(['2.5.4.3', 'x'.repeat(300 - 13)]);
    const cert = parseCertificate(craft({ subject }));
    expect(cert.subject.text).toBe(`CN=${'x'.repeat(287)}`);
  });

  it('reports config certificates as local bad_config', () => {
    const error = thrown(() =>
      parseCertificate(new Uint8Array([1, 2, 3]), { source: 'config', what: 'cert' }),
    );
    expect(error.kind).toBe('local');
    expect(error.code).toBe('bad_config');
    expect(error.message).toMatch(/^cert: /);
  });

  it('keeps weak and unknown signature algorithms by name', () => {
    const md5 = seq(oid('1.2.840.113549.1.1.4'), tlv(0x05));
    const weak = parseCertificate(craft({ innerAlgorithm: md5, outerAlgorithm: md5 }));
    expect(weak.weakSignatureHash).toBe('md5');
    expect(weak.signatureAlgorithmName).toBe('md5WithRSAEncryption');
    const unknown = seq(oid('1.2.3.4'));
    const odd = parseCertificate(craft({ innerAlgorithm: unknown, outerAlgorithm: unknown }));
    expect(odd.signatureAlgorithm).toBeUndefined();
    expect(odd.signatureAlgorithmName).toBe('1.2.3.4');
    expect(odd.weakSignatureHash).toBeUndefined();
  });

  it('reads RSASSA-PSS parameters (RFC 4055 §3.1)', () => {
    const hash = (o: string) => seq(oid(o), tlv(0x05));
    const pss = (...fields: Uint8Array[]) => seq(oid('1.2.840.113549.1.1.10'), seq(...fields));
    const algorithmOf = (alg: Uint8Array) =>
      parseCertificate(craft({ innerAlgorithm: alg, outerAlgorithm: alg }));
    const sha384 = '2.16.840.1.101.3.4.2.2';
    const mgf1 = (o: string) => seq(oid('1.2.840.113549.1.1.8'), hash(o));
    const full = algorithmOf(
      pss(tlv(0xa0, hash(sha384)), tlv(0xa1, mgf1(sha384)), tlv(0xa2, tlv(0x02, bytes(48)))),
    );
    expect(full.signatureAlgorithm).toEqual({ kind: 'rsa-pss', hash: 'sha384', saltLength: 48 });
    const mismatch = algorithmOf(pss(tlv(0xa0, hash(sha384)), tlv(0xa1, mgf1('2.16.840.1.101.3.4.2.1'))));
    expect(mismatch.signatureAlgorithm).toBeUndefined();
    expect(mismatch.weakSignatureHash).toBeUndefined();
    expect(algorithmOf(pss()).weakSignatureHash).toBe('sha1');
  });

  it('formats serial numbers as openssl does', () => {
    expect(parseCertificate(craft({ serial: bytes(0x00, 0x80) })).serialNumber).toBe('80');
    expect(parseCertificate(craft({ serial: bytes(0x01, 0x02) })).serialNumber).toBe('0102');
    expect(parseCertificate(craft({ serial: bytes(0xff) })).serialNumber).toBe('-01');
    expect(thrown(() => parseCertificate(craft({ serial: bytes(0x00, 0x01) }))).code).toBe('decode_error');
  });

  it('applies the UTCTime 50-year rule and checks dates', () => {
    const at = (t: Uint8Array) => parseCertificate(craft({ notBefore: t })).notBefore;
    expect(at(utcTime('491231235959Z'))).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(at(utcTime('500101000000Z'))).toBe(Date.UTC(1950, 0, 1));
    expect(at(generalizedTime('19991231235959Z'))).toBe(Date.UTC(1999, 11, 31, 23, 59, 59));
    for (const bad of [
      utcTime('250230000000Z'),
      utcTime('2501010000Z'),
      utcTime('250101000000+0100'),
      generalizedTime('20250101000000.5Z'),
      generalizedTime('20251301000000Z'),
      utcTime('250101240000Z'),
    ]) {
      expect(thrown(() => at(bad)).code).toBe('decode_error');
    }
  });

  it('decodes name string types and escapes display values', () => {
    const attr = (type: string, tag: number, value: Uint8Array) => tlv(0x31, seq(oid(type), tlv(tag, value)));
    const subject = seq(
      attr('2.5.4.10', 0x14, bytes(0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72)), // TeletexString as Latin-1: Müller
      attr('2.5.4.11', 0x1e, bytes(0x00, 0x41, 0x20, 0xac)), // BMPString: A€
      attr('2.5.4.7', 0x1c, bytes(0, 1, 0xf6, 0x00)), // UniversalString: U+1F600
      attr('2.5.4.3', 0x0c, new TextEncoder().encode('a, b+c')),
      attr('1.2.3.4', 0x02, bytes(5)), // not a string: shown as #hex of its DER
      tlv(
        0x31,
        seq(oid('2.5.4.3'), tlv(0x13, bytes(0x78))),
        seq(oid('0.9.2342.19200300.100.1.25'), tlv(0x16, bytes(0x79))),
      ),
    );
    expect(parseCertificate(craft({ subject })).subject.text).toBe(
      'O=Müller, OU=A€, L=\u{1f600}, CN=a\\, b\\+c, 1.2.3.4=#020105, CN=x + DC=y',
    );
    const badUtf8 = seq(attr('2.5.4.3', 0x0c, bytes(0xc3, 0x28)));
    expect(thrown(() => parseCertificate(craft({ subject: badUtf8 }))).code).toBe('decode_error');
  });

  it('keeps unknown key types without a key', () => {
    const ed448 = seq(seq(oid('1.3.101.113')), tlv(0x03, bytes(0), new Uint8Array(57)));
    const cert = parseCertificate(craft({ spki: ed448 }));
    expect(cert.publicKey).toBeUndefined();
    expect(cert.publicKeyAlgorithmOid).toBe('1.3.101.113');
    const badPoint = seq(
      seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')),
      tlv(0x03, bytes(0, 4, 1, 2)),
    );
    expect(thrown(() => parseCertificate(craft({ spki: badPoint }))).message).toContain('not a valid point');
  });
});
