// The server half of the `adapters` benchmark: a child process (forked with --expose-gc by
// bench/adapters.ts) running one TLS server — node:tls, or memtls/node with the node:crypto or the
// pure provider — and measuring its own memory. The parent drives it over the IPC channel.
//
// Per connection, the first application byte picks what the server does with it:
//   'B'               bulk sink: then transfers, each 'B' + u64 total + `total` bytes, each
//                     answered with one byte 'K' once all its bytes arrived
//   'E'               echo every byte that follows
//   nothing           idle (the memory measurement) or handshake-only connections

import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { createServer as createMemtlsServer, nodeCryptoProvider, TlsSocket } from '../src/adapters/node.js';
import type { ChildReply } from './child-requests.js';
import { nodeTlsServerOptions, type Pki } from './handshake.js';

/** Set in the child's environment; bench/index.ts then runs runAdaptersServerChild() instead of main(). */
export const ADAPTERS_CHILD_ENV = 'MEMTLS_BENCH_ADAPTERS_SERVER';

export type Implementation = 'node:tls' | 'memtls/node:crypto' | 'memtls/pure';
export const IMPLEMENTATIONS: readonly Implementation[] = ['node:tls', 'memtls/node:crypto', 'memtls/pure'];

export interface MemorySample {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** Server-side connections established and not yet closed when the sample was taken. */
  connections: number;
}

export type ServerCommand =
  | { command: 'listen'; implementation: Implementation; pki: Pki }
  | { command: 'memory' }
  | { command: 'waitForConnections'; count: number; timeoutMs: number }
  | { command: 'stop' };

export type ServerRequest = ServerCommand & { id: number };

export type ServerReply = ChildReply;

const BULK = 0x42; // 'B'
const ECHO = 0x45; // 'E'
const BULK_HEADER_LENGTH = 9; // 'B' + u64
const ACK = Buffer.from('K');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * TCP_NODELAY on the TCP socket under a node:tls or memtls socket. Every benchmark socket gets it, on
 * both sides and for every implementation: with Nagle's algorithm the last record of a bulk transfer
 * can wait for a delayed ACK (40 ms on Linux), which is noise, not a property of the TLS stack.
 */
export function setNoDelay(socket: Duplex): void {
  if (socket instanceof TlsSocket) socket.socket.setNoDelay(true);
  else (socket as tls.TLSSocket).setNoDelay(true);
}

/** What the server does with one established connection (see the header comment). */
function serve(socket: Duplex, open: Set<Duplex>): void {
  setNoDelay(socket);
  open.add(socket);
  socket.on('error', () => {}); // clients reset connections when a measurement ends
  socket.on('close', () => open.delete(socket));
  let mode = 0;
  let header: Buffer = Buffer.alloc(0);
  let remaining = 0; // bulk: bytes still expected in the current transfer (0: a header comes next)
  socket.on('data', (chunk: Buffer) => {
    if (mode === 0) {
      mode = chunk[0]!;
      chunk = chunk.subarray(1);
    }
    if (mode === ECHO) {
      if (chunk.length > 0) socket.write(chunk);
      return;
    }
    // Bulk: transfers of u64 total bytes, one after another; each is answered with 'K'.
    while (mode === BULK && chunk.length > 0) {
      if (remaining === 0) {
        const need = BULK_HEADER_LENGTH - header.length;
        header = Buffer.concat([header, chunk.subarray(0, need)]);
        chunk = chunk.subarray(need);
        if (header.length < BULK_HEADER_LENGTH) return;
        remaining = Number(header.readBigUInt64BE(1));
        header = Buffer.alloc(0);
        continue;
      }
      const take = Math.min(remaining, chunk.length);
      remaining -= take;
      chunk = chunk.subarray(take);
      if (remaining === 0) socket.write(ACK);
    }
  });
}

function listenFor(implementation: Implementation, pki: Pki, open: Set<Duplex>): net.Server {
  if (implementation === 'node:tls') {
    const server = tls.createServer(nodeTlsServerOptions(pki));
    server.on('secureConnection', (socket) => serve(socket, open));
    server.on('tlsClientError', () => {});
    return server;
  }
  const server = createMemtlsServer({
    ca: pki.ca,
    cert: pki.server.cert,
    key: pki.server.key,
    ...(implementation === 'memtls/node:crypto' ? { crypto: nodeCryptoProvider } : {}),
  });
  server.on('secureConnection', (socket) => serve(socket, open));
  server.on('tlsClientError', () => {});
  return server;
}

/** The child's main: answers the parent's requests until 'stop' or until the parent goes away. */
export async function runAdaptersServerChild(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc || !process.send) throw new Error('the adapters server child needs --expose-gc and an IPC channel');
  const send = (reply: ServerReply) => process.send!(reply);
  const open = new Set<Duplex>();
  let server: net.Server | undefined;

  const stop = () => {
    for (const socket of open) socket.destroy();
    server?.close();
    process.disconnect?.();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('disconnect', () => {
    for (const socket of open) socket.destroy();
    server?.close();
  });

  const handle = async (request: ServerRequest): Promise<unknown> => {
    switch (request.command) {
      case 'listen': {
        const s = listenFor(request.implementation, request.pki, open);
        server = s;
        await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
        return (s.address() as net.AddressInfo).port;
      }
      case 'memory': {
        // Several collections with turns of the event loop between them, so finalizers and
        // weak callbacks (which free external memory) get to run.
        for (let i = 0; i < 4; i++) {
          gc();
          await sleep(25);
        }
        const m = process.memoryUsage();
        const sample: MemorySample = {
          heapUsed: m.heapUsed,
          external: m.external,
          arrayBuffers: m.arrayBuffers,
          rss: m.rss,
          connections: open.size,
        };
        return sample;
      }
      case 'waitForConnections': {
        const deadline = performance.now() + request.timeoutMs;
        while (open.size !== request.count && performance.now() < deadline) await sleep(10);
        return open.size;
      }
      case 'stop':
        return undefined;
    }
  };

  process.on('message', (request: ServerRequest) => {
    handle(request).then(
      (result) => {
        send({ id: request.id, result });
        if (request.command === 'stop') stop();
      },
      (error: unknown) =>
        send({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}
