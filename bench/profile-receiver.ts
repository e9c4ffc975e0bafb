// A profiling driver for the bulk receiver (issue 15): a TLS server in a child process receives one
// long transfer from a client in this process, so `--cpu-prof` / `--trace-gc-nvp` of the child show
// the receiving end alone. Either end is memtls/node (nodeCryptoProvider) or node:tls.
//   npx esbuild bench/profile-receiver.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist-bench/profile-receiver.mjs && node dist-bench/profile-receiver.mjs \
//     [--server memtls|node] [--client memtls|node] [--mib 512] [--server-flags "--cpu-prof"]
// It prints the sender's rate per 16 MiB (the warm-up shows in the first ones), and the server's
// rate and CPU time for the whole transfer.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { connect, createServer, nodeCryptoProvider, type TlsSocket } from '../src/adapters/node.js';
import { makePki, nodeTlsServerOptions, type Pki } from './handshake.js';

type End = 'memtls' | 'node';
const SEGMENT = 16 << 20;
const CHILD_ENV = 'MEMTLS_PROFILE_RECEIVER';

interface ServerStart {
  pki: Pki;
  end: End;
  bytes: number;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function end(name: string): End {
  const value = option(name, 'memtls');
  if (value !== 'memtls' && value !== 'node') throw new Error(`${name} is memtls or node, not '${value}'`);
  return value;
}

/** The child: one server, one connection, `bytes` received, then its rate and CPU time to the parent. */
async function serve({ pki, end, bytes }: ServerStart): Promise<void> {
  const onConnection = (socket: tls.TLSSocket | TlsSocket) => {
    let received = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received < bytes) return;
      const cpu = process.cpuUsage(cpu0);
      process.send!({
        mbps: bytes / 1e6 / ((performance.now() - t0) / 1000),
        cpuMs: (cpu.user + cpu.system) / 1000,
      });
      socket.end();
      server.close();
    });
  };
  const server =
    end === 'node'
      ? tls.createServer(nodeTlsServerOptions(pki), onConnection)
      : createServer(
          { ca: pki.ca, cert: pki.server.cert, key: pki.server.key, crypto: nodeCryptoProvider },
          onConnection,
        );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send!({ port: (server.address() as AddressInfo).port });
}

async function main(): Promise<void> {
  const serverEnd = end('--server');
  const clientEnd = end('--client');
  const bytes = Number(option('--mib', '512')) * 1048576;
  const dir = mkdtempSync(join(tmpdir(), 'memtls-profile-receiver-'));
  const pki = makePki('p256', dir);
  rmSync(dir, { recursive: true, force: true });
  const child = fork(process.argv[1]!, [], {
    env: { ...process.env, [CHILD_ENV]: '1' },
    execArgv: option('--server-flags', '').split(' ').filter(Boolean),
  });
  const replies: unknown[] = [];
  child.on('message', (m) => replies.push(m));
  child.send({ pki, end: serverEnd, bytes } satisfies ServerStart);
  while (replies.length === 0) await once(child, 'message');
  const { port } = replies.shift() as { port: number };
  const client = { host: '127.0.0.1', port, ca: pki.ca, cert: pki.client.cert, key: pki.client.key };
  const socket =
    clientEnd === 'node'
      ? tls.connect({ ...client, servername: 'server.test', maxVersion: 'TLSv1.2' })
      : connect({ ...client, serverName: 'server.test', crypto: nodeCryptoProvider });
  await once(socket, 'secureConnect');
  socket.on('data', () => {});
  const chunk = Buffer.alloc(16384, 0x61);
  const segments: number[] = [];
  let t = performance.now();
  for (let sent = 0; sent < bytes; ) {
    if (!socket.write(chunk)) await once(socket, 'drain');
    sent += chunk.length;
    if (sent % SEGMENT === 0) {
      const now = performance.now();
      segments.push(Math.round(SEGMENT / 1e6 / ((now - t) / 1000)));
      t = now;
    }
  }
  while (replies.length === 0) await once(child, 'message');
  const result = replies.shift() as { mbps: number; cpuMs: number };
  console.log(`${clientEnd} client → ${serverEnd} server, ${bytes / 1048576} MiB`);
  console.log(`  sender MB/s per 16 MiB: ${segments.join(' ')}`);
  console.log(`  server: ${result.mbps.toFixed(0)} MB/s, CPU ${result.cpuMs.toFixed(0)} ms`);
  socket.destroy();
  await once(child, 'exit');
}

if (process.env[CHILD_ENV]) {
  process.once('message', (start) => void serve(start as ServerStart));
} else {
  await main();
}
