// memtls/node over real loopback sockets: interop with node:tls both ways (mutual TLS, ECDSA and RSA),
// memtls ↔ memtls, bulk transfer with backpressure, STARTTLS in both roles, timeouts, error events
// and close_notify.

import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { Writable } from 'node:stream';
import * as tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  createServer,
  nodeCryptoProvider,
  type TlsSocket,
  upgrade,
} from '../../src/adapters/node.js';
import { createClientContext } from '../../src/context.js';
import { TlsClient } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { type Identity, type KeyKind, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
const ids: Record<string, Identity> = {};
beforeAll(() => {
  pki = testPki();
  for (const kind of ['p256', 'rsa2048'] as const) {
    ids[`${kind}-server`] = pki.leaf(kind, 'server');
    ids[`${kind}-client`] = pki.leaf(kind, 'client');
  }
}, 120_000);

/** Everything opened by a test, closed after it. */
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

const server = (kind: KeyKind) => ids[`${kind}-server`]!;
const client = (kind: KeyKind) => ids[`${kind}-client`]!;

async function listen(s: net.Server): Promise<number> {
  cleanup.push(() => s.close());
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as net.AddressInfo).port;
}

function track<T extends { destroy(): unknown }>(socket: T): T {
  cleanup.push(() => socket.destroy());
  return socket;
}

function nodeTlsServer(kind: KeyKind, onSecure: (s: tls.TLSSocket) => void): tls.Server {
  const id = server(kind);
  return tls.createServer(
    {
      key: id.key,
      cert: id.cert,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
      maxVersion: 'TLSv1.2',
    },
    onSecure,
  );
}

function nodeTlsClient(kind: KeyKind, port: number): tls.TLSSocket {
  const id = client(kind);
  return track(
    tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'server.test',
      ca: pki.ca,
      key: id.key,
      cert: id.cert,
      maxVersion: 'TLSv1.2',
    }),
  );
}

function memtlsClient(kind: KeyKind, port: number, extra: Record<string, unknown> = {}): TlsSocket {
  const id = client(kind);
  return track(
    connect({
      host: '127.0.0.1',
      port,
      serverName: 'server.test',
      ca: pki.ca,
      cert: id.cert,
      key: id.key,
      ...extra,
    }),
  );
}

function memtlsServer(kind: KeyKind, extra: Record<string, unknown> = {}): net.Server {
  const id = server(kind);
  return createServer({ ca: pki.ca, cert: id.cert, key: id.key, ...extra });
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

function nextEvent<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args[0] as T)));
}

function errorOf(emitter: NodeJS.EventEmitter): Promise<TlsError> {
  return new Promise((resolve) => emitter.once('error', (e: TlsError) => resolve(e)));
}

const CONTEXT = new Uint8Array([1, 2, 3]);

/** Everything written to a socket from now on (write and end). */
function recordWrites(socket: net.Socket): Buffer[] {
  const chunks: Buffer[] = [];
  const write = socket.write.bind(socket) as (chunk: Uint8Array, ...rest: unknown[]) => boolean;
  const end = socket.end.bind(socket) as (...args: unknown[]) => net.Socket;
  socket.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
    chunks.push(Buffer.from(chunk));
    return write(chunk, ...rest);
  }) as typeof socket.write;
  socket.end = ((...args: unknown[]) => {
    if (args[0] instanceof Uint8Array) chunks.push(Buffer.from(args[0]));
    return end(...args);
  }) as typeof socket.end;
  return chunks;
}

describe('memtls/node client ↔ node:tls server', () => {
  for (const kind of ['p256', 'rsa2048'] as const) {
    it(`${kind}: mutual TLS, data both ways, same exported keys, close_notify`, async () => {
      let nodeSide: tls.TLSSocket | undefined;
      const nodeServer = nodeTlsServer(kind, (s) => {
        nodeSide = s;
        s.write('hello from node');
        s.pipe(s); // echo, and end after the client's close_notify
      });
      const port = await listen(nodeServer);
      const c = memtlsClient(kind, port);
      await nextEvent(c, 'secureConnect');
      expect(c.info?.cipherSuite).toMatch(kind === 'p256' ? /ECDSA/ : /_RSA_/);
      expect(c.getPeerIdentity()?.commonName).toBe('server.test');
      expect(nodeSide!.getPeerCertificate().subject.CN).toBe('client.test');
      expect(Buffer.from(c.exportKeyingMaterial('EXPORTER-test', 32, CONTEXT))).toEqual(
        nodeSide!.exportKeyingMaterial(32, 'EXPORTER-test', Buffer.from(CONTEXT)),
      );
      const written = recordWrites(c.socket);
      const received = readAll(c);
      c.end('ping');
      const nodeEnded = nextEvent(nodeSide!, 'end'); // node:tls saw our close_notify
      expect((await received).toString()).toBe('hello from nodeping');
      await nodeEnded;
      // The last record we sent is an encrypted alert (content type 21): 2 bytes + 8 nonce + 16 tag.
      const last = Buffer.concat(written).subarray(-31);
      expect([...last.subarray(0, 5)]).toEqual([21, 3, 3, 0, 26]);
    });
  }

  it('node:crypto provider: 120 round trips of 1 B to 40 KiB both ways, each a turn apart, every byte intact', async () => {
    // Each answer arrives after the event loop has turned, so the provider's cipher objects built
    // in idle time (Aead.anticipate) are the ones used, with node:tls's own nonces.
    const nodeServer = nodeTlsServer('p256', (s) => s.pipe(s));
    const port = await listen(nodeServer);
    const c = memtlsClient('p256', port, { crypto: nodeCryptoProvider });
    await nextEvent(c, 'secureConnect');
    const sizes = [1, 64, 1000, 16384, 16385, 40000];
    for (let i = 0; i < 120; i++) {
      const message = Buffer.alloc(sizes[i % sizes.length]!, i);
      message[0] = i;
      const parts: Buffer[] = [];
      let got = 0;
      const echoed = new Promise<void>((resolve) => {
        const onData = (d: Buffer) => {
          parts.push(d);
          got += d.length;
          if (got < message.length) return;
          c.off('data', onData);
          resolve();
        };
        c.on('data', onData);
      });
      c.write(message);
      await echoed;
      expect(Buffer.concat(parts).equals(message)).toBe(true);
    }
  });

  it('refuses a server whose certificate is not from the pinned root: unknown_ca, alert sent', async () => {
    const nodeServer = nodeTlsServer('p256', () => {});
    const nodeError = nextEvent<Error>(nodeServer, 'tlsClientError');
    const port = await listen(nodeServer);
    const c = memtlsClient('p256', port, { ca: pki.otherCa });
    const error = await errorOf(c);
    expect(error).toBeInstanceOf(TlsError);
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'certificate', code: 'unknown_ca' });
    expect((await nodeError).message).toMatch(/unknown ca/i);
  });

  it('refuses a hostname mismatch: hostname_mismatch, bad_certificate alert sent', async () => {
    const nodeServer = nodeTlsServer('p256', () => {});
    const nodeError = nextEvent<Error>(nodeServer, 'tlsClientError');
    const port = await listen(nodeServer);
    const c = memtlsClient('p256', port, { serverName: 'other.test' });
    const error = await errorOf(c);
    expect({ kind: error.kind, code: error.code }).toEqual({
      kind: 'certificate',
      code: 'hostname_mismatch',
    });
    expect(error.message).toContain('other.test');
    expect((await nodeError).message).toMatch(/bad certificate/i);
  });
});

describe('node:tls client ↔ memtls/node server', () => {
  for (const kind of ['p256', 'rsa2048'] as const) {
    it(`${kind}: mutual TLS, echo, same exported keys, close_notify both ways`, async () => {
      const s = memtlsServer(kind);
      const secured = nextEvent<TlsSocket>(s, 'secureConnection');
      s.on('secureConnection', (t: TlsSocket) => t.pipe(t));
      const port = await listen(s);
      const c = nodeTlsClient(kind, port);
      await nextEvent(c, 'secureConnect');
      const serverSide = await secured;
      expect(serverSide.getPeerIdentity()?.commonName).toBe('client.test');
      expect(serverSide.info?.serverName).toBe('server.test');
      expect(c.getPeerCertificate().subject.CN).toBe('server.test');
      expect(Buffer.from(serverSide.exportKeyingMaterial('EXPORTER-x', 20, CONTEXT))).toEqual(
        c.exportKeyingMaterial(20, 'EXPORTER-x', Buffer.from(CONTEXT)),
      );
      const echoed = readAll(c);
      c.end('ohai');
      expect((await echoed).toString()).toBe('ohai'); // ends on memtls's close_notify
    });
  }

  it('a client without a certificate gets tlsClientError on the server', async () => {
    const s = memtlsServer('p256');
    const failure = new Promise<[TlsError, TlsSocket]>((resolve) =>
      s.once('tlsClientError', (e, t) => resolve([e, t])),
    );
    const port = await listen(s);
    const c = track(
      tls.connect({ host: '127.0.0.1', port, servername: 'server.test', ca: pki.ca, maxVersion: 'TLSv1.2' }),
    );
    c.on('error', () => {});
    const [error, socket] = await failure;
    expect(error).toBeInstanceOf(TlsError);
    expect(error.code).toBe('certificate_required');
    expect(socket.destroyed).toBe(true);
  });
});

describe('close_notify and half-close', () => {
  it('allowHalfOpen false (default): the peer close_notify makes us send ours', async () => {
    const s = memtlsServer('p256');
    s.on('secureConnection', (t: TlsSocket) => t.resume()); // reads, never calls end()
    const port = await listen(s);
    const c = nodeTlsClient('p256', port);
    await nextEvent(c, 'secureConnect');
    const ended = nextEvent(c, 'end');
    c.resume();
    c.end();
    await ended;
  });

  it('allowHalfOpen true: the server still writes after the client close_notify', async () => {
    const s = memtlsServer('p256', { allowHalfOpen: true });
    s.on('secureConnection', (t: TlsSocket) => {
      t.resume();
      t.on('end', () => setTimeout(() => t.end('late reply'), 20));
    });
    const port = await listen(s);
    const c = memtlsClient('p256', port);
    const received = readAll(c);
    await nextEvent(c, 'secureConnect');
    c.end('bye');
    expect((await received).toString()).toBe('late reply');
    expect(c.writableFinished).toBe(true);
  });
});

/** The first of 'end' (clean) or 'error' on a stream, with the data read before it. */
function outcome(stream: NodeJS.ReadableStream): Promise<{ data: string; end?: true; error?: TlsError }> {
  return new Promise((resolve) => {
    let data = '';
    stream.on('data', (d: Buffer) => {
      data += d.toString();
    });
    stream.once('end', () => resolve({ data, end: true }));
    stream.once('error', (error: TlsError) => resolve({ data, error }));
  });
}

/** A node:tls server that sends `text` after the handshake, then drops TCP without close_notify. */
function truncatingServer(text: string): tls.Server {
  return nodeTlsServer('p256', (socket) => {
    socket.on('error', () => {});
    socket.write(text, () => socket.destroy()); // destroy() sends no close_notify
  });
}

describe('a transport end without close_notify (truncation)', () => {
  it('client: a server that drops TCP after the handshake → error unexpected_eof, not end', async () => {
    const c = memtlsClient('p256', await listen(truncatingServer('partial')));
    const result = await outcome(c);
    expect(result.data).toBe('partial');
    expect(result.end).toBeUndefined();
    expect(result.error).toBeInstanceOf(TlsError);
    expect({ kind: result.error!.kind, code: result.error!.code }).toEqual({
      kind: 'transport',
      code: 'unexpected_eof',
    });
  });

  it('client with allowTruncation: true → the stream ends quietly, as with node:tls', async () => {
    const c = memtlsClient('p256', await listen(truncatingServer('partial')), { allowTruncation: true });
    expect(await outcome(c)).toEqual({ data: 'partial', end: true });
  });

  it('client: a real close_notify still ends the stream cleanly', async () => {
    const s = nodeTlsServer('p256', (socket) => socket.end('all of it'));
    const c = memtlsClient('p256', await listen(s));
    expect(await outcome(c)).toEqual({ data: 'all of it', end: true });
  });

  it('server: a client that drops TCP → error unexpected_eof on its socket, or tlsClientError when it has no listener', async () => {
    let withListener = true;
    const socketErrors: TlsError[] = [];
    const s = memtlsServer('p256', { clientAuth: 'none' });
    s.on('secureConnection', (t: TlsSocket) => {
      if (withListener) t.on('error', (e: TlsError) => socketErrors.push(e));
      t.resume(); // no 'error' listener in the second round: the server must not crash
    });
    const serverErrors: TlsError[] = [];
    s.on('tlsClientError', (e: TlsError) => serverErrors.push(e));
    const port = await listen(s);
    for (const round of [true, false]) {
      withListener = round;
      const c = tls.connect({
        host: '127.0.0.1',
        port,
        servername: 'server.test',
        ca: pki.ca,
        maxVersion: 'TLSv1.2',
      });
      track(c).on('error', () => {});
      await nextEvent(c, 'secureConnect');
      c.write('half a request', () => c.destroy());
      if (round) await expect.poll(() => socketErrors.map((e) => e.code)).toEqual(['unexpected_eof']);
      else await expect.poll(() => serverErrors.map((e) => e.code)).toEqual(['unexpected_eof']);
    }
    expect(socketErrors).toHaveLength(1);
    expect(serverErrors[0]!.kind).toBe('transport');
  });
});

describe('memtls ↔ memtls over loopback', () => {
  it('ALPN, node:crypto provider on one side, echo and exporter agree', async () => {
    const s = memtlsServer('p256', { alpn: ['b', 'a'], crypto: nodeCryptoProvider });
    const secured = nextEvent<TlsSocket>(s, 'secureConnection');
    s.on('secureConnection', (t: TlsSocket) => t.pipe(t));
    const port = await listen(s);
    const c = memtlsClient('p256', port, { alpn: ['a', 'b'] });
    await nextEvent(c, 'secure');
    const serverSide = await secured;
    expect(c.alpnProtocol).toBe('b');
    expect(serverSide.alpnProtocol).toBe('b');
    expect(c.exportKeyingMaterial('EXPORTER-y', 16)).toEqual(
      serverSide.exportKeyingMaterial('EXPORTER-y', 16),
    );
    const echoed = readAll(c);
    c.end('round trip');
    expect((await echoed).toString()).toBe('round trip');
  });

  it('8 MiB each way, checksummed, with backpressure on both sides (slow reader)', async () => {
    const total = 8 << 20;
    const s = memtlsServer('p256', { crypto: nodeCryptoProvider });
    let serverSide: TlsSocket | undefined;
    s.on('secureConnection', (t: TlsSocket) => {
      serverSide = t;
      t.pipe(t);
    });
    const port = await listen(s);
    const c = memtlsClient('p256', port);
    let clientPauses = 0;
    c.socket.on('pause', () => clientPauses++);
    await nextEvent(c, 'secureConnect');
    let serverPauses = 0;
    serverSide!.socket.on('pause', () => serverPauses++);

    const sent = createHash('sha256');
    const got = createHash('sha256');
    let received = 0;
    let maxBuffered = 0;
    const slowReader = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        got.update(chunk);
        received += chunk.length;
        maxBuffered = Math.max(maxBuffered, c.readableLength);
        setTimeout(callback, received % (256 * 1024) < chunk.length ? 5 : 0);
      },
    });
    const done = new Promise<void>((resolve) => slowReader.on('finish', resolve));
    c.pipe(slowReader);

    let writtenFalse = 0;
    let offset = 0;
    let seed = 1;
    await new Promise<void>((resolve) => {
      const writeMore = () => {
        while (offset < total) {
          const chunk = Buffer.alloc(Math.min(100_000, total - offset));
          for (let i = 0; i < chunk.length; i++) {
            seed = (seed * 1103515245 + 12345) >>> 0;
            chunk[i] = seed >>> 24;
          }
          sent.update(chunk);
          offset += chunk.length;
          if (!c.write(chunk)) {
            writtenFalse++;
            c.once('drain', writeMore);
            return;
          }
        }
        c.end();
        resolve();
      };
      writeMore();
    });
    await done;
    expect(received).toBe(total);
    expect(got.digest('hex')).toBe(sent.digest('hex'));
    expect(writtenFalse).toBeGreaterThan(0); // our writable side pushed back
    expect(clientPauses).toBeGreaterThan(0); // a full readable side paused the client's TCP socket
    expect(serverPauses).toBeGreaterThan(0); // and the echo's backpressure reached the server's socket
    expect(maxBuffered).toBeLessThan(1 << 20);
  }, 60_000);
});

describe('STARTTLS (upgrade)', () => {
  const LINE = 'STARTTLS\r\n';

  it('memtls in both roles; the ClientHello arrives in the same chunk as the STARTTLS line (head)', async () => {
    let headLength = -1;
    const upgraded = new Promise<TlsSocket>((resolve) => {
      const plain = net.createServer((socket) => {
        track(socket);
        socket.once('data', (chunk: Buffer) => {
          expect(chunk.subarray(0, LINE.length).toString()).toBe(LINE);
          const head = chunk.subarray(LINE.length);
          headLength = head.length;
          const id = server('p256');
          resolve(upgrade(socket, { role: 'server', ca: pki.ca, cert: id.cert, key: id.key, head }));
        });
      });
      listen(plain).then((port) => {
        const socket = track(net.connect({ host: '127.0.0.1', port }));
        socket.once('connect', () => {
          socket.cork();
          socket.write(LINE);
          const id = client('p256');
          const t = track(
            upgrade(socket, { ca: pki.ca, serverName: 'server.test', cert: id.cert, key: id.key }),
          );
          process.nextTick(() => socket.uncork()); // after the ClientHello (queued on the next tick)
          t.once('secure', () => t.write('over starttls'));
        });
      });
    });
    const serverSide = await upgraded;
    expect(headLength).toBeGreaterThan(5); // at least a record header came with the line
    const data = await nextEvent<Buffer>(serverSide, 'data');
    expect(data.toString()).toBe('over starttls');
    expect(serverSide.getPeerIdentity()?.commonName).toBe('client.test');
  });

  it('server role: bytes still buffered inside the socket (unshifted) are not lost; node:tls client', async () => {
    let leftover = -1;
    const upgraded = new Promise<TlsSocket>((resolve) => {
      const plain = net.createServer((socket) => {
        track(socket);
        socket.pause();
        const tryRead = () => {
          if (socket.readableLength < LINE.length + 5) return; // wait: the line and a record header
          const all = socket.read() as Buffer;
          socket.off('readable', tryRead);
          socket.unshift(all.subarray(LINE.length));
          leftover = all.length - LINE.length;
          const id = server('rsa2048');
          resolve(upgrade(socket, { role: 'server', ca: pki.ca, cert: id.cert, key: id.key }));
        };
        socket.on('readable', tryRead);
      });
      listen(plain).then((port) => {
        const raw = track(net.connect({ host: '127.0.0.1', port }));
        raw.write(LINE);
        const id = client('rsa2048');
        const t = track(
          tls.connect({
            socket: raw,
            servername: 'server.test',
            ca: pki.ca,
            key: id.key,
            cert: id.cert,
            maxVersion: 'TLSv1.2',
          }),
        );
        t.once('secureConnect', () => t.write('via node:tls'));
      });
    });
    const serverSide = await upgraded;
    expect(leftover).toBeGreaterThan(0);
    const data = await nextEvent<Buffer>(serverSide, 'data');
    expect(data.toString()).toBe('via node:tls');
  });

  it('client role against node:tls after a plaintext OK', async () => {
    const plain = net.createServer((socket) => {
      track(socket);
      socket.once('data', (chunk: Buffer) => {
        expect(chunk.toString()).toBe(LINE);
        socket.write('OK\r\n');
        const id = server('p256');
        const t = new tls.TLSSocket(socket, {
          isServer: true,
          key: id.key,
          cert: id.cert,
          ca: pki.ca,
          requestCert: true,
          rejectUnauthorized: true,
        });
        t.on('data', (d: Buffer) => t.write(`echo:${d}`));
      });
    });
    const port = await listen(plain);
    const socket = track(net.connect({ host: '127.0.0.1', port }));
    socket.write(LINE);
    const reply = await nextEvent<Buffer>(socket, 'data');
    expect(reply.toString()).toBe('OK\r\n');
    const id = client('p256');
    const t = track(upgrade(socket, { ca: pki.ca, serverName: 'server.test', cert: id.cert, key: id.key }));
    await nextEvent(t, 'secureConnect');
    t.write('hi');
    expect((await nextEvent<Buffer>(t, 'data')).toString()).toBe('echo:hi');
  });
});

describe('timeouts and failures', () => {
  it('handshakeTimeout: a silent client → tlsClientError handshake_timeout on the server', async () => {
    const s = memtlsServer('p256', { handshakeTimeout: 200 });
    const failure = nextEvent<TlsError>(s, 'tlsClientError');
    const port = await listen(s);
    const raw = track(net.connect({ host: '127.0.0.1', port }));
    const closed = nextEvent(raw, 'close');
    const error = await failure;
    expect({ kind: error.kind, code: error.code }).toEqual({ kind: 'limit', code: 'handshake_timeout' });
    await closed;
  });

  it('handshakeTimeout: a silent server → error handshake_timeout on the client', async () => {
    const silent = net.createServer((socket) => track(socket));
    const port = await listen(silent);
    const c = memtlsClient('p256', port, { handshakeTimeout: 200 });
    const error = await errorOf(c);
    expect(error.code).toBe('handshake_timeout');
  });

  it('a peer that closes TCP mid-handshake → unexpected_eof; garbage → a decode error and an alert', async () => {
    const closer = net.createServer((socket) => socket.end());
    const c = memtlsClient('p256', await listen(closer));
    expect((await errorOf(c)).code).toBe('unexpected_eof');

    const gotAlert = new Promise<Buffer>((resolve) => {
      const garbage = net.createServer((socket) => {
        track(socket);
        let chunks = 0;
        socket.on('data', (d: Buffer) => {
          if (chunks++ === 0)
            socket.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')); // after the ClientHello
          else resolve(d);
        });
      });
      listen(garbage).then((port) => {
        const g = memtlsClient('p256', port);
        g.on('error', () => {});
      });
    });
    const alert = await gotAlert;
    expect([alert[0], alert[5]]).toEqual([21, 2]); // an alert record, level fatal
  });

  it('connect() with one secureContext shares its parsed certificates and key; a config is read afresh', async () => {
    const port = await listen(net.createServer((s) => track(s)));
    const id = client('p256');
    const secureContext = createClientContext({
      serverName: 'server.test',
      ca: pki.ca,
      cert: id.cert,
      key: id.key,
    });
    const withContext = { host: '127.0.0.1', port, secureContext };
    const withoutName: { host: string; port: number; ca: string; cert?: string; key?: string } = {
      host: '127.0.0.1',
      port,
      ca: pki.ca,
      cert: id.cert,
      key: id.key,
    };
    type Resolved = { resolved: { chainCertificates: unknown; serverName: string } };
    const resolvedOf = (s: TlsSocket) => (s.connection as unknown as Resolved).resolved;
    const open = (opts: typeof withoutName | typeof withContext) => {
      const s = track(connect(opts as Parameters<typeof connect>[0]));
      s.on('error', () => {});
      return resolvedOf(s);
    };
    expect(open(withContext).chainCertificates).toBe(open(withContext).chainCertificates);
    expect(open(withContext).serverName).toBe('server.test'); // the context's name, not host
    const first = open(withoutName);
    expect(first.serverName).toBe('127.0.0.1'); // serverName defaults to host
    expect(first.chainCertificates).toHaveLength(1);
    // A changed field is seen: the next connect() parses the new material.
    withoutName.cert = `${id.cert}\n`;
    const second = open(withoutName);
    expect(second.chainCertificates).not.toBe(first.chainCertificates);
    // So are removed ones: without cert and key the client has no chain.
    delete withoutName.cert;
    delete withoutName.key;
    expect(open(withoutName).chainCertificates).toEqual([]);
    // A secureContext with TLS options beside it is ambiguous: refused.
    expect(() => connect({ ...withContext, alpn: ['h2'] } as Parameters<typeof connect>[0])).toThrowError(
      /not both: 'alpn'/,
    );
  });

  it('bad configuration throws synchronously with a local TlsError', () => {
    expect(() => connect({ host: '127.0.0.1', port: 1, serverName: 'x', ca: 'not a pem' })).toThrow(TlsError);
    expect(() => createServer({ ca: pki.ca, cert: server('p256').cert, key: server('rsa2048').key })).toThrow(
      TlsError,
    );
    expect(new TlsClient({ ca: pki.ca, serverName: 'x' }).state).toBe('handshaking');
  });
});
