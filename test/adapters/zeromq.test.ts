import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Dealer, Router } from 'zeromq';
import { runRouterExample } from '../../examples/zmq-router.js';
import { frameMessage } from '../../src/adapters/session.js';
import {
  connectZmq,
  createZmqServer,
  type ZmqServer,
  type ZmqTlsSession,
} from '../../src/adapters/zeromq.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { testPki } from '../helpers/pki.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const pki = testPki();
const server = pki.leaf('p256', 'server');
const names = ['alice', 'bob', 'carol'];
const clients = names.map((name) => pki.leaf('p256', 'client', { cn: `${name}.test` }));
const untrusted = pki.leaf('p256', 'client', { cn: 'mallory.test', otherRoot: true });

function clientOptions(id: { cert: string; key: string }, address: string) {
  return {
    ca: pki.ca,
    cert: id.cert,
    key: id.key,
    serverName: 'server.test',
    connect: address,
    handshakeTimeout: 10_000,
  };
}

/** Read exactly n messages from a channel. */
async function take(channel: AsyncIterable<Uint8Array>, n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  if (n === 0) return out;
  for await (const m of channel) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

describe('memtls/zeromq ROUTER and DEALERs, mutual TLS', () => {
  let router: ZmqServer;
  const sessions: ZmqTlsSession[] = [];
  const clientErrors: { error: TlsError; routingId: Uint8Array }[] = [];

  beforeAll(async () => {
    router = await createZmqServer(
      {
        ca: pki.ca,
        cert: server.cert,
        key: server.key,
        bind: 'tcp://127.0.0.1:*',
        onClientError: (error, routingId) => clientErrors.push({ error, routingId }),
      },
      async (session) => {
        sessions.push(session);
        try {
          // echo each message back with the caller's verified name in front
          for await (const m of session) {
            const name = encoder.encode(`${session.info.peerIdentity?.commonName}|`);
            const reply = new Uint8Array(name.length + m.length);
            reply.set(name);
            reply.set(m, name.length);
            await session.send(reply);
          }
        } catch {
          // a failed session ends its own loop only
        }
      },
    );
  });

  afterAll(async () => {
    await router?.close();
  });

  it('binds a random port and reports it', () => {
    expect(router.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(router.address).not.toContain('*');
  });

  it('serves several concurrent DEALERs, keeps message boundaries, and a bad certificate disturbs no one', async () => {
    const dealers = await Promise.all(clients.map((c) => connectZmq(clientOptions(c, router.address))));
    for (const d of dealers) {
      expect(d.info.cipherSuite).toMatch(/^TLS_ECDHE_ECDSA_WITH_/);
      expect(d.info.peerIdentity?.commonName).toBe('server.test');
    }
    // sizes straddle record boundaries (16 KiB records) and include the empty message
    const sizes = [0, 1, 5, 16_380, 40_000];
    const exchange = (dealerIndex: number) =>
      (async () => {
        const d = dealers[dealerIndex]!;
        const sent = sizes.map((n, i) =>
          Uint8Array.from({ length: n }, (_, j) => (j * 7 + i + dealerIndex) & 0xff),
        );
        for (const m of sent) await d.send(m);
        const got = await take(d, sent.length);
        const prefix = encoder.encode(`${names[dealerIndex]}.test|`);
        expect(got.map((m) => m.length)).toEqual(sent.map((m) => m.length + prefix.length));
        got.forEach((m, i) => {
          expect(m.subarray(0, prefix.length)).toEqual(prefix);
          expect(m.subarray(prefix.length)).toEqual(sent[i]);
        });
      })();

    await Promise.all([0, 1, 2].map(exchange));
    const errorsBefore = clientErrors.length;

    // one DEALER with a certificate from another root fails; the others keep working meanwhile
    const [bad] = await Promise.allSettled([
      connectZmq(clientOptions(untrusted, router.address)),
      exchange(0),
      exchange(1),
    ]);
    expect(bad.status).toBe('rejected');
    const refusal = (bad as PromiseRejectedResult).reason;
    expect(refusal).toBeInstanceOf(TlsError);
    expect((refusal as TlsError).kind).toBe('alertReceived');
    await expect.poll(() => clientErrors.length).toBe(errorsBefore + 1);
    expect(clientErrors.at(-1)!.error.kind).toBe('certificate');
    expect(clientErrors.at(-1)!.error.code).toBe('unknown_ca');

    await Promise.all([0, 1, 2].map(exchange));
    expect(sessions.map((s) => s.info.peerIdentity?.commonName).sort()).toEqual([
      'alice.test',
      'bob.test',
      'carol.test',
    ]);
    await Promise.all(dealers.map((d) => d.close()));
  });

  it('a DEALER that closes ends its session on the ROUTER', async () => {
    const before = sessions.length;
    const dealer = await connectZmq(clientOptions(clients[0]!, router.address));
    await dealer.send(encoder.encode('ping'));
    expect(decoder.decode((await take(dealer, 1))[0])).toBe('alice.test|ping');
    await expect.poll(() => sessions.length).toBe(before + 1);
    const session = sessions.at(-1)!;
    const ended = (async () => {
      for await (const _ of session) {
        // drain
      }
    })();
    await dealer.close();
    await ended; // clean end: close_notify both ways
    await expect(dealer.send(encoder.encode('late'))).rejects.toThrow(
      /after the session ended|write_after_close|closing/,
    );
  });
});

describe('memtls/zeromq timeouts', () => {
  it('drops an idle session and tells the client with close_notify', async () => {
    let session: ZmqTlsSession | undefined;
    const router = await createZmqServer(
      { ca: pki.ca, cert: server.cert, key: server.key, bind: 'tcp://127.0.0.1:*', idleTimeout: 1000 },
      (s) => {
        session = s;
      },
    );
    try {
      const dealer = await connectZmq(clientOptions(clients[1]!, router.address));
      const started = Date.now();
      for await (const _ of dealer) {
        // the server's close_notify ends the iteration cleanly
      }
      expect(Date.now() - started).toBeLessThan(5000);
      expect(session).toBeDefined();
      await expect(take(session!, 1)).rejects.toThrow(/idleTimeout/);
    } finally {
      await router.close();
    }
  });

  it('rejects connectZmq after handshakeTimeout when nobody answers', async () => {
    const started = Date.now();
    const error = await connectZmq({
      ...clientOptions(clients[0]!, 'tcp://127.0.0.1:9'),
      handshakeTimeout: 300,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe('handshake_timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses a bad server configuration up front', async () => {
    await expect(
      createZmqServer(
        { ca: pki.ca, cert: server.cert, key: clients[0]!.key, bind: 'tcp://127.0.0.1:*' },
        () => {},
      ),
    ).rejects.toMatchObject({ kind: 'local', code: expect.any(String) });
  });
});

/** Real time, also while the test fakes setTimeout for the adapter. */
const realSetTimeout = globalThis.setTimeout;
const sleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));

describe('memtls/zeromq handshake deadline and session cap', () => {
  it('drops a DEALER that trickles its ClientHello once the default handshakeTimeout (120 s) passes', async () => {
    const errors: TlsError[] = [];
    const router = await createZmqServer(
      {
        ca: pki.ca,
        cert: server.cert,
        key: server.key,
        bind: 'tcp://127.0.0.1:*',
        onClientError: (e) => errors.push(e),
      },
      () => {},
    );
    const trickler = new Dealer({ linger: 0 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      trickler.connect(router.address);
      const hello = new TlsClient({ ca: pki.ca, serverName: 'server.test' }).takeOutgoing();
      for (let i = 0; i < 4; i++) {
        await trickler.send(hello.subarray(i, i + 1)); // one byte every 29 s: never idle for 60 s
        await sleep(50);
        await vi.advanceTimersByTimeAsync(29_000);
      }
      await vi.advanceTimersByTimeAsync(120_000 - 4 * 29_000 - 1000);
      await sleep(30);
      expect(errors).toEqual([]); // 1 s before the deadline
      await vi.advanceTimersByTimeAsync(2000);
      await expect.poll(() => errors.map((e) => e.code)).toEqual(['handshake_timeout']);
    } finally {
      vi.useRealTimers();
      trickler.close();
      await router.close();
    }
  });

  it('maxSessions: a peer beyond the cap gets a fatal alert and too_many_sessions; a freed slot serves again', async () => {
    const errors: TlsError[] = [];
    const router = await createZmqServer(
      {
        ca: pki.ca,
        cert: server.cert,
        key: server.key,
        bind: 'tcp://127.0.0.1:*',
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
      const first = await connectZmq(clientOptions(clients[0]!, router.address));
      const refusal = await connectZmq(clientOptions(clients[1]!, router.address)).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(TlsError);
      expect((refusal as TlsError).kind).toBe('alertReceived');
      expect(errors.map((e) => e.code)).toEqual(['too_many_sessions']);
      expect(errors[0]!.message).toMatch(/maxSessions/);

      await first.close(); // close_notify both ways: the session is dropped
      const third = await connectZmq(clientOptions(clients[2]!, router.address));
      await third.send(encoder.encode('again'));
      expect(decoder.decode((await take(third, 1))[0])).toBe('again');
      await third.close();
    } finally {
      await router.close();
    }
  });
});

/** A bare ROUTER running one TlsServer: after the handshake it sends `text` and closes without close_notify. */
async function truncatingRouter(text: string): Promise<{ address: string; done: Promise<void> }> {
  const router = new Router({ linger: 1000 });
  await router.bind('tcp://127.0.0.1:*');
  const tls = new TlsServer({ ca: pki.ca, cert: server.cert, key: server.key });
  const done = (async () => {
    for await (const [id, frame] of router) {
      const events = tls.receive(new Uint8Array(frame!));
      if (events.some((e) => e.type === 'handshake')) tls.write(frameMessage(encoder.encode(text)));
      const out = tls.takeOutgoing();
      if (out.length > 0) await router.send([id!, out]);
      if (tls.info) break;
    }
    router.close(); // no close_notify
  })();
  return { address: router.lastEndpoint!, done };
}

describe('memtls/zeromq: a ROUTER that goes away without close_notify', () => {
  it('the DEALER session ends with unexpected_eof after the data it got; allowTruncation: true ends it cleanly', async () => {
    for (const allowTruncation of [false, true]) {
      const peer = await truncatingRouter('partial');
      const dealer = await connectZmq({ ...clientOptions(clients[0]!, peer.address), allowTruncation });
      const messages: string[] = [];
      let failure: unknown;
      try {
        for await (const m of dealer) messages.push(decoder.decode(m));
      } catch (error) {
        failure = error;
      }
      await peer.done;
      expect(messages).toEqual(['partial']);
      if (allowTruncation) expect(failure).toBeUndefined();
      else expect(failure).toMatchObject({ kind: 'transport', code: 'unexpected_eof' });
      await dealer.close();
    }
  });
});

describe('examples/zmq-router.ts', () => {
  it('runs: three DEALERs, each answered under its certificate name', async () => {
    const lines: string[] = [];
    const replies = await runRouterExample(
      { ca: pki.ca, server, clients: clients.map((c) => ({ cert: c.cert, key: c.key })) },
      (l) => lines.push(l),
    );
    expect(replies).toHaveLength(9);
    expect(replies).toContain('alice.test: HELLO FROM DEALER 0');
    expect(replies).toContain('carol.test: SECOND MESSAGE');
    expect(replies).toContain('bob.test: ');
    expect(lines.some((l) => l.startsWith('router: listening on tcp://127.0.0.1:'))).toBe(true);
  });
});
