// Headless Chromium runs the core + memtls/websocket (bundled for the browser by esbuild) and completes
// a mutual-TLS 1.2 handshake with `openssl s_server` through examples/ws-tcp-bridge.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageResult, PageRun } from '../../examples/browser/page.js';
import { type BrowserDemo, bundlePage, startBrowserDemo } from '../../examples/browser/serve.js';
import { testPki } from '../helpers/pki.js';
import { type OpensslServer, startOpensslRevServer } from './openssl-server.js';

const CHROMIUM = '/usr/bin/chromium';
const pki = testPki();
const server = pki.leaf('p256', 'server');
const client = pki.leaf('p256', 'client');

describe('memtls in a browser (Chromium) through a WebSocket-to-TCP bridge', () => {
  let openssl: OpensslServer | undefined;
  let demo: BrowserDemo | undefined;
  let context: BrowserContext | undefined;
  let profile: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `the browser test needs Debian's Chromium at ${CHROMIUM}: run 'apt-get update && apt-get install -y chromium' (.ci/run installs it)`,
      );
    }
    openssl = await startOpensslRevServer({ ca: pki.caPath, cert: server.certPath, key: server.keyPath });
    demo = await startBrowserDemo({ target: { host: '127.0.0.1', port: openssl.port } });
    profile = mkdtempSync(join(tmpdir(), 'memtls-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await context?.close();
    await demo?.close();
    openssl?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('bundles the core and the websocket adapter for the browser without Node built-ins', async () => {
    const script = await bundlePage();
    expect(script).not.toMatch(/from\s*["']node:|require\(["']node:/);
    expect(script).toContain('wrapWebSocket');
  });

  it('completes mutual TLS with openssl s_server and exchanges lines', async () => {
    const page = await context!.newPage();
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
      const page = await context!.newPage();
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
