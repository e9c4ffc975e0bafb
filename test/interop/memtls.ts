// The memtls side of an interop case: configs from a Scenario, a client that sends and checks the
// echo, and an echo server, each driven over a real TCP socket by the Pump.

import { createHash } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { createServerContext } from '../../src/context.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { nodeCryptoProvider } from '../../src/providers/node/provider.js';
import { pkiText } from '../helpers/pki.js';
import { GROUP_NAMES } from './names.js';
import type { Scope } from './process.js';
import { Pump } from './pump.js';
import type { Identity, Observation, Scenario } from './scenario.js';

/** The short message of an `echo` transfer. */
export const ECHO_TEXT = 'hello from the interop matrix\n';

/** Lines of a `small` transfer: each is written (and flushed) on its own. */
export function smallLines(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `small write ${i} of ${count}\n`);
}

function chainOf(identity: Identity): string[] {
  return [pkiText(identity.cert), ...(identity.intermediates ?? []).map(pkiText)];
}

function common(s: Scenario) {
  return {
    ...(s.suite ? { cipherSuites: [s.suite] } : {}),
    // Preference, not restriction: in TLS 1.2 supported_groups also lists the curves acceptable for
    // ECDSA certificates (RFC 8422 §5.1.1), so leaving P-256 out would refuse P-256 certificates.
    ...(s.group ? { groups: [s.group, ...GROUP_NAMES.filter((g) => g !== s.group)] } : {}),
    ...(s.provider === 'node' ? { crypto: nodeCryptoProvider } : {}),
  };
}

export function memtlsClientConfig(s: Scenario): ClientConfig {
  return {
    ...common(s),
    ca: pkiText(s.clientCa ?? 'root.pem'),
    serverName: s.serverName ?? 'server.test',
    ...(s.client ? { cert: chainOf(s.client), key: pkiText(s.client.key) } : {}),
    ...(s.alpn ? { alpn: s.alpn.client } : {}),
  };
}

export function memtlsServerConfig(s: Scenario): ServerConfig {
  return {
    ...common(s),
    ca: pkiText(s.serverCa ?? 'root.pem'),
    cert: chainOf(s.server),
    key: pkiText(s.server.key),
    clientAuth: s.clientAuth ? 'required' : 'none',
    ...(s.alpn ? { alpn: s.alpn.server } : {}),
  };
}

type MemtlsObservation = Observation['memtls'];

/**
 * Connect a memtls client to 127.0.0.1:port, run the scenario's transfer against an echoing peer
 * (`transform` says what the peer sends back for a text payload, e.g. reversed lines), then close.
 */
export async function runMemtlsClient(
  port: number,
  s: Scenario,
  scope: Scope,
  transform: (text: string) => string = (t) => t,
): Promise<MemtlsObservation> {
  const socket = connect(port, '127.0.0.1');
  scope.add(() => {
    socket.destroy();
  });
  const pump = new Pump(new TlsClient(memtlsClientConfig(s)), socket, {
    keepData: s.transfer.kind !== 'large',
  });
  let echoMatched: boolean | undefined;
  let sentSha256: string | undefined;
  try {
    await pump.handshake;
  } catch {
    return { ...(await pump.done) };
  }
  const t = s.transfer;
  if (t.kind === 'echo' || t.kind === 'small') {
    const lines = t.kind === 'echo' ? [ECHO_TEXT] : smallLines(t.count);
    const expected = Buffer.from(transform(lines.join('')), 'latin1');
    for (const line of lines) await pump.write(Buffer.from(line, 'latin1'));
    await pump.waitForBytes(expected.length);
    echoMatched = Buffer.from(pump.data()).equals(expected);
  } else if (t.kind === 'large') {
    sentSha256 = await pump.writeStream(t.bytes);
    await pump.waitForBytes(t.bytes);
    echoMatched = pump.received === t.bytes;
  }
  pump.close();
  const result = await pump.done;
  if (t.kind === 'large') echoMatched = echoMatched && result.receivedSha256 === sentSha256;
  return { ...result, echoMatched, sentSha256 };
}

export interface MemtlsServerHandle {
  port: number;
  /** The first accepted connection's final picture. */
  result: Promise<MemtlsObservation>;
}

/**
 * Listen on 127.0.0.1:0 with a memtls echo server (echoing in small pieces for `small` transfers).
 * With `closeAfter`, the server sends close_notify once it has received that many bytes (for peers
 * such as `openssl s_client -ign_eof` that wait for the server to close).
 */
export async function startMemtlsServer(
  s: Scenario,
  scope: Scope,
  closeAfter?: number,
): Promise<MemtlsServerHandle> {
  const config = createServerContext(memtlsServerConfig(s)); // compiled once for every connection
  const sockets: Socket[] = [];
  let accept!: (p: Promise<MemtlsObservation>) => void;
  const accepted = new Promise<MemtlsObservation>((resolve) => {
    accept = resolve;
  });
  accepted.catch(() => {}); // a driver that gave up early must not leave an unhandled rejection
  const server = createServer((socket) => {
    sockets.push(socket);
    if (sockets.length > 1) {
      socket.destroy();
      return;
    }
    try {
      const pump: Pump = new Pump(new TlsServer(config), socket, {
        echo: true,
        ...(s.transfer.kind === 'small' ? { echoPieceSize: 7 } : {}),
        onData: () => {
          if (closeAfter !== undefined && pump.received >= closeAfter) pump.close();
        },
      });
      accept(pump.done);
    } catch (e) {
      // A bug on our side must fail the case, not crash the whole run from a socket callback.
      socket.destroy();
      accept(Promise.reject(e));
    }
  });
  scope.add(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return { port, result: accepted };
}

/** SHA-256 (hex) of bytes, for comparing against a peer's report. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
