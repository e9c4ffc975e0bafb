// Shared by the two-process profiling drivers (bench/profile-receiver.ts, bench/profile-echo.ts):
// their command-line options, and a memtls/node (nodeCryptoProvider) or node:tls server and client
// over 127.0.0.1 with the bench's P-256 PKI.

import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import * as tls from 'node:tls';
import { connect, createServer, nodeCryptoProvider, type TlsSocket } from '../src/adapters/node.js';
import { nodeTlsServerOptions, type Pki } from './handshake.js';

export type End = 'memtls' | 'node';
export type EndSocket = tls.TLSSocket | TlsSocket;

/** The value after `name` on the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** A server of either kind, listening on 127.0.0.1. */
export async function listenEnd(
  pki: Pki,
  end: End,
  onConnection: (socket: EndSocket) => void,
): Promise<{ server: Server; port: number }> {
  const server =
    end === 'node'
      ? tls.createServer(nodeTlsServerOptions(pki), onConnection)
      : createServer(
          { ca: pki.ca, cert: pki.server.cert, key: pki.server.key, crypto: nodeCryptoProvider },
          onConnection,
        );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A client of either kind, connected and through its handshake. */
export async function connectEnd(pki: Pki, end: End, port: number): Promise<EndSocket> {
  const client = { host: '127.0.0.1', port, ca: pki.ca, cert: pki.client.cert, key: pki.client.key };
  const socket =
    end === 'node'
      ? tls.connect({ ...client, servername: 'server.test', maxVersion: 'TLSv1.2' })
      : connect({ ...client, serverName: 'server.test', crypto: nodeCryptoProvider });
  await once(socket, 'secureConnect');
  return socket;
}
