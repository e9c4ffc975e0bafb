// Running interop cases: the peer driver for each (peer, role), a per-case timeout and cleanup, and a
// small concurrency limit (the machine is shared; handshakes are CPU-bound).

import { problems } from './check.js';
import { nodeTlsClient, nodeTlsServer } from './peers/node-tls.js';
import { opensslClient, opensslServer } from './peers/openssl.js';
import { pythonClient, pythonServer } from './peers/python.js';
import { Scope, timeout } from './process.js';
import type { InteropCase, Observation, PeerName, Role, Scenario } from './scenario.js';

type Driver = (s: Scenario, scope: Scope) => Promise<Observation>;

/** The driver for memtls in `role` against `peer` (the peer plays the other role). */
const DRIVERS: Record<PeerName, Record<Role, Driver>> = {
  openssl: { client: opensslServer, server: opensslClient },
  node: { client: nodeTlsServer, server: nodeTlsClient },
  python: { client: pythonServer, server: pythonClient },
};

export interface CaseResult {
  case: InteropCase;
  ok: boolean;
  problems: string[];
  ms: number;
}

/** INTEROP_DEBUG=1: the peer's whole output and what memtls negotiated, for diagnosing a case. */
function debugText(c: InteropCase, o: Observation): string {
  const { info, error, ...rest } = o.memtls;
  const summary = {
    ...rest,
    info: info && {
      cipherSuite: info.cipherSuite,
      group: info.group,
      signatureScheme: info.signatureScheme,
      alpn: info.alpn,
      serverName: info.serverName,
      peer: info.peerIdentity?.subject,
    },
    error: error && `${error.kind}/${error.code}: ${error.message}`,
  };
  return `--- ${c.id}\n${o.peer.error ? `peer error: ${o.peer.error}\n` : ''}${o.peer.output}\nmemtls: ${JSON.stringify(summary)}\n`;
}

/** Run one case to completion: never throws, always stops what it started. */
export async function runCase(c: InteropCase): Promise<CaseResult> {
  const started = performance.now();
  const scope = new Scope();
  let found: string[];
  try {
    const observation = await timeout(DRIVERS[c.peer][c.role](c.scenario, scope), c.timeoutMs, c.id);
    found = problems(c, observation);
    if (process.env.INTEROP_DEBUG) process.stderr.write(debugText(c, observation));
  } catch (e) {
    found = [`harness: ${e instanceof Error ? e.message : String(e)}`];
  } finally {
    await scope.close();
  }
  return { case: c, ok: found.length === 0, problems: found, ms: Math.round(performance.now() - started) };
}

/** A counting semaphore: at most `n` callers inside `run` at once. */
export class Limit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly n: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
