// A profiling driver for 64-byte echo round trips (issue 15): a memtls/node server (nodeCryptoProvider)
// and a node:tls server, each in a child process, and a client of each kind here, taking turns in
// segments as `npm run bench` does, so a change can be compared quickly and either server profiled:
//   npx esbuild bench/profile-echo.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist-bench/profile-echo.mjs && node dist-bench/profile-echo.mjs \
//     [--segments 10] [--rounds 2000] [--server-flags "--cpu-prof"] [--allocations FILE]
// --server-flags go to the memtls server only; --allocations writes a sampling profile of everything
// the memtls server allocated while it ran, collected objects included (open it in Chrome DevTools).

import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { makePki, type Pki } from './handshake.js';
import { connectEnd, type End, type EndSocket, listenEnd, option } from './profile-ends.js';

type Socket = EndSocket;
const CHILD_ENV = 'MEMTLS_PROFILE_ECHO';
const MESSAGE = Buffer.alloc(64, 0x62);

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

/** The child: one server that echoes every byte; on 'stop' it writes its allocation profile and exits. */
async function serve(start: { pki: Pki; end: End; allocations: string }): Promise<void> {
  const { pki, end, allocations } = start;
  const onConnection = (socket: Socket) => {
    if ('setNoDelay' in socket) socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => socket.write(data));
    socket.on('error', () => {});
  };
  const { port } = await listenEnd(pki, end, onConnection);
  let session: Session | undefined;
  if (allocations !== '') {
    session = new Session();
    session.connect();
    await post(session, 'HeapProfiler.enable');
    await post(session, 'HeapProfiler.startSampling', {
      samplingInterval: 2048,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    if (session) {
      const { profile } = await post<{ profile: unknown }>(session, 'HeapProfiler.stopSampling');
      writeFileSync(allocations, JSON.stringify(profile));
    }
    process.exit(0); // a normal exit, so --cpu-prof writes its profile
  });
  process.send!({ port });
}

/** `rounds` sequential round trips, the next sent from the 'data' handler (as the bench does). */
function roundTrips(socket: Socket, rounds: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = 0;
    let missing = MESSAGE.length;
    const onData = (data: Buffer) => {
      missing -= data.length;
      if (missing > 0) return;
      if (++done === rounds) {
        socket.off('data', onData);
        resolve(rounds / ((performance.now() - started) / 1000));
        return;
      }
      missing = MESSAGE.length;
      socket.write(MESSAGE);
    };
    socket.on('data', onData);
    socket.write(MESSAGE);
  });
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
}

async function main(): Promise<void> {
  const segments = Number(option('--segments', '10'));
  const rounds = Number(option('--rounds', '2000'));
  const dir = mkdtempSync(join(tmpdir(), 'memtls-profile-echo-'));
  const pki = makePki('p256', dir);
  rmSync(dir, { recursive: true, force: true });
  const children: ChildProcess[] = [];
  const sockets = new Map<End, Socket>();
  for (const end of ['node', 'memtls'] as const) {
    const child = fork(process.argv[1]!, [], {
      env: { ...process.env, [CHILD_ENV]: '1' },
      execArgv: end === 'memtls' ? option('--server-flags', '').split(' ').filter(Boolean) : [],
    });
    children.push(child);
    child.send({ pki, end, allocations: end === 'memtls' ? option('--allocations', '') : '' });
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    const socket = await connectEnd(pki, end, port);
    if (socket instanceof tls.TLSSocket) socket.setNoDelay(true);
    else socket.socket.setNoDelay(true);
    sockets.set(end, socket);
  }
  for (const socket of sockets.values()) await roundTrips(socket, rounds); // warm-up
  const rates = { node: [] as number[], memtls: [] as number[], ratio: [] as number[] };
  for (let i = 0; i < segments; i++) {
    const node = await roundTrips(sockets.get('node')!, rounds);
    const memtls = await roundTrips(sockets.get('memtls')!, rounds);
    rates.node.push(node);
    rates.memtls.push(memtls);
    rates.ratio.push(memtls / node);
  }
  console.log(
    `64 B echo round trips/s, medians of ${segments} segments of ${rounds}: node:tls ${median(rates.node).toFixed(0)}, ` +
      `memtls/node ${median(rates.memtls).toFixed(0)}, ratio ${median(rates.ratio).toFixed(3)}`,
  );
  for (const socket of sockets.values()) socket.destroy();
  for (const child of children) {
    child.send('stop');
    await once(child, 'exit');
  }
}

if (process.env[CHILD_ENV]) {
  process.once('message', (start) => void serve(start as Parameters<typeof serve>[0]));
} else {
  await main();
}
