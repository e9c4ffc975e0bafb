// Certificate issuing: fields as parsed by us and by `openssl x509 -text`, chains accepted by
// `openssl verify`, and real TLS peers (node:tls) accepting the certificates in a mutual-TLS handshake.

import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { sha1 } from '@noble/hashes/legacy.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyOf } from '../../src/ciphers/keys.js';
import { verifySignature } from '../../src/ciphers/signatures.js';
import { TlsError } from '../../src/errors.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { createRoot, generateKey, type IssuedCertificate, issueCertificate } from '../../src/x509/issue.js';
import { parseAltName } from '../../src/x509/issue-extensions.js';
import { checkKeyMatchesCertificate, parsePrivateKey } from '../../src/x509/private-key.js';
import { verifyChain } from '../../src/x509/verify.js';

const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);
const DAY = 86_400_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtls-issue-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** `openssl verify` at a fixed time; returns its stdout or throws with its stderr. */
function opensslVerify(
  root: IssuedCertificate,
  leaf: IssuedCertificate,
  intermediates: IssuedCertificate[] = [],
) {
  const args = [
    'verify',
    '-attime',
    String(Math.floor(NOW / 1000) + 3600),
    '-CAfile',
    write('root.pem', root.certificatePem),
  ];
  if (intermediates.length > 0) {
    args.push('-untrusted', write('inter.pem', intermediates.map((c) => c.certificatePem).join('')));
  }
  args.push(write('leaf.pem', leaf.certificatePem));
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const opensslText = (cert: IssuedCertificate) =>
  execFileSync('openssl', ['x509', '-noout', '-text', '-in', write('text.pem', cert.certificatePem)], {
    encoding: 'utf8',
  });

function expectLocal(f: () => unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TlsError);
  expect((caught as TlsError).code).toBe(code);
  expect((caught as TlsError).message).toMatch(message);
}

describe('createRoot', () => {
  it('makes a v3 self-signed P-256 CA with SKI = AKI = SHA-1 of the key bits', () => {
    const root = createRoot({
      commonName: 'Test Root',
      subject: [{ type: 'O', value: 'Acme' }],
      now: NOW,
      days: 10,
    });
    const cert = parseCertificate(root.certificate);
    expect(cert.version).toBe(3);
    expect(cert.subject.text).toBe('O=Acme, CN=Test Root');
    expect(cert.issuer.der).toEqual(cert.subject.der);
    expect(cert.basicConstraints).toEqual({ ca: true, pathLength: undefined });
    expect(cert.extensions.find((e) => e.oid === '2.5.29.19')?.critical).toBe(true);
    expect(cert.keyUsage?.keyCertSign && cert.keyUsage.cRLSign && !cert.keyUsage.digitalSignature).toBe(true);
    expect(cert.extendedKeyUsage).toBeUndefined();
    expect(cert.signatureAlgorithmName).toBe('ecdsa-with-SHA256');
    expect(cert.notBefore).toBe(NOW - 5 * 60_000);
    expect(cert.notAfter).toBe(NOW + 10 * DAY);
    expect(cert.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    const point = root.key.type === 'ec' ? root.key.point : new Uint8Array();
    expect(cert.subjectKeyIdentifier).toEqual(sha1(point));
    expect(cert.authorityKeyIdentifier).toEqual(sha1(point));
    expect(
      verifySignature({ kind: 'ecdsa', hash: 'sha256' }, publicKeyOf(root.key), cert.tbs, cert.signature),
    ).toBe(true);
    // node:crypto (OpenSSL) reads the same key and sees a CA.
    const x509 = new X509Certificate(root.certificatePem);
    expect(x509.ca).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(root.keyPem))).toBe(true);
  });

  it('signs with ecdsa-with-SHA384 for P-384 and Ed25519 for Ed25519 roots, as openssl reads them', () => {
    const p384 = createRoot({ commonName: 'P-384 root', keyType: 'p384', now: NOW });
    expect(opensslText(p384)).toContain('Signature Algorithm: ecdsa-with-SHA384');
    const ed = createRoot({ commonName: 'Ed root', keyType: 'ed25519', now: NOW });
    expect(opensslText(ed)).toMatch(/Signature Algorithm: ED25519/);
    for (const root of [p384, ed]) {
      const leaf = issueCertificate({
        issuer: { certificate: root.certificatePem, key: root.keyPem },
        commonName: 'x.test',
        now: NOW,
      });
      expect(opensslVerify(root, leaf)).toContain('OK');
    }
  });

  it('uses GeneralizedTime from 2050 on and refuses bad inputs', () => {
    const late = createRoot({ commonName: 'late', now: Date.UTC(2049, 11, 1), days: 60 });
    expect(parseCertificate(late.certificate).notAfter).toBe(Date.UTC(2049, 11, 1) + 60 * DAY);
    expect(opensslText(late)).toContain('Jan 30 00:00:00 2050 GMT');
    expectLocal(() => createRoot({ commonName: ' ' }), 'bad_config', /common name/);
    expectLocal(() => createRoot({ commonName: 'x', days: 0 }), 'bad_config', /days/);
    expectLocal(
      () => createRoot({ commonName: 'x', subject: [{ type: 'C', value: 'Germany' }] }),
      'bad_config',
      /two-letter/,
    );
  });
});

describe('issueCertificate', () => {
  const root = createRoot({ commonName: 'memtls test root', now: NOW });

  it('issues a server+client leaf with SANs and EKU that openssl verifies and prints', () => {
    const leaf = issueCertificate({
      issuer: { certificate: root.certificatePem, key: root.key },
      commonName: 'device1',
      subjectAltNames: [
        'DNS:device1.test',
        'IP:127.0.0.1',
        'IP:::1',
        'email:ops@example.test',
        'URI:spiffe://x/y',
      ],
      usage: 'both',
      now: NOW,
      days: 30,
    });
    expect(opensslVerify(root, leaf)).toMatch(/leaf\.pem: OK/);
    const text = opensslText(leaf);
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(
      /Extended Key Usage:\s*\n\s+TLS Web Server Authentication, TLS Web Client Authentication/,
    );
    expect(text).toContain(
      'DNS:device1.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, email:ops@example.test, URI:spiffe://x/y',
    );
    const cert = parseCertificate(leaf.certificate);
    expect(cert.issuer.der).toEqual(parseCertificate(root.certificate).subject.der);
    expect(cert.authorityKeyIdentifier).toEqual(parseCertificate(root.certificate).subjectKeyIdentifier);
    expect(cert.notAfter).toBe(NOW + 30 * DAY);
    checkKeyMatchesCertificate(leaf.key, cert);
  });

  it('defaults the SAN to the CN as a DNS name or IP address, and EKU to serverAuth', () => {
    const dns = parseCertificate(
      issueCertificate({
        issuer: { certificate: root.certificate, key: root.key },
        commonName: 'Api.Example.Test',
        now: NOW,
      }).certificate,
    );
    expect(dns.subjectAltNames).toEqual([{ type: 'dns', value: 'api.example.test' }]);
    expect(dns.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const ip = parseCertificate(
      issueCertificate({
        issuer: { certificate: root.certificate, key: root.key },
        commonName: '10.0.0.7',
        now: NOW,
      }).certificate,
    );
    expect(ip.subjectAltNames).toEqual([
      { type: 'ip', value: Uint8Array.from([10, 0, 0, 7]), text: '10.0.0.7' },
    ]);
  });

  it('leaves the SAN out of a client certificate whose CN is not a host name, and refuses that for servers', () => {
    const issuer = { certificate: root.certificate, key: root.key };
    const client = parseCertificate(
      issueCertificate({ issuer, commonName: 'Alice Example', usage: 'client', now: NOW }).certificate,
    );
    expect(client.subjectAltNames).toBeUndefined();
    expect(client.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expectLocal(
      () => issueCertificate({ issuer, commonName: 'Alice Example', now: NOW }),
      'bad_config',
      /pass subjectAltNames/,
    );
    expectLocal(
      () => issueCertificate({ issuer, commonName: 'a.test', subjectAltNames: [], now: NOW }),
      'bad_config',
      /at least one/,
    );
    expectLocal(
      () => issueCertificate({ issuer, commonName: 'a.test', subjectAltNames: ['DNS:a..test'], now: NOW }),
      'bad_config',
      /not a DNS name/,
    );
  });

  it('builds root → intermediate → leaf chains with path lengths openssl accepts', () => {
    const constrained = createRoot({ commonName: 'root pathlen 1', pathLength: 1, now: NOW });
    const intermediate = issueCertificate({
      issuer: { certificate: constrained.certificate, key: constrained.key },
      commonName: 'intermediate',
      ca: true,
      now: NOW,
    });
    const interCert = parseCertificate(intermediate.certificate);
    expect(interCert.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(interCert.subjectAltNames).toBeUndefined();
    const leaf = issueCertificate({
      issuer: { certificate: intermediate.certificatePem, key: intermediate.keyPem },
      commonName: 'leaf.test',
      now: NOW,
    });
    expect(opensslVerify(constrained, leaf, [intermediate])).toMatch(/OK/);
    expectLocal(
      () =>
        issueCertificate({
          issuer: { certificate: intermediate.certificate, key: intermediate.key },
          commonName: 'sub',
          ca: true,
          now: NOW,
        }),
      'bad_config',
      /pathlen 0/,
    );
  });

  it('never outlives its issuer, and refuses an expired issuer, a non-CA issuer and a mismatched key', () => {
    const shortRoot = createRoot({ commonName: 'short', days: 5, now: NOW });
    const leaf = parseCertificate(
      issueCertificate({
        issuer: { certificate: shortRoot.certificate, key: shortRoot.key },
        commonName: 'a.test',
        now: NOW,
      }).certificate,
    );
    expect(leaf.notAfter).toBe(NOW + 5 * DAY);
    expectLocal(
      () =>
        issueCertificate({
          issuer: { certificate: shortRoot.certificate, key: shortRoot.key },
          commonName: 'a.test',
          now: NOW + 6 * DAY,
        }),
      'bad_config',
      /expired/,
    );
    const notCa = issueCertificate({
      issuer: { certificate: root.certificate, key: root.key },
      commonName: 'leaf.test',
      now: NOW,
    });
    expectLocal(
      () =>
        issueCertificate({
          issuer: { certificate: notCa.certificate, key: notCa.key },
          commonName: 'b.test',
          now: NOW,
        }),
      'bad_config',
      /not a CA/,
    );
    expectLocal(
      () =>
        issueCertificate({
          issuer: { certificate: root.certificate, key: notCa.key },
          commonName: 'b.test',
          now: NOW,
        }),
      'key_mismatch',
      /^key does not match certificate 'CN=memtls test root'$/,
    );
  });
});

describe('SAN text', () => {
  it('reads prefixed and bare SAN entries', () => {
    expect(parseAltName('dns:A.Test')).toEqual({ type: 'DNS', value: 'a.test' });
    expect(parseAltName(' *.a.test ')).toEqual({ type: 'DNS', value: '*.a.test' });
    expect(parseAltName('127.0.0.1')).toMatchObject({ type: 'IP', bytes: Uint8Array.from([127, 0, 0, 1]) });
    expect(parseAltName('IP:::ffff:192.0.2.1')).toMatchObject({
      type: 'IP',
      bytes: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]),
    });
    expect(() => parseAltName('IP:1::2::3')).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => parseAltName('DNS:a.*.test')).toThrow(/not a DNS name/);
    expect(() => parseAltName('IP:a.test')).toThrow(/not an IPv4 or IPv6 address/);
  });
});

describe('real TLS peers accept issued certificates', () => {
  /** A node:tls mutual-TLS handshake with hostname check; resolves to both sides' views. */
  async function handshake(root: IssuedCertificate, server: IssuedCertificate, client: IssuedCertificate) {
    const srv = tls.createServer({
      cert: server.certificatePem,
      key: server.keyPem,
      ca: root.certificatePem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    const serverSaw = new Promise<string>((resolve, reject) => {
      srv.on('secureConnection', (socket) => {
        resolve(socket.getPeerCertificate().subject.CN as string);
        socket.end('hi');
      });
      srv.on('tlsClientError', reject);
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as { port: number }).port;
    try {
      const clientSaw = await new Promise<{ authorized: boolean; cn: string; data: string }>(
        (resolve, reject) => {
          const socket = tls.connect({
            host: '127.0.0.1',
            port,
            servername: 'server.test',
            ca: root.certificatePem,
            cert: client.certificatePem,
            key: client.keyPem,
          });
          let data = '';
          socket.on('data', (d) => {
            data += d;
          });
          socket.on('end', () =>
            resolve({
              authorized: socket.authorized,
              cn: socket.getPeerCertificate().subject.CN as string,
              data,
            }),
          );
          socket.on('error', reject);
        },
      );
      return { clientSaw, serverSaw: await serverSaw };
    } finally {
      srv.close();
    }
  }

  it('P-256 root, server and client', async () => {
    const root = createRoot({ commonName: 'p256 root' });
    const issuer = { certificate: root.certificate, key: root.key };
    const server = issueCertificate({ issuer, commonName: 'server.test' });
    const client = issueCertificate({ issuer, commonName: 'client-7', usage: 'client' });
    const result = await handshake(root, server, client);
    expect(result).toEqual({
      clientSaw: { authorized: true, cn: 'server.test', data: 'hi' },
      serverSaw: 'client-7',
    });
  });

  it('RSA-2048 (pure TypeScript key generation) root signing P-256 and RSA leaves', async () => {
    const root = createRoot({ commonName: 'rsa root', keyType: 'rsa2048' });
    expect(opensslText(root)).toContain('Public-Key: (2048 bit)');
    const issuer = { certificate: root.certificatePem, key: root.keyPem };
    const server = issueCertificate({ issuer, commonName: 'server.test', key: generateKey('p256') });
    // The client's RSA key comes from the openssl CLI (native, fast): one pure-TS RSA keygen per run is enough.
    const clientKey = parsePrivateKey(execFileSync('openssl', ['genrsa', '2048'], { encoding: 'utf8' }));
    const rsaClient = issueCertificate({ issuer, commonName: 'rsa-client', usage: 'client', key: clientKey });
    expect(opensslText(rsaClient)).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    const result = await handshake(root, server, rsaClient);
    expect(result.clientSaw.authorized).toBe(true);
    expect(result.serverSaw).toBe('rsa-client');
  });
});

describe('issued certificates and the certificate profile', () => {
  it('issues roots, intermediates and leaves that pass every profile check of verifyChain', () => {
    const root = createRoot({ commonName: 'Profile Root', now: NOW, pathLength: 1 });
    const issuer = { certificate: root.certificate, key: root.key };
    const inter = issueCertificate({ issuer, commonName: 'Profile Inter', ca: true, now: NOW });
    const byInter = { certificate: inter.certificate, key: inter.key };
    const server = issueCertificate({ issuer: byInter, commonName: 'a.test', now: NOW });
    const client = issueCertificate({ issuer: byInter, commonName: 'Alice', usage: 'client', now: NOW });
    for (const [leaf, usage] of [
      [server, 'server'],
      [client, 'client'],
    ] as const) {
      const result = verifyChain({
        chain: [leaf.certificate, inter.certificate],
        root: root.certificate,
        now: NOW + DAY,
        usage,
      });
      expect(result.ok ? 'ok' : result.error.code).toBe('ok');
    }
    for (const cert of [root, inter, server].map((c) => parseCertificate(c.certificate))) {
      expect(cert.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    }
  });

  it('refuses DNS SANs that verifiers refuse (underscores)', () => {
    const root = createRoot({ commonName: 'Profile Root', now: NOW });
    const issuer = { certificate: root.certificate, key: root.key };
    expectLocal(
      () =>
        issueCertificate({
          issuer,
          commonName: 'a.test',
          subjectAltNames: ['DNS:under_score.test'],
          now: NOW,
        }),
      'bad_config',
      /not a DNS name/,
    );
  });
});
