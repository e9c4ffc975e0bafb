import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type Bridge, startBridge } from '../../examples/ws-tcp-bridge.js';
import { type WebSocketLike, type WrappedTls, wrapWebSocket } from '../../src/adapters/websocket.js';
import { createWebSocketTlsServer, type WebSocketTlsServer } from '../../src/adapters/websocket-server.js';
import { TlsClient } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { testPki } from '../helpers/pki.js';
import { type OpensslServer, startOpensslRevServer } from './openssl-server.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const pki = testPki();
const server = pki.leaf('p256', 'server');
const client = pki.leaf('p256', 'client');
const untrusted = pki.leaf('p256', 'client', { cn: 'mallory.test', otherRoot: true });

function clientConfig(id: { cert: string; key: string }) {
  return { ca: pki.ca, cert: id.cert, key: id.key, serverName: 'server.test', handshakeTimeout: 10_000 };
}

async function take(channel: AsyncIterable<Uint8Array>, n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const m of channel) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

/** Only what a browser WebSocket offers: addEventListener and binaryType, no on(). */
function browserShaped(ws: WebSocket): WebSocketLike {
  return {
    get readyState() {
      return ws.readyState;
    },
    set binaryType(type: string) {
      ws.binaryType = type as 'arraybuffer';
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    addEventListener: (type, listener) => ws.addEventListener(type as 'message', listener),
  };
}

describe('memtls/websocket between Node peers (ws)', () => {
  let tlsServer: WebSocketTlsServer;
  const sessions: WrappedTls[] = [];
  const clientErrors: TlsError[] = [];

  beforeAll(async () => {
    tlsServer = await createWebSocketTlsServer(
      { ca: pki.ca, cert: server.cert, key: server.key, port: 0, onClientError: (e) => clientErrors.push(e) },
      async (session) => {
        sessions.push(session);
        try {
          for await (const m of session) await session.send(m); // echo, message by message
        } catch {
          // this session failed; others go on
        }
      },
    );
  });

  afterAll(async () => {
    await tlsServer?.close();
  });

  for (const shape of ['ws on()', 'browser-shaped addEventListener()'] as const) {
    it(`mutual TLS with message boundaries kept (${shape})`, async () => {
      const socket = new WebSocket(tlsServer.url);
      const tls = wrapWebSocket(
        shape === 'ws on()' ? socket : browserShaped(socket),
        clientConfig(client),
        'client',
      );
      const info = await tls.ready;
      expect(info.version).toBe('TLSv1.2');
      expect(info.peerIdentity?.commonName).toBe('server.test');
      expect(tls.info).toBe(info);
      const sent = [0, 1, 100, 20_000, 70_000].map((n) =>
        Uint8Array.from({ length: n }, (_, i) => (i * 13 + n) & 0xff),
      );
      for (const m of sent) await tls.send(m);
      const echoed = await take(tls, sent.length);
      expect(echoed.map((m) => m.length)).toEqual(sent.map((m) => m.length));
      expect(echoed).toEqual(sent);
      expect(sessions.at(-1)!.info?.peerIdentity?.commonName).toBe('client.test');
      const serverSide = sessions.at(-1)!;
      const serverEnded = (async () => {
        for await (const _ of serverSide) {
          // drain
        }
      })();
      await tls.close();
      await serverEnded;
      await expect.poll(() => socket.readyState).toBe(WebSocket.CLOSED);
    });
  }

  it('refuses a client certificate from another root, and keeps serving others', async () => {
    const before = clientErrors.length;
    const bad = wrapWebSocket(new WebSocket(tlsServer.url), clientConfig(untrusted), 'client');
    const good = wrapWebSocket(new WebSocket(tlsServer.url), clientConfig(client), 'client');
    const refusal = await bad.ready.catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TlsError);
    expect((refusal as TlsError).code).toBe('unknown_ca');
    await expect.poll(() => clientErrors.length).toBe(before + 1);
    expect(clientErrors.at(-1)!.code).toBe('unknown_ca');
    await good.ready;
    await good.send(encoder.encode('still here'));
    expect(decoder.decode((await take(good, 1))[0])).toBe('still here');
    await good.close();
  });

  it('ends the session with an error when the peer sends a text message', async () => {
    const socket = new WebSocket(tlsServer.url);
    const tls = wrapWebSocket(socket, clientConfig(client), 'client');
    await tls.ready;
    const serverSide = sessions.at(-1)!;
    const serverEnd = take(serverSide, 1).catch((e: unknown) => e);
    socket.send('not TLS');
    const error = await serverEnd;
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).message).toMatch(/text WebSocket message/);
    await tls.close();
  });

  it('rejects ready when the socket cannot connect', async () => {
    const tls = wrapWebSocket(new WebSocket('ws://127.0.0.1:9/'), clientConfig(client), 'client');
    await expect(tls.ready).rejects.toMatchObject({ code: 'connection_closed' });
  });
});

describe('memtls/websocket stream framing through examples/ws-tcp-bridge.ts to openssl s_server', () => {
  let openssl: OpensslServer;
  let bridge: Bridge;

  beforeAll(async () => {
    openssl = await startOpensslRevServer({ ca: pki.caPath, cert: server.certPath, key: server.keyPath });
    bridge = await startBridge({ port: 0, target: { host: '127.0.0.1', port: openssl.port } });
  });

  afterAll(async () => {
    await bridge?.close();
    openssl?.stop();
  });

  it('completes mutual TLS with OpenSSL and gets each line back reversed', async () => {
    const tls = wrapWebSocket(
      new WebSocket(bridge.url),
      { ...clientConfig(client), framing: 'stream' },
      'client',
    );
    const info = await tls.ready.catch((e: unknown) => {
      throw new Error(`${String(e)}\nopenssl s_server said:\n${openssl.output()}`);
    });
    expect(info.peerIdentity?.commonName).toBe('server.test');
    await tls.send(encoder.encode('hello memtls\nsecond line\n'));
    let text = '';
    for await (const chunk of tls) {
      text += decoder.decode(chunk);
      if (text.split('\n').length > 2) break;
    }
    expect(text).toBe('sltmem olleh\nenil dnoces\n');
    await tls.close();
  });
});

/** Real time, also while the test fakes setTimeout for the adapters. */
const realSetTimeout = globalThis.setTimeout;
const sleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));

async function drain(channel: AsyncIterable<Uint8Array>): Promise<{ messages: string[]; error?: TlsError }> {
  const messages: string[] = [];
  try {
    for await (const m of channel) messages.push(decoder.decode(m));
  } catch (error) {
    return { messages, error: error as TlsError };
  }
  return { messages };
}

describe('memtls/websocket: truncation, handshake deadline, session cap', () => {
  it('a WebSocket that closes after the handshake without close_notify → unexpected_eof; allowTruncation → clean end', async () => {
    const raw = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => raw.once('listening', resolve));
    raw.on('connection', (socket) => {
      const tls = wrapWebSocket(socket, { ca: pki.ca, cert: server.cert, key: server.key }, 'server');
      tls.ready.then(
        async () => {
          await tls.send(encoder.encode('partial'));
          socket.close(1000); // a WebSocket close, but no TLS close_notify
        },
        () => {},
      );
    });
    try {
      const url = `ws://127.0.0.1:${(raw.address() as { port: number }).port}/`;
      const strict = wrapWebSocket(new WebSocket(url), clientConfig(client), 'client');
      const cut = await drain(strict);
      expect(cut.messages).toEqual(['partial']);
      expect(cut.error).toBeInstanceOf(TlsError);
      expect({ kind: cut.error!.kind, code: cut.error!.code }).toEqual({
        kind: 'transport',
        code: 'unexpected_eof',
      });

      const lenient = wrapWebSocket(
        new WebSocket(url),
        { ...clientConfig(client), allowTruncation: true },
        'client',
      );
      expect(await drain(lenient)).toEqual({ messages: ['partial'] });
    } finally {
      for (const c of raw.clients) c.terminate();
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it("an async onSession that rejects with the session's TlsError goes to onClientError, not an unhandled rejection", async () => {
    const errors: TlsError[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const tlsServer = await createWebSocketTlsServer(
      { ca: pki.ca, cert: server.cert, key: server.key, port: 0, onClientError: (e) => errors.push(e) },
      async (session) => {
        for await (const message of session) await session.send(message); // the README's echo
      },
    );
    try {
      const socket = new WebSocket(tlsServer.url);
      const tls = wrapWebSocket(socket, clientConfig(client), 'client');
      await tls.ready;
      await tls.send(encoder.encode('ping'));
      const [reply] = await (async () => {
        for await (const m of tls) return [m];
        return [];
      })();
      expect(decoder.decode(reply)).toBe('ping');
      socket.terminate(); // the transport ends without close_notify
      await expect.poll(() => errors.map((e) => e.code)).toEqual(['unexpected_eof']);
      await sleep(50);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await tlsServer.close();
    }
  });

  it('the server closes a client that trickles its ClientHello once the default handshakeTimeout (120 s) passes', async () => {
    const errors: TlsError[] = [];
    const tlsServer = await createWebSocketTlsServer(
      { ca: pki.ca, cert: server.cert, key: server.key, port: 0, onClientError: (e) => errors.push(e) },
      () => {},
    );
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const trickler = new WebSocket(tlsServer.url);
      await new Promise((resolve) => trickler.once('open', resolve));
      const closed = new Promise((resolve) => trickler.once('close', resolve));
      const hello = new TlsClient({ ca: pki.ca, serverName: 'server.test' }).takeOutgoing();
      for (let i = 0; i < 4; i++) {
        trickler.send(hello.subarray(i, i + 1)); // one byte every 29 s
        await sleep(30);
        await vi.advanceTimersByTimeAsync(29_000);
      }
      await vi.advanceTimersByTimeAsync(120_000 - 4 * 29_000 - 1000);
      await sleep(30);
      expect(errors).toEqual([]); // 1 s before the deadline
      await vi.advanceTimersByTimeAsync(2000);
      await expect.poll(() => errors.map((e) => e.code)).toEqual(['handshake_timeout']);
      vi.useRealTimers();
      await closed;
    } finally {
      vi.useRealTimers();
      await tlsServer.close();
    }
  });

  it('maxSessions: a connection beyond the cap gets a fatal alert and too_many_sessions; a freed slot serves again', async () => {
    const errors: TlsError[] = [];
    const tlsServer = await createWebSocketTlsServer(
      {
        ca: pki.ca,
        cert: server.cert,
        key: server.key,
        port: 0,
        maxSessions: 1,
        onClientError: (e) => errors.push(e),
      },
      async (session) => {
        try {
          for await (const m of session) await session.send(m);
        } catch {
          // ended
        }
      },
    );
    try {
      const firstSocket = new WebSocket(tlsServer.url);
      const first = wrapWebSocket(firstSocket, clientConfig(client), 'client');
      await first.ready;
      const second = wrapWebSocket(new WebSocket(tlsServer.url), clientConfig(client), 'client');
      const refusal = await second.ready.catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(TlsError);
      expect((refusal as TlsError).kind).toBe('alertReceived');
      expect(errors.map((e) => e.code)).toEqual(['too_many_sessions']);
      expect(errors[0]!.message).toMatch(/maxSessions/);

      await first.close();
      await expect.poll(() => firstSocket.readyState).toBe(WebSocket.CLOSED);
      await sleep(50);
      const third = wrapWebSocket(new WebSocket(tlsServer.url), clientConfig(client), 'client');
      await third.ready;
      await third.send(encoder.encode('again'));
      expect(decoder.decode((await take(third, 1))[0])).toBe('again');
      await third.close();
    } finally {
      await tlsServer.close();
    }
  });
});
