// `npm run soak -- [--seconds S] [--connections N] …`: a mutual-TLS 1.2 echo server (memtls/node, then
// node:tls as the reference, same run) in its own process, driven from client processes on 127.0.0.1
// by good node:tls clients and hostile ones; prints the table and writes bench/results/soak.json.
// With MEMTLS_SOAK_ROLE set, this file is a server or client child instead.

import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { ChildRequests } from '../child-requests.js';
import {
  type ClientCommand,
  type ClientPlan,
  type ClientReply,
  type ClientStats,
  runSoakClients,
} from './clients.js';
import { makeSoakPki, type SoakPki } from './pki.js';
import {
  dataHeap,
  formatSoakTable,
  mergeClientStats,
  percentile,
  ratios,
  type ServerRun,
  type SoakRatios,
} from './report.js';
import {
  type CryptoChoice,
  type MemorySample,
  runSoakServer,
  type ServerCommand,
  type ServerImplementation,
  type ServerTally,
} from './server.js';

const ROLE_ENV = 'MEMTLS_SOAK_ROLE';

export interface SoakOptions {
  seconds: number;
  /** A shorter round of the same mix before the baseline memory sample. */
  warmupSeconds: number;
  /** Connection slots in all client processes together (connections kept busy at once). */
  connections: number;
  clientProcesses: number;
  /** One in this many connections is hostile. */
  hostileEvery: number;
  handshakeTimeout: number;
  servers: ServerImplementation[];
  crypto: CryptoChoice;
  maxConnections: number;
  handshakesInFlight: number;
  messageBytes: number;
  thinkMs: number;
  json: string;
  /** A folder for V8 heap snapshots of the server before and after (see bench/soak/heap-diff.ts). */
  heapSnapshots?: string;
}

export interface SoakResult {
  node: string;
  date: string;
  options: SoakOptions;
  runs: ServerRun[];
  ratios?: SoakRatios;
  seconds: number;
}

const children = new Set<ChildProcess>();

/** Every child we forked is killed by PID when we exit, whatever the reason. */
function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
}

function forkRole(role: 'server' | 'clients', execArgv: string[] = []): ChildProcess {
  const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
    execArgv,
    env: { ...process.env, [ROLE_ENV]: role },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

class ServerProcess extends ChildRequests<ServerCommand> {
  constructor() {
    super(forkRole('server', ['--expose-gc']), 'soak server');
  }

  override request<T>(command: ServerCommand, timeoutMs = 60_000): Promise<T> {
    return super.request<T>(command, timeoutMs);
  }
}

function runClients(command: ClientCommand, timeoutMs: number): Promise<ClientStats> {
  const child = forkRole('clients');
  return new Promise<ClientStats>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`a soak client process did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('message', (reply: ClientReply) => {
      clearTimeout(timer);
      if ('error' in reply) reject(new Error(`soak clients: ${reply.error}`));
      else resolve(reply.result);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a soak client process exited (${code}) without a result`));
    });
    child.send(command);
  });
}

/** One good node:tls connection with one echo round trip: is the server still serving? */
function stillServing(port: number, pki: SoakPki): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'server.test',
      ca: pki.ca,
      cert: pki.client.cert,
      key: pki.client.key,
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(() => socket.destroy(), 10_000);
    let echoed = false;
    socket.once('secureConnect', () => socket.write('still there?'));
    socket.on('data', () => {
      echoed = true;
      socket.end();
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(echoed);
    });
  });
}

function serverLabel(implementation: ServerImplementation, crypto: CryptoChoice): string {
  return implementation === 'node:tls'
    ? 'node:tls'
    : `memtls/node (${crypto === 'node' ? 'node:crypto' : 'pure'})`;
}

async function soakOne(
  implementation: ServerImplementation,
  options: SoakOptions,
  pki: SoakPki,
): Promise<ServerRun> {
  const server = new ServerProcess();
  try {
    const port = await server.request<number>({
      command: 'listen',
      implementation,
      crypto: options.crypto,
      pki,
      handshakeTimeout: options.handshakeTimeout,
    });
    const slots = Math.ceil(options.connections / options.clientProcesses);
    const plan: ClientPlan = {
      port,
      pki,
      seconds: options.seconds,
      connections: slots,
      maxConnections: Math.ceil(options.maxConnections / options.clientProcesses),
      hostileEvery: options.hostileEvery,
      handshakeTimeout: options.handshakeTimeout,
      handshakesInFlight: options.handshakesInFlight,
      messageBytes: options.messageBytes,
      thinkMs: options.thinkMs,
      rampMs: (options.seconds * 1000) / 4,
    };
    const limitMs = options.seconds * 1000 + options.handshakeTimeout + 120_000;
    // Warm-up: a shorter round of the same mix at the same load against the same server, so the
    // baseline already holds what the load allocates for good: compiled code (V8 optimizes the
    // functions that run hot at this load, and keeps that code, its deoptimization data and
    // relocation info on the heap) and lazily built tables. Without it the heap 'after' sits
    // ~1.2 MiB over the baseline however long the soak runs; a heap-snapshot diff
    // (`--heap-snapshots DIR`, then bench/soak/heap-diff.ts) shows that growth is compiled code.
    const warmup: ClientPlan = {
      ...plan,
      seconds: options.warmupSeconds,
      rampMs: (options.warmupSeconds * 1000) / 4,
    };
    await Promise.all(
      Array.from({ length: options.clientProcesses }, () =>
        runClients({ command: 'run', plan: warmup }, limitMs),
      ),
    );
    await server.request({ command: 'waitIdle', timeoutMs: 10_000 });
    const snapshot = (when: string) =>
      options.heapSnapshots
        ? {
            snapshot: join(options.heapSnapshots, `${implementation.replace(':', '-')}-${when}.heapsnapshot`),
          }
        : {};
    const before = await server.request<MemorySample>({ command: 'memory', ...snapshot('before') }, 120_000);
    await server.request({ command: 'startPeak' });
    const parts = await Promise.all(
      Array.from({ length: options.clientProcesses }, () => runClients({ command: 'run', plan }, limitMs)),
    );
    const peak = await server.request<MemorySample>({ command: 'peak' });
    const connectionsLeft = await server.request<number>({ command: 'waitIdle', timeoutMs: 10_000 }, 20_000);
    const aliveAfter = await stillServing(port, pki);
    await server.request({ command: 'waitIdle', timeoutMs: 5000 });
    const after = await server.request<MemorySample>({ command: 'memory', ...snapshot('after') }, 120_000);
    const serverTally = await server.request<ServerTally>({ command: 'tally' });
    const m = mergeClientStats(parts);
    return {
      server: serverLabel(implementation, options.crypto),
      goodAttempted: m.attempted,
      connectionsCompleted: m.completed,
      goodFailures: m.failures,
      handshakes: m.handshakeMs.length,
      handshakeP50Ms: percentile(m.handshakeMs, 50),
      handshakeP99Ms: percentile(m.handshakeMs, 99),
      echoBytesPerSecond: m.echoedBytes / (m.elapsedMs / 1000),
      loadSeconds: m.elapsedMs / 1000,
      clientPeakOpen: m.peakOpen,
      hostile: m.hostile,
      serverTally,
      memory: { before, peak, after },
      heapAfterRatio: after.heapUsed / before.heapUsed,
      dataHeapAfterRatio: dataHeap(after) / dataHeap(before),
      connectionsLeft,
      aliveAfter: aliveAfter && !server.exited,
    };
  } finally {
    await server.request({ command: 'stop' }, 5000).catch(() => {});
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
}

function parseOptions(args: string[]): SoakOptions {
  const value = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
    return v;
  };
  const number = (name: string, fallback: number, min: number): number => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got '${v}'`);
    return n;
  };
  const servers = (value('servers') ?? 'memtls,node:tls').split(',') as ServerImplementation[];
  for (const s of servers) {
    if (s !== 'memtls' && s !== 'node:tls')
      throw new Error(`--servers: unknown server '${s}' (memtls, node:tls)`);
  }
  const crypto = (value('crypto') ?? 'pure') as CryptoChoice;
  if (crypto !== 'pure' && crypto !== 'node')
    throw new Error(`--crypto must be pure or node, got '${crypto}'`);
  const connections = Math.floor(number('connections', 1000, 1));
  const seconds = number('seconds', 20, 1);
  return {
    seconds,
    warmupSeconds: number('warmup-seconds', Math.max(2, Math.round(seconds / 6)), 1),
    connections,
    clientProcesses: Math.floor(number('client-processes', 2, 1)),
    hostileEvery: Math.floor(number('hostile-every', 5, 0)),
    handshakeTimeout: number('handshake-timeout', 10_000, 100),
    servers,
    crypto,
    maxConnections: Math.floor(number('max-connections', connections * 50, 1)),
    handshakesInFlight: Math.floor(number('handshakes-in-flight', 8, 1)),
    messageBytes: Math.floor(number('message-bytes', 1024, 1)),
    thinkMs: number('think-ms', 250, 1),
    json: value('json') ?? join(projectRoot(), 'bench', 'results', 'soak.json'),
    ...(value('heap-snapshots') ? { heapSnapshots: value('heap-snapshots') } : {}),
  };
}

/** The project root: the nearest directory above this file (source or bundle) with a package.json. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.heapSnapshots) mkdirSync(options.heapSnapshots, { recursive: true });
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killChildren();
      process.exit(130);
    });
  }
  const started = performance.now();
  const pki = makeSoakPki();
  const runs: ServerRun[] = [];
  for (const implementation of options.servers) runs.push(await soakOne(implementation, options, pki));
  const memtls = runs.find((r) => r.server.startsWith('memtls'));
  const node = runs.find((r) => r.server === 'node:tls');
  const result: SoakResult = {
    node: process.version,
    date: new Date().toISOString(),
    options,
    runs,
    ...(memtls && node ? { ratios: ratios(memtls, node) } : {}),
    seconds: (performance.now() - started) / 1000,
  };
  const header =
    `soak: ${options.seconds} s per server after a ${options.warmupSeconds} s warm-up, ${options.connections} connection slots in ${options.clientProcesses} ` +
    `client process(es), 1 in ${options.hostileEvery} connections hostile, handshake timeout ${options.handshakeTimeout} ms, ` +
    `${options.messageBytes}-byte echo every ${options.thinkMs} ms; good clients are node:tls for both servers`;
  console.log(formatSoakTable(header, runs, result.ratios));
  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nresults written to ${options.json} (${result.seconds.toFixed(1)} s)`);
}

const role = process.env[ROLE_ENV];
if (role === 'server') await runSoakServer();
else if (role === 'clients') runSoakClients();
else {
  try {
    await main();
  } catch (error) {
    killChildren();
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  }
}
