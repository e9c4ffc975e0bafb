// The soak's client process (forked by bench/soak/index.ts): keeps its share of connections busy —
// good node:tls mutual-TLS clients doing echo, one in every few slots' turns a hostile client
// (bench/soak/hostile.ts) — until the deadline or the connection cap, and reports what it saw.

import * as tls from 'node:tls';
import {
  HOSTILE_CLASSES,
  type HostileClass,
  type HostileOutcome,
  hostileContext,
  runHostile,
} from './hostile.js';
import type { SoakPki } from './pki.js';
import { errorCode } from './server.js';

export interface ClientPlan {
  port: number;
  pki: SoakPki;
  /** Load phase length; connections opened before the deadline wind down by it (hostile ones may run over). */
  seconds: number;
  /** Connection slots in this process: each runs one connection after another. */
  connections: number;
  /** At most this many connections opened by this process in all (the count bound). */
  maxConnections: number;
  /** One in `hostileEvery` connections is hostile (0: none). */
  hostileEvery: number;
  handshakeTimeout: number;
  /** Good handshakes in flight at once in this process (a client pool's limit; hostile clients ignore it). */
  handshakesInFlight: number;
  /** Echo message size, bytes, and the pause between round trips, ms. */
  messageBytes: number;
  thinkMs: number;
  /** Slots start spread evenly over this many ms. */
  rampMs: number;
}

export interface HostileStats {
  attempts: number;
  outcomes: Record<string, number>;
  /** Alert names or error codes the client saw, by count. */
  details: Record<string, number>;
  maxMs: number;
  minMs: number;
  /** stop-reading: the most bytes one connection got into the server before it stopped reading. */
  maxBytesWritten: number;
}

export interface ClientStats {
  good: {
    attempted: number;
    completed: number;
    failures: Record<string, number>;
    handshakeMs: number[];
    echoedBytes: number;
    peakOpen: number;
  };
  hostile: Record<string, HostileStats>;
  /** From the first slot's start to the last connection's end, ms. */
  elapsedMs: number;
}

export type ClientCommand = { command: 'run'; plan: ClientPlan };
export type ClientReply = { result: ClientStats } | { error: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** A good connection not closed this long after its planned end is a failure ('client_watchdog'). */
const WATCHDOG_SLACK_MS = 30_000;

class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

function emptyStats(): ClientStats {
  const hostile: Record<string, HostileStats> = {};
  for (const kind of HOSTILE_CLASSES) {
    hostile[kind] = { attempts: 0, outcomes: {}, details: {}, maxMs: 0, minMs: Infinity, maxBytesWritten: 0 };
  }
  return {
    good: { attempted: 0, completed: 0, failures: {}, handshakeMs: [], echoedBytes: 0, peakOpen: 0 },
    hostile,
    elapsedMs: 0,
  };
}

function recordHostile(stats: ClientStats, kind: HostileClass, o: HostileOutcome): void {
  const h = stats.hostile[kind]!;
  h.attempts++;
  h.outcomes[o.outcome] = (h.outcomes[o.outcome] ?? 0) + 1;
  if (o.detail !== undefined) h.details[o.detail] = (h.details[o.detail] ?? 0) + 1;
  h.maxMs = Math.max(h.maxMs, o.ms);
  h.minMs = Math.min(h.minMs, o.ms);
  h.maxBytesWritten = Math.max(h.maxBytesWritten, o.bytesWritten ?? 0);
}

class Driver {
  readonly stats = emptyStats();
  private readonly secureContext: tls.SecureContext;
  private readonly payload: Buffer;
  private readonly tokens: Semaphore;
  private readonly hostile;
  private open = 0;
  private opened = 0;
  private hostileTurn = 0;
  private readerActive = false;

  constructor(private readonly plan: ClientPlan) {
    this.secureContext = tls.createSecureContext({
      ca: plan.pki.ca,
      cert: plan.pki.client.cert,
      key: plan.pki.client.key,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    this.payload = Buffer.alloc(plan.messageBytes);
    for (let i = 0; i < this.payload.length; i++) this.payload[i] = (i * 31 + 7) & 0xff;
    this.tokens = new Semaphore(plan.handshakesInFlight);
    this.hostile = hostileContext(plan.port, plan.handshakeTimeout, plan.pki);
  }

  private fail(code: string): void {
    const f = this.stats.good.failures;
    f[code] = (f[code] ?? 0) + 1;
  }

  /** One good connection: handshake, `rounds` echo round trips, end() with close_notify, wait for close. */
  async good(rounds: number, deadline: number): Promise<void> {
    const good = this.stats.good;
    await this.tokens.acquire();
    if (performance.now() >= deadline) {
      this.tokens.release(); // the run ended while this slot waited its turn: no new connection
      return;
    }
    good.attempted++;
    let holdsToken = true;
    const release = () => {
      if (holdsToken) this.tokens.release();
      holdsToken = false;
    };
    const started = performance.now();
    const socket = tls.connect({
      host: '127.0.0.1',
      port: this.plan.port,
      servername: 'server.test',
      secureContext: this.secureContext,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    socket.setNoDelay(true);
    this.open++;
    good.peakOpen = Math.max(good.peakOpen, this.open);
    await new Promise<void>((resolve) => {
      let failure: string | undefined;
      let ended = false;
      let received = 0;
      let think: ReturnType<typeof setTimeout> | undefined;
      const lifetime = this.plan.handshakeTimeout + rounds * (this.plan.thinkMs + 1000) + WATCHDOG_SLACK_MS;
      const watchdog = setTimeout(() => {
        failure ??= 'client_watchdog';
        socket.destroy();
      }, lifetime);
      const next = () => {
        if (socket.destroyed) return;
        if (rounds === 0) {
          ended = true;
          socket.end();
          return;
        }
        rounds--;
        socket.write(this.payload);
      };
      socket.once('secureConnect', () => {
        release();
        good.handshakeMs.push(performance.now() - started);
        next();
      });
      socket.on('data', (chunk: Buffer) => {
        const expected = this.payload.subarray(received, received + chunk.length);
        if (chunk.length > expected.length || !chunk.equals(expected)) {
          failure ??= 'echo_mismatch';
          socket.destroy();
          return;
        }
        received += chunk.length;
        if (received < this.payload.length) return;
        received = 0;
        good.echoedBytes += this.payload.length;
        think = setTimeout(next, this.plan.thinkMs);
      });
      socket.on('error', (error) => {
        failure ??= errorCode(error);
      });
      socket.once('close', () => {
        clearTimeout(watchdog);
        clearTimeout(think);
        release();
        this.open--;
        if (failure === undefined && !ended) failure = 'closed_by_server';
        if (failure === undefined) good.completed++;
        else this.fail(failure);
        resolve();
      });
    });
  }

  /** Echo rounds for a new good connection: a lifetime of S/12 … S/4, cut to end by the deadline. */
  private roundsFor(deadline: number): number {
    const s = this.plan.seconds * 1000;
    const lifetime = Math.min(s / 12 + Math.random() * (s / 6), deadline - performance.now());
    return Math.max(1, Math.floor(lifetime / this.plan.thinkMs));
  }

  private async slot(index: number, deadline: number): Promise<void> {
    await sleep((this.plan.rampMs * index) / this.plan.connections);
    while (performance.now() < deadline && this.opened < this.plan.maxConnections) {
      const n = this.opened++;
      if (this.plan.hostileEvery > 0 && n % this.plan.hostileEvery === this.plan.hostileEvery - 1) {
        let kind = HOSTILE_CLASSES[this.hostileTurn++ % HOSTILE_CLASSES.length]!;
        // One non-reading client at a time per process: each pushes megabytes through the server's
        // record layer, and a pile of them would measure bulk crypto, not the other classes.
        if (kind === 'stop-reading' && this.readerActive) {
          kind = HOSTILE_CLASSES[this.hostileTurn++ % HOSTILE_CLASSES.length]!;
        }
        if (kind === 'stop-reading') this.readerActive = true;
        recordHostile(this.stats, kind, await runHostile(kind, this.hostile));
        if (kind === 'stop-reading') this.readerActive = false;
      } else {
        await this.good(this.roundsFor(deadline), deadline);
      }
    }
  }

  async run(): Promise<ClientStats> {
    const started = performance.now();
    const deadline = started + this.plan.seconds * 1000;
    const slots: Promise<void>[] = [];
    for (let i = 0; i < this.plan.connections; i++) slots.push(this.slot(i, deadline));
    await Promise.all(slots);
    this.stats.elapsedMs = performance.now() - started;
    return this.stats;
  }
}

/** The child's main: one command, one reply, then exit. */
export function runSoakClients(): void {
  if (!process.send) throw new Error('the soak client process needs an IPC channel');
  process.on('disconnect', () => process.exit(0));
  process.once('message', (message: ClientCommand) => {
    new Driver(message.plan).run().then(
      (result) => process.send!({ result } satisfies ClientReply, () => process.exit(0)),
      (error: unknown) =>
        process.send!(
          { error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
          () => process.exit(1),
        ),
    );
  });
}
