// Name constraints (RFC 5280 §4.2.1.10) on hand-made paths: DNS, IP, email, directoryName, URI.

import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../../src/x509/hostname.js';
import { checkNameConstraints } from '../../src/x509/name-constraints.js';
import type { Certificate, DistinguishedName, GeneralName, NameConstraints } from '../../src/x509/types.js';

const dn = (...attributes: [string, string, string][]): DistinguishedName => ({
  rdns: attributes.map(([type, oid, value]) => [{ type, oid, value }]),
  text: attributes.map(([type, , value]) => `${type}=${value}`).join(', '),
  der: new TextEncoder().encode(attributes.map((a) => a.join('|')).join('/')),
});
const O = (v: string): [string, string, string] => ['O', '2.5.4.10', v];
const CN = (v: string): [string, string, string] => ['CN', '2.5.4.3', v];

function ip(text: string): GeneralName {
  const [address, prefix] = text.split('/');
  const bytes = parseIpAddress(address!)!;
  if (prefix === undefined) return { type: 'ip', value: bytes, text };
  const mask = new Uint8Array(bytes.length);
  for (let i = 0; i < Number(prefix); i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  return { type: 'ip', value: new Uint8Array([...bytes, ...mask]), text };
}
const dns = (value: string): GeneralName => ({ type: 'dns', value });
const email = (value: string): GeneralName => ({ type: 'email', value });

function leaf(sans: GeneralName[] | undefined, subject = dn(O('Acme'), CN('leaf'))): Certificate {
  return {
    subject,
    issuer: dn(CN('CA')),
    subjectAltNames: sans,
    nameConstraints: undefined,
  } as unknown as Certificate;
}
function ca(nameConstraints: Partial<NameConstraints>): Certificate {
  return {
    subject: dn(CN('CA')),
    issuer: dn(CN('Root')),
    nameConstraints: { permitted: [], excluded: [], ...nameConstraints },
  } as unknown as Certificate;
}
const root = {
  subject: dn(CN('Root')),
  issuer: dn(CN('Root')),
  nameConstraints: undefined,
} as unknown as Certificate;

const verdict = (cert: Certificate, constraints: Partial<NameConstraints>): boolean =>
  checkNameConstraints([cert, ca(constraints), root]) === undefined;

describe('DNS constraints', () => {
  const cases: [string, GeneralName, boolean][] = [
    ['good.test', dns('good.test'), true],
    ['good.test', dns('www.good.test'), true],
    ['good.test', dns('WWW.Good.Test.'), true],
    ['good.test', dns('notgood.test'), false],
    ['good.test', dns('good.test.evil'), false],
    ['.good.test', dns('good.test'), false],
    ['.good.test', dns('a.good.test'), true],
    ['', dns('anything.test'), true],
  ];
  for (const [constraint, name, ok] of cases) {
    it(`permitted ${constraint || '(empty)'} ${ok ? 'allows' : 'refuses'} ${name.type === 'dns' ? name.value : ''}`, () => {
      expect(verdict(leaf([name]), { permitted: [dns(constraint)] })).toBe(ok);
    });
  }

  it('excluded subtrees win over permitted ones and catch wildcards that could match them', () => {
    const constraints = { permitted: [dns('good.test')], excluded: [dns('bad.good.test')] };
    expect(verdict(leaf([dns('x.bad.good.test')]), constraints)).toBe(false);
    expect(verdict(leaf([dns('*.good.test')]), constraints)).toBe(false);
    expect(verdict(leaf([dns('*.fine.good.test')]), constraints)).toBe(true);
  });

  it('checks the Common Name when the leaf has no dNSName SAN (as OpenSSL does)', () => {
    const constraints = { permitted: [dns('good.test')] };
    expect(verdict(leaf(undefined, dn(CN('www.evil.test'))), constraints)).toBe(false);
    expect(verdict(leaf(undefined, dn(CN('www.good.test'))), constraints)).toBe(true);
    expect(verdict(leaf(undefined, dn(CN('device 1'))), constraints)).toBe(true);
    expect(verdict(leaf([dns('www.good.test')], dn(CN('www.evil.test'))), constraints)).toBe(true);
  });

  it('leaves other name types alone', () => {
    expect(verdict(leaf([ip('192.168.0.1')]), { permitted: [dns('good.test')] })).toBe(true);
  });
});

describe('IP constraints', () => {
  it('compares under the mask, per address family', () => {
    const constraints = { permitted: [ip('10.0.0.0/8'), ip('fd00::/8')] };
    expect(verdict(leaf([ip('10.200.0.1')]), constraints)).toBe(true);
    expect(verdict(leaf([ip('11.0.0.1')]), constraints)).toBe(false);
    expect(verdict(leaf([ip('fd12::1')]), constraints)).toBe(true);
    expect(verdict(leaf([ip('fe80::1')]), constraints)).toBe(false);
    expect(verdict(leaf([ip('::ffff:10.0.0.1')]), { permitted: [ip('10.0.0.0/8')] })).toBe(false);
    expect(verdict(leaf([ip('10.1.2.3')]), { excluded: [ip('10.1.0.0/16')] })).toBe(false);
  });
});

describe('email and directoryName constraints', () => {
  it('reads mailbox, host and domain forms', () => {
    expect(verdict(leaf([email('a@good.test')]), { permitted: [email('a@good.test')] })).toBe(true);
    expect(verdict(leaf([email('b@good.test')]), { permitted: [email('a@good.test')] })).toBe(false);
    expect(verdict(leaf([email('b@GOOD.test')]), { permitted: [email('good.test')] })).toBe(true);
    expect(verdict(leaf([email('b@x.good.test')]), { permitted: [email('good.test')] })).toBe(false);
    expect(verdict(leaf([email('b@x.good.test')]), { permitted: [email('.good.test')] })).toBe(true);
  });

  it('checks the subject against directoryName subtrees (RDN prefix)', () => {
    const acme: GeneralName = { type: 'dirName', value: dn(O('Acme')) };
    expect(verdict(leaf(undefined, dn(O('Acme'), CN('x'))), { permitted: [acme] })).toBe(true);
    expect(verdict(leaf(undefined, dn(O('Other'), CN('x'))), { permitted: [acme] })).toBe(false);
    expect(verdict(leaf(undefined, dn(O('Acme'), CN('x'))), { excluded: [acme] })).toBe(false);
  });

  it('refuses names whose constraint type it cannot check', () => {
    const uri: GeneralName = { type: 'uri', value: 'https://good.test/' };
    const error = checkNameConstraints([
      leaf([uri]),
      ca({ permitted: [{ type: 'uri', value: '.good.test' }] }),
      root,
    ]);
    expect(error?.code).toBe('name_constraints');
    expect(error?.message).toContain('cannot check');
    expect(verdict(leaf([uri]), { permitted: [dns('good.test')] })).toBe(true);
  });
});

describe('path handling', () => {
  it('names the certificate, the name and the constraining CA', () => {
    const error = checkNameConstraints([
      leaf([dns('www.evil.test')]),
      ca({ permitted: [dns('good.test')] }),
      root,
    ]);
    expect(error?.code).toBe('name_constraints');
    expect(error?.alertSent).toBe('bad_certificate');
    expect(error?.message).toContain("certificate 'O=Acme, CN=leaf' has the name DNS:www.evil.test");
    expect(error?.message).toContain("its CA 'CN=CA' do not permit it (permitted: DNS:good.test)");
  });

  it('applies a root constraint through an intermediate, and skips self-issued intermediates', () => {
    const constrainedRoot = {
      ...ca({ permitted: [dns('good.test')] }),
      subject: dn(CN('Root')),
      issuer: dn(CN('Root')),
    };
    const inter = {
      subject: dn(CN('CA')),
      issuer: dn(CN('Root')),
      subjectAltNames: [dns('ca.evil.test')],
    } as unknown as Certificate;
    expect(checkNameConstraints([leaf([dns('a.good.test')]), inter, constrainedRoot])?.code).toBe(
      'name_constraints',
    );
    const selfIssued = { ...inter, issuer: dn(CN('CA')) } as unknown as Certificate;
    const path = [leaf([dns('a.good.test')]), selfIssued, { ...constrainedRoot, subject: dn(CN('CA')) }];
    expect(checkNameConstraints(path as Certificate[])).toBeUndefined();
  });
});
