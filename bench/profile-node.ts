// A profiling driver for the memtls/node data path (issue 15): one process holds a memtls/node server and
// client (nodeCryptoProvider, P-256 mutual TLS over 127.0.0.1) and runs one workload, printing its rate
// and the process CPU time, so `node --cpu-prof` / `--trace-gc` show both ends of the path:
//   npx esbuild bench/profile-node.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist-bench/profile-node.mjs && node --cpu-prof dist-bench/profile-node.mjs bulk|echo|handshake

import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, nodeCryptoProvider, type TlsSocket } from '../src/adapters/node.js';
import { createClientContext } from '../src/index.js';
import { makePki } from './handshake.js';

const BULK_BYTES = 64 << 20;
const ECHO_ROUNDS = 20_000;
const HANDSHAKES = 300;

const mode = process.argv[2] ?? 'bulk';
if (!['bulk', 'echo', 'handshake'].includes(mode)) throw new Error(`unknown workload '${mode}'`);
const dir = mkdtempSync(join(tmpdir(), 'memtls-profile-'));
const pki = makePki('p256', dir);
rmSync(dir, { recursive: true, force: true });

const server = createServer({
  ca: pki.ca,
  cert: pki.server.cert,
  key: pki.server.key,
  crypto: nodeCryptoProvider,
});
server.on('secureConnection', (socket: TlsSocket) => {
  socket.socket.setNoDelay(true);
  socket.on('error', () => {});
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    if (mode === 'echo') return void socket.write(chunk);
    received += chunk.length;
    if (received >= BULK_BYTES) {
      received -= BULK_BYTES;
      socket.write(Buffer.from('K'));
    }
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;
const secureContext = createClientContext({
  serverName: 'server.test',
  ca: pki.ca,
  cert: pki.client.cert,
  key: pki.client.key,
  crypto: nodeCryptoProvider,
});
const open = async (): Promise<TlsSocket> => {
  const socket = connect({ host: '127.0.0.1', port, secureContext });
  socket.socket.setNoDelay(true);
  await once(socket, 'secureConnect');
  return socket;
};

const cpuBefore = process.cpuUsage();
const started = performance.now();
if (mode === 'bulk') {
  const socket = await open();
  const chunk = Buffer.alloc(16384, 0x61);
  for (let round = 0; round < 3; round++) {
    const acknowledged = once(socket, 'data');
    const t = performance.now();
    for (let sent = 0; sent < BULK_BYTES; sent += chunk.length) {
      if (!socket.write(chunk)) await once(socket, 'drain');
    }
    await acknowledged;
    console.log(`bulk ${(BULK_BYTES / 1e6 / ((performance.now() - t) / 1000)).toFixed(0)} MB/s`);
  }
  socket.destroy();
} else if (mode === 'echo') {
  const socket = await open();
  const message = Buffer.alloc(64, 0x62);
  for (let i = 0; i < ECHO_ROUNDS; i++) {
    socket.write(message);
    for (let missing = message.length; missing > 0; ) {
      const [data] = (await once(socket, 'data')) as [Buffer];
      missing -= data.length;
    }
  }
  console.log(`echo ${(ECHO_ROUNDS / ((performance.now() - started) / 1000)).toFixed(0)} round trips/s`);
  socket.destroy();
} else {
  for (let i = 0; i < HANDSHAKES; i++) (await open()).destroy();
  console.log(`handshake ${(HANDSHAKES / ((performance.now() - started) / 1000)).toFixed(1)}/s`);
}
const cpu = process.cpuUsage(cpuBefore);
console.log(`process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (both ends)`);
server.close();
process.exit(0);
