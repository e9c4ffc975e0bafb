// Checking the server's ServerHello against what we offered (RFC 5246 §7.4.1.3, RFC 5746 §3.4,
// RFC 7627 §5.2, RFC 7301 §3.2, RFC 8422 §5.2, RFC 8449 §4).

import { ECPointFormat } from '../ciphers/groups.js';
import { describeSuite, type SuiteParams, suiteByCode } from '../ciphers/suites.js';
import type { ResolvedClientConfig } from '../config.js';
import { incompatibleError, peerError } from '../errors.js';
import { ProtocolVersion } from '../record/types.js';
import { decodeServerHelloExtensions, isServerHelloExtension } from './messages/hello-extensions.js';
import { CompressionMethod, type ServerHello } from './messages/types.js';
import { alpnListText } from './negotiate.js';

export interface ServerHelloChoices {
  readonly suite: SuiteParams;
  readonly extendedMasterSecret: boolean;
  readonly alpn: string | undefined;
  /** The server's record_size_limit, when it sent one. */
  readonly recordSizeLimit: number | undefined;
  /** The server acknowledged session_ticket: a NewSessionTicket comes before its ChangeCipherSpec. */
  readonly ticketExpected: boolean;
}

/**
 * `offered` is the set of extension types our ClientHello carried: the server may answer only those
 * (RFC 5246 §7.4.1.4), and only with the ones a ServerHello can carry.
 */
export function checkServerHello(
  cfg: ResolvedClientConfig,
  hello: ServerHello,
  offered: ReadonlySet<number>,
): ServerHelloChoices {
  if (hello.version !== ProtocolVersion.TLSv1_2) {
    throw peerError(
      'unsupported_version',
      `the server chose protocol version 0x${hello.version.toString(16)}; memtls speaks only TLS 1.2 (0x0303)`,
    );
  }
  const suite = suiteByCode(hello.cipherSuite);
  if (!suite || !cfg.suites.includes(suite)) {
    throw peerError(
      'unoffered_cipher_suite',
      `the server chose cipher suite ${describeSuite(hello.cipherSuite)}, which we did not offer`,
    );
  }
  if (hello.compressionMethod !== CompressionMethod.null) {
    throw peerError('compression', 'the server chose compression; only null compression was offered');
  }
  for (const ext of hello.extensions) {
    if (!offered.has(ext.type) || !isServerHelloExtension(ext.type)) {
      throw peerError(
        'unsolicited_extension',
        `the server sent extension ${ext.type} in ServerHello, which we did not offer`,
      );
    }
  }
  const ext = decodeServerHelloExtensions(hello.extensions);
  if (ext.ecPointFormats !== undefined && !ext.ecPointFormats.includes(ECPointFormat.uncompressed)) {
    throw peerError('ec_point_formats', 'the server does not accept uncompressed points');
  }
  if (ext.renegotiationInfo !== undefined && ext.renegotiationInfo.length !== 0) {
    throw peerError(
      'bad_renegotiation_info',
      'the server sent a non-empty renegotiation_info in an initial handshake (RFC 5746 §3.4)',
    );
  }
  let alpn: string | undefined;
  if (ext.alpn !== undefined) {
    const chosen = ext.alpn[0];
    if (ext.alpn.length !== 1 || chosen === undefined || !cfg.alpn.includes(chosen)) {
      throw peerError(
        'bad_alpn',
        `the server selected ALPN ${alpnListText(ext.alpn) || '(an empty list)'}, not one of ours (${alpnListText(cfg.alpn)})`,
      );
    }
    alpn = chosen;
  }
  const extendedMasterSecret = ext.extendedMasterSecret === true;
  const recordSizeLimit = ext.recordSizeLimit;
  if (!extendedMasterSecret && cfg.requireExtendedMasterSecret) {
    throw incompatibleError(
      'extended_master_secret_required',
      'the server does not support the extended master secret (RFC 7627), which memtls requires by default;' +
        ' set requireExtendedMasterSecret: false to let an old server in',
    );
  }
  return { suite, extendedMasterSecret, alpn, recordSizeLimit, ticketExpected: ext.sessionTicket === true };
}
