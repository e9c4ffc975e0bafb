// Server identity checks (RFC 9525, which obsoletes RFC 6125; RFC 5280 §4.2.1.6): DNS names against
// dNSName SANs with a left-most-label wildcard, IP literals (RFC 791, RFC 4291 §2.2) against iPAddress SANs.

import { equalBytes } from '../codec.js';
import { certificateError, type TlsError } from '../errors.js';
import { printable } from '../printable.js';
import { attributeValue, generalNameText, ipText } from './name.js';
import { OID } from './oids.js';
import type { Certificate } from './types.js';

/** Options of checkHostname / matchesHostname. */
export interface HostnameOptions {
  /**
   * Match the subject Common Name when the certificate has no dNSName SAN (legacy, off by
   * default: RFC 9525 §6.3 forbids it; OpenSSL's -verify_hostname still does it).
   */
  allowCommonNameFallback?: boolean;
}

/** A reference identity: what the client asked for. */
export type ReferenceIdentity =
  | { readonly type: 'dns'; readonly name: string }
  | { readonly type: 'ip'; readonly address: Uint8Array };

/** True when `cert` is valid for `hostname` (a DNS name or an IPv4/IPv6 literal). */
export function matchesHostname(cert: Certificate, hostname: string, options?: HostnameOptions): boolean {
  return checkHostname(cert, hostname, options) === undefined;
}

/** undefined when `cert` matches `hostname`, else a hostname_mismatch TlsError that says why and what to do. */
export function checkHostname(
  cert: Certificate,
  hostname: string,
  options?: HostnameOptions,
): TlsError | undefined {
  const reference = parseReferenceIdentity(hostname);
  const subject = cert.subject.text;
  const shown = printable(hostname);
  if (reference === undefined) {
    return certificateError(
      'hostname_mismatch',
      `'${shown}' is not a valid DNS name or IP address, so certificate for '${subject}' cannot match it`,
    );
  }
  const sans = cert.subjectAltNames ?? [];
  const names = sans.length ? sans.map(generalNameText).join(', ') : '(none: no subjectAltName extension)';
  const commonName = attributeValue(cert.subject, OID.commonName);
  const mismatch = (hint = ''): TlsError =>
    certificateError(
      'hostname_mismatch',
      `certificate for '${subject}' does not match '${shown}'; its names are: ${names}${hint}`,
    );

  if (reference.type === 'ip') {
    if (sans.some((n) => n.type === 'ip' && equalBytes(n.value, reference.address))) return undefined;
    const text = ipText(reference.address);
    const hasIpSan = sans.some((n) => n.type === 'ip');
    return mismatch(
      hasIpSan
        ? ''
        : `. IP addresses match only IP: subjectAltNames (RFC 9525 §6.2), never DNS names or the Common ` +
            `Name; to use this address, reissue the certificate with subjectAltName = IP:${text}`,
    );
  }

  const dnsNames = sans.filter((n) => n.type === 'dns');
  if (dnsNames.some((n) => matchesDnsPattern(n.value, reference.name))) return undefined;
  if (dnsNames.length === 0 && commonName !== undefined && matchesDnsPattern(commonName, reference.name)) {
    if (options?.allowCommonNameFallback) return undefined;
    const which = sans.length ? 'has no DNS subjectAltName' : 'has no subjectAltName extension';
    return certificateError(
      'hostname_mismatch',
      `certificate for '${subject}' does not match '${shown}': it ${which}, and the Common Name ` +
        `'${printable(commonName)}' that would match is not checked (RFC 9525 §6.3). Reissue the ` +
        `certificate with subjectAltName = DNS:${reference.name} (openssl: an extension file or ` +
        `-addext "subjectAltName = DNS:${reference.name}"; or \`memtls pki issue\`), or set ` +
        'allowCommonNameFallback: true to accept the Common Name',
    );
  }
  const cnHint =
    dnsNames.length === 0 && commonName !== undefined ? ` (Common Name '${printable(commonName)}')` : '';
  return mismatch(cnHint);
}

/**
 * The reference identity for a hostname string: IPv4 dotted quads, IPv6 in any textual form
 * (also in brackets, with an embedded IPv4 tail), or a DNS name (lower-cased, trailing dot
 * dropped, U-labels converted to A-labels). undefined when it is neither.
 */
export function parseReferenceIdentity(hostname: string): ReferenceIdentity | undefined {
  const address = parseIpAddress(hostname);
  if (address) return { type: 'ip', address };
  if (hostname.includes(':') || /^[0-9.]+$/.test(hostname) || /\.[0-9]+\.?$/.test(hostname)) {
    // Looks like an address but is not a valid one ("010.0.0.1", "1.2.3", "::g"): never a DNS name.
    return undefined;
  }
  const name = normalizeDnsName(toAscii(hostname));
  if (name === undefined || !/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) return undefined;
  return { type: 'dns', name };
}

/** Lower-case ASCII with one trailing dot removed; undefined for empty names or empty labels. */
function normalizeDnsName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const lower = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const trimmed = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (trimmed === '' || trimmed.split('.').some((label) => label === '')) return undefined;
  return trimmed;
}

/** IDNA ToASCII via the platform's WHATWG URL parser (browsers, Node, Deno); ASCII passes as is. */
function toAscii(hostname: string): string | undefined {
  if (!/[^\x21-\x7e]/.test(hostname)) return hostname;
  if (/[\s/?#@:%\\[\]]/.test(hostname)) return undefined;
  try {
    return new URL(`http://${hostname}/`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * A presented dNSName (or CN) against a normalized reference name (RFC 9525 §6.3): case-insensitive,
 * trailing dots ignored, "*" only as the whole left-most label matching exactly one label, and
 * never with fewer than two labels after it ("*.test" and "*.com" match nothing).
 */
export function matchesDnsPattern(pattern: string, reference: string): boolean {
  const presented = normalizeDnsName(pattern);
  if (presented === undefined) return false;
  if (!presented.includes('*')) return presented === reference;
  if (!presented.startsWith('*.')) return false;
  const rest = presented.slice(2);
  if (rest.includes('*') || !rest.includes('.')) return false;
  const dot = reference.indexOf('.');
  return dot > 0 && reference.slice(dot + 1) === rest;
}

// --- IP literals --------------------------------------------------------------------------------

/** 4 bytes for a dotted-quad IPv4 address, 16 for an IPv6 address ("[...]" allowed); else undefined. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  const v4 = parseIPv4(text);
  if (v4) return v4;
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIPv6(inner);
}

/**
 * True when `host` is an IPv4 or IPv6 literal by parseIpAddress, also with an IPv6 zone ("fe80::1%eth0"):
 * a client sends no server_name for those (RFC 6066 §3), as Go's crypto/tls does.
 */
export function isIpLiteral(host: string): boolean {
  const inner = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const zone = inner.lastIndexOf('%');
  return parseIpAddress(zone > 0 ? inner.slice(0, zone) : inner) !== undefined;
}

/** Exactly four decimal parts 0–255 without leading zeros (no inet_aton octal or short forms). */
function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

/** RFC 4291 §2.2: eight groups of 1–4 hex digits, one "::" for a run of zero groups, an IPv4 tail. */
function parseIPv6(text: string): Uint8Array | undefined {
  if (!text.includes(':') || text.includes('%')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (part: string, allowV4: boolean): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4 && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(Number.parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const head = words(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? words(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}
