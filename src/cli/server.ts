// `memtls server --port P`: a TLS 1.2 server over memtls/node (mutual TLS by default), like
// `openssl s_server`: received data to stdout (or echoed back with --echo), one stderr line per handshake.

import * as net from 'node:net';
import { createServer, type TlsSocket, upgrade } from '../adapters/node.js';
import { createServerContext, printable } from '../index.js';
import { oneOf, parseArgs, UsageError } from './args.js';
import { type CliIo, type Command, readInputFile } from './command.js';
import { ENGINE_FLAGS, engineConfig } from './engine-options.js';
import { fromOpensslSpelling } from './openssl-args.js';
import { readTicketKeyFile } from './session-files.js';
import { STARTTLS_MODES, type StartTlsMode, startTlsAsServer } from './starttls.js';
import { commonConfig, describeFailure, describeSession, TLS_FLAGS } from './tls-options.js';

const USAGE = `usage: memtls server --port P [--host 127.0.0.1] --ca ROOT.pem --cert C.pem --key K.pem [--cert C2.pem --key K2.pem ...]
                     [--client-auth required|optional|none] [--alpn LIST] [--ciphers LIST]
                     [--groups LIST] [--sigalgs LIST] [--keylog FILE] [--echo] [--pass ARG]
                     [--trace] [--showcerts] [--starttls line|smtp] [--allow-cn-fallback]
                     [--min-rsa-bits N] [--no-require-ems] [--handshake-timeout MS] [--max-… N]
                     [--crypto noble|node] [--ticket-keys FILE] [--crl FILE]

Accepts TLS 1.2 connections on HOST:P (P = 0 picks a free port). Clients must present a
certificate issued by ROOT.pem unless --client-auth says otherwise. Prints
"memtls: listening on HOST:PORT" on stderr when ready, then one line per handshake (the peer's
identity) or failure (its code). --cert/--key may be given several times (pairs in order): each
client gets the certificate that names its SNI and that it can verify (ECDSA or RSA), else the first.
Received data goes to stdout, or back to the client with --echo.
LIST values are comma- or colon-separated: suites by IANA or OpenSSL name, groups x25519, secp256r1
(P-256), secp384r1 (P-384). Stops on SIGINT or SIGTERM.
--crl FILE (repeatable): refuse clients whose certificate the CRL lists (memtls pki crl).
Sessions resume by ticket and session ID; each handshake line ends with "new" or "resumed".
--ticket-keys FILE seals tickets with the 48-byte key(s) in FILE ('memtls pki ticket-key FILE'),
so servers given the same file resume each other's sessions.

--ciphers also takes an OpenSSL cipher string; --pass, --sigalgs, --trace (stderr), --showcerts
(the client's chain, on stdout), --crypto and the limit flags work as for memtls client.
--starttls smtp greets with 220, answers EHLO with STARTTLS and starts TLS after "220 Ready" (RFC 3207); line
sends one line, waits for STARTTLS and answers READY. OpenSSL spellings work too: -accept
[HOST:]PORT, -port, -cert, -key, -pass, -CAfile, -Verify N (client certificate required),
-verify N (optional), -alpn, -cipher, -groups, -sigalgs, -msg, -trace, -keylogfile.`;

const FLAGS = {
  ...TLS_FLAGS,
  cert: { type: 'string', multiple: true },
  key: { type: 'string', multiple: true },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  ...ENGINE_FLAGS,
  'client-auth': { type: 'string' },
  echo: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  starttls: { type: 'string' },
  'ticket-keys': { type: 'string' },
} as const;

function parsePort(value: string | undefined): number {
  if (value === undefined) throw new UsageError('server needs --port P (0 picks a free port)');
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be 0..65535, not '${value}'`);
  return port;
}

function peerName(tls: TlsSocket | undefined): string {
  const address = tls?.remoteAddress;
  if (address === undefined) return 'unknown peer';
  return `${address.includes(':') ? `[${address}]` : address}:${tls?.remotePort}`;
}

export const serverCommand: Command = {
  name: 'server',
  summary: 'accept TLS connections (optionally echoing)',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { flags, positionals } = parseArgs(fromOpensslSpelling(argv, 'server', FLAGS), FLAGS);
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const port = parsePort(flags.port);
    const host = flags.host ?? '127.0.0.1';
    const clientAuth = oneOf(flags['client-auth'], ['required', 'optional', 'none'] as const, 'client-auth');
    const starttls = oneOf(flags.starttls, STARTTLS_MODES, 'starttls');
    const certs = flags.cert ?? [];
    const keys = flags.key ?? [];
    if (certs.length === 0 || keys.length === 0) throw new UsageError('server needs --cert and --key');
    if (certs.length !== keys.length) {
      throw new UsageError(
        `--cert and --key go in pairs: got ${certs.length} --cert and ${keys.length} --key`,
      );
    }
    const common = commonConfig({ ...flags, cert: undefined, key: undefined }, 'server');
    const engine = engineConfig(flags, io, 'client');
    // The passphrase belongs to each --key (certificates[i].passphrase), not to the config.
    const { passphrase, ...engineOptions } = engine.config;
    const config = {
      ...common,
      ...engineOptions,
      certificates: certs.map((cert, i) => ({
        cert: readInputFile(cert, 'certificate file'),
        key: readInputFile(keys[i]!, 'key file'),
        ...(passphrase === undefined ? {} : { passphrase }),
      })),
      ...(clientAuth === undefined ? {} : { clientAuth }),
      ...(flags['ticket-keys'] === undefined ? {} : { ticketKeys: readTicketKeyFile(flags['ticket-keys']) }),
    };
    const socketOptions =
      engine.handshakeTimeout === undefined ? {} : { handshakeTimeout: engine.handshakeTimeout };
    const onFailure = (error: unknown, tls: TlsSocket | undefined) => {
      io.err(`memtls: handshake failed with ${peerName(tls)}: ${describeFailure(error)}\n`);
    };
    const server =
      starttls === undefined
        ? createServer({ ...config, ...socketOptions })
        : startTlsServer(starttls, createServerContext(config), socketOptions, onFailure);
    server.on('tlsClientError', onFailure);
    const open = new Set<TlsSocket>();
    server.on('secureConnection', (tls: TlsSocket) => {
      const name = peerName(tls);
      open.add(tls);
      tls.on('close', () => open.delete(tls));
      if (flags.quiet !== true) {
        const resumed = tls.isSessionReused() ? 'resumed' : 'new';
        const sni = tls.info?.serverName;
        const ours = tls.info?.certificate;
        const chosen = `${sni ? `, SNI ${printable(sni)}` : ''}${ours ? `, our certificate ${ours.subject.text}` : ''}`;
        io.err(`memtls: handshake with ${name}: ${describeSession(tls.info!)}${chosen}, ${resumed}\n`);
      }
      tls.on('error', (error) =>
        io.err(`memtls: connection with ${name} failed: ${describeFailure(error)}\n`),
      );
      if (flags.echo) tls.pipe(tls);
      else tls.pipe(process.stdout, { end: false });
    });
    return new Promise<number>((resolve) => {
      const stop = (code: number) => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        server.close();
        for (const tls of open) tls.destroy();
        resolve(code);
      };
      const onSignal = () => stop(0);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      server.once('error', (error) => {
        io.err(`memtls: error: ${describeFailure(error)}\n`);
        stop(1);
      });
      server.listen(port, host, () => {
        const address = server.address() as net.AddressInfo;
        const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        io.err(`memtls: listening on ${shown}:${address.port}\n`);
      });
    });
  },
};

/**
 * A plain TCP server that runs the STARTTLS exchange on each connection, then TLS on the same socket;
 * it emits 'secureConnection' and 'tlsClientError' as memtls/node's createServer does.
 */
function startTlsServer(
  mode: StartTlsMode,
  secureContext: ReturnType<typeof createServerContext>,
  socketOptions: { handshakeTimeout?: number },
  onFailure: (error: unknown, tls: TlsSocket | undefined) => void,
): net.Server {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    startTlsAsServer(socket, mode).then(
      (head) => {
        const tls = upgrade(socket, { role: 'server', secureContext, head, ...socketOptions });
        const onError = (error: unknown) => server.emit('tlsClientError', error, tls);
        tls.on('error', onError);
        tls.once('secure', () => {
          tls.off('error', onError);
          server.emit('secureConnection', tls);
        });
      },
      (error: unknown) => {
        socket.destroy();
        onFailure(error, undefined);
      },
    );
  });
  return server;
}
