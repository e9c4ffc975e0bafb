// Options shared by `memtls client` and `memtls server`: PEM files, suite/group/ALPN lists, key log
// (NSS key-log format), and the one-line session summaries they print.

import { appendFileSync } from 'node:fs';
import { type CommonConfig, printable, type SessionInfo, TlsError } from '../index.js';
import { commaList, UsageError } from './args.js';
import { resolveCipherString } from './cipher-string.js';
import { readInputFile } from './command.js';
import { colonList } from './engine-options.js';
import { withFlagNames } from './flag-names.js';

export const TLS_FLAGS = {
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  alpn: { type: 'string', multiple: true },
  ciphers: { type: 'string', multiple: true },
  groups: { type: 'string', multiple: true },
  keylog: { type: 'string' },
  crl: { type: 'string', multiple: true },
} as const;

interface TlsFlagValues {
  ca?: string;
  cert?: string;
  key?: string;
  alpn?: string[];
  ciphers?: string[];
  groups?: string[];
  keylog?: string;
  crl?: string[];
}

/** The CommonConfig part the flags describe (validated by the engine when it is used). */
export function commonConfig(
  flags: TlsFlagValues,
  command: string,
): Omit<CommonConfig, 'ca'> & { ca: Uint8Array } {
  if (flags.ca === undefined) throw new UsageError(`${command} needs --ca ROOT.pem (the one root to trust)`);
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new UsageError('--cert and --key go together');
  }
  const alpn = commaList(flags.alpn);
  // Suites: names or an OpenSSL cipher string (`ECDH+AESGCM:!aNULL`); groups: comma or colon lists.
  const ciphers = flags.ciphers === undefined ? [] : resolveCipherString(flags.ciphers.join(':'));
  const groups = colonList(flags.groups);
  const keylog = flags.keylog;
  return {
    ca: readInputFile(flags.ca, 'CA file'),
    ...(flags.cert === undefined ? {} : { cert: readInputFile(flags.cert, 'certificate file') }),
    ...(flags.key === undefined ? {} : { key: readInputFile(flags.key, 'key file') }),
    ...(alpn.length > 0 ? { alpn } : {}),
    ...(ciphers.length > 0 ? { cipherSuites: ciphers } : {}),
    ...(groups.length > 0 ? { groups } : {}),
    ...(flags.crl === undefined ? {} : { crl: flags.crl.map((path) => readInputFile(path, 'CRL file')) }),
    ...(keylog === undefined
      ? {}
      : { keyLog: (line: string) => appendFileSync(keylog, `${line}\n`, { mode: 0o600 }) }),
  };
}

/** "TLSv1.2, TLS_ECDHE_…, x25519, ALPN h2, peer CN=…": one line, peer strings escaped (printable). */
export function describeSession(info: SessionInfo): string {
  const id = info.peerIdentity;
  const peer = id
    ? `peer ${id.subject}${id.subjectAltNames.length > 0 ? ` [${id.subjectAltNames.join(', ')}]` : ''} sha256 ${id.fingerprintSha256}`
    : 'peer sent no certificate';
  const alpn = info.alpn === undefined ? 'none' : printable(info.alpn);
  return printable(`${info.version}, ${info.cipherSuite}, ${info.group}, ALPN ${alpn}, ${peer}`);
}

/** `CODE: message` for a TlsError or a network error (ECONNREFUSED, ...), on one printable line. */
export function describeFailure(error: unknown): string {
  if (error instanceof TlsError) return printable(`${error.code}: ${withFlagNames(error.message)}`);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return printable(`${code ?? 'error'}: ${message}`);
}
