// Serves the browser example: bundles page.ts (memtls core + memtls/websocket) for the browser with
// esbuild, serves it on 127.0.0.1 and starts the WebSocket-to-TCP bridge to a TLS server.
//
// Run from the project root against `openssl s_server -accept 4433 -tls1_2 -Verify 1 -CAfile ca.pem
// -cert server.pem -key server.key -rev`:
//   npx esbuild examples/browser/serve.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist-examples/serve.mjs && node dist-examples/serve.mjs --target 127.0.0.1:4433 \
//     --ca ca.pem --cert client.pem --key client.key --servername server.test
// then open the printed URL: the page connects by itself and prints the reversed lines.

import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { startBridge } from '../ws-tcp-bridge.js';
import type { PageRun } from './page.js';

/** This directory, also when run as a bundle from elsewhere in the project (then: from the project root). */
const besideMe = dirname(fileURLToPath(import.meta.url));
const here = existsSync(join(besideMe, 'page.ts')) ? besideMe : join(process.cwd(), 'examples', 'browser');

export interface BrowserDemo {
  pageUrl: string;
  bridgeUrl: string;
  close(): Promise<void>;
}

/** Bundle page.ts for the browser; the error names any file that pulls in node:* or another Node-only import. */
export async function bundlePage(): Promise<string> {
  try {
    const result = await build({
      entryPoints: [join(here, 'page.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] })
      .errors;
    const detail = errors?.map(
      (x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}`,
    );
    throw new Error(`browser bundle of the core failed:\n${detail?.join('\n') ?? String(e)}`);
  }
}

export async function startBrowserDemo(options: {
  target: { host: string; port: number };
  /** Served as /config.json with the bridge's URL added: the page then runs by itself. */
  config?: Omit<PageRun, 'bridgeUrl'>;
}): Promise<BrowserDemo> {
  const script = await bundlePage();
  const html = readFileSync(join(here, 'index.html'));
  const bridge = await startBridge({ port: 0, target: options.target });
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/' || path === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (path === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (path === '/config.json' && options.config) {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ...options.config, bridgeUrl: bridge.url }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    pageUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    bridgeUrl: bridge.url,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await bridge.close();
    },
  };
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Run as a program (its own file or bundle; a bundle that merely includes this module does not count). */
const script = process.argv[1];
if (script && import.meta.url === pathToFileURL(script).href && /serve[^/]*$/.test(script)) {
  const [host, port] = (argument('--target') ?? '127.0.0.1:4433').split(/:(?=\d+$)/);
  const file = (name: string) => readFileSync(argument(name) ?? '', 'utf8');
  const config = {
    ca: file('--ca'),
    cert: file('--cert'),
    key: file('--key'),
    serverName: argument('--servername') ?? 'server.test',
    lines: ['hello from the browser'],
  };
  const demo = await startBrowserDemo({ target: { host: host ?? '127.0.0.1', port: Number(port) }, config });
  process.stderr.write(`open ${demo.pageUrl} (bridge ${demo.bridgeUrl})\n`);
}
