// TlsSocket's write gathering (src/adapters/node-socket.ts, sent()): the first write of a turn of the
// event loop goes out at once, the writes after it in the same turn go out together (one writev per
// 64 KiB, or at the end of the turn). Nothing is lost, reordered or held past the turn.

import { once } from 'node:events';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, nodeCryptoProvider, type TlsSocket } from '../../src/adapters/node.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { p256Configs, testPki } from '../helpers/pki.js';

let configs: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  configs = p256Configs(testPki());
}, 120_000);

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** A node:tls server that collects what each connection sends; resolves with its bytes at the end. */
async function sink(): Promise<{ port: number; received: Promise<Buffer> }> {
  let done!: (b: Buffer) => void;
  const received = new Promise<Buffer>((resolve) => {
    done = resolve;
  });
  const server = tls.createServer(
    {
      key: configs.server.key as string,
      cert: configs.server.cert as string,
      ca: configs.server.ca as string,
      requestCert: true,
      maxVersion: 'TLSv1.2',
    },
    (s) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('error', () => {});
      s.on('close', () => done(Buffer.concat(parts)));
    },
  );
  cleanup.push(() => server.close());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, received };
}

async function client(port: number): Promise<TlsSocket> {
  const socket = connect({ ...configs.client, host: '127.0.0.1', port, crypto: nodeCryptoProvider });
  cleanup.push(() => socket.destroy());
  socket.on('error', () => {});
  await once(socket, 'secureConnect');
  return socket;
}

/** Counts the engine's non-empty hand-overs to the socket (one writev each). */
function countFlushes(socket: TlsSocket): { count: number } {
  const counter = { count: 0 };
  const take = socket.connection.takeOutgoingChunks.bind(socket.connection);
  socket.connection.takeOutgoingChunks = () => {
    const chunks = take();
    if (chunks.length > 0) counter.count++;
    return chunks;
  };
  return counter;
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('TlsSocket write gathering', () => {
  it('sends a loop of writes in one turn in a few writevs, all of it, in order', async () => {
    const { port, received } = await sink();
    const socket = await client(port);
    const flushes = countFlushes(socket);
    const writes = Array.from({ length: 40 }, (_, i) => pattern(16384, i));
    for (const w of writes) socket.write(w);
    // The first went at once; the other 39 (624 KiB) gather 64 KiB at a time: about 10 hand-overs.
    expect(flushes.count).toBeGreaterThanOrEqual(1);
    expect(flushes.count).toBeLessThanOrEqual(12);
    socket.end();
    expect((await received).equals(Buffer.concat(writes))).toBe(true);
  });

  it('sends a single write at once, not at the end of the turn', async () => {
    const { port } = await sink();
    const socket = await client(port);
    const flushes = countFlushes(socket);
    socket.write(pattern(100, 1));
    expect(flushes.count).toBe(1);
    // A second write in the same turn waits for the end of the turn, then goes.
    socket.write(pattern(100, 2));
    expect(flushes.count).toBe(1);
    await new Promise((r) => process.nextTick(r));
    expect(flushes.count).toBe(2);
  });

  it('hands gathered writes to the socket before destroy() closes it', async () => {
    const { port, received } = await sink();
    const socket = await client(port);
    const a = pattern(1000, 3);
    const b = pattern(2000, 4);
    socket.write(a);
    socket.write(b); // gathered
    socket.destroy();
    expect((await received).equals(Buffer.concat([a, b]))).toBe(true);
  });
});
