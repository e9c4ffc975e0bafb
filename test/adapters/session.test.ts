import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_HANDSHAKE_TIMEOUT } from '../../src/adapters/node.js';
import {
  frameMessage,
  Inbox,
  MessageDeframer,
  SessionCore,
  type SessionOptions,
} from '../../src/adapters/session.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { testPki } from '../helpers/pki.js';

/** Split bytes at the given cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

describe('length-prefixed message framing', () => {
  it('frames a message as a 4-byte big-endian length and the bytes', () => {
    expect([...frameMessage(new Uint8Array([7, 8, 9]))]).toEqual([0, 0, 0, 3, 7, 8, 9]);
    expect([...frameMessage(new Uint8Array(0))]).toEqual([0, 0, 0, 0]);
  });

  it('returns exactly the messages sent, however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (messages, cuts) => {
          const framed = messages.map(frameMessage);
          const stream = new Uint8Array(framed.reduce((n, f) => n + f.length, 0));
          let o = 0;
          for (const f of framed) {
            stream.set(f, o);
            o += f.length;
          }
          const deframer = new MessageDeframer(1024);
          const out = split(stream, cuts).flatMap((chunk) => deframer.push(chunk));
          expect(out.map((m) => [...m])).toEqual(messages.map((m) => [...m]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a message longer than maxMessageSize before buffering it', () => {
    const deframer = new MessageDeframer(16);
    expect(deframer.push(frameMessage(new Uint8Array(16)))).toHaveLength(1);
    let error: unknown;
    try {
      deframer.push(new Uint8Array([0, 0, 0, 17]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe('message_too_large');
  });
});

describe('Inbox', () => {
  it('yields queued items, then ends or throws the error it ended with', async () => {
    const clean = new Inbox<number>();
    clean.push(1);
    clean.push(2);
    clean.end();
    const seen: number[] = [];
    for await (const n of clean) seen.push(n);
    expect(seen).toEqual([1, 2]);

    const failing = new Inbox<number>();
    const collected: number[] = [];
    const consumer = (async () => {
      for await (const n of failing) collected.push(n);
    })();
    failing.push(3);
    failing.end(new TlsError('boom', { kind: 'local', code: 'closed' }));
    await expect(consumer).rejects.toThrow('boom');
    expect(collected).toEqual([3]);
  });
});

const pki = testPki();
const serverId = pki.leaf('p256', 'server');
const serverConfig = { ca: pki.ca, cert: serverId.cert, key: serverId.key, clientAuth: 'none' as const };

/** A client and a server SessionCore wired to each other in memory (each transport message delivered later). */
function linkedSessions(clientOptions: SessionOptions = {}) {
  const cores: { client?: SessionCore; server?: SessionCore } = {};
  const deliver = (to: 'client' | 'server') => async (bytes: Uint8Array) => {
    queueMicrotask(() => cores[to]!.receive(bytes.slice()));
  };
  cores.server = new SessionCore(new TlsServer(serverConfig), deliver('client'));
  cores.client = new SessionCore(
    new TlsClient({ ca: pki.ca, serverName: 'server.test' }),
    deliver('server'),
    clientOptions,
  );
  cores.client.flush(); // ClientHello
  return { client: cores.client, server: cores.server };
}

async function drain(channel: AsyncIterable<Uint8Array>): Promise<{ messages: string[]; error?: TlsError }> {
  const messages: string[] = [];
  try {
    for await (const m of channel) messages.push(new TextDecoder().decode(m));
  } catch (error) {
    return { messages, error: error as TlsError };
  }
  return { messages };
}

describe('SessionCore: the end of the transport (ZeroMQ and WebSocket sessions)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the transport ends after the handshake without close_notify → the iterator throws unexpected_eof', async () => {
    const { client, server } = linkedSessions();
    await Promise.all([client.ready, server.ready]);
    await server.send(new TextEncoder().encode('partial'));
    const received = drain(client);
    await new Promise((resolve) => setTimeout(resolve, 10));
    client.transportClosed();
    const { messages, error } = await received;
    expect(messages).toEqual(['partial']);
    expect(error).toBeInstanceOf(TlsError);
    expect({ kind: error!.kind, code: error!.code }).toEqual({ kind: 'transport', code: 'unexpected_eof' });
    await expect(client.send(new Uint8Array(1))).rejects.toBe(error);
  });

  it('allowTruncation: true → the iterator ends cleanly; close_notify first → clean without it', async () => {
    const quiet = linkedSessions({ allowTruncation: true });
    await quiet.client.ready;
    await quiet.server.send(new TextEncoder().encode('partial'));
    const received = drain(quiet.client);
    await new Promise((resolve) => setTimeout(resolve, 10));
    quiet.client.transportClosed();
    expect(await received).toEqual({ messages: ['partial'] });

    const clean = linkedSessions();
    await clean.client.ready;
    await clean.server.send(new TextEncoder().encode('all'));
    const all = drain(clean.client);
    const closing = clean.server.close(); // close_notify, then waits for the client's
    await closing;
    clean.client.transportClosed();
    expect(await all).toEqual({ messages: ['all'] });
  });

  it('close_notify (or a tolerated truncation) in the middle of a framed message → truncated_message, not a silent drop', async () => {
    for (const ending of ['close_notify', 'allowTruncation'] as const) {
      const { client, server } = linkedSessions(
        ending === 'allowTruncation' ? { allowTruncation: true } : {},
      );
      await Promise.all([client.ready, server.ready]);
      await server.send(new TextEncoder().encode('whole'));
      // A frame announcing 10 bytes, of which 3 arrive: written below the session's own framing.
      const engine = (server as unknown as { connection: TlsServer }).connection;
      engine.write(new Uint8Array([0, 0, 0, 10, 1, 2, 3]));
      server.flush();
      const received = drain(client);
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (ending === 'close_notify') await server.close();
      else client.transportClosed();
      const { messages, error } = await received;
      expect(messages).toEqual(['whole']);
      expect({ kind: error?.kind, code: error?.code }).toEqual({
        kind: 'transport',
        code: 'truncated_message',
      });
    }
  });

  it('the transport ends during the handshake → ready rejects with unexpected_eof', async () => {
    const server = new SessionCore(new TlsServer(serverConfig), async () => {});
    server.receive(new TlsClient({ ca: pki.ca, serverName: 'server.test' }).takeOutgoing());
    server.transportClosed();
    await expect(server.ready).rejects.toMatchObject({ kind: 'transport', code: 'unexpected_eof' });
  });

  it('a handshake that trickles in fails after the default handshakeTimeout, the one memtls/node uses (120 s)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    expect(DEFAULT_HANDSHAKE_TIMEOUT).toBe(120_000);
    const server = new SessionCore(new TlsServer(serverConfig), async () => {});
    let failure: TlsError | undefined;
    server.ready.catch((e: TlsError) => {
      failure = e;
    });
    const hello = new TlsClient({ ca: pki.ca, serverName: 'server.test' }).takeOutgoing();
    for (let i = 0; i < 4; i++) {
      server.receive(hello.subarray(i, i + 1)); // one byte every 29 s
      await vi.advanceTimersByTimeAsync(29_000);
    }
    await vi.advanceTimersByTimeAsync(DEFAULT_HANDSHAKE_TIMEOUT - 4 * 29_000 - 1);
    expect(failure).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect({ kind: failure?.kind, code: failure?.code }).toEqual({
      kind: 'limit',
      code: 'handshake_timeout',
    });
  });
});
