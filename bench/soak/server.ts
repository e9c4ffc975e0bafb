// The soak's server process (forked with --expose-gc by bench/soak/index.ts): one mutual-TLS 1.2 echo
// server — memtls/node or the node:tls reference — that tallies failures by error code and samples its
// own heap and RSS (before, peak, after), answering the parent over the IPC channel.

import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import * as v8 from 'node:v8';
import {
  createServer as createMemtlsServer,
  nodeCryptoProvider,
  TlsSocket,
} from '../../src/adapters/node.js';
import type { ChildReply } from '../child-requests.js';
import type { SoakPki } from './pki.js';

export type ServerImplementation = 'memtls' | 'node:tls';
export type CryptoChoice = 'pure' | 'node';

export interface MemorySample {
  heapUsed: number;
  external: number;
  rss: number;
  /** TCP connections the server held when sampled (handshaking or established). */
  connections: number;
  /** V8 heap spaces in use (bytes), by name: tells compiled code (code_space) from objects. */
  spaces?: Record<string, number>;
  /**
   * Compiled code on the heap, with its metadata (deoptimization data, relocation info, source
   * positions) and bytecode (v8.getHeapCodeStatistics()): what the JIT keeps, not what we allocate.
   */
  compiledCode?: number;
}

export interface ServerTally {
  handshakesCompleted: number;
  /** Handshake failures ('tlsClientError'), by error code. */
  handshakeErrors: Record<string, number>;
  /** Errors on established connections, by error code. */
  connectionErrors: Record<string, number>;
}

export type ServerCommand =
  | {
      command: 'listen';
      implementation: ServerImplementation;
      crypto: CryptoChoice;
      pki: SoakPki;
      handshakeTimeout: number;
    }
  | { command: 'memory'; snapshot?: string }
  | { command: 'startPeak' }
  | { command: 'peak' }
  | { command: 'waitIdle'; timeoutMs: number }
  | { command: 'tally' }
  | { command: 'stop' };

export type ServerRequest = ServerCommand & { id: number };
export type ServerReply = ChildReply;

const PEAK_SAMPLE_MS = 100;
const MIN_COLLECTIONS = 8;
const MAX_COLLECTIONS = 24;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An error's code as the tallies key it: TlsError and Node errors carry `code`. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.length > 0) return code;
  return error instanceof Error ? error.message.slice(0, 60) : String(error);
}

function count(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}

/** Echo with backpressure: pipe() stops reading while the peer does not read what we write. */
function serveEcho(socket: Duplex, tally: ServerTally): void {
  tally.handshakesCompleted++;
  if (socket instanceof TlsSocket) socket.socket.setNoDelay(true);
  else (socket as tls.TLSSocket).setNoDelay(true);
  socket.on('error', (error) => count(tally.connectionErrors, errorCode(error)));
  socket.pipe(socket);
}

function listenFor(command: Extract<ServerCommand, { command: 'listen' }>, tally: ServerTally): net.Server {
  const { pki, handshakeTimeout } = command;
  const onClientError = (error: unknown) => count(tally.handshakeErrors, errorCode(error));
  if (command.implementation === 'node:tls') {
    const server = tls.createServer({
      ca: pki.ca,
      cert: pki.server.cert,
      key: pki.server.key,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      handshakeTimeout,
    });
    server.on('secureConnection', (socket) => serveEcho(socket, tally));
    // node:tls leaves a failed handshake's socket open (its handshake timeout only emits this event):
    // closing it is the application's job, as every real node:tls server has to.
    server.on('tlsClientError', (error, socket) => {
      onClientError(error);
      socket.destroy();
    });
    return server;
  }
  const server = createMemtlsServer({
    ca: pki.ca,
    cert: pki.server.cert,
    key: pki.server.key,
    handshakeTimeout,
    ...(command.crypto === 'node' ? { crypto: nodeCryptoProvider } : {}),
  });
  server.on('secureConnection', (socket) => serveEcho(socket, tally));
  server.on('tlsClientError', onClientError);
  return server;
}

function sampleNow(connections: number): MemorySample {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss, connections };
}

/** The child's main: answers the parent's requests until 'stop' or until the parent goes away. */
export async function runSoakServer(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc || !process.send) throw new Error('the soak server needs --expose-gc and an IPC channel');
  const tally: ServerTally = { handshakesCompleted: 0, handshakeErrors: {}, connectionErrors: {} };
  let server: net.Server | undefined;
  let connections = 0;
  let peak: MemorySample | undefined;
  let sampler: ReturnType<typeof setInterval> | undefined;

  const samplePeak = () => {
    const s = sampleNow(connections);
    if (!peak) peak = s;
    else {
      peak = {
        heapUsed: Math.max(peak.heapUsed, s.heapUsed),
        external: Math.max(peak.external, s.external),
        rss: Math.max(peak.rss, s.rss),
        connections: Math.max(peak.connections, s.connections),
      };
    }
  };

  const handle = async (request: ServerRequest): Promise<unknown> => {
    switch (request.command) {
      case 'listen': {
        const s = listenFor(request, tally);
        s.on('connection', (socket: net.Socket) => {
          connections++;
          socket.once('close', () => connections--);
        });
        server = s;
        await new Promise<void>((resolve) =>
          s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
        );
        return (s.address() as net.AddressInfo).port;
      }
      case 'memory': {
        // Full collections with turns of the event loop between them (so finalizers and weak
        // callbacks, which free external memory, get to run), at least MIN_COLLECTIONS of them
        // (V8 drops the bytecode of functions that did not run for --bytecode-old-age, 5, full
        // collections) and then until the heap stops shrinking.
        let last = Number.POSITIVE_INFINITY;
        for (let i = 0; i < MAX_COLLECTIONS; i++) {
          gc();
          await sleep(25);
          const used = process.memoryUsage().heapUsed;
          if (i + 1 >= MIN_COLLECTIONS && used >= last) break;
          last = used;
        }
        // Written after the collections: the snapshot holds what survived them, nothing else.
        if (request.snapshot) v8.writeHeapSnapshot(request.snapshot);
        const code = v8.getHeapCodeStatistics();
        return {
          ...sampleNow(connections),
          compiledCode: code.code_and_metadata_size + code.bytecode_and_metadata_size,
          spaces: Object.fromEntries(
            v8.getHeapSpaceStatistics().map((x) => [x.space_name, x.space_used_size]),
          ),
        };
      }
      case 'startPeak':
        peak = undefined;
        clearInterval(sampler);
        samplePeak();
        sampler = setInterval(samplePeak, PEAK_SAMPLE_MS);
        return undefined;
      case 'peak':
        clearInterval(sampler);
        samplePeak();
        return peak;
      case 'waitIdle': {
        const deadline = performance.now() + request.timeoutMs;
        while (connections > 0 && performance.now() < deadline) await sleep(20);
        return connections;
      }
      case 'tally':
        return tally;
      case 'stop':
        return undefined;
    }
  };

  process.on('disconnect', () => process.exit(0));
  process.on('message', (request: ServerRequest) => {
    handle(request).then(
      (result) => {
        const reply: ServerReply = { id: request.id, result };
        if (request.command !== 'stop') process.send!(reply);
        else {
          server?.close();
          process.send!(reply, () => process.exit(0));
        }
      },
      (error: unknown) =>
        process.send!({
          id: request.id,
          error: error instanceof Error ? error.message : String(error),
        } satisfies ServerReply),
    );
  });
}
