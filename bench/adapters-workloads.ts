// The `adapters` benchmark's machinery (bench/adapters.ts runs it): the server child process each
// implementation's server runs in (bench/adapters-server.ts), the clients of each kind in this
// process, and the workloads — handshakes, 64-byte echo, bulk transfers and idle-connection memory.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { connect as memtlsConnect, nodeCryptoProvider, type TlsSocket } from '../src/adapters/node.js';
import { createClientContext } from '../src/index.js';
import {
  ADAPTERS_CHILD_ENV,
  type Implementation,
  type MemorySample,
  type ServerCommand,
  setNoDelay,
} from './adapters-server.js';
import { ChildRequests } from './child-requests.js';
import type { Pki } from './handshake.js';

const CHUNK = 16384;
const ECHO_SIZE = 64;

/** Server memory growth per connection, bytes (arrayBuffers is part of external, as Node defines it). */
export interface MemoryParts {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

// ---------------------------------------------------------------------------------------------
// The server child

export class ServerChild {
  private readonly requests: ChildRequests<ServerCommand>;
  port = 0;

  constructor(readonly implementation: Implementation) {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, [ADAPTERS_CHILD_ENV]: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.requests = new ChildRequests(child, `${implementation} server`);
  }

  request<T>(request: ServerCommand, timeoutMs = 30_000): Promise<T> {
    return this.requests.request<T>(request, timeoutMs);
  }

  async listen(pki: Pki): Promise<void> {
    this.port = await this.request<number>({ command: 'listen', implementation: this.implementation, pki });
  }

  async stop(): Promise<void> {
    const child = this.requests.child;
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    try {
      await this.request({ command: 'stop' }, 5000);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Clients (this process)

export type ClientSocket = Duplex & { destroyed: boolean };

/** Per implementation: the client configuration, made once and reused, as an application would. */
export function clientFactory(implementation: Implementation, pki: Pki): (port: number) => ClientSocket {
  if (implementation === 'node:tls') {
    const secureContext = tls.createSecureContext({
      ca: pki.ca,
      cert: pki.client.cert,
      key: pki.client.key,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    return (port) =>
      tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'server.test',
        secureContext,
        minVersion: 'TLSv1.2',
      });
  }
  // Compiled once, as the node:tls client's secureContext above (a config passed inline to connect()
  // would be parsed and checked again for every connection).
  const secureContext = createClientContext({
    serverName: 'server.test',
    ca: pki.ca,
    cert: pki.client.cert,
    key: pki.client.key,
    ...(implementation === 'memtls/node:crypto' ? { crypto: nodeCryptoProvider } : {}),
  });
  return (port) => memtlsConnect({ host: '127.0.0.1', port, secureContext });
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function secured(socket: ClientSocket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve();
    });
    socket.once('error', reject);
  });
}

export function negotiated(
  implementation: Implementation,
  socket: ClientSocket,
): { suite: string; group: string } {
  if (implementation === 'node:tls') {
    const s = socket as tls.TLSSocket;
    return {
      suite: s.getCipher().standardName,
      group: (s.getEphemeralKeyInfo() as { name?: string } | null)?.name ?? '?',
    };
  }
  const info = (socket as TlsSocket).info;
  return { suite: info?.cipherSuite ?? '?', group: info?.group ?? '?' };
}

export async function openConnection(
  connect: (port: number) => ClientSocket,
  port: number,
): Promise<ClientSocket> {
  const socket = connect(port);
  setNoDelay(socket);
  try {
    await withTimeout(secured(socket), 30_000, 'a handshake');
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return socket;
}

/** Sequential full handshakes: each one's latency (connect() → secureConnect), and the batch's time. */
export async function handshakeBatch(
  connect: (port: number) => ClientSocket,
  port: number,
  count: number,
  maxMs: number,
): Promise<{ times: number[]; seconds: number }> {
  const times: number[] = [];
  const started = performance.now();
  while (times.length < count && performance.now() - started < maxMs) {
    const t0 = performance.now();
    const socket = await openConnection(connect, port);
    times.push(performance.now() - t0);
    socket.destroy();
  }
  return { times, seconds: (performance.now() - started) / 1000 };
}

/** A connection whose server echoes everything. */
export async function openEcho(connect: (port: number) => ClientSocket, port: number): Promise<ClientSocket> {
  const socket = await openConnection(connect, port);
  socket.write(Buffer.from('E'));
  return socket;
}

/** Sequential 64-byte ping-pong: `rounds` round trips (fewer if `maxMs` runs out). */
export function echoRun(
  socket: ClientSocket,
  rounds: number,
  maxMs: number,
): Promise<{ perSecond: number; rounds: number }> {
  const message = Buffer.alloc(ECHO_SIZE, 0x62);
  const done = new Promise<{ perSecond: number; rounds: number }>((resolve, reject) => {
    let completed = 0;
    let missing = 0;
    const started = performance.now();
    const send = () => {
      missing = ECHO_SIZE;
      socket.write(message);
    };
    const onData = (chunk: Buffer) => {
      missing -= chunk.length;
      if (missing > 0) return;
      completed++;
      const elapsed = performance.now() - started;
      if (completed >= rounds || elapsed > maxMs) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve({ perSecond: completed / (elapsed / 1000), rounds: completed });
      } else send();
    };
    socket.on('data', onData);
    socket.once('error', reject);
    send();
  });
  return withTimeout(done, maxMs + 10_000, 'an echo run');
}

/** A connection whose server sinks bulk transfers. */
export async function openSink(connect: (port: number) => ClientSocket, port: number): Promise<ClientSocket> {
  const socket = await openConnection(connect, port);
  socket.write(Buffer.from('B'));
  return socket;
}

const BULK_CHUNK = Buffer.alloc(CHUNK, 0x61);

/** Client → server, 16 KiB writes with backpressure, until the server acknowledges every byte: MB/s. */
export async function bulkTransfer(socket: ClientSocket, total: number): Promise<number> {
  const header = Buffer.alloc(9);
  header[0] = 0x42;
  header.writeBigUInt64BE(BigInt(total), 1);
  let onError: (error: Error) => void = () => {};
  const acknowledged = new Promise<void>((resolve, reject) => {
    onError = reject;
    socket.once('data', () => resolve());
    socket.once('error', onError);
  });
  const started = performance.now();
  socket.write(header);
  for (let sent = 0; sent < total; sent += CHUNK) {
    if (!socket.write(BULK_CHUNK)) await once(socket, 'drain');
  }
  await withTimeout(acknowledged, 60_000, 'a bulk transfer');
  socket.off('error', onError);
  return total / 1e6 / ((performance.now() - started) / 1000);
}

/**
 * Server-side memory per idle established connection, and the rate they were established at. With
 * `thenEcho`, each of those connections then carries one 64-byte echo, and `echoAdds` is what that
 * added per connection.
 */
export async function idleMemory(
  server: ServerChild,
  connect: (port: number) => ClientSocket,
  count: number,
  options: { inFlight?: number; thenEcho?: boolean } = {},
): Promise<{
  perConnection: number;
  parts: MemoryParts;
  acceptPerSecond: number;
  echoAdds?: { perConnection: number; parts: MemoryParts };
}> {
  const inFlight = options.inFlight ?? 16;
  const openMany = async (n: number): Promise<ClientSocket[]> => {
    const sockets: ClientSocket[] = [];
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        sockets.push(await openConnection(connect, server.port));
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
    } catch (error) {
      for (const s of sockets) s.destroy();
      throw error;
    }
    return sockets;
  };
  const closeAll = async (sockets: ClientSocket[]) => {
    for (const s of sockets) s.destroy();
    await server.request({ command: 'waitForConnections', count: 0, timeoutMs: 10_000 }, 15_000);
  };
  // Warm up (code, caches, pools), then measure from a settled baseline.
  await closeAll(await openMany(20));
  const before = await server.request<MemorySample>({ command: 'memory' });
  const opening = performance.now();
  const sockets = await openMany(count);
  try {
    const established = await server.request<number>(
      { command: 'waitForConnections', count, timeoutMs: 10_000 },
      15_000,
    );
    const acceptPerSecond = count / ((performance.now() - opening) / 1000);
    if (established !== count) throw new Error(`server sees ${established} of ${count} idle connections`);
    await new Promise((r) => setTimeout(r, 100));
    const after = await server.request<MemorySample>({ command: 'memory' });
    const growth = (from: MemorySample, to: MemorySample) => {
      const per = (k: keyof MemorySample) => (to[k] - from[k]) / count;
      const parts = {
        heapUsed: per('heapUsed'),
        external: per('external'),
        arrayBuffers: per('arrayBuffers'),
        rss: per('rss'),
      };
      return { perConnection: parts.heapUsed + parts.external, parts };
    };
    if (!options.thenEcho) return { acceptPerSecond, ...growth(before, after) };
    // Each idle connection becomes an echo connection ('E') and carries one 64-byte round trip.
    let next = 0;
    const echoWorker = async () => {
      while (next < sockets.length) {
        const socket = sockets[next++]!;
        socket.write(Buffer.from('E'));
        await echoRun(socket, 1, 5000);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, echoWorker));
    await new Promise((r) => setTimeout(r, 100));
    const echoed = await server.request<MemorySample>({ command: 'memory' });
    return { acceptPerSecond, ...growth(before, after), echoAdds: growth(after, echoed) };
  } finally {
    await closeAll(sockets);
  }
}
