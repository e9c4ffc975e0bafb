// `memtls pki init|issue|revoke|crl`: a private root CA and the certificates it signs (RFC 5280 v3 with
// SAN, EKU, SKI/AKI), written as PEM files — the usual openssl recipe, keys written mode 0600; revocation in pki-revoke.ts.

import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CertificateUsage,
  createRoot,
  describeKey,
  generalNameText,
  generateKey,
  ISSUED_KEY_TYPES,
  type IssuedCertificate,
  type IssuedKeyType,
  issueCertificate,
  localError,
  type PrivateKey,
  parseCertificate,
  parsePrivateKey,
} from '../index.js';
import { commaList, oneOf, parseArgs, positiveInteger, UsageError } from './args.js';
import { type CliIo, type Command, readInputFile } from './command.js';
import { crl, revoke } from './pki-revoke.js';
import { writeTicketKeyFile } from './session-files.js';

const USAGE = `usage: memtls pki init DIR [--key p256|rsa2048|rsa4096] [--cn NAME] [--days N]
       memtls pki issue DIR --cn NAME [--san DNS:a,IP:b] [--usage server|client|both]
                        [--key p256|rsa2048|rsa4096] [--days N]
       memtls pki revoke DIR NAME [--reason keyCompromise|superseded|...]
       memtls pki crl DIR [--days N]
       memtls pki ticket-key FILE

init   makes a root key and self-signed root certificate: DIR/ca.key, DIR/ca.pem
       (default --key p256, --cn "memtls root CA", --days 3650). Refuses to overwrite ca.key.
issue  makes a key and certificate signed by DIR's root: DIR/NAME.key, DIR/NAME.pem.
       --san defaults to the CN (as DNS or IP); --usage sets the extended key usage
       (default server); --days defaults to 825. Refuses to overwrite NAME.key.
revoke lists DIR/NAME.pem (or a certificate file NAME issued by DIR's root) in DIR/revoked.txt.
crl    writes DIR/crl.pem, a CRL signed by DIR's root listing every revoked certificate, valid
       for --days (default 30); DIR/crlnumber numbers them. Give it to servers and clients with
       --crl (or the crl option) and make a new one before it expires.
ticket-key  writes 48 random bytes to FILE (mode 0600; refuses to overwrite): a session ticket
       key for 'memtls server --ticket-keys FILE' and ServerConfig.ticketKeys (node:tls's form).
       Servers sharing the file resume each other's sessions; replace it to revoke every ticket.
Keys are PKCS#8 PEM, written with mode 0600. --key also accepts p384, rsa3072, ed25519.`;

const INIT_FLAGS = { key: { type: 'string' }, cn: { type: 'string' }, days: { type: 'string' } } as const;
const ISSUE_FLAGS = {
  ...INIT_FLAGS,
  san: { type: 'string', multiple: true },
  usage: { type: 'string' },
} as const;

/** A new key; RSA uses node:crypto's native generator here (pure-JS RSA-4096 generation takes seconds). */
function makeKey(keyType: IssuedKeyType): PrivateKey {
  if (keyType.startsWith('rsa')) {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: Number(keyType.slice(3)),
      publicExponent: 65537,
      privateKeyEncoding: { format: 'der', type: 'pkcs8' },
      publicKeyEncoding: { format: 'der', type: 'spki' },
    });
    return parsePrivateKey(new Uint8Array(privateKey));
  }
  return generateKey(keyType);
}

/** Write a private key file that must not exist yet, readable by its owner only. */
function writeKeyFile(path: string, pem: string, hint: string): void {
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw localError(
        'file_exists',
        `'${path}' already exists; refusing to overwrite a private key (${hint})`,
      );
    }
    throw localError(
      'file_unwritable',
      `cannot write '${path}': ${error instanceof Error ? error.message : error}`,
    );
  }
}

function writeCertificateFile(path: string, pem: string): void {
  try {
    writeFileSync(path, pem, { mode: 0o644 });
  } catch (error) {
    throw localError(
      'file_unwritable',
      `cannot write '${path}': ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** A file name for a CN: "*.a.test" → "wildcard.a.test"; anything outside [A-Za-z0-9._@-] → "_". */
export function fileNameFor(commonName: string): string {
  const name = commonName
    .trim()
    .replace(/^\*\./, 'wildcard.')
    .replace(/[^A-Za-z0-9._@-]/g, '_');
  if (name === '' || name.startsWith('.')) {
    throw new UsageError(`--cn '${commonName}' cannot be used as a file name`);
  }
  return name;
}

function summary(result: IssuedCertificate): string {
  const cert = parseCertificate(result.certificate);
  const sans = cert.subjectAltNames?.map(generalNameText).join(', ');
  const until = new Date(cert.notAfter).toISOString().slice(0, 10);
  return `${cert.subject.text}, ${describeKey(result.key)}${sans ? `, ${sans}` : ''}, valid until ${until}`;
}

function init(argv: readonly string[], io: CliIo): number {
  const { flags, positionals } = parseArgs(argv, INIT_FLAGS);
  if (positionals.length !== 1) throw new UsageError('pki init needs exactly one DIR');
  const dir = positionals[0]!;
  const keyType = oneOf(flags.key, ISSUED_KEY_TYPES, 'key') ?? 'p256';
  const days = positiveInteger(flags.days, 'days');
  const keyPath = join(dir, 'ca.key');
  if (existsSync(keyPath)) {
    throw localError(
      'file_exists',
      `'${keyPath}' already exists; refusing to replace the root key (use another DIR)`,
    );
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const root = createRoot({
    commonName: flags.cn ?? 'memtls root CA',
    key: makeKey(keyType),
    ...(days === undefined ? {} : { days }),
  });
  writeKeyFile(keyPath, root.keyPem, 'use another DIR');
  writeCertificateFile(join(dir, 'ca.pem'), root.certificatePem);
  io.out(`wrote ${join(dir, 'ca.pem')} and ${keyPath}: ${summary(root)}\n`);
  return 0;
}

function issue(argv: readonly string[], io: CliIo): number {
  const { flags, positionals } = parseArgs(argv, ISSUE_FLAGS);
  if (positionals.length !== 1) throw new UsageError('pki issue needs exactly one DIR');
  if (flags.cn === undefined) throw new UsageError('pki issue needs --cn NAME');
  const dir = positionals[0]!;
  const keyType = oneOf(flags.key, ISSUED_KEY_TYPES, 'key') ?? 'p256';
  const usage: CertificateUsage =
    oneOf(flags.usage, ['server', 'client', 'both'] as const, 'usage') ?? 'server';
  const days = positiveInteger(flags.days, 'days');
  const sans = commaList(flags.san);
  const name = fileNameFor(flags.cn);
  const keyPath = join(dir, `${name}.key`);
  if (existsSync(keyPath)) {
    throw localError(
      'file_exists',
      `'${keyPath}' already exists; refusing to overwrite a private key (remove it first)`,
    );
  }
  const result = issueCertificate({
    issuer: {
      certificate: readInputFile(join(dir, 'ca.pem'), 'root certificate (run `memtls pki init DIR` first)'),
      key: readInputFile(join(dir, 'ca.key'), 'root key'),
    },
    commonName: flags.cn,
    usage,
    key: makeKey(keyType),
    ...(sans.length > 0 ? { subjectAltNames: sans } : {}),
    ...(days === undefined ? {} : { days }),
  });
  writeKeyFile(keyPath, result.keyPem, 'remove it first');
  writeCertificateFile(join(dir, `${name}.pem`), result.certificatePem);
  io.out(`wrote ${join(dir, `${name}.pem`)} and ${keyPath}: ${summary(result)} (${usage})\n`);
  return 0;
}

export const pkiCommand: Command = {
  name: 'pki',
  summary:
    'make a private root CA (pki init), certificates signed by it (pki issue), revoke them (pki revoke, pki crl)',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === 'init') return init(rest, io);
    if (sub === 'issue') return issue(rest, io);
    if (sub === 'revoke') return revoke(rest, io);
    if (sub === 'crl') return crl(rest, io);
    if (sub === 'ticket-key') {
      if (rest.length !== 1) throw new UsageError('pki ticket-key needs exactly one FILE');
      writeTicketKeyFile(rest[0]!);
      io.out(`wrote ${rest[0]}: a 48-byte session ticket key (keep it secret)\n`);
      return 0;
    }
    throw new UsageError(
      sub === undefined
        ? 'pki needs a subcommand: init, issue, revoke, crl or ticket-key'
        : `unknown pki subcommand '${sub}'`,
    );
  },
};
