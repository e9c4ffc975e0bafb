// The `openssl s_server` / `openssl s_client` peer (OpenSSL 3.0 CLI): s_server -rev answers each line
// reversed; s_client sends stdin and prints what comes back, with the session summary on stdout.

import { pkiPath } from '../../helpers/pki.js';
import { ECHO_TEXT, runMemtlsClient, smallLines, startMemtlsServer } from '../memtls.js';
import { ianaSuite, memtlsGroup, opensslSuite } from '../names.js';
import { Child, freePort, type Scope, timeout } from '../process.js';
import type { Observation, PeerReport, Scenario } from '../scenario.js';

/** What `s_server -rev` sends back for a text: every line reversed. */
export function reverseLines(text: string): string {
  return text
    .split('\n')
    .map((line, i, all) => (i === all.length - 1 ? line : `${[...line].reverse().join('')}\n`))
    .join('');
}

function textPayload(s: Scenario): string {
  switch (s.transfer.kind) {
    case 'echo':
      return ECHO_TEXT;
    case 'small':
      return smallLines(s.transfer.count).join('');
    case 'none':
      return '';
    case 'large':
      throw new Error('large transfers are run against Node tls and Python, not the openssl CLI');
  }
}

/** Protocol and cipher options common to s_server and s_client. */
function protocolArgs(s: Scenario): string[] {
  const args: string[] = [];
  const legacy = s.peerTweak?.legacyVersion;
  if (legacy)
    args.push(
      legacy === 'TLSv1' ? '-tls1' : '-tls1_1',
      '-cipher',
      s.peerTweak?.cipher ?? 'DEFAULT@SECLEVEL=0',
    );
  else {
    args.push('-tls1_2');
    if (s.peerTweak?.cipher) args.push('-cipher', s.peerTweak.cipher);
    else if (s.suite) args.push('-cipher', opensslSuite(s.suite));
  }
  if (s.peerTweak?.groups) args.push('-groups', s.peerTweak.groups);
  return args;
}

function errorLines(output: string): string | undefined {
  const lines = output
    .split('\n')
    .filter((l) => /:error:|verify error|alert|didn't|did not|no shared|ERROR/.test(l))
    .map((l) => l.trim());
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function commonName(subject: string | undefined): string | null | undefined {
  if (subject === undefined) return undefined;
  return /CN\s*=\s*([^,\n]+)/.exec(subject)?.[1]?.trim() ?? null;
}

/** memtls client → `openssl s_server -rev`. */
export async function opensslServer(s: Scenario, scope: Scope): Promise<Observation> {
  const server = s.server;
  const args = ['s_server', '-naccept', '1', '-cert', pkiPath(server.cert), '-key', pkiPath(server.key)];
  args.push('-CAfile', pkiPath(s.serverCa ?? 'root.pem'), '-verify_return_error', '-rev');
  if (server.intermediates?.length) {
    if (server.intermediates.length !== 1) throw new Error('s_server cases take one intermediate file');
    args.push('-cert_chain', pkiPath(server.intermediates[0]!));
  }
  if (s.clientAuth) args.push('-Verify', '1');
  if (s.alpn) args.push('-alpn', s.alpn.server.join(','));
  if (s.checkSni) {
    // The servername callback (which prints the SNI) is only installed with a second context.
    if (s.alpn || server.intermediates)
      throw new Error('s_server cannot check SNI together with ALPN or a chain');
    const name = s.serverName ?? 'server.test';
    args.push('-servername', name, '-cert2', pkiPath(server.cert), '-key2', pkiPath(server.key));
  }
  args.push(...protocolArgs(s));
  let child: Child | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const candidate = new Child('openssl', [...args, '-accept', `127.0.0.1:${port}`], scope);
    try {
      await timeout(candidate.waitFor(/^ACCEPT/m, 'ACCEPT'), 10_000, 'openssl s_server to start');
      child = candidate;
    } catch (e) {
      candidate.kill();
      if (!/in use/i.test(candidate.output())) throw e;
    }
  }
  if (!child) throw new Error('openssl s_server found no free port after 5 attempts');
  const memtls = await runMemtlsClient(port, s, scope, reverseLines);
  // -naccept 1: s_server exits after this connection.
  await timeout(child.exited, 5_000, 'openssl s_server to exit').catch(() => child.kill());
  const out = child.output();
  const peer: PeerReport = {
    output: out,
    cipher: ((c) => (c ? ianaSuite(c) : undefined))(/^Ciphersuite: (\S+)/m.exec(out)?.[1]),
    sni: s.checkSni ? (/Hostname in TLS extension: "([^"]*)"/.exec(out)?.[1] ?? null) : undefined,
    peerCertificateCn: commonName(/^Peer certificate: (.*)$/m.exec(out)?.[1]) ?? null,
  };
  if (!/^CONNECTION ESTABLISHED/m.test(out)) peer.error = errorLines(out) ?? 'no connection established';
  return { memtls, peer };
}

/** `openssl s_client` → memtls echo server. */
export async function opensslClient(s: Scenario, scope: Scope): Promise<Observation> {
  const payload = textPayload(s);
  const handle = await startMemtlsServer(s, scope, payload.length > 0 ? payload.length : undefined);
  const name = s.serverName ?? 'server.test';
  const args = ['s_client', '-connect', `127.0.0.1:${handle.port}`, '-servername', name];
  args.push('-CAfile', pkiPath(s.clientCa ?? 'root.pem'), '-verify', '5', '-verify_return_error');
  args.push('-verify_hostname', name, '-nocommands', '-ign_eof');
  if (s.client) {
    args.push('-cert', pkiPath(s.client.cert), '-key', pkiPath(s.client.key));
    if (s.client.intermediates?.length) args.push('-cert_chain', pkiPath(s.client.intermediates[0]!));
  }
  if (s.alpn) args.push('-alpn', s.alpn.client.join(','));
  args.push(...protocolArgs(s));
  const child = new Child('openssl', args, scope, { stdin: payload });
  const exited = await timeout(child.exited, 20_000, 'openssl s_client to finish').catch((e: Error) => {
    child.kill();
    return { error: e.message };
  });
  const memtls = await timeout(handle.result, 5_000, 'the memtls server to see the connection end');
  const out = child.stdout;
  const alpn = /^ALPN protocol: (\S+)/m.exec(out)?.[1] ?? (/No ALPN negotiated/.test(out) ? null : undefined);
  const temp = /^Server Temp Key: (?:ECDH, )?([^,]+),/m.exec(out)?.[1];
  const cipher = /Cipher is (\S+)/.exec(out)?.[1];
  const peer: PeerReport = {
    output: child.output(),
    cipher: cipher && cipher !== '(NONE)' ? ianaSuite(cipher) : undefined,
    group: temp ? memtlsGroup(temp) : undefined,
    alpn,
    peerCertificateCn: commonName(/^subject=(.*)$/m.exec(out)?.[1]),
    echoMatched: payload.length > 0 ? out.includes(payload) : undefined,
  };
  const verified = /Verify return code: 0 \(ok\)/.test(out);
  if ('error' in exited || !verified || !cipher || cipher === '(NONE)' || /:error:/.test(child.stderr)) {
    peer.error = errorLines(child.output()) ?? ('error' in exited ? exited.error : 'handshake failed');
  }
  return { memtls, peer };
}
