// `memtls pki revoke|crl`: revoking certificates of a `memtls pki` directory and publishing its
// certificate revocation list (RFC 5280 §5) as DIR/crl.pem; the revoked list is DIR/revoked.txt.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Certificate,
  CRL_REASONS,
  DEFAULT_CRL_DAYS,
  issueCrl,
  localError,
  parseCertificate,
  printable,
  type RevocationEntry,
  toDerList,
} from '../index.js';
import { parseArgs, positiveInteger, UsageError } from './args.js';
import { type CliIo, readInputFile } from './command.js';

const REVOKE_FLAGS = { reason: { type: 'string' } } as const;
const CRL_FLAGS = { days: { type: 'string' } } as const;

const REVOKED_FILE = 'revoked.txt';
const CRL_NUMBER_FILE = 'crlnumber';
const HEADER =
  '# Certificates revoked by this CA (memtls pki revoke): serial, revocation time, reason, subject.\n';

/** The revoked list: one line per certificate, "SERIAL<TAB>ISO-TIME<TAB>REASON<TAB>SUBJECT" ("-" for no reason). */
function readRevoked(dir: string): (RevocationEntry & { subject: string })[] {
  const path = join(dir, REVOKED_FILE);
  if (!existsSync(path)) return [];
  const entries: (RevocationEntry & { subject: string })[] = [];
  for (const [index, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [serialNumber, time, reason, subject] = line.split('\t');
    const revocationDate = Date.parse(time ?? '');
    if (!serialNumber || !/^[0-9a-f]+$/.test(serialNumber) || Number.isNaN(revocationDate)) {
      throw localError(
        'bad_input',
        `${path} line ${index + 1} is not "SERIAL<TAB>TIME<TAB>REASON<TAB>SUBJECT"`,
      );
    }
    entries.push({
      serialNumber,
      revocationDate,
      ...(reason && reason !== '-' ? { reason } : {}),
      subject: subject ?? '',
    });
  }
  return entries;
}

/** NAME as `pki issue` wrote it (DIR/NAME.pem), or a certificate file. */
function certificateFile(dir: string, name: string): string {
  const candidates = [join(dir, `${name}.pem`), join(dir, name), name];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw localError(
      'file_not_found',
      `no certificate '${name}': expected ${join(dir, `${name}.pem`)} (the name given to pki issue --cn) or a certificate file`,
    );
  }
  return found;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

function readCa(dir: string): Certificate {
  const der = toDerList(
    readInputFile(join(dir, 'ca.pem'), 'root certificate (run `memtls pki init DIR` first)'),
    'CERTIFICATE',
  )[0]!;
  return parseCertificate(der);
}

/** `memtls pki revoke DIR NAME [--reason R]`. */
export function revoke(argv: readonly string[], io: CliIo): number {
  const { flags, positionals } = parseArgs(argv, REVOKE_FLAGS);
  if (positionals.length !== 2) throw new UsageError('pki revoke needs DIR and NAME (or a certificate file)');
  const [dir, name] = positionals as [string, string];
  const reasons = Object.values(CRL_REASONS).filter((r) => r !== 'removeFromCRL');
  if (flags.reason !== undefined && !reasons.includes(flags.reason)) {
    throw new UsageError(`--reason must be one of ${reasons.join(', ')}, not '${flags.reason}'`);
  }
  const ca = readCa(dir);
  const path = certificateFile(dir, name);
  const der = toDerList(readInputFile(path, 'certificate file'), 'CERTIFICATE', { what: path })[0]!;
  const cert = parseCertificate(der);
  if (sameBytes(cert.der, ca.der))
    throw localError('bad_argument', 'the root certificate cannot revoke itself');
  const keyIdsDiffer =
    cert.authorityKeyIdentifier !== undefined &&
    ca.subjectKeyIdentifier !== undefined &&
    !sameBytes(cert.authorityKeyIdentifier, ca.subjectKeyIdentifier);
  if (!sameBytes(cert.issuer.der, ca.subject.der) || keyIdsDiffer) {
    throw localError(
      'bad_argument',
      `'${path}' (${printable(cert.subject.text)}) was not issued by the CA of ${dir} (${printable(ca.subject.text)})`,
    );
  }
  const revoked = readRevoked(dir);
  const already = revoked.find((e) => e.serialNumber === cert.serialNumber);
  if (already) {
    io.out(
      `${printable(cert.subject.text)} (serial ${cert.serialNumber}) is already revoked since ` +
        `${new Date(already.revocationDate).toISOString()}\n`,
    );
    return 0;
  }
  const line = [
    cert.serialNumber,
    new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
    flags.reason ?? '-',
    cert.subject.text.replace(/[\t\n\r]/g, ' '),
  ].join('\t');
  const file = join(dir, REVOKED_FILE);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  writeFileSync(file, `${before}${before.endsWith('\n') ? '' : '\n'}${line}\n`, { mode: 0o644 });
  io.out(
    `revoked ${printable(cert.subject.text)} (serial ${cert.serialNumber}) in ${file}; ` +
      `run \`memtls pki crl ${dir}\` to publish it in ${join(dir, 'crl.pem')}\n`,
  );
  return 0;
}

/** `memtls pki crl DIR [--days N]`: DIR/crl.pem from DIR/revoked.txt, numbered by DIR/crlnumber. */
export function crl(argv: readonly string[], io: CliIo): number {
  const { flags, positionals } = parseArgs(argv, CRL_FLAGS);
  if (positionals.length !== 1) throw new UsageError('pki crl needs exactly one DIR');
  const dir = positionals[0]!;
  const days = positiveInteger(flags.days, 'days') ?? DEFAULT_CRL_DAYS;
  const numberPath = join(dir, CRL_NUMBER_FILE);
  const numberText = existsSync(numberPath) ? readFileSync(numberPath, 'utf8').trim() : '1';
  if (!/^[0-9a-fA-F]{1,40}$/.test(numberText)) {
    throw localError(
      'bad_input',
      `${numberPath} must hold the next CRL number in hex, found '${printable(numberText)}'`,
    );
  }
  const crlNumber = BigInt(`0x${numberText}`);
  const revoked = readRevoked(dir);
  const issued = issueCrl({
    issuer: {
      certificate: readInputFile(join(dir, 'ca.pem'), 'root certificate (run `memtls pki init DIR` first)'),
      key: readInputFile(join(dir, 'ca.key'), 'root key'),
    },
    revoked: revoked.map(({ subject: _, ...entry }) => entry),
    crlNumber,
    days,
  });
  const out = join(dir, 'crl.pem');
  try {
    writeFileSync(out, issued.pem, { mode: 0o644 });
    writeFileSync(numberPath, `${(crlNumber + 1n).toString(16).padStart(2, '0')}\n`, { mode: 0o644 });
  } catch (error) {
    throw localError(
      'file_unwritable',
      `cannot write '${out}': ${error instanceof Error ? error.message : error}`,
    );
  }
  const next = new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 16);
  io.out(
    `wrote ${out}: CRL number ${crlNumber}, ${revoked.length} revoked certificate${revoked.length === 1 ? '' : 's'}, ` +
      `next update by ${next}Z (make a new one before then: a stale CRL refuses every peer)\n`,
  );
  return 0;
}
