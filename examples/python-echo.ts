// Echo with mutual TLS against Python's ssl configured as the aiomas guide does (both directions):
// a memtls/node client talks to a Python echo server, and a Python client talks to a memtls/node
// echo server. The PKI is made with memtls's own issuing code and written to a temporary folder.
// Run: npx esbuild examples/python-echo.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/python-echo.mjs && node dist-examples/python-echo.mjs

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connect, createServer } from '../src/adapters/node.js';
import { createRoot, issueCertificate } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Works from examples/ and from a bundle in dist-examples/. */
const script = [
  join(here, 'python', 'aiomas_echo.py'),
  join(here, '..', 'examples', 'python', 'aiomas_echo.py'),
];

function python(args: string[], onLine: (line: string) => void): Promise<number> {
  const path = script.find((p) => existsSync(p));
  if (!path) throw new Error(`aiomas_echo.py not found (looked in ${script.join(', ')})`);
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
        onLine(out.slice(0, i));
        out = out.slice(i + 1);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`python3 exited ${code}: ${err.trim()}`));
      else resolve(code);
    });
  });
}

export interface PythonEchoResult {
  /** What the memtls client got back from the Python server, and what Python logged. */
  memtlsClient: { reply: string; suite: string; pythonLog: string };
  /** What the Python client got back from the memtls server, and who the server saw. */
  pythonClient: { reply: string; cipher: string; peer: string | undefined };
}

export async function runPythonEcho(): Promise<PythonEchoResult> {
  const dir = mkdtempSync(join(tmpdir(), 'memtls-python-echo-'));
  try {
    const root = createRoot({ commonName: 'aiomas example root', keyType: 'p256' });
    const issuer = { certificate: root.certificate, key: root.key };
    const server = issueCertificate({
      issuer,
      commonName: 'localhost',
      subjectAltNames: ['DNS:localhost'],
      usage: 'server',
    });
    const client = issueCertificate({ issuer, commonName: 'agent-1', usage: 'client' });
    const files = {
      ca: join(dir, 'ca.pem'),
      serverCert: join(dir, 'server.pem'),
      serverKey: join(dir, 'server.key'),
      clientCert: join(dir, 'client.pem'),
      clientKey: join(dir, 'client.key'),
    };
    writeFileSync(files.ca, root.certificatePem);
    writeFileSync(files.serverCert, server.certificatePem);
    writeFileSync(files.serverKey, server.keyPem, { mode: 0o600 });
    writeFileSync(files.clientCert, client.certificatePem);
    writeFileSync(files.clientKey, client.keyPem, { mode: 0o600 });

    // 1. memtls client → Python server.
    let pythonLog = '';
    let portResolve!: (p: number) => void;
    const portKnown = new Promise<number>((r) => {
      portResolve = r;
    });
    const pyServer = python(['server', files.ca, files.serverCert, files.serverKey], (line) => {
      if (line.startsWith('port ')) portResolve(Number(line.slice(5)));
      else pythonLog += line;
    });
    const port = await Promise.race([portKnown, pyServer.then(() => -1)]);
    const tls = connect({
      host: '127.0.0.1',
      port,
      serverName: 'localhost',
      ca: root.certificatePem,
      cert: client.certificatePem,
      key: client.keyPem,
    });
    const reply = await new Promise<string>((resolve, reject) => {
      tls.once('error', reject);
      tls.once('secureConnect', () => tls.write('hello from memtls'));
      tls.once('data', (d: Buffer) => resolve(d.toString()));
    });
    const suite = tls.info?.cipherSuite ?? '?';
    tls.end();
    await pyServer;

    // 2. Python client → memtls server (echo).
    let peer: string | undefined;
    const srv = createServer(
      { ca: root.certificatePem, cert: server.certificatePem, key: server.keyPem },
      (socket) => {
        peer = socket.info?.peerIdentity?.commonName;
        socket.pipe(socket);
      },
    );
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    await python(
      [
        'client',
        files.ca,
        files.clientCert,
        files.clientKey,
        String((srv.address() as AddressInfo).port),
        'localhost',
        'hello from python',
      ],
      (line) => lines.push(line),
    );
    await new Promise<void>((r) => srv.close(() => r()));
    return {
      memtlsClient: { reply, suite, pythonLog },
      pythonClient: {
        reply: lines.find((l) => l.startsWith('reply '))?.slice(6) ?? '',
        cipher: lines.find((l) => l.startsWith('cipher '))?.slice(7) ?? '',
        peer,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href && /python-echo[^/]*$/.test(entry)) {
  runPythonEcho().then(
    (r) => {
      console.log(
        `memtls client → Python server: reply '${r.memtlsClient.reply}' over ${r.memtlsClient.suite}`,
      );
      console.log(`  python: ${r.memtlsClient.pythonLog}`);
      console.log(
        `Python client → memtls server: reply '${r.pythonClient.reply}' over ${r.pythonClient.cipher}`,
      );
      console.log(`  memtls server saw client CN=${r.pythonClient.peer}`);
    },
    (e: unknown) => {
      console.error(`python-echo: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
