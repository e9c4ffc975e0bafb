// CRL parsing on hand-made and damaged input (RFC 5280 §5.1, §5.3): what memtls cannot check is
// refused with a local error saying why, and no mutation throws anything but a TlsError.

import * as asn1js from 'asn1js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/errors.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseCrl } from '../../src/x509/crl.js';
import { createRoot, type IssuedCertificate } from '../../src/x509/issue.js';
import { issueCrl } from '../../src/x509/issue-crl.js';
import { toDerList } from '../../src/x509/pem.js';

const DAY = 86_400_000;
const NOW = Date.now();
let root: IssuedCertificate;
let crlPem: string;

beforeAll(() => {
  root = createRoot({ commonName: 'crl parse root' });
  crlPem = issueCrl({
    issuer: { certificate: root.certificate, key: root.key },
    revoked: [{ serialNumber: '4a1b', revocationDate: NOW, reason: 'superseded' }],
    crlNumber: 1n,
    now: NOW,
  }).pem;
});

function refusal(fn: () => unknown): TlsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TlsError) return error;
    throw error;
  }
  throw new Error('expected a TlsError');
}

describe('parseCrl refuses what memtls cannot check, saying why', () => {
  /** A CRL with the given parts (signature left blank: parsing comes before any signature check). */
  function handMade(parts: {
    nextUpdate?: boolean;
    entryExtensions?: asn1js.Sequence[];
    version?: number;
  }): Uint8Array {
    const algorithm = new asn1js.Sequence({
      value: [new asn1js.ObjectIdentifier({ value: '1.2.840.10045.4.3.2' })],
    });
    const name = asn1js.fromBER(parseCertificate(root.certificate).subject.der.slice()).result;
    const time = (ms: number) => new asn1js.UTCTime({ valueDate: new Date(ms) });
    const entry = new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 7 }),
        time(NOW),
        ...(parts.entryExtensions ? [new asn1js.Sequence({ value: parts.entryExtensions })] : []),
      ],
    });
    const tbs = new asn1js.Sequence({
      value: [
        ...(parts.version === undefined ? [] : [new asn1js.Integer({ value: parts.version })]),
        algorithm,
        name,
        time(NOW),
        ...(parts.nextUpdate === false ? [] : [time(NOW + DAY)]),
        new asn1js.Sequence({ value: [entry] }),
      ],
    });
    const crl = new asn1js.Sequence({
      value: [tbs, algorithm, new asn1js.BitString({ valueHex: new Uint8Array(8), unusedBits: 0 })],
    });
    return new Uint8Array(crl.toBER(false));
  }
  const extension = (oid: string, critical: boolean, inner: asn1js.AsnType) =>
    new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: oid }),
        ...(critical ? [new asn1js.Boolean({ value: true })] : []),
        new asn1js.OctetString({ valueHex: inner.toBER(false) }),
      ],
    });

  it('a well-formed v1 CRL parses, with the entry found by serial', () => {
    expect(parseCrl(handMade({})).revoked.get('07')?.revocationDate).toBe(Math.floor(NOW / 1000) * 1000);
  });

  it('no nextUpdate: refused, as the CRL could never be known stale', () => {
    expect(refusal(() => parseCrl(handMade({ nextUpdate: false }))).message).toMatch(/has no nextUpdate/);
  });

  it('an indirect CRL entry (certificateIssuer) and an unknown critical entry extension are refused', () => {
    const indirect = handMade({
      version: 1,
      entryExtensions: [extension('2.5.29.29', true, new asn1js.Sequence({ value: [] }))],
    });
    expect(refusal(() => parseCrl(indirect)).message).toMatch(/indirect CRL/);
    const unknown = handMade({
      version: 1,
      entryExtensions: [extension('1.2.3.4', true, new asn1js.Null())],
    });
    expect(refusal(() => parseCrl(unknown)).message).toMatch(
      /entry 07 has a critical extension memtls does not understand/,
    );
    const reason = handMade({
      version: 1,
      entryExtensions: [extension('2.5.29.21', false, new asn1js.Enumerated({ value: 4 }))],
    });
    expect(parseCrl(reason).revoked.get('07')?.reason).toBe('superseded');
  });

  it('entry extensions in a v1 CRL and a version other than v2 are refused', () => {
    const v1 = handMade({
      entryExtensions: [extension('2.5.29.21', false, new asn1js.Enumerated({ value: 1 }))],
    });
    expect(refusal(() => parseCrl(v1)).message).toMatch(/entry extensions in a v1 CRL/);
    expect(refusal(() => parseCrl(handMade({ version: 0 }))).kind).toBe('local');
  });
});

describe('parseCrl on damaged input', () => {
  it('any byte changed, cut or appended gives a TlsError (local bad_config), never another throw', () => {
    const [der] = toDerList(crlPem, 'X509 CRL');
    fc.assert(
      fc.property(fc.nat(der!.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(3), (at, xor, how) => {
        const input =
          how === 0
            ? der!.slice(0, at)
            : how === 1
              ? Uint8Array.from([...der!, xor])
              : der!.map((b, i) => (i === at ? b ^ xor : b));
        try {
          parseCrl(input);
        } catch (error) {
          expect(error).toBeInstanceOf(TlsError);
          expect((error as TlsError).kind).toBe('local');
        }
      }),
      { numRuns: 300 },
    );
  });
});
