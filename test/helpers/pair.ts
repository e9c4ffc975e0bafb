// Drive a TlsClient and a TlsServer against each other in memory.

import type { TlsEvent } from '../../src/connection.js';
import type { TlsClient, TlsServer } from '../../src/endpoints.js';

export interface PairLog {
  client: TlsEvent[];
  server: TlsEvent[];
  /** Every chunk that went client → server and server → client, in order. */
  toServer: Uint8Array[];
  toClient: Uint8Array[];
}

export type Mangle = (bytes: Uint8Array, direction: 'toServer' | 'toClient', flight: number) => Uint8Array[];

/** Shuttle bytes until both sides are quiet. `mangle` may re-split, drop or alter each flight
 * (flights are numbered per direction from 0). */
export function runPair(client: TlsClient, server: TlsServer, mangle?: Mangle, maxRounds = 50): PairLog {
  const log: PairLog = { client: [], server: [], toServer: [], toClient: [] };
  const flights = { toServer: 0, toClient: 0 };
  for (let round = 0; round < maxRounds; round++) {
    const a = client.takeOutgoing();
    const b = server.takeOutgoing();
    if (a.length === 0 && b.length === 0) break;
    if (a.length > 0) {
      log.toServer.push(a);
      for (const chunk of mangle ? mangle(a, 'toServer', flights.toServer++) : [a])
        log.server.push(...server.receive(chunk));
    }
    if (b.length > 0) {
      log.toClient.push(b);
      for (const chunk of mangle ? mangle(b, 'toClient', flights.toClient++) : [b])
        log.client.push(...client.receive(chunk));
    }
  }
  return log;
}

export function dataOf(events: TlsEvent[]): Uint8Array {
  const parts = events.flatMap((e) => (e.type === 'data' ? [e.data] : []));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function errorOf(events: TlsEvent[]) {
  const e = events.find((x) => x.type === 'error');
  return e && e.type === 'error' ? e.error : undefined;
}
