// The Python `ssl` peer (test/interop/python/peer.py, aiomas-style contexts): one process per case,
// reporting its session and transfer as JSON lines on stdout.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pkiPath, pkiText, projectRoot } from '../../helpers/pki.js';
import { runMemtlsClient, startMemtlsServer } from '../memtls.js';
import { ianaSuite, opensslSuite } from '../names.js';
import { Child, type Scope, timeout } from '../process.js';
import type { Identity, Observation, PeerReport, Scenario } from '../scenario.js';

interface PythonEvent {
  event: 'listening' | 'session' | 'done' | 'error';
  [field: string]: unknown;
}

function events(child: Child): PythonEvent[] {
  return child.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as PythonEvent);
}

/** Leaf + intermediates in one file, as load_cert_chain wants them. */
function chainFile(identity: Identity, scope: Scope): string {
  if (!identity.intermediates?.length) return pkiPath(identity.cert);
  const dir = mkdtempSync(join(tmpdir(), 'memtls-interop-py-'));
  scope.add(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'chain.pem');
  writeFileSync(file, [identity.cert, ...identity.intermediates].map(pkiText).join(''));
  return file;
}

function commonArgs(
  s: Scenario,
  own: Identity | undefined,
  ca: string,
  alpn: string[] | undefined,
  scope: Scope,
): string[] {
  const args = [join(projectRoot(), 'test', 'interop', 'python', 'peer.py')];
  args.push('--ca', pkiPath(ca));
  if (own) args.push('--cert', chainFile(own, scope), '--key', pkiPath(own.key));
  if (s.peerTweak?.legacyVersion) args.push('--legacy-version', s.peerTweak.legacyVersion);
  const ciphers = s.peerTweak?.cipher ?? (s.suite ? opensslSuite(s.suite) : undefined);
  if (ciphers) args.push('--ciphers', ciphers);
  if (alpn) args.push('--alpn', alpn.join(','));
  return args;
}

function report(child: Child): PeerReport {
  const all = events(child);
  const session = all.find((e) => e.event === 'session');
  const done = all.find((e) => e.event === 'done');
  const error = all.find((e) => e.event === 'error');
  const out: PeerReport = { output: child.output() };
  if (session) {
    out.cipher = ianaSuite(String(session.cipher));
    out.alpn = (session.alpn as string | null) ?? null;
    out.peerCertificateCn = (session.peerCn as string | null) ?? null;
    if ('sni' in session) out.sni = (session.sni as string | null) ?? null;
  }
  if (done) {
    out.receivedBytes = done.received as number;
    out.receivedSha256 = done.sha256 as string;
    if ('sentSha256' in done)
      out.echoMatched = done.sent === done.received && done.sentSha256 === done.sha256;
  }
  if (error) out.error = `${String(error.error)}${error.reason ? ` [${String(error.reason)}]` : ''}`;
  else if (!done) out.error = `no result (exit without report)`;
  return out;
}

/** memtls client → Python echo server. */
export async function pythonServer(s: Scenario, scope: Scope): Promise<Observation> {
  const args = commonArgs(s, s.server, s.serverCa ?? 'root.pem', s.alpn?.server, scope);
  if (!s.clientAuth) args.push('--no-client-auth');
  if (s.group) args.push('--client-preference');
  const child = new Child('python3', [args[0]!, 'server', ...args.slice(1)], scope);
  const match = await timeout(child.waitFor(/"port": (\d+)/, 'listening'), 10_000, 'python server to listen');
  const memtls = await runMemtlsClient(Number(match[1]), s, scope);
  await timeout(child.exited, 5_000, 'python server to exit').catch(() => child.kill());
  return { memtls, peer: report(child) };
}

/** Python client → memtls echo server. */
export async function pythonClient(s: Scenario, scope: Scope): Promise<Observation> {
  const handle = await startMemtlsServer(s, scope);
  const args = commonArgs(s, s.client, s.clientCa ?? 'root.pem', s.alpn?.client, scope);
  const t = s.transfer;
  const transfer = t.kind === 'small' ? `small:${t.count}` : t.kind === 'large' ? `large:${t.bytes}` : t.kind;
  args.push(
    '--port',
    String(handle.port),
    '--server-name',
    s.serverName ?? 'server.test',
    '--transfer',
    transfer,
  );
  const child = new Child('python3', [args[0]!, 'client', ...args.slice(1)], scope);
  await timeout(child.exited, 30_000, 'python client to finish').catch(() => child.kill());
  const memtls = await timeout(handle.result, 5_000, 'the memtls server to see the connection end');
  return { memtls, peer: report(child) };
}
