// Headless Chromium holds a non-extractable WebCrypto P-256 key; Node certifies its exported public
// key with the test root (issueCertificateForPublicKey); the browser then does mutual TLS 1.2 through
// the WebSocket bridge to `openssl s_server -Verify 1`, signing CertificateVerify with subtle.sign
// through a Signer (the handshake pauses for the promise; the adapter waits).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult, PageRun } from '../../examples/browser/page.js';
import { type BrowserDemo, startBrowserDemo } from '../../examples/browser/serve.js';
import { issueCertificateForPublicKey, parseCertificate, toDerList } from '../../src/index.js';
import { testPki } from '../helpers/pki.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { type OpensslServer, startOpensslRevServer } from './openssl-server.js';

const pki = testPki();
const server = pki.leaf('p256', 'server');

interface PageGlobals {
  memtlsRun(p: PageRun): Promise<PageResult>;
  memtlsMakeWebCryptoKey(): Promise<number[]>;
  memtlsWebCryptoKeyExtractable(): boolean;
}

describe('a non-extractable WebCrypto key in Chromium signs for mutual TLS with OpenSSL', () => {
  let openssl: OpensslServer | undefined;
  let demo: BrowserDemo | undefined;
  let browser: HeadlessChromium | undefined;

  beforeAll(async () => {
    openssl = await startOpensslRevServer({ ca: pki.caPath, cert: server.certPath, key: server.keyPath });
    demo = await startBrowserDemo({ target: { host: '127.0.0.1', port: openssl.port } });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    openssl?.stop();
  });

  it('the browser key signs CertificateVerify; s_server verifies the certificate issued for it', async () => {
    const page = await browser!.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(demo!.pageUrl);
    await page.waitForFunction(() => 'memtlsMakeWebCryptoKey' in globalThis, undefined, { timeout: 10_000 });
    const spki = await page.evaluate(() => (globalThis as unknown as PageGlobals).memtlsMakeWebCryptoKey());
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).memtlsWebCryptoKeyExtractable()),
    ).toBe(false);
    // Node certifies the public key with the test root; the private key never left the browser.
    const { certificatePem } = issueCertificateForPublicKey(
      {
        commonName: 'browser.test',
        usage: 'client',
        issuer: { certificate: pki.ca, key: readFileSync(join(pki.dir, 'root.key'), 'utf8') },
      },
      new Uint8Array(spki),
    );
    expect(parseCertificate(toDerList(certificatePem)[0]!).subject.text).toContain('browser.test');
    const params: PageRun = {
      bridgeUrl: demo!.bridgeUrl,
      ca: pki.ca,
      cert: certificatePem,
      key: 'webcrypto',
      serverName: 'server.test',
      lines: ['signed in the browser'],
      timeoutMs: 15_000,
    };
    const result = await page
      .evaluate((p) => (globalThis as unknown as PageGlobals).memtlsRun(p), params)
      .catch((e: unknown) => {
        throw new Error(
          `${String(e)}\npage errors: ${pageErrors.join('; ')}\nopenssl said:\n${openssl!.output()}`,
        );
      });
    expect(result.replies).toEqual(['resworb eht ni dengis']);
    expect(result.info.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    const log = (await page.textContent('#log')) ?? '';
    expect(log).toContain('signed with the non-extractable WebCrypto key (ecdsa_secp256r1_sha256)');
    expect(openssl!.output()).toContain('browser.test'); // s_server verified the browser's certificate
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
