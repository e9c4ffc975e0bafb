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
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki, type Pki } from './handshake.js';
import { connectEnd, type End, type EndSocket, listenEnd, option } from './profile-ends.js';

const SEGMENT = 16 << 20;
const CHILD_ENV = 'MEMTLS_PROFILE_RECEIVER';

interface ServerStart {
  pki: Pki;
  end: End;
  bytes: number;
}

function end(name: string): End {
  const value = option(name, 'memtls');
  if (value !== 'memtls' && value !== 'node') throw new Error(`${name} is memtls or node, not '${value}'`);
  return value;
}

/** The child: one server, one connection, `bytes` received, then its rate and CPU time to the parent. */
async function serve({ pki, end, bytes }: ServerStart): Promise<void> {
  const onConnection = (socket: EndSocket) => {
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
      listening.server.close();
    });
  };
  const listening = await listenEnd(pki, end, onConnection);
  process.send!({ port: listening.port });
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
  const socket = await connectEnd(pki, clientEnd, port);
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
