// `memtls client HOST:PORT`: a TLS 1.2 client over memtls/node, like `openssl s_client -quiet`:
// stdin → TLS → stdout, close_notify at stdin EOF (RFC 5246 §7.2.1), one summary line on stderr.

import { connect, type TlsSocket } from '../adapters/node.js';
import { parseArgs, UsageError } from './args.js';
import type { CliIo, Command } from './command.js';
import { readSessionFile, writeSessionFile } from './session-files.js';
import { commonConfig, describeFailure, describeSession, TLS_FLAGS } from './tls-options.js';

const USAGE = `usage: memtls client HOST:PORT --ca ROOT.pem [--cert C.pem --key K.pem]
                     [--servername NAME] [--alpn h2,http/1.1] [--ciphers LIST]
                     [--groups LIST] [--keylog FILE] [--quiet]
                     [--sess-in FILE] [--sess-out FILE] [--reconnect]

Connects with TLS 1.2, checks the server's certificate against ROOT.pem and its name against
--servername (default HOST), then copies stdin to the server and the server's data to stdout.
At stdin EOF it sends close_notify and exits 0 once the server closes (or after 3 s).
Unless --quiet, prints one line on stderr: protocol, suite, group, ALPN, peer subject.
LIST values are comma-separated: suites by IANA or OpenSSL name, groups x25519, secp256r1
(P-256), secp384r1 (P-384). --keylog appends NSS key-log lines (for Wireshark) to FILE.
On failure prints "memtls: error: CODE: message" and exits 1, also when the server closes the
connection without close_notify ("unexpected_eof": what it sent may be cut off).
--crl FILE (repeatable): refuse a server whose certificate the CRL lists.
The summary line ends with "new" (full handshake) or "resumed" (an earlier session resumed).
--sess-in offers the session saved in FILE; --sess-out saves the session the server gives
(a secret: written mode 0600), as openssl s_client. --reconnect connects, closes, then
connects again offering the session just made and prints a summary line for each.`;

const FLAGS = {
  ...TLS_FLAGS,
  servername: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
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
    const { flags, positionals } = parseArgs(argv, FLAGS);
    if (positionals.length !== 1) throw new UsageError('client needs exactly one HOST:PORT');
    const { host, port } = parseHostPort(positionals[0]!);
    const config = { ...commonConfig(flags, 'client'), serverName: flags.servername ?? host, host, port };
    const sessOut = flags['sess-out'];
    const save = (tls: TlsSocket) => {
      if (sessOut !== undefined) tls.on('session', (s: Uint8Array) => writeSessionFile(sessOut, s));
      return tls;
    };
    let offered = flags['sess-in'] === undefined ? undefined : readSessionFile(flags['sess-in']);
    if (flags.reconnect) {
      try {
        const first = save(connect({ ...config, ...(offered ? { session: offered } : {}) }));
        offered = (await handshakeOnly(first, io, flags.quiet === true)) ?? offered;
      } catch (error) {
        io.err(`memtls: error: ${describeFailure(error)}\n`);
        return 1;
      }
    }
    const tls = save(connect({ ...config, ...(offered ? { session: offered } : {}) }));
    return session(tls, io, flags.quiet === true);
  },
};
