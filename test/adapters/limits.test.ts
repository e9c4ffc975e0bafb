// The adapters under the engine's limits (README "Limits"): backpressure instead of unbounded buffering
// when the peer does not read, writes before the handshake, and receive() calls that pause at
// maxRecordsPerReceive. Real loopback sockets for memtls/node, an in-memory transport for sessions.

import type * as net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type TlsSocket } from '../../src/adapters/node.js';
import { SessionCore } from '../../src/adapters/session.js';
import { type WebSocketLike, wrapWebSocket } from '../../src/adapters/websocket.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let serverConfig: ServerConfig;
let clientConfig: ClientConfig;
beforeAll(() => {
  pki = testPki();
  const s = pki.leaf('p256', 'server');
  const c = pki.leaf('p256', 'client');
  serverConfig = { ca: pki.ca, cert: s.cert, key: s.key };
  clientConfig = { ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key };
}, 120_000);

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

async function memtlsPair(
  server: Partial<ServerConfig> = {},
  client: Partial<ClientConfig> = {},
): Promise<{ c: TlsSocket; s: TlsSocket }> {
  const listener = createServer({ ...serverConfig, ...server });
  cleanup.push(() => listener.close());
  const accepted = new Promise<TlsSocket>((resolve) => listener.on('secureConnection', resolve));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as net.AddressInfo).port;
  const c = connect({ ...clientConfig, ...client, host: '127.0.0.1', port });
  cleanup.push(() => c.destroy());
  const s = await accepted;
  cleanup.push(() => s.destroy());
  return { c, s };
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('memtls/node under the limits', () => {
  it('a peer that never reads: write() turns false, no drain, and nothing in the process grows', async () => {
    const { c, s } = await memtlsPair();
    if (!c.info) await new Promise((resolve) => c.once('secureConnect', resolve));
    c.socket.pause(); // the peer stops reading from TCP altogether
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let accepted = 0;
    let lastDrain = Date.now();
    // A well-behaved Node writer: write while write() says yes, then wait for 'drain'.
    const pump = () => {
      lastDrain = Date.now();
      while (s.write(chunk)) accepted += chunk.length;
      accepted += chunk.length;
      s.once('drain', pump);
    };
    pump();
    const started = Date.now();
    while (Date.now() - lastDrain < 300 && Date.now() - started < 10_000) await sleep(50);
    let drained = false;
    s.on('drain', () => {
      drained = true;
    });
    await sleep(200);
    expect(drained).toBe(false);
    expect(accepted).toBeLessThan(64 << 20); // loopback kernel buffers, not our memory
    expect(s.connection.takeOutgoing().length).toBe(0); // the engine holds nothing
    expect(s.socket.writableLength).toBeLessThanOrEqual(64 * 1024 + chunk.length + 4096);
    expect(s.writableLength).toBeLessThanOrEqual(s.writableHighWaterMark + chunk.length);
    const before = s.writableLength + s.socket.writableLength;
    await sleep(200);
    expect(s.writableLength + s.socket.writableLength).toBe(before);
  });

  it('writes corked together past maxOutgoingBytes all arrive (the adapter drains the engine queue)', async () => {
    const { c, s } = await memtlsPair({}, { maxOutgoingBytes: 64 * 1024 });
    const received = readAll(s);
    c.cork();
    for (let i = 0; i < 4; i++) c.write(Buffer.alloc(48 * 1024, i + 1));
    c.uncork();
    c.end();
    const got = await received;
    expect(got.length).toBe(4 * 48 * 1024);
    for (let i = 0; i < 4; i++) expect(got[i * 48 * 1024]).toBe(i + 1);
  });

  it('a read holding more than maxRecordsPerReceive records is processed on later turns, in order', async () => {
    const { c, s } = await memtlsPair({ maxRecordsPerReceive: 2 });
    if (!c.info) await new Promise((resolve) => c.once('secureConnect', resolve));
    const received = readAll(s);
    let pauses = 0;
    s.socket.on('pause', () => pauses++);
    c.cork(); // 300 one-byte records in one TCP write
    for (let i = 0; i < 300; i++) c.write(Buffer.from([i & 0xff]));
    c.uncork();
    c.end();
    const got = await received;
    expect([...got]).toEqual(Array.from({ length: 300 }, (_, i) => i & 0xff));
    expect(pauses).toBeGreaterThan(0);
  });

  it('writes before the handshake wait in the stream, not in the engine (more than maxPendingWriteBytes)', async () => {
    const listener = createServer({ ...serverConfig });
    cleanup.push(() => listener.close());
    const accepted = new Promise<TlsSocket>((resolve) => listener.on('secureConnection', resolve));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as net.AddressInfo).port;
    const c = connect({ ...clientConfig, host: '127.0.0.1', port, maxPendingWriteBytes: 1024 });
    cleanup.push(() => c.destroy());
    c.write(Buffer.alloc(3 << 20, 0x62)); // before the handshake
    c.end();
    const s = await accepted;
    const got = await readAll(s);
    expect(got.length).toBe(3 << 20);
  });
});

/** Two SessionCores joined in memory (each transmit is one message to the other side). */
function sessionPair(server: Partial<ServerConfig> = {}, client: Partial<ClientConfig> = {}) {
  let serverCore: SessionCore | undefined;
  const clientCore = new SessionCore(new TlsClient({ ...clientConfig, ...client }), async (bytes) => {
    const copy = bytes.slice();
    setTimeout(() => serverCore?.receive(copy), 0);
  });
  serverCore = new SessionCore(new TlsServer({ ...serverConfig, ...server }), async (bytes) => {
    const copy = bytes.slice();
    setTimeout(() => clientCore.receive(copy), 0);
  });
  clientCore.flush();
  return { clientCore, serverCore };
}

describe('adapter sessions under the limits', () => {
  it('send() before the handshake waits for it: a message over maxPendingWriteBytes goes through', async () => {
    const { clientCore, serverCore } = sessionPair({}, { maxPendingWriteBytes: 1024 });
    const message = new Uint8Array(2 << 20).fill(7);
    await clientCore.send(message);
    const iterator = serverCore[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.length).toBe(2 << 20);
  });

  it('a transport message holding more than maxRecordsPerReceive records is processed in later turns', async () => {
    const { clientCore, serverCore } = sessionPair({ maxRecordsPerReceive: 2 });
    await clientCore.ready;
    await clientCore.send(new Uint8Array(200_000).fill(9)); // 13 records in one transport message
    const iterator = serverCore[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.length).toBe(200_000);
  });
});

/** An in-memory WebSocket (the `ws` on() shape) whose bufferedAmount the test sets. */
class FakeWebSocket implements WebSocketLike {
  readyState = 1;
  bufferedAmount = 0;
  peer: FakeWebSocket | undefined;
  private readonly listeners = new Map<string, ((...args: never[]) => void)[]>();
  send(data: Uint8Array): void {
    const copy = data.slice();
    setTimeout(() => this.peer?.emit('message', copy, true), 0);
  }
  close(): void {
    this.readyState = 3;
  }
  on(event: string, listener: (...args: never[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
  }
}

describe('memtls/websocket under the limits', () => {
  it('send() waits while the WebSocket holds more than 1 MiB unsent', async () => {
    const a = new FakeWebSocket();
    const b = new FakeWebSocket();
    a.peer = b;
    b.peer = a;
    const server = wrapWebSocket(b, serverConfig, 'server');
    const client = wrapWebSocket(a, clientConfig, 'client');
    await client.ready;
    a.bufferedAmount = 2 << 20; // the peer stopped reading
    let sent = false;
    const sending = client.send(new Uint8Array([1, 2, 3])).then(() => {
      sent = true;
    });
    await sleep(100);
    expect(sent).toBe(false);
    a.bufferedAmount = 0;
    await sending;
    expect(sent).toBe(true);
    const [message] = await (async () => {
      for await (const m of server) return [m];
      return [];
    })();
    expect([...(message ?? [])]).toEqual([1, 2, 3]);
  });
});
