// `--trace` and `--showcerts`: one line per handshake message, ChangeCipherSpec and alert (like
// `openssl s_client -msg`), and the peer's certificate chain with its details and PEM (like
// `-showcerts`), both fed by the engine's trace hook (RFC 5246 §7.4; certificates RFC 5280 §4).

import {
  type Certificate,
  parseCertificate,
  printable,
  type TraceEvent,
  type TraceHook,
  toPem,
} from '../index.js';
import { describeCertificate } from './inspect.js';

const list = (items: readonly string[]): string => `[${items.join(',')}]`;

function commonName(cert: Certificate): string | undefined {
  for (const rdn of cert.subject.rdns) for (const a of rdn) if (a.type === 'CN') return a.value;
  return undefined;
}

function leafName(der: Uint8Array | undefined): string {
  if (der === undefined) return 'none';
  try {
    const cert = parseCertificate(der);
    const cn = commonName(cert);
    return cn === undefined ? `subject=${cert.subject.text || '(empty)'}` : `CN=${cn}`;
  } catch {
    return '(does not parse)';
  }
}

/** One trace line: `>>> ClientHello suites=[…] …`, `<<< Alert fatal bad_certificate`; escaped. */
export function formatTraceEvent(event: TraceEvent): string {
  const arrow = event.direction === 'sent' ? '>>>' : '<<<';
  if (event.kind === 'alert') return printable(`${arrow} Alert ${event.level} ${event.description}`);
  if (event.kind === 'changeCipherSpec') return `${arrow} ChangeCipherSpec`;
  const m = event.summary;
  let fields: string;
  switch (m.message) {
    case 'ClientHello':
      fields = [
        `suites=${list(m.cipherSuites)}`,
        `groups=${list(m.groups)}`,
        `sigalgs=${list(m.signatureSchemes)}`,
        `sni=${m.serverName ?? 'none'}`,
        `alpn=${m.alpn ? list(m.alpn) : 'none'}`,
        `ems=${m.extendedMasterSecret ? 'yes' : 'no'}`,
        ...(m.recordSizeLimit === undefined ? [] : [`record_size_limit=${m.recordSizeLimit}`]),
      ].join(' ');
      break;
    case 'ServerHello':
      fields = [
        `suite=${m.cipherSuite}`,
        `ems=${m.extendedMasterSecret ? 'yes' : 'no'}`,
        `alpn=${m.alpn ?? 'none'}`,
        `secure_renegotiation=${m.secureRenegotiation ? 'yes' : 'no'}`,
        ...(m.recordSizeLimit === undefined ? [] : [`record_size_limit=${m.recordSizeLimit}`]),
      ].join(' ');
      break;
    case 'Certificate':
      fields = `${m.certificates.length} cert${m.certificates.length === 1 ? '' : 's'} leaf ${leafName(m.certificates[0])}`;
      break;
    case 'ServerKeyExchange':
      fields = `group=${m.group} sigalg=${m.signatureScheme} pubkey=${m.publicKeyLength} bytes`;
      break;
    case 'CertificateRequest':
      fields = `types=${list(m.certificateTypes)} sigalgs=${list(m.signatureSchemes)} cas=${m.certificateAuthorities}`;
      break;
    case 'CertificateVerify':
      fields = `sigalg=${m.signatureScheme}`;
      break;
    case 'ClientKeyExchange':
      fields = `pubkey=${m.publicKeyLength} bytes`;
      break;
    case 'Finished':
      fields = `verify_data=${m.verifyDataLength} bytes`;
      break;
    case 'NewSessionTicket':
      fields = `lifetime_hint=${m.lifetimeHint}s ticket=${m.ticketLength} bytes`;
      break;
    case 'Other':
      fields = `(${event.type}, not decoded)`;
      break;
    default:
      fields = '';
  }
  const name = m.message === 'Other' ? 'Handshake' : m.message;
  return printable(`${arrow} ${name}${fields ? ` ${fields}` : ''} len=${event.length}`);
}

/** The chain a peer sent, as `openssl s_client -showcerts` shows it, with memtls inspect's details. */
export function formatChain(certificates: readonly Uint8Array[], who: string, now: number): string {
  const lines = ['---', `Certificate chain (${certificates.length} as sent by the ${who}, leaf first)`];
  certificates.forEach((der, i) => {
    let cert: Certificate | undefined;
    try {
      cert = parseCertificate(der);
    } catch (error) {
      lines.push(
        ` ${i} (does not parse: ${printable(error instanceof Error ? error.message : String(error))})`,
      );
    }
    if (cert) {
      lines.push(` ${i} s:${printable(cert.subject.text || '(empty)')}`);
      lines.push(`   i:${printable(cert.issuer.text || '(empty)')}`);
      lines.push(...describeCertificate(cert, now).map((l) => `  ${l}`));
    }
    lines.push(toPem('CERTIFICATE', der).trimEnd());
  });
  lines.push('---');
  return `${lines.join('\n')}\n`;
}

export interface TraceOutput {
  /** Print trace lines (to stderr). */
  readonly trace: boolean;
  /** Print the chain the peer sends (to stdout) as soon as it arrives. */
  readonly showcerts: boolean;
  readonly who: 'server' | 'client';
  readonly err: (text: string) => void;
  readonly out: (text: string) => void;
}

/** The config hook for --trace / --showcerts, or undefined when neither is asked for. */
export function traceHook(o: TraceOutput): TraceHook | undefined {
  if (!o.trace && !o.showcerts) return undefined;
  return (event) => {
    if (o.trace) o.err(`${formatTraceEvent(event)}\n`);
    if (
      o.showcerts &&
      event.kind === 'handshake' &&
      event.direction === 'received' &&
      event.summary.message === 'Certificate'
    ) {
      o.out(formatChain(event.summary.certificates, o.who, Date.now()));
    }
  };
}
