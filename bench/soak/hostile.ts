// The soak's misbehaving clients, built from raw TCP sockets and the sans-IO TlsClient or hand-made
// TLS 1.2 records (RFC 5246 §6.2, §7.2): each runs one connection and reports what the server did.

import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { nodeCryptoProvider } from '../../src/adapters/node.js';
import { alertName, type ClientConfig, TlsClient, type TlsError } from '../../src/index.js';
import type { SoakPki } from './pki.js';

export const HOSTILE_CLASSES = [
  'reset-mid-handshake',
  'garbage',
  'stall-handshake',
  'wrong-root-cert',
  'expired-cert',
  'warning-alert-flood',
  'empty-record-flood',
  'stop-reading',
] as const;
export type HostileClass = (typeof HOSTILE_CLASSES)[number];

/**
 * What the server did with one hostile connection, as the client saw it:
 *   refused               a fatal alert from the server, then the connection closed
 *   closed                the server closed the connection (FIN or RST) without an alert we saw
 *   reset-by-us           we reset the connection mid-handshake, as planned
 *   stalled-then-dropped  (stop-reading) the server stopped accepting our bytes; we dropped it
 *   accepted              the server completed a handshake it should have refused
 *   not-stalled           (stop-reading) the server kept taking bytes past the cap: unbounded buffering
 *   left-open             the server kept the connection past the time limit
 *   connect-failed        the TCP connection did not open
 */
export type HostileOutcomeName =
  | 'refused'
  | 'closed'
  | 'reset-by-us'
  | 'stalled-then-dropped'
  | 'accepted'
  | 'not-stalled'
  | 'left-open'
  | 'connect-failed';

export interface HostileOutcome {
  outcome: HostileOutcomeName;
  /** The alert or error code the client saw, when there was one. */
  detail?: string;
  /** From connect() to the outcome. */
  ms: number;
  /** stop-reading: application bytes the server took before it stopped reading. */
  bytesWritten?: number;
}

export interface HostileContext {
  port: number;
  /** The server's handshake timeout, ms: a connection the server leaves open longer is 'left-open'. */
  handshakeTimeout: number;
  /** The good client's configuration (a valid certificate). */
  good: ClientConfig;
  wrongRoot: ClientConfig;
  expired: ClientConfig;
}

const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const FLOOD_RECORDS = 1000;
const USER_CANCELED = 90; // a warning-level alert (RFC 5246 §7.2.2)
/** stop-reading: write 16 KiB at a time until the server stops taking bytes or this many went out. */
const STOP_READING_CAP = 64 << 20;
const STOP_READING_CHUNK = 16384;
/** stop-reading: a write not drained for this long means the server stopped reading. */
const STALL_MS = 1000;
const STOP_READING_HOLD_MS = 1000;
/** Slack over the handshake timeout before a connection counts as left open. */
const SLACK_MS = 10_000;

export function hostileContext(port: number, handshakeTimeout: number, pki: SoakPki): HostileContext {
  // node:crypto under our engine keeps the client process's CPU (pure-JS AES-GCM and P-256 would cost
  // far more) from slowing the good clients that share it.
  const base = { serverName: 'server.test', ca: pki.ca, crypto: nodeCryptoProvider };
  return {
    port,
    handshakeTimeout,
    good: { ...base, cert: pki.client.cert, key: pki.client.key },
    wrongRoot: { ...base, cert: pki.wrongRootClient.cert, key: pki.wrongRootClient.key },
    expired: { ...base, cert: pki.expiredClient.cert, key: pki.expiredClient.key },
  };
}

function record(type: number, body: Uint8Array): Buffer {
  const header = Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([header, body]);
}

/** A fresh ClientHello record from our engine (a real one: the server starts its handshake). */
function clientHello(ctx: HostileContext): Buffer {
  return Buffer.from(new TlsClient(ctx.good).takeOutgoing());
}

/**
 * Resolves when the server closes `socket` (or after the limit): 'refused' when a plaintext fatal
 * alert record arrived first, else 'closed'.
 */
function serverVerdict(socket: net.Socket, started: number, limitMs: number): Promise<HostileOutcome> {
  let pending = Buffer.alloc(0);
  let alert: string | undefined;
  let socketError: string | undefined;
  let connectFailed = false;
  socket.on('data', (chunk: Buffer) => {
    if (alert !== undefined) return;
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 5) {
      const length = pending.readUInt16BE(3);
      if (pending.length < 5 + length) break;
      if (pending[0] === ALERT && length === 2 && pending[5] === 2) {
        alert = alertName(pending[6]!);
        break;
      }
      pending = pending.subarray(5 + length);
    }
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ outcome: 'left-open', ms: performance.now() - started });
    }, limitMs);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (socket.connecting) connectFailed = true;
      socketError ??= error.code ?? error.message;
    });
    socket.once('close', () => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (connectFailed) resolve({ outcome: 'connect-failed', detail: socketError, ms });
      else if (alert !== undefined) resolve({ outcome: 'refused', detail: alert, ms });
      else resolve({ outcome: 'closed', detail: socketError, ms });
    });
  });
}

/** Runs our engine over `socket` until the handshake completes or fails. */
function engineHandshake(
  socket: net.Socket,
  engine: TlsClient,
): Promise<{ ok: true } | { ok: false; error?: TlsError; closed: boolean; code?: string }> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      for (const event of engine.receive(chunk)) {
        if (event.type === 'handshake') {
          done({ ok: true });
          return;
        }
        if (event.type === 'error') {
          done({ ok: false, error: event.error, closed: false });
          return;
        }
      }
      const out = engine.takeOutgoing();
      if (out.length > 0) socket.write(out);
    };
    const onClose = () => done({ ok: false, closed: true });
    const onError = (error: NodeJS.ErrnoException) => done({ ok: false, closed: true, code: error.code });
    const done = (result: Parameters<typeof resolve>[0]) => {
      socket.off('data', onData).off('close', onClose).off('error', onError);
      socket.on('error', () => {});
      const out = engine.takeOutgoing();
      if (out.length > 0 && !socket.destroyed) socket.write(out);
      resolve(result);
    };
    socket.on('data', onData).once('close', onClose).on('error', onError);
    socket.write(engine.takeOutgoing());
  });
}

async function badCertificate(ctx: HostileContext, config: ClientConfig, started: number) {
  const socket = net.connect({ host: '127.0.0.1', port: ctx.port });
  const result = await engineHandshake(socket, new TlsClient(config));
  socket.destroy();
  const ms = performance.now() - started;
  if (result.ok) return { outcome: 'accepted', ms } satisfies HostileOutcome;
  if (result.error?.kind === 'alertReceived')
    return { outcome: 'refused', detail: result.error.code, ms } satisfies HostileOutcome;
  return { outcome: 'closed', detail: result.error?.code ?? result.code, ms } satisfies HostileOutcome;
}

/** Handshakes, then writes without ever reading until the server stops taking bytes. */
async function stopReading(ctx: HostileContext, started: number): Promise<HostileOutcome> {
  const socket = net.connect({ host: '127.0.0.1', port: ctx.port });
  const engine = new TlsClient(ctx.good);
  const result = await engineHandshake(socket, engine);
  if (!result.ok) {
    socket.destroy();
    return { outcome: 'closed', detail: result.error?.code ?? result.code, ms: performance.now() - started };
  }
  socket.pause(); // from now on nothing the server sends is read
  const chunk = new Uint8Array(STOP_READING_CHUNK).fill(0x61);
  let written = 0;
  let closed = false;
  socket.once('close', () => {
    closed = true;
  });
  while (written < STOP_READING_CAP && !closed) {
    engine.write(chunk);
    written += chunk.length;
    if (socket.write(engine.takeOutgoing())) {
      await new Promise((resolve) => setImmediate(resolve)); // other connections in this process get turns
      continue;
    }
    const drained = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), STALL_MS);
      socket.once('drain', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!drained) break;
  }
  const ms = performance.now() - started;
  if (closed) return { outcome: 'closed', ms, bytesWritten: written };
  if (written >= STOP_READING_CAP) {
    socket.destroy();
    return { outcome: 'not-stalled', ms, bytesWritten: written };
  }
  await new Promise((resolve) => setTimeout(resolve, STOP_READING_HOLD_MS));
  socket.resetAndDestroy();
  return { outcome: 'stalled-then-dropped', ms, bytesWritten: written };
}

/** One hostile connection of the given class. */
export async function runHostile(kind: HostileClass, ctx: HostileContext): Promise<HostileOutcome> {
  const started = performance.now();
  const limit = ctx.handshakeTimeout + SLACK_MS;
  switch (kind) {
    case 'wrong-root-cert':
      return badCertificate(ctx, ctx.wrongRoot, started);
    case 'expired-cert':
      return badCertificate(ctx, ctx.expired, started);
    case 'stop-reading':
      return stopReading(ctx, started);
    case 'reset-mid-handshake': {
      const socket = net.connect({ host: '127.0.0.1', port: ctx.port });
      const verdict = serverVerdict(socket, started, limit);
      socket.write(clientHello(ctx));
      // The server's first flight arrived: its handshake state is live. Reset now.
      socket.once('data', () => socket.resetAndDestroy());
      const v = await verdict;
      return v.outcome === 'closed' && v.detail === undefined ? { ...v, outcome: 'reset-by-us' } : v;
    }
    case 'garbage': {
      const socket = net.connect({ host: '127.0.0.1', port: ctx.port });
      const verdict = serverVerdict(socket, started, limit);
      socket.write(randomBytes(1 + Math.floor(Math.random() * 2048)));
      return verdict;
    }
    case 'stall-handshake': {
      // Three bytes of a record header, then silence: only the handshake timeout can end this.
      const socket = net.connect({ host: '127.0.0.1', port: ctx.port });
      const verdict = serverVerdict(socket, started, limit);
      socket.write(clientHello(ctx).subarray(0, 3));
      return verdict;
    }
    case 'warning-alert-flood': {
      // Plaintext warning alerts right after the ClientHello: once the handshake is done alerts are
      // encrypted, and the public API has no way to send warning alerts.
      const socket = net.connect({ host: '127.0.0.1', port: ctx.port });
      const verdict = serverVerdict(socket, started, limit);
      const alert = record(ALERT, new Uint8Array([1, USER_CANCELED]));
      socket.write(Buffer.concat([clientHello(ctx), ...new Array<Buffer>(FLOOD_RECORDS).fill(alert)]));
      return verdict;
    }
    case 'empty-record-flood': {
      // Empty application_data records (the one type RFC 5246 §6.2.1 lets be empty) after the
      // ClientHello, then empty handshake records (which it forbids).
      const socket = net.connect({ host: '127.0.0.1', port: ctx.port });
      const verdict = serverVerdict(socket, started, limit);
      const empty = record(APPLICATION_DATA, new Uint8Array(0));
      const emptyHandshake = record(HANDSHAKE, new Uint8Array(0));
      const flood = new Array<Buffer>(FLOOD_RECORDS).fill(empty);
      flood.push(...new Array<Buffer>(FLOOD_RECORDS).fill(emptyHandshake));
      socket.write(Buffer.concat([clientHello(ctx), ...flood]));
      return verdict;
    }
  }
}

/** Whether an outcome is what a sound server does with that class. */
export function acceptableOutcome(kind: HostileClass, outcome: HostileOutcomeName): boolean {
  if (kind === 'reset-mid-handshake') return outcome === 'reset-by-us' || outcome === 'closed';
  if (kind === 'stop-reading') return outcome === 'stalled-then-dropped';
  return outcome === 'refused' || outcome === 'closed';
}
