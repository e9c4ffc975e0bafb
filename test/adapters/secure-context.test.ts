// Adapter servers take a compiled context and swap it with setSecureContext(): new handshakes use the
// new roots, established connections keep theirs (memtls/node, memtls/zeromq, memtls/websocket); the
// WebSocket server parses its key once, not per connection; adapter options never reach the TLS
// config's unknown-key check, while a misspelt TLS option does.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { connect, createServer, type TlsSocket } from '../../src/adapters/node.js';
import { wrapWebSocket } from '../../src/adapters/websocket.js';
import { createWebSocketTlsServer } from '../../src/adapters/websocket-server.js';
import { connectZmq, createZmqServer } from '../../src/adapters/zeromq.js';
import {
  type ClientContext,
  createClientContext,
  createServerContext,
  type ServerConfig,
  TlsError,
} from '../../src/index.js';
import { type Identity, testPki } from '../helpers/pki.js';

const keyParses = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/x509/private-key.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/x509/private-key.js')>();
  return {
    ...real,
    parsePrivateKey: (...args: Parameters<typeof real.parsePrivateKey>) => {
      keyParses.count++;
      return real.parsePrivateKey(...args);
    },
  };
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let serverId: Identity;
/** Clients under the first root and under the other root, compiled once. */
let fromRoot: ClientContext;
let fromOther: ClientContext;
let firstRoots: ServerConfig;
let secondRoots: ServerConfig;
beforeAll(() => {
  const pki = testPki();
  serverId = pki.leaf('p256', 'server');
  const a = pki.leaf('p256', 'client');
  const b = pki.leaf('p256', 'client', { otherRoot: true });
  // Both clients trust the server's root; they differ in who issued their own certificate.
  fromRoot = createClientContext({ ca: pki.ca, serverName: 'server.test', cert: a.cert, key: a.key });
  fromOther = createClientContext({ ca: pki.ca, serverName: 'server.test', cert: b.cert, key: b.key });
  firstRoots = { ca: pki.ca, cert: serverId.cert, key: serverId.key };
  secondRoots = { ca: pki.otherCa, cert: serverId.cert, key: serverId.key };
}, 120_000);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function roundTrip(
  channel: AsyncIterable<Uint8Array> & { send(m: Uint8Array): Promise<void> },
  text: string,
) {
  await channel.send(encoder.encode(text));
  for await (const m of channel) return decoder.decode(m);
  throw new Error('the channel ended');
}

describe('memtls/node createServer().setSecureContext', () => {
  async function nodeClient(port: number, secureContext: ClientContext): Promise<TlsSocket> {
    const socket = connect({ host: '127.0.0.1', port, secureContext, handshakeTimeout: 10_000 });
    cleanup.push(() => socket.destroy());
    const [outcome] = await Promise.race([
      once(socket, 'secureConnect').then(() => ['ok']),
      once(socket, 'error'),
    ]);
    if (outcome !== 'ok') throw outcome;
    return socket;
  }
  async function echo(socket: TlsSocket, text: string): Promise<string> {
    socket.write(text);
    const [chunk] = await once(socket, 'data');
    return String(chunk);
  }

  it('a new root refuses the old root clients; an established connection keeps working', async () => {
    const clientErrors: TlsError[] = [];
    const server = createServer(
      { secureContext: createServerContext(firstRoots), handshakeTimeout: 10_000 },
      (s) => s.pipe(s),
    );
    server.on('tlsClientError', (e: TlsError) => clientErrors.push(e));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    const established = await nodeClient(port, fromRoot);
    expect(await echo(established, 'before')).toBe('before');
    await expect(nodeClient(port, fromOther)).rejects.toBeInstanceOf(TlsError);

    server.setSecureContext(secondRoots); // a config is compiled on the spot
    await expect(nodeClient(port, fromRoot)).rejects.toBeInstanceOf(TlsError);
    const rotated = await nodeClient(port, fromOther);
    expect(await echo(rotated, 'new root')).toBe('new root');
    expect(await echo(established, 'still open')).toBe('still open');
    expect(clientErrors.map((e) => e.kind)).toEqual(['certificate', 'certificate']);

    // A bad config throws and leaves the current context in place.
    expect(() =>
      server.setSecureContext({ ...secondRoots, rejectUnauthorized: false } as ServerConfig),
    ).toThrowError(/clientAuth/);
    expect(await echo(await nodeClient(port, fromOther), 'unchanged')).toBe('unchanged');
  });

  it('adapter options are taken out before the check; a misspelt TLS option is refused with a hint', () => {
    const server = createServer({
      ...firstRoots,
      handshakeTimeout: 5,
      allowHalfOpen: true,
      allowTruncation: true,
    });
    server.close();
    expect(() => createServer({ ...firstRoots, clientauth: 'none' } as ServerConfig)).toThrowError(
      expect.objectContaining({
        kind: 'local',
        code: 'bad_config',
        message: expect.stringMatching(/'clientAuth'/),
      }),
    );
    expect(() =>
      connect({ host: '127.0.0.1', port: 1, ca: firstRoots.ca, servername: 'x' } as Parameters<
        typeof connect
      >[0]),
    ).toThrowError(/did you mean 'serverName'/);
  });
});

describe('memtls/zeromq createZmqServer().setSecureContext', () => {
  it('a new root refuses the old root clients; an established session keeps working', async () => {
    const clientErrors: TlsError[] = [];
    const server = await createZmqServer(
      { ...firstRoots, bind: 'tcp://127.0.0.1:*', onClientError: (e) => clientErrors.push(e) },
      async (session) => {
        for await (const m of session) await session.send(m);
      },
    );
    cleanup.push(() => server.close());
    const open = async (secureContext: ClientContext) => {
      const c = await connectZmq({ secureContext, connect: server.address, handshakeTimeout: 10_000 });
      cleanup.push(() => c.close());
      return c;
    };
    const established = await open(fromRoot);
    expect(await roundTrip(established, 'before')).toBe('before');

    server.setSecureContext(createServerContext(secondRoots));
    await expect(open(fromRoot)).rejects.toBeInstanceOf(TlsError);
    expect(await roundTrip(await open(fromOther), 'new root')).toBe('new root');
    expect(await roundTrip(established, 'still open')).toBe('still open');
    expect(clientErrors.map((e) => e.kind)).toEqual(['certificate']);
  });
});

describe('memtls/websocket createWebSocketTlsServer().setSecureContext', () => {
  const open = async (url: string, secureContext: ClientContext) => {
    const tls = wrapWebSocket(new WebSocket(url), { secureContext, handshakeTimeout: 10_000 }, 'client');
    cleanup.push(() => tls.close().catch(() => {}));
    await tls.ready;
    return tls;
  };

  it('a new root refuses the old root clients; an established session keeps working', async () => {
    const clientErrors: TlsError[] = [];
    const server = await createWebSocketTlsServer(
      { ...firstRoots, port: 0, onClientError: (e) => clientErrors.push(e) },
      async (session) => {
        try {
          for await (const m of session) await session.send(m);
        } catch {
          // a failed session ends its own loop
        }
      },
    );
    cleanup.push(() => server.close());
    const established = await open(server.url, fromRoot);
    expect(await roundTrip(established, 'before')).toBe('before');

    server.setSecureContext(createServerContext(secondRoots));
    await expect(open(server.url, fromRoot)).rejects.toBeInstanceOf(TlsError);
    expect(await roundTrip(await open(server.url, fromOther), 'new root')).toBe('new root');
    expect(await roundTrip(established, 'still open')).toBe('still open');
    expect(clientErrors.map((e) => e.kind)).toContain('certificate');
  });

  it('parses the server key once, not once per connection', async () => {
    const before = keyParses.count;
    const server = await createWebSocketTlsServer({ ...firstRoots, port: 0 }, async (session) => {
      for await (const m of session) await session.send(m);
    });
    cleanup.push(() => server.close());
    expect(keyParses.count).toBe(before + 1);
    for (let i = 0; i < 3; i++)
      expect(await roundTrip(await open(server.url, fromRoot), `n${i}`)).toBe(`n${i}`);
    expect(keyParses.count).toBe(before + 1); // the clients' contexts were compiled in beforeAll
  });

  it('wrapWebSocket takes a bare context too', async () => {
    const server = await createWebSocketTlsServer(
      { secureContext: createServerContext(firstRoots), port: 0 },
      async (session) => {
        for await (const m of session) await session.send(m);
      },
    );
    cleanup.push(() => server.close());
    const tls = wrapWebSocket(new WebSocket(server.url), fromRoot, 'client');
    cleanup.push(() => tls.close().catch(() => {}));
    await tls.ready;
    expect(await roundTrip(tls, 'bare')).toBe('bare');
  });
});
