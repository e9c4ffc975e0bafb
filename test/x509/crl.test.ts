// CRLs (RFC 5280 §5, §6.3): issuing (checked by `openssl crl`), parsing (ours and `openssl ca -gencrl`'s),
// and revocation in verifyChain for leaves and intermediates, agreeing with `openssl verify -crl_check`.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTlsError, TlsError } from '../../src/errors.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseCrl } from '../../src/x509/crl.js';
import { createRoot, type IssuedCertificate, issueCertificate } from '../../src/x509/issue.js';
import { issueCrl } from '../../src/x509/issue-crl.js';
import { toDerList } from '../../src/x509/pem.js';
import { compileRevocationLists, RevocationLists } from '../../src/x509/revocation.js';
import { verifyChain } from '../../src/x509/verify.js';
import { type OpensslCa, opensslCa } from '../helpers/openssl-ca.js';
import { opensslVerify } from '../helpers/pki.js';

const DAY = 86_400_000;
const NOW = Date.now();

let dir: string;
let root: IssuedCertificate;
let good: IssuedCertificate;
let bad: IssuedCertificate;
let crlPem: string;

function serialOf(cert: IssuedCertificate): string {
  return parseCertificate(cert.certificate).serialNumber;
}

function leaf(cn: string, issuer = root): IssuedCertificate {
  return issueCertificate({
    issuer: { certificate: issuer.certificate, key: issuer.key },
    commonName: cn,
    usage: 'client',
  });
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function refusal(fn: () => unknown): TlsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TlsError) return error;
    throw error;
  }
  throw new Error('expected a TlsError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtls-crl-'));
  root = createRoot({ commonName: 'crl test root' });
  good = leaf('good.device');
  bad = leaf('stolen.device');
  crlPem = issueCrl({
    issuer: { certificate: root.certificate, key: root.key },
    revoked: [{ serialNumber: serialOf(bad), revocationDate: NOW - 60_000, reason: 'keyCompromise' }],
    crlNumber: 1n,
    days: 7,
    now: NOW,
  }).pem;
  write('ca.pem', root.certificatePem);
  write('good.pem', good.certificatePem);
  write('bad.pem', bad.certificatePem);
  write('crl.pem', crlPem);
});

describe('issueCrl', () => {
  it('makes a CRL `openssl crl -CAfile` verifies, listing the serial with its reason', () => {
    const out = execFileSync(
      'openssl',
      ['crl', '-in', join(dir, 'crl.pem'), '-CAfile', join(dir, 'ca.pem'), '-noout', '-text'],
      { encoding: 'utf8', stdio: 'pipe' },
    );
    expect(out).toMatch(/Version 2/);
    expect(out).toMatch(/X509v3 CRL Number:\s*\n\s*1\b/);
    expect(out).toMatch(/X509v3 Authority Key Identifier/);
    expect(out.replace(/\s/g, '').toLowerCase()).toContain(`serialnumber:${serialOf(bad)}`);
    expect(out).toMatch(/Key Compromise/);
    // `openssl crl -CAfile` prints "verify OK" on stderr and fails on a bad signature.
    const check = execFileSync(
      'sh',
      ['-c', `openssl crl -in "${join(dir, 'crl.pem')}" -CAfile "${join(dir, 'ca.pem')}" -noout 2>&1`],
      { encoding: 'utf8' },
    );
    expect(check).toMatch(/verify OK/);
  });

  it('parses back: issuer, times, cRLNumber, the entry by serial', () => {
    const [der] = toDerList(crlPem, 'X509 CRL');
    const crl = parseCrl(der!);
    expect(crl.issuer.text).toBe('CN=crl test root');
    expect(crl.nextUpdate - crl.thisUpdate).toBe(7 * DAY);
    expect(crl.crlNumber).toBe('01');
    expect(crl.revoked.get(serialOf(bad))?.reason).toBe('keyCompromise');
    expect(crl.revoked.has(serialOf(good))).toBe(false);
  });

  it('leaves out revokedCertificates when nothing is revoked (RFC 5280 §5.1.2.6)', () => {
    const empty = issueCrl({
      issuer: { certificate: root.certificate, key: root.key },
      revoked: [],
      crlNumber: 2n,
    });
    expect(parseCrl(empty.der).revoked.size).toBe(0);
    const out = execFileSync('openssl', ['crl', '-inform', 'DER', '-noout', '-text'], {
      input: empty.der,
      encoding: 'utf8',
    });
    expect(out).toMatch(/No Revoked Certificates/);
  });
});

describe('verifyChain with crls', () => {
  const verify = (cert: IssuedCertificate, crls: Uint8Array[], now = NOW) =>
    verifyChain({ chain: [cert.certificate], root: root.certificate, now, usage: 'client', crls });

  it('refuses a revoked leaf with code revoked and alert certificate_revoked; accepts a good one', () => {
    const crls = toDerList(crlPem, 'X509 CRL');
    const refused = verify(bad, crls);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('revoked');
    expect(refused.error.alertSent).toBe('certificate_revoked');
    expect(refused.error.message).toMatch(/stolen\.device.*revoked by 'CN=crl test root'.*keyCompromise/);
    expect(verify(good, crls).ok).toBe(true);
    // Without the CRL the same certificate passes: the refusal is the CRL's.
    expect(
      verifyChain({ chain: [bad.certificate], root: root.certificate, now: NOW, usage: 'client' }).ok,
    ).toBe(true);
  });

  it('agrees with `openssl verify -crl_check -CRLfile` on the revoked and the good leaf', () => {
    const args = (file: string) => [
      '-crl_check',
      '-CAfile',
      'ca.pem',
      '-CRLfile',
      'crl.pem',
      '-purpose',
      'sslclient',
      file,
    ];
    const theirsBad = opensslVerify(dir, args('bad.pem'));
    const theirsGood = opensslVerify(dir, args('good.pem'));
    expect(theirsBad.errors).toContain(23); // X509_V_ERR_CERT_REVOKED
    expect(theirsGood.ok).toBe(true);
    const crls = toDerList(crlPem, 'X509 CRL');
    expect(verify(bad, crls).ok).toBe(theirsBad.ok);
    expect(verify(good, crls).ok).toBe(theirsGood.ok);
  });

  it('a CRL gone stale after it was compiled: crl_expired (alert certificate_expired, as OpenSSL) with what to do', () => {
    const lists = compileRevocationLists(
      toDerList(crlPem, 'X509 CRL'),
      [parseCertificate(root.certificate)],
      () => true,
      NOW,
    );
    const later = verifyChain({
      chain: [good.certificate],
      root: root.certificate,
      now: NOW + 8 * DAY,
      usage: 'client',
      crls: lists,
    });
    expect(later.ok).toBe(false);
    if (later.ok) return;
    expect(later.error.code).toBe('crl_expired');
    expect(later.error.alertSent).toBe('certificate_expired');
    expect(later.error.message).toMatch(/memtls pki crl DIR.*setSecureContext/);
  });

  it('refuses at config time a stale CRL, a tampered one, and one signed by another root of the same name', () => {
    const crls = toDerList(crlPem, 'X509 CRL');
    const stale = refusal(() => verify(good, crls, NOW + 8 * DAY));
    expect(stale.kind).toBe('local');
    expect(stale.message).toMatch(/was due to be replaced by/);
    const tampered = crls[0]!.slice();
    tampered[tampered.length - 5]! ^= 1;
    const forged = refusal(() => verify(good, [tampered]));
    expect(isTlsError(forged, 'local') && forged.code).toBe('bad_config');
    expect(forged.message).toMatch(/signature does not verify with the key of the pinned root/);
    const sha1 = { ...parseCrl(crls[0]!), signatureAlgorithm: undefined, weakSignatureHash: 'sha1' as const };
    const weak = refusal(() =>
      verifyChain({
        chain: [good.certificate],
        root: root.certificate,
        now: NOW,
        usage: 'client',
        crls: [sha1],
      }),
    );
    expect(weak.kind === 'local' && weak.message).toMatch(/refuses as forgeable/);
    const twin = createRoot({ commonName: 'crl test root' });
    const twinCrl = issueCrl({
      issuer: { certificate: twin.certificate, key: twin.key },
      revoked: [],
      crlNumber: 1n,
      now: NOW,
    });
    expect(refusal(() => verify(good, [twinCrl.der])).message).toMatch(/does not verify/);
  });

  it('RevocationLists come only from compileRevocationLists (a root CRL is trusted because it was checked)', () => {
    expect(() => new RevocationLists(Symbol('forged'), [])).toThrow(/compileRevocationLists/);
  });

  it('checks an intermediate and its leaves: root CRL revokes the intermediate, the intermediate CRL its leaf', () => {
    const intermediate = issueCertificate({
      issuer: { certificate: root.certificate, key: root.key },
      commonName: 'crl test intermediate',
      ca: true,
    });
    const device = leaf('device.behind.intermediate', intermediate);
    const chain = [device.certificate, intermediate.certificate];
    const run = (crls: Uint8Array[]) =>
      verifyChain({ chain, root: root.certificate, now: NOW, usage: 'client', crls });
    const fromRoot = issueCrl({
      issuer: { certificate: root.certificate, key: root.key },
      revoked: [
        { serialNumber: parseCertificate(intermediate.certificate).serialNumber, revocationDate: NOW },
      ],
      crlNumber: 3n,
      now: NOW,
    });
    const fromIntermediate = issueCrl({
      issuer: { certificate: intermediate.certificate, key: intermediate.key },
      revoked: [{ serialNumber: serialOf(device), revocationDate: NOW }],
      crlNumber: 1n,
      now: NOW,
    });
    const emptyFromIntermediate = issueCrl({
      issuer: { certificate: intermediate.certificate, key: intermediate.key },
      revoked: [],
      crlNumber: 2n,
      now: NOW,
    });
    const a = run([fromRoot.der]);
    expect(!a.ok && a.error.code === 'revoked' && a.error.message).toMatch(/crl test intermediate/);
    const b = run([fromIntermediate.der]);
    expect(!b.ok && b.error.code === 'revoked' && b.error.message).toMatch(/device\.behind\.intermediate/);
    expect(run([emptyFromIntermediate.der]).ok).toBe(true);
    // An intermediate's CRL is verified with the intermediate's key when the path is validated.
    const tampered = fromIntermediate.der.slice();
    tampered[tampered.length - 3]! ^= 1;
    const c = run([tampered]);
    expect(!c.ok && c.error.code).toBe('crl_bad_signature');
    expect(!c.ok && c.error.alertSent).toBe('decrypt_error');
    // A weak signature algorithm, or an intermediate whose keyUsage lacks cRLSign: crl_invalid.
    const parsed = parseCrl(fromIntermediate.der);
    const weak = run([{ ...parsed, signatureAlgorithm: undefined, weakSignatureHash: 'sha1' } as never]);
    expect(!weak.ok && weak.error.code).toBe('crl_invalid');
    expect(!weak.ok && weak.error.message).toMatch(/refuses as forgeable/);
    const ca = parseCertificate(intermediate.certificate);
    const noCrlSign = verifyChain({
      chain: [device.certificate, { ...ca, keyUsage: { ...ca.keyUsage!, cRLSign: false } }],
      root: root.certificate,
      now: NOW,
      usage: 'client',
      crls: [fromIntermediate.der],
    });
    expect(!noCrlSign.ok && noCrlSign.error.code).toBe('crl_invalid');
    expect(!noCrlSign.ok && noCrlSign.error.message).toMatch(/lacks cRLSign/);
  });
});

describe('CRLs made by `openssl ca -gencrl`', () => {
  let ca: OpensslCa;
  beforeAll(() => {
    ca = opensslCa();
  });
  const der = (pem: string) => toDerList(pem, 'X509 CRL');
  const check = (certPath: string, crl: string) =>
    verifyChain({
      chain: toDerList(readFileSync(certPath, 'utf8'), 'CERTIFICATE'),
      root: toDerList(ca.ca, 'CERTIFICATE'),
      now: Date.now(),
      usage: 'client',
      crls: der(crl),
    });

  it('revoke → gencrl: memtls refuses the revoked certificate (with its reason) and accepts the other', () => {
    const revoked = ca.issue('revoked.client', 'client');
    const kept = ca.issue('kept.client', 'client');
    ca.revoke(revoked.certPath, 'superseded');
    const { pem } = ca.gencrl();
    const r = check(revoked.certPath, pem);
    expect(!r.ok && r.error.code).toBe('revoked');
    expect(!r.ok && r.error.message).toMatch(/superseded/);
    expect(check(kept.certPath, pem).ok).toBe(true);
  });

  it('refuses an issuing distribution point, a delta CRL and an unknown critical extension, saying so', () => {
    const idp = ca.gencrl({
      extensions: [
        'issuingDistributionPoint = critical, @idp',
        '[idp]',
        'fullname = URI:http://crl.test/x.crl',
      ],
    });
    expect(refusal(() => parseCrl(der(idp.pem)[0]!)).message).toMatch(
      /issuing distribution point.*not support/,
    );
    const delta = ca.gencrl({ extensions: ['2.5.29.27 = critical, ASN1:INTEGER:1'] });
    expect(refusal(() => parseCrl(der(delta.pem)[0]!)).message).toMatch(
      /delta CRL, which memtls does not support/,
    );
    const unknown = ca.gencrl({ extensions: ['1.2.3.4.5 = critical, ASN1:NULL'] });
    const error = refusal(() => parseCrl(der(unknown.pem)[0]!));
    expect(error.code).toBe('bad_config');
    expect(error.message).toMatch(/critical extension memtls does not understand, 1\.2\.3\.4\.5/);
    // The same extension, not critical, is ignored.
    const benign = ca.gencrl({ extensions: ['1.2.3.4.5 = ASN1:NULL'] });
    expect(parseCrl(der(benign.pem)[0]!).issuer.text).toBe('O=memtls tests, CN=openssl ca root');
  });
});
