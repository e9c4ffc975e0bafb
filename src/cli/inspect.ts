// `memtls inspect FILE`: what a PEM/DER file holds — for every certificate its subject, issuer, serial,
// validity, SANs (RFC 5280 §4.2.1.6), key, signature algorithm, CA flags, usages and SHA-256 fingerprint.

import {
  type Certificate,
  describeKey,
  generalNameText,
  type KeyUsage,
  localError,
  parseCertificate,
  parsePem,
  parsePrivateKey,
  printable,
} from '../index.js';
import { parseArgs, UsageError } from './args.js';
import { type CliIo, type Command, readInputFile } from './command.js';

const USAGE = `usage: memtls inspect FILE...

Prints, for every certificate in each PEM or DER file: subject, issuer, serial, validity,
subjectAltNames, public key, signature algorithm, CA flag, key usages and SHA-256 fingerprint.
Private keys in the file are named (type only; nothing secret is printed).`;

const EKU_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

const KEY_LABELS = new Set(['PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']);

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function validityNote(cert: Certificate, now: number): string {
  if (now < cert.notBefore) return 'not yet valid';
  if (now > cert.notAfter) return `EXPIRED ${Math.floor((now - cert.notAfter) / 86_400_000)} days ago`;
  return `valid, ${Math.floor((cert.notAfter - now) / 86_400_000)} days left`;
}

function keyUsageNames(usage: KeyUsage): string {
  const names = (Object.keys(usage) as (keyof KeyUsage)[]).filter((k) => usage[k]);
  return names.length > 0 ? names.join(', ') : '(none)';
}

/** The report lines for one certificate. */
export function describeCertificate(cert: Certificate, now: number): string[] {
  const lines: [string, string][] = [
    ['subject', cert.subject.text || '(empty)'],
    ['issuer', cert.issuer.text || '(empty)'],
    ['serial', cert.serialNumber],
    ['not before', isoSeconds(cert.notBefore)],
    ['not after', `${isoSeconds(cert.notAfter)} (${validityNote(cert, now)})`],
    ['SANs', cert.subjectAltNames?.map(generalNameText).join(', ') || '(none)'],
    ['key', cert.publicKey ? describeKey(cert.publicKey) : `unsupported (${cert.publicKeyAlgorithmOid})`],
    ['signature', cert.signatureAlgorithmName],
  ];
  if (cert.version !== 3) lines.push(['version', `v${cert.version} (no extensions; memtls refuses v1 CAs)`]);
  const bc = cert.basicConstraints;
  lines.push(['CA', bc?.ca ? `yes${bc.pathLength === undefined ? '' : `, pathlen ${bc.pathLength}`}` : 'no']);
  if (cert.keyUsage) lines.push(['key usage', keyUsageNames(cert.keyUsage)]);
  if (cert.extendedKeyUsage) {
    lines.push(['ext key usage', cert.extendedKeyUsage.map((oid) => EKU_NAMES[oid] ?? oid).join(', ')]);
  }
  if (cert.issuer.text === cert.subject.text) lines.push(['self-issued', 'yes']);
  lines.push(['SHA-256', cert.fingerprintSha256]);
  const width = Math.max(...lines.map(([label]) => label.length)) + 1;
  return lines.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${printable(value)}`);
}

function describeKeyBlock(label: string, der: Uint8Array): string {
  if (label === 'ENCRYPTED PRIVATE KEY') return 'private key: encrypted PKCS#8 (needs its passphrase)';
  try {
    return `private key: ${describeKey(parsePrivateKey(der))} (${label === 'PRIVATE KEY' ? 'PKCS#8' : label})`;
  } catch (error) {
    return `private key: unreadable (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Everything in one file, as lines. Throws a TlsError when there is nothing it can read. */
function inspectFile(path: string, now: number): string[] {
  const bytes = readInputFile(path, 'file');
  const text = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  const blocks = text.startsWith('-----BEGIN')
    ? parsePem(new TextDecoder().decode(bytes), { what: path })
    : [{ label: 'DER', der: bytes }];
  const certificates: Certificate[] = [];
  const other: string[] = [];
  for (const block of blocks) {
    if (block.label === 'CERTIFICATE' || block.label === 'X509 CERTIFICATE') {
      certificates.push(parseCertificate(block.der, { source: 'config', what: path }));
    } else if (KEY_LABELS.has(block.label)) {
      other.push(describeKeyBlock(block.label, block.der));
    } else if (block.label === 'DER') {
      try {
        certificates.push(parseCertificate(block.der, { source: 'config', what: path }));
      } catch (certificateProblem) {
        let key: ReturnType<typeof parsePrivateKey>;
        try {
          key = parsePrivateKey(block.der);
        } catch {
          throw certificateProblem;
        }
        other.push(`private key: ${describeKey(key)} (DER)`);
      }
    } else {
      other.push(`${block.label}: (not inspected)`);
    }
  }
  const lines: string[] = [];
  certificates.forEach((cert, i) => {
    if (i > 0) lines.push('');
    lines.push(
      `certificate ${i + 1} of ${certificates.length}${i === 0 && certificates.length > 1 ? ' (first: the leaf, if this is a chain)' : ''}`,
    );
    lines.push(...describeCertificate(cert, now));
  });
  if (other.length > 0 && lines.length > 0) lines.push('');
  lines.push(...other);
  if (lines.length === 0) {
    throw localError('bad_config', `'${path}' holds no certificate or key`);
  }
  return lines;
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show what a certificate or key file holds',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { positionals } = parseArgs(argv, {});
    if (positionals.length === 0) throw new UsageError('inspect needs a FILE');
    const now = Date.now();
    positionals.forEach((path, i) => {
      if (positionals.length > 1) io.out(`${i > 0 ? '\n' : ''}== ${path}\n`);
      io.out(`${inspectFile(path, now).join('\n')}\n`);
    });
    return 0;
  },
};
