// `memtls client HOST:PORT`: a TLS 1.2 client over memtls/node, like `openssl s_client -quiet`:
// stdin → TLS → stdout, close_notify at stdin EOF (RFC 5246 §7.2.1), one summary line on stderr.

import * as net from 'node:net';
import { connect, type TlsSocket, upgrade } from '../adapters/node.js';
import { oneOf, parseArgs, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import { ENGINE_FLAGS, engineConfig } from './engine-options.js';
import { fromOpensslSpelling } from './openssl-args.js';
import { readSessionFile, writeSessionFile } from './session-files.js';
import { STARTTLS_MODES, startTlsAsClient } from './starttls.js';
import { commonConfig, describeFailure, describeSession, TLS_FLAGS } from './tls-options.js';

const USAGE = `usage: memtls client HOST:PORT --ca ROOT.pem [--cert C.pem --key K.pem [--pass ARG]]
                     [--servername NAME] [--alpn h2,http/1.1] [--ciphers LIST]
                     [--groups LIST] [--sigalgs LIST] [--keylog FILE] [--quiet]
                     [--trace] [--showcerts] [--starttls line|smtp]
                     [--sess-in FILE] [--sess-out FILE] [--reconnect] [--crl FILE]
                     [--allow-cn-fallback] [--no-verify-hostname] [--min-rsa-bits N]
                     [--no-require-ems] [--allow-truncation] [--handshake-timeout MS]
                     [--crypto noble|node] [--max-… N (limits)]

Connects with TLS 1.2, checks the server's certificate against ROOT.pem and its name against
--servername (default HOST), then copies stdin to the server and the server's data to stdout.
At stdin EOF it sends close_notify and exits 0 once the server closes (or after 3 s).
Unless --quiet, prints one line on stderr: protocol, suite, group, ALPN, peer subject.
LIST values are comma- or colon-separated: suites by IANA or OpenSSL name, groups x25519, secp256r1
(P-256), secp384r1 (P-384). --keylog appends NSS key-log lines (for Wireshark) to FILE.
On failure prints "memtls: error: CODE: message" and exits 1, also when the server closes the
connection without close_notify ("unexpected_eof": what it sent may be cut off).
--crl FILE (repeatable): refuse a server whose certificate the CRL lists.
The summary line ends with "new" (full handshake) or "resumed" (an earlier session resumed).
--sess-in offers the session saved in FILE; --sess-out saves the session the server gives
(a secret: written mode 0600), as openssl s_client. --reconnect connects, closes, then
connects again offering the session just made and prints a summary line for each.

--ciphers also takes an OpenSSL cipher string (ECDH+AESGCM, HIGH:!aNULL, resolved as OpenSSL does).
--sigalgs takes IANA names or OpenSSL's (ECDSA+SHA256, RSA-PSS+SHA256).
--pass reads an encrypted key's passphrase: pass:TEXT, env:VAR, file:PATH, fd:N or stdin.
--trace prints one line per handshake message and alert on stderr (like s_client -msg);
--showcerts prints the server's chain, details and PEM, on stdout (like s_client -showcerts).
--starttls smtp runs EHLO/STARTTLS first (RFC 3207); line reads a greeting line, sends
STARTTLS and reads one reply line. --no-verify-hostname skips only the name check (a warning
is printed); the chain is always verified. Limits: --max-chain-certificates, --max-chain-bytes,
--max-signature-checks, --max-path-candidates, --max-name-constraint-checks,
--max-handshake-message-size, --max-record-size, --max-hello-extensions, --max-empty-records,
--max-warning-alerts, --max-pending-write-bytes, --max-outgoing-bytes, --max-records-per-receive.
--crypto node runs the cryptography on node:crypto instead of the pure TypeScript default.
OpenSSL spellings work too: -connect HOST:PORT, -servername, -CAfile, -cert, -key, -pass,
-alpn, -cipher, -groups, -curves, -sigalgs, -showcerts, -msg, -trace, -starttls, -keylogfile.`;

const FLAGS = {
  ...TLS_FLAGS,
  ...ENGINE_FLAGS,
  servername: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  'no-verify-hostname': { type: 'boolean' },
  'allow-truncation': { type: 'boolean' },
  starttls: { type: 'string' },
  'sess-in': { type: 'string' },
  'sess-out': { type: 'string' },
  reconnect: { type: 'boolean' },
} as const;

/** How long to wait for the server's close_notify after ours (sent at stdin EOF). */
const CLOSE_GRACE_MS = 3000;

/** "host:port", "[v6::addr]:port". */
export function parseHostPort(target: string): { host: string; port: number } {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(target) ?? /^([^:]+):(\d+)$/.exec(target);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`expected HOST:PORT (e.g. localhost:8443 or [::1]:8443), not '${target}'`);
  }
  return { host: match[1]!, port };
}

/** The summary line: negotiated parameters and whether the session was resumed. */
function summary(tls: TlsSocket): string {
  return `memtls: connected: ${describeSession(tls.info!)}, ${tls.isSessionReused() ? 'resumed' : 'new'}\n`;
}

/** --reconnect's first connection: handshake, then close; resolves to the session it gave. */
function handshakeOnly(tls: TlsSocket, io: CliIo, quiet: boolean): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    let session: Uint8Array | undefined;
    tls.on('session', (s: Uint8Array) => {
      session = s;
    });
    tls.once('secureConnect', () => {
      if (!quiet) io.err(summary(tls));
      tls.end();
      tls.resume();
    });
    tls.once('error', reject);
    tls.once('close', () => resolve(session));
  });
}

function session(tls: TlsSocket, io: CliIo, quiet: boolean): Promise<number> {
  const stdin = process.stdin;
  return new Promise<number>((resolve) => {
    let grace: ReturnType<typeof setTimeout> | undefined;
    let exitCode: number | undefined;
    const finish = (code: number) => {
      if (exitCode !== undefined) return;
      exitCode = code;
      clearTimeout(grace);
      stdin.unpipe(tls);
      stdin.destroy();
      tls.destroy();
      resolve(code);
    };
    tls.once('secureConnect', () => {
      if (!quiet) io.err(summary(tls));
    });
    tls.on('error', (error) => {
      io.err(`memtls: error: ${describeFailure(error)}\n`);
      finish(1);
    });
    tls.on('close', () => finish(0));
    tls.pipe(process.stdout, { end: false });
    stdin.once('end', () => {
      grace = setTimeout(() => finish(0), CLOSE_GRACE_MS);
      grace.unref();
    });
    stdin.pipe(tls); // ends tls at stdin EOF: close_notify
  });
}

export const clientCommand: Command = {
  name: 'client',
  summary: 'connect to a TLS server; stdin → TLS → stdout',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { flags, positionals } = parseArgs(fromOpensslSpelling(argv, 'client', FLAGS), FLAGS);
    if (positionals.length !== 1) throw new UsageError('client needs exactly one HOST:PORT');
    const { host, port } = parseHostPort(positionals[0]!);
    const starttls = oneOf(flags.starttls, STARTTLS_MODES, 'starttls');
    const serverName = flags.servername ?? host;
    const engine = engineConfig(flags, io, 'server');
    const verifyHostname = flags['no-verify-hostname'] !== true;
    const tlsConfig = {
      ...commonConfig(flags, 'client'),
      ...engine.config,
      serverName,
      ...(verifyHostname ? {} : { verifyHostname: false }),
    };
    const socketOptions = {
      ...(engine.handshakeTimeout === undefined ? {} : { handshakeTimeout: engine.handshakeTimeout }),
      ...(flags['allow-truncation'] === true ? { allowTruncation: true } : {}),
    };
    if (!verifyHostname) {
      io.err(
        `memtls: warning: --no-verify-hostname: the server's certificate is not checked against '${serverName}'; ` +
          'any certificate the --ca root issued is accepted\n',
      );
    }
    const quiet = flags.quiet === true;
    const sessOut = flags['sess-out'];
    /** One connection offering `offered`, after the STARTTLS exchange when asked for. */
    const open = async (offered: Uint8Array | undefined): Promise<TlsSocket> => {
      const resume = offered ? { session: offered } : {};
      let tls: TlsSocket;
      if (starttls === undefined) tls = connect({ ...tlsConfig, ...socketOptions, ...resume, host, port });
      else {
        const socket = net.connect({ host, port, allowHalfOpen: true });
        try {
          await new Promise<void>((resolve, reject) => {
            socket.once('connect', resolve);
            socket.once('error', reject);
          });
          const head = await startTlsAsClient(socket, starttls, (line) => {
            if (!quiet) io.err(`memtls: ${line}\n`);
          });
          tls = upgrade(socket, { ...tlsConfig, ...socketOptions, ...resume, head });
        } catch (error) {
          socket.destroy();
          throw error;
        }
      }
      if (sessOut !== undefined) tls.on('session', (s: Uint8Array) => writeSessionFile(sessOut, s));
      return tls;
    };
    let offered = flags['sess-in'] === undefined ? undefined : readSessionFile(flags['sess-in']);
    try {
      if (flags.reconnect) offered = (await handshakeOnly(await open(offered), io, quiet)) ?? offered;
      return await session(await open(offered), io, quiet);
    } catch (error) {
      io.err(`memtls: error: ${describeFailure(error)}\n`);
      return 1;
    }
  },
};
