// Checking the server's ServerHello against what we offered (RFC 5246 §7.4.1.3, RFC 5746 §3.4,
// RFC 7627 §5.2, RFC 7301 §3.2, RFC 8422 §5.2, RFC 8449 §4).

import { describeSuite, type SuiteParams, suiteByCode } from '../ciphers/suites.js';
import type { ResolvedClientConfig } from '../config.js';
import { incompatibleError, peerError } from '../errors.js';
import { ProtocolVersion } from '../record/types.js';
import {
  decodeAlpn,
  decodeEcPointFormats,
  decodeEmptyExtension,
  decodeRecordSizeLimit,
  decodeRenegotiationInfo,
} from './messages/extensions.js';
import { ExtensionType, type ServerHello } from './messages/types.js';
import { alpnListText } from './negotiate.js';

export interface ServerHelloChoices {
  readonly suite: SuiteParams;
  readonly extendedMasterSecret: boolean;
  readonly alpn: string | undefined;
  /** The server's record_size_limit, when it sent one. */
  readonly recordSizeLimit: number | undefined;
}

export function checkServerHello(cfg: ResolvedClientConfig, hello: ServerHello): ServerHelloChoices {
  if (hello.version !== ProtocolVersion.TLSv1_2) {
    throw peerError(
      'protocol_version',
      'unsupported_version',
      `the server chose protocol version 0x${hello.version.toString(16)}; memtls speaks only TLS 1.2 (0x0303)`,
    );
  }
  const suite = suiteByCode(hello.cipherSuite);
  if (!suite || !cfg.suites.includes(suite)) {
    throw peerError(
      'illegal_parameter',
      'unoffered_cipher_suite',
      `the server chose cipher suite ${describeSuite(hello.cipherSuite)}, which we did not offer`,
    );
  }
  if (hello.compressionMethod !== 0) {
    throw peerError(
      'illegal_parameter',
      'compression',
      'the server chose compression; only null compression was offered',
    );
  }
  const offered = new Set<number>([
    ExtensionType.server_name,
    ExtensionType.ec_point_formats,
    ExtensionType.extended_master_secret,
    ExtensionType.renegotiation_info,
    ...(cfg.alpn.length > 0 ? [ExtensionType.application_layer_protocol_negotiation] : []),
    ...(cfg.maxRecordSize !== undefined ? [ExtensionType.record_size_limit] : []),
  ]);
  let extendedMasterSecret = false;
  let alpn: string | undefined;
  let recordSizeLimit: number | undefined;
  for (const ext of hello.extensions) {
    if (!offered.has(ext.type)) {
      throw peerError(
        'unsupported_extension',
        'unsolicited_extension',
        `the server sent extension ${ext.type} in ServerHello, which we did not offer`,
      );
    }
    switch (ext.type) {
      case ExtensionType.server_name:
        decodeEmptyExtension(ext.data, 'server_name');
        break;
      case ExtensionType.ec_point_formats:
        if (!decodeEcPointFormats(ext.data).includes(0)) {
          throw peerError(
            'illegal_parameter',
            'ec_point_formats',
            'the server does not accept uncompressed points',
          );
        }
        break;
      case ExtensionType.extended_master_secret:
        decodeEmptyExtension(ext.data, 'extended_master_secret');
        extendedMasterSecret = true;
        break;
      case ExtensionType.renegotiation_info:
        if (decodeRenegotiationInfo(ext.data).length !== 0) {
          throw peerError(
            'handshake_failure',
            'bad_renegotiation_info',
            'the server sent a non-empty renegotiation_info in an initial handshake (RFC 5746 §3.4)',
          );
        }
        break;
      case ExtensionType.application_layer_protocol_negotiation: {
        const list = decodeAlpn(ext.data);
        const chosen = list[0];
        if (list.length !== 1 || chosen === undefined || !cfg.alpn.includes(chosen)) {
          throw peerError(
            'illegal_parameter',
            'bad_alpn',
            `the server selected ALPN ${alpnListText(list) || '(an empty list)'}, not one of ours (${alpnListText(cfg.alpn)})`,
          );
        }
        alpn = chosen;
        break;
      }
      case ExtensionType.record_size_limit:
        recordSizeLimit = decodeRecordSizeLimit(ext.data);
        break;
    }
  }
  if (!extendedMasterSecret && cfg.requireExtendedMasterSecret) {
    throw incompatibleError(
      'handshake_failure',
      'extended_master_secret_required',
      'the server does not support the extended master secret (RFC 7627), which memtls requires by default;' +
        ' set requireExtendedMasterSecret: false to let an old server in',
    );
  }
  return { suite, extendedMasterSecret, alpn, recordSizeLimit };
}
