// node:tls's answers about a negotiated TLS 1.2 session for memtls/node's TlsSocket: getCipher(),
// getEphemeralKeyInfo(), the 'keylog' line and exportKeyingMaterial()'s argument orders (RFC 5246,
// RFC 8422 §5.1.1, RFC 5705).

import type { SessionInfo } from '../index.js';
import { localError, suiteByName } from '../index.js';

/** getCipher()'s answer, as node:tls: OpenSSL name, IANA name, and the first version the suite exists in. */
export interface CipherNameAndProtocol {
  /** The OpenSSL name, e.g. 'ECDHE-ECDSA-AES128-GCM-SHA256'. */
  name: string;
  /** The IANA name, e.g. 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'. */
  standardName: string;
  /** 'TLSv1.2' (every memtls suite is a TLS 1.2 AEAD suite). */
  version: string;
}

export function cipherOf(info: SessionInfo): CipherNameAndProtocol {
  const suite = suiteByName(info.cipherSuite);
  return { name: suite?.opensslName ?? info.cipherSuite, standardName: info.cipherSuite, version: 'TLSv1.2' };
}

/** getEphemeralKeyInfo()'s answer: `{}` before the handshake, else the ECDHE group as OpenSSL names it. */
export interface EphemeralKeyInfo {
  type?: 'ECDH';
  /** OpenSSL's short name: 'X25519', 'prime256v1', 'secp384r1'. */
  name?: string;
  /** Key size in bits as OpenSSL reports it (253 for X25519). */
  size?: number;
}

const EPHEMERAL_KEYS: Readonly<Record<string, { name: string; size: number }>> = {
  x25519: { name: 'X25519', size: 253 },
  secp256r1: { name: 'prime256v1', size: 256 },
  secp384r1: { name: 'secp384r1', size: 384 },
};

export function ephemeralKeyInfoOf(info: SessionInfo | undefined): EphemeralKeyInfo {
  const key = info ? EPHEMERAL_KEYS[info.group] : undefined;
  return key ? { type: 'ECDH', ...key } : {};
}

/** One 'keylog' event's line: the NSS key-log line with its newline, as a Buffer (as node:tls). */
export function keylogLine(line: string): Buffer {
  return Buffer.from(`${line}\n`, 'latin1');
}

/**
 * exportKeyingMaterial's arguments in either order: node:tls's (length, label, context) or memtls's
 * own (label, length, context). Anything else is a local error that says what was given.
 */
export function exporterArguments(
  first: unknown,
  second: unknown,
  context: unknown,
): { label: string; length: number; context: Uint8Array | undefined } {
  const [length, label] = typeof first === 'number' ? [first, second] : [second, first];
  if (typeof label !== 'string' || typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    throw localError(
      'bad_argument',
      `exportKeyingMaterial(length, label, context) takes a non-negative integer length and a string label ` +
        `(node:tls order), got (${typeof first}, ${typeof second})`,
    );
  }
  if (context !== undefined && !(context instanceof Uint8Array)) {
    throw localError('bad_argument', 'exportKeyingMaterial(): context must be a Buffer or Uint8Array');
  }
  return { label, length, context };
}
