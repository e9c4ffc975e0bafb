// Peer strings (ALPN names, certificate names) reach error messages and CLI lines escaped: no
// control or bidi character from the network gets to a terminal or a log.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeCertificate } from '../src/cli/inspect.js';
import { runCli } from '../src/cli/main.js';
import { describeFailure, describeSession } from '../src/cli/tls-options.js';
import { TlsClient, TlsServer } from '../src/endpoints.js';
import { TlsError } from '../src/errors.js';
import { printable } from '../src/printable.js';
import { parseCertificate } from '../src/x509/certificate.js';
import { checkHostname } from '../src/x509/hostname.js';
import { createRoot, type IssuedCertificate, issueCertificate } from '../src/x509/issue.js';
import type { Certificate } from '../src/x509/types.js';
import { errorOf, runPair } from './helpers/pair.js';

/** Written out here (not imported) so the test checks the rule, not the implementation. */
function unsafeCharacters(text: string): string[] {
  return [...text].filter((ch) => {
    const c = ch.codePointAt(0)!;
    return (
      c < 0x20 ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x061c ||
      c === 0x200e ||
      c === 0x200f ||
      c === 0x2028 ||
      c === 0x2029 ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      (c >= 0xd800 && c <= 0xdfff)
    );
  });
}

function expectClean(text: string | undefined): void {
  expect(text).toBeTypeOf('string');
  expect(unsafeCharacters(text!)).toEqual([]);
}

/** ESC [31m (red), a newline that would forge a log line, a right-to-left override, and a one-byte CSI. */
const EVIL_CN = 'evil\x1b[31m\nCN=admin\u202egnp.exe\u009b2J';
const EVIL_SANS = ['DNS:server.test', 'URI:https://a.test/\x1b[2Jx', 'email:x\x1b]0;pwned\x07@a.test'];

let root: IssuedCertificate;
let evil: IssuedCertificate;
/** Hostile CN and SANs: parsed and displayed, never verified. */
let parsed: Certificate;
/** Hostile CN, clean SAN: the server certificate of the handshakes below. */
let leaf: IssuedCertificate;
beforeAll(() => {
  root = createRoot({ commonName: 'Printable Test Root' });
  const issuer = { certificate: root.certificate, key: root.key };
  evil = issueCertificate({ issuer, commonName: EVIL_CN, subjectAltNames: EVIL_SANS, usage: 'both' });
  parsed = parseCertificate(evil.certificate);
  leaf = issueCertificate({ issuer, commonName: EVIL_CN, subjectAltNames: ['DNS:server.test'] });
}, 60_000);

describe('printable', () => {
  it('escapes C0, DEL, C1, bidi controls, separators and lone surrogates; keeps the rest', () => {
    expect(printable('a\x1b[31m\nb')).toBe('a\\x1b[31m\\x0ab');
    expect(printable('\x00\x7f\x85\x9b')).toBe('\\x00\\x7f\\x85\\x9b');
    expect(printable('x\u202ey\u2066z\u200f\u061c')).toBe('x\\u{202e}y\\u{2066}z\\u{200f}\\u{61c}');
    expect(printable('\u2028\u2029\ud800')).toBe('\\u{2028}\\u{2029}\\u{d800}');
    const safe = 'h2, http/1.1 Müller 日本 😀 \\ é';
    expect(printable(safe)).toBe(safe);
  });
});

describe('certificate names', () => {
  it('subject text and SAN text carry no control characters', () => {
    expect(parsed.subject.text).toContain('evil');
    expectClean(parsed.subject.text);
    const sans = parsed.subjectAltNames ?? [];
    expect(sans).toHaveLength(3);
    for (const line of describeCertificate(parsed, Date.now())) expectClean(line);
  });

  it('a hostname mismatch error names the certificate without control characters', () => {
    const error = checkHostname(parsed, 'other.test');
    expect(error?.code).toBe('hostname_mismatch');
    expect(error?.message).toContain('URI:https://a.test/\\x1b[2Jx');
    expectClean(error?.message);
  });
});

/** A server offering only ALPN h2, without client certificates. */
function h2Server(): TlsServer {
  return new TlsServer({
    ca: root.certificatePem,
    cert: leaf.certificatePem,
    key: leaf.keyPem,
    clientAuth: 'none',
    alpn: ['h2'],
  });
}

describe('a handshake with hostile peer strings', () => {
  it("the server's no_application_protocol error escapes the client's ALPN names", () => {
    const c = new TlsClient({
      ca: root.certificatePem,
      serverName: 'server.test',
      alpn: ['\x1b[2J\x9b\n'],
    });
    const s = h2Server();
    const error = errorOf(runPair(c, s).server);
    expect(error?.code).toBe('no_application_protocol');
    expect(error?.message).toContain("'\\x1b[2J\\x9b\\x0a'");
    expectClean(error?.message);
    expectClean(describeFailure(error));
  });

  it('the no_application_protocol error names at most 8 of the offered ALPN names', () => {
    const offered = Array.from({ length: 60 }, (_, i) => `proto-${i}-${'x'.repeat(200)}`);
    const c = new TlsClient({ ca: root.certificatePem, serverName: 'server.test', alpn: offered });
    const s = h2Server();
    const error = errorOf(runPair(c, s).server);
    expect(error?.code).toBe('no_application_protocol');
    expect(error?.message).toContain("'proto-7-");
    expect(error?.message).not.toContain("'proto-8-");
    expect(error?.message).toContain('and 52 more');
    expect(error!.message.length).toBeLessThan(2000);
  });

  it("the client's bad_alpn error escapes the ALPN name the server chose", () => {
    const c = new TlsClient({ ca: root.certificatePem, serverName: 'server.test', alpn: ['ab'] });
    const s = new TlsServer({
      ca: root.certificatePem,
      cert: leaf.certificatePem,
      key: leaf.keyPem,
      clientAuth: 'none',
      alpn: ['ab'],
    });
    // Rewrite the selected protocol in the (plaintext) ServerHello: ALPN extension 0x0010, one
    // two-byte name "ab" → the C1 controls NEL and CSI.
    const alpnExtension = [0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 0x61, 0x62];
    const log = runPair(c, s, (bytes, direction, flight) => {
      if (direction !== 'toClient' || flight !== 0) return [bytes];
      const out = new Uint8Array(bytes);
      const at = out.findIndex((_, i) => alpnExtension.every((b, j) => out[i + j] === b));
      expect(at).toBeGreaterThan(0);
      out[at + 7] = 0x85;
      out[at + 8] = 0x9b;
      return [out];
    });
    const error = errorOf(log.client);
    expect(error?.code).toBe('bad_alpn');
    expect(error?.message).toContain("'\\x85\\x9b'");
    expectClean(error?.message);
  });

  it('the CLI session line escapes the peer subject and ALPN', () => {
    const alpn = 'x\x1b[8m\x9b';
    const c = new TlsClient({ ca: root.certificatePem, serverName: 'server.test', alpn: [alpn] });
    const s = new TlsServer({
      ca: root.certificatePem,
      cert: leaf.certificatePem,
      key: leaf.keyPem,
      clientAuth: 'none',
      alpn: [alpn],
    });
    const log = runPair(c, s);
    expect(errorOf(log.server)).toBeUndefined();
    expect(errorOf(log.client)).toBeUndefined();
    expect(c.info?.alpn).toBe(alpn); // the API keeps the raw value; only display is escaped
    const line = describeSession(c.info!);
    expect(line).toContain('evil');
    expect(line).toContain('ALPN x\\x1b[8m');
    expectClean(line);
  });

  it('describeFailure keeps a failure on one printable line', () => {
    const error = new TlsError('bad \x1b[31mthing\r\nFAKE LOG LINE', { kind: 'peer', code: 'bad_finished' });
    expect(describeFailure(error)).toBe('bad_finished: bad \\x1b[31mthing\\x0d\\x0aFAKE LOG LINE');
    expectClean(describeFailure(new Error('a\u009bb')));
  });
});

describe('CLI output', () => {
  async function cli(...argv: string[]): Promise<string> {
    const parts: string[] = [];
    const collect = (t: string): void => {
      parts.push(t);
    };
    await runCli(argv, { out: collect, err: collect });
    return parts.join('');
  }

  it('verify and inspect print hostile names escaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memtls-printable-'));
    const ca = join(dir, 'ca.pem');
    const cert = join(dir, 'evil.pem');
    writeFileSync(ca, root.certificatePem);
    writeFileSync(cert, evil.certificatePem);
    const ok = await cli('verify', '--ca', ca, cert);
    expect(ok).toMatch(/^ok: CN=evil/);
    expectClean(ok.slice(0, -1)); // all but the final newline
    const mismatch = await cli('verify', '--ca', ca, '--hostname', 'other.test', cert);
    expect(mismatch).toMatch(/^error: hostname_mismatch: /);
    expectClean(mismatch.slice(0, -1));
    const report = await cli('inspect', cert);
    expect(report).toContain('URI:https://a.test/\\x1b[2Jx');
    for (const line of report.split('\n')) expectClean(line);
  });
});
