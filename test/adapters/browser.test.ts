import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult, PageRun } from '../../examples/browser/page.js';
import { type BrowserDemo, bundlePage, startBrowserDemo } from '../../examples/browser/serve.js';
import { testPki } from '../helpers/pki.js';
import { type HeadlessChromium, launchChromium } from './chromium.js';
import { type OpensslServer, startOpensslRevServer } from './openssl-server.js';

const pki = testPki();
const server = pki.leaf('p256', 'server');
const client = pki.leaf('p256', 'client');

describe('memtls in a browser (Chromium) through a WebSocket-to-TCP bridge', () => {
  let openssl: OpensslServer | undefined;
  let demo: BrowserDemo | undefined;
  let browser: HeadlessChromium | undefined;

  beforeAll(async () => {
    openssl = await startOpensslRevServer({ ca: pki.caPath, cert: server.certPath, key: server.keyPath });
    demo = await startBrowserDemo({ target: { host: '127.0.0.1', port: openssl.port } });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    openssl?.stop();
  });

  it('bundles the core and the websocket adapter for the browser without Node built-ins', async () => {
    const script = await bundlePage();
    expect(script).not.toMatch(/from\s*["']node:|require\(["']node:/);
    expect(script).toContain('wrapWebSocket');
  });

  it('completes mutual TLS with openssl s_server and exchanges lines', async () => {
    const page = await browser!.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(demo!.pageUrl);
    await page.waitForFunction(() => 'memtlsRun' in globalThis, undefined, { timeout: 10_000 });
    const params: PageRun = {
      bridgeUrl: demo!.bridgeUrl,
      ca: pki.ca,
      cert: client.cert,
      key: client.key,
      serverName: 'server.test',
      lines: ['hello from chromium', 'abc'],
      timeoutMs: 15_000,
    };
    const result = await page
      .evaluate(
        (p) => (globalThis as unknown as { memtlsRun(p: PageRun): Promise<PageResult> }).memtlsRun(p),
        params,
      )
      .catch((e: unknown) => {
        throw new Error(
          `${String(e)}\npage errors: ${pageErrors.join('; ')}\nopenssl s_server said:\n${openssl!.output()}`,
        );
      });
    expect(result.replies).toEqual(['muimorhc morf olleh', 'cba']);
    expect(result.info.version).toBe('TLSv1.2');
    expect(result.info.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
    expect(result.info.extendedMasterSecret).toBe(true);
    expect(result.info.peerCommonName).toBe('server.test');
    expect(await page.textContent('#log')).toContain('reply: cba');
    expect(openssl!.output()).toContain('client.test'); // s_server verified the browser's certificate
    expect(pageErrors).toEqual([]);
  });

  it('runs by itself when serve.ts hands the page its configuration (the example as a person uses it)', async () => {
    const served = await startBrowserDemo({
      target: { host: '127.0.0.1', port: openssl!.port },
      config: { ca: pki.ca, cert: client.cert, key: client.key, serverName: 'server.test', lines: ['xyz'] },
    });
    try {
      const page = await browser!.context.newPage();
      await page.goto(served.pageUrl);
      await page.waitForFunction(
        () => /done:|error:/.test(document.getElementById('log')?.textContent ?? ''),
        undefined,
        {
          timeout: 15_000,
        },
      );
      const log = (await page.textContent('#log')) ?? '';
      expect(log).toContain('reply: zyx');
      expect(log).toContain('done:');
    } finally {
      await served.close();
    }
  });
});
