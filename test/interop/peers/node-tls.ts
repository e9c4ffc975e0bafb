// The Node `tls` peer, in-process: an echo server that hashes what it receives, and a client that
// sends a payload (or a large stream) and checks the echo.

import { createHash } from 'node:crypto';
import {
  type ConnectionOptions,
  connect,
  createServer,
  type SecureContextOptions,
  type TLSSocket,
} from 'node:tls';
import { pkiText } from '../../helpers/pki.js';
import { ECHO_TEXT, runMemtlsClient, smallLines, startMemtlsServer } from '../memtls.js';
import { ianaSuite, memtlsGroup, opensslSuite } from '../names.js';
import type { Scope } from '../process.js';
import { streamChunk } from '../pump.js';
import type { Identity, Observation, PeerReport, Scenario } from '../scenario.js';

function chainText(identity: Identity): string {
  return [identity.cert, ...(identity.intermediates ?? [])].map(pkiText).join('');
}

/** Protocol options common to both roles. */
function protocolOptions(
  s: Scenario,
): SecureContextOptions & Pick<ConnectionOptions, 'minVersion' | 'maxVersion'> {
  const legacy = s.peerTweak?.legacyVersion;
  const ciphers = legacy
    ? (s.peerTweak?.cipher ?? 'DEFAULT@SECLEVEL=0')
    : (s.peerTweak?.cipher ?? (s.suite ? opensslSuite(s.suite) : undefined));
  return {
    minVersion: legacy ?? 'TLSv1.2',
    maxVersion: legacy ?? 'TLSv1.2',
    ...(ciphers ? { ciphers } : {}),
    // The scenario's group first: Node's server picks by its own order here (see the groups axis).
    ecdhCurve: ['X25519', 'P-256', 'P-384']
      .sort((a, b) => Number(b === nodeGroup(s.group)) - Number(a === nodeGroup(s.group)))
      .join(':'),
  };
}

function nodeGroup(group: Scenario['group']): string | undefined {
  return group && { x25519: 'X25519', secp256r1: 'P-256', secp384r1: 'P-384' }[group];
}

function describeError(e: Error & { code?: string }): string {
  return `${e.code ?? 'error'}: ${e.message}`;
}

function sessionReport(socket: TLSSocket, report: PeerReport): void {
  const cipher = socket.getCipher();
  report.cipher = cipher.standardName ?? ianaSuite(cipher.name);
  report.alpn = socket.alpnProtocol === false ? null : socket.alpnProtocol;
  const cert = socket.getPeerCertificate();
  const cn = cert && typeof cert.subject === 'object' ? cert.subject.CN : undefined;
  report.peerCertificateCn = Array.isArray(cn) ? (cn[0] ?? null) : (cn ?? null);
}

/** memtls client → Node tls echo server. */
export async function nodeTlsServer(s: Scenario, scope: Scope): Promise<Observation> {
  const report: PeerReport = { output: '' };
  const hash = createHash('sha256');
  let received = 0;
  const server = createServer({
    ...protocolOptions(s),
    cert: chainText(s.server),
    key: pkiText(s.server.key),
    ca: pkiText(s.serverCa ?? 'root.pem'),
    requestCert: s.clientAuth,
    rejectUnauthorized: s.clientAuth,
    ...(s.alpn ? { ALPNProtocols: s.alpn.server } : {}),
  });
  const sockets: TLSSocket[] = [];
  const finished = new Promise<void>((resolve) => {
    server.on('tlsClientError', (e: Error & { code?: string }) => {
      report.error = describeError(e);
      resolve();
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      sockets.push(socket);
      sessionReport(socket, report);
      report.sni = socket.servername === false ? null : (socket.servername ?? null);
      if (s.clientAuth && !socket.authorized) report.error = `not authorized: ${socket.authorizationError}`;
      socket.on('data', (d: Buffer) => {
        hash.update(d);
        received += d.length;
        socket.write(d);
      });
      socket.on('end', () => socket.end());
      socket.on('error', (e: Error & { code?: string }) => {
        report.error ??= describeError(e);
      });
      socket.on('close', () => resolve());
    });
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
  const memtls = await runMemtlsClient(port, s, scope);
  await Promise.race([finished, new Promise((r) => setTimeout(r, 2_000))]);
  report.receivedBytes = received;
  report.receivedSha256 = hash.digest('hex');
  return { memtls, peer: report };
}

/** Node tls client → memtls echo server. */
export async function nodeTlsClient(s: Scenario, scope: Scope): Promise<Observation> {
  const handle = await startMemtlsServer(s, scope);
  const report: PeerReport = { output: '' };
  const options: ConnectionOptions = {
    ...protocolOptions(s),
    host: '127.0.0.1',
    port: handle.port,
    servername: s.serverName ?? 'server.test',
    ca: pkiText(s.clientCa ?? 'root.pem'),
    rejectUnauthorized: true,
    ...(s.client ? { cert: chainText(s.client), key: pkiText(s.client.key) } : {}),
    ...(s.alpn ? { ALPNProtocols: s.alpn.client } : {}),
  };
  const socket = connect(options);
  scope.add(() => {
    socket.destroy();
  });
  const sentHash = createHash('sha256');
  const receivedHash = createHash('sha256');
  let sent = 0;
  let received = 0;
  const receivedChunks: Buffer[] = [];
  const t = s.transfer;
  const closed = new Promise<void>((resolve) => {
    socket.on('error', (e: Error & { code?: string }) => {
      report.error ??= describeError(e);
    });
    socket.on('close', () => resolve());
    socket.on('data', (d: Buffer) => {
      receivedHash.update(d);
      received += d.length;
      if (t.kind !== 'large') receivedChunks.push(d);
      if (received >= sent && sent > 0) socket.end();
    });
    socket.on('secureConnect', async () => {
      sessionReport(socket, report);
      const key = socket.getEphemeralKeyInfo();
      if (key && 'name' in key && typeof key.name === 'string') report.group = memtlsGroup(key.name);
      if (t.kind === 'none') {
        socket.end();
        return;
      }
      const pieces: Uint8Array[] =
        t.kind === 'echo'
          ? [Buffer.from(ECHO_TEXT)]
          : t.kind === 'small'
            ? smallLines(t.count).map((l) => Buffer.from(l))
            : [];
      if (t.kind === 'large') {
        sent = t.bytes;
        for (let offset = 0; offset < t.bytes; offset += 1 << 16) {
          const chunk = streamChunk(offset, Math.min(1 << 16, t.bytes - offset));
          sentHash.update(chunk);
          if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
        }
      } else {
        sent = pieces.reduce((n, p) => n + p.length, 0);
        for (const piece of pieces) {
          sentHash.update(piece);
          socket.write(piece);
        }
      }
    });
  });
  await closed;
  const memtls = await handle.result;
  report.receivedBytes = received;
  report.receivedSha256 = receivedHash.digest('hex');
  if (t.kind !== 'none' && !report.error) {
    const sentSha = sentHash.digest('hex');
    report.echoMatched = received === sent && report.receivedSha256 === sentSha;
    if (t.kind !== 'large') report.echoMatched &&= Buffer.concat(receivedChunks).length === sent;
  }
  return { memtls, peer: report };
}
