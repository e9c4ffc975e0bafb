// The server's choices from a ClientHello: version, suite, group, signature scheme, ALPN, SNI,
// EMS and renegotiation checks, and the ServerHello extensions that answer them
// (RFC 5246 §7.4.1.2–4, RFC 8422 §5.1, RFC 7627 §5.1, RFC 5746 §3.6, RFC 7301 §3.2, RFC 6066 §3, RFC 8449).

import { ECPointFormat, type GroupName, groupByCode } from '../ciphers/groups.js';
import type { SchemeParams } from '../ciphers/schemes.js';
import type { SuiteParams } from '../ciphers/suites.js';
import type { ResolvedServerConfig } from '../config.js';
import { incompatibleError, peerError } from '../errors.js';
import { MAX_PLAINTEXT, ProtocolVersion } from '../record/types.js';
import type { ServerCertificate } from '../server-certificates.js';
import { chooseCertificate } from './choose-certificate.js';
import {
  decodeClientHelloExtensions,
  encodeServerHelloExtensions,
  type ServerHelloExtensions,
} from './messages/hello-extensions.js';
import { type ClientHello, CompressionMethod, type Extension } from './messages/types.js';
import { alpnListText, chooseAlpn } from './negotiate.js';

const TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

export interface ServerChoices {
  /** The chain we present and the key that signs the ServerKeyExchange. */
  readonly certificate: ServerCertificate;
  readonly suite: SuiteParams;
  readonly group: GroupName;
  readonly scheme: SchemeParams;
  readonly extendedMasterSecret: boolean;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  readonly recordSizeLimit: number | undefined;
  /** ServerHello extensions. */
  readonly extensions: Extension[];
  /** The same, typed: a resumption or a ticket changes them (server.ts). */
  readonly helloExtensions: ServerHelloExtensions;
  /** The client's session_ticket extension (RFC 5077 §3.2): empty asks for a ticket. */
  readonly sessionTicket: Uint8Array | undefined;
}

export function negotiateClientHello(cfg: ResolvedServerConfig, hello: ClientHello): ServerChoices {
  if (hello.version < ProtocolVersion.TLSv1_2) {
    const v =
      hello.version === ProtocolVersion.TLSv1_0
        ? 'TLS 1.0'
        : hello.version === ProtocolVersion.TLSv1_1
          ? 'TLS 1.1'
          : `0x${hello.version.toString(16)}`;
    throw incompatibleError(
      'unsupported_version',
      `the client offers at most ${v}; memtls speaks only TLS 1.2`,
    );
  }
  if (!hello.compressionMethods.includes(CompressionMethod.null)) {
    throw peerError('compression', 'the client does not offer null compression');
  }
  // Every extension we know is decoded here, once, before any is acted on (a malformed one is an
  // error even when we would ignore it, as OpenSSL does).
  const ext = decodeClientHelloExtensions(hello.extensions);
  // Renegotiation indication (RFC 5746 §3.6): empty in an initial handshake.
  const ri = ext.renegotiationInfo;
  if (ri !== undefined && ri.length !== 0) {
    throw peerError(
      'bad_renegotiation_info',
      'the client sent a non-empty renegotiation_info in an initial handshake (RFC 5746 §3.6)',
    );
  }
  const secureRenegotiation =
    ri !== undefined || hello.cipherSuites.includes(TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  // Extended master secret (RFC 7627).
  const extendedMasterSecret = ext.extendedMasterSecret === true;
  if (!extendedMasterSecret && cfg.requireExtendedMasterSecret) {
    throw incompatibleError(
      'extended_master_secret_required',
      'the client does not support the extended master secret (RFC 7627), which memtls requires by default;' +
        ' set requireExtendedMasterSecret: false to let an old client in',
    );
  }
  // Point formats (RFC 8422 §5.1.2): uncompressed must be among them when the extension is sent.
  const pf = ext.ecPointFormats;
  if (pf !== undefined && !pf.includes(ECPointFormat.uncompressed)) {
    throw peerError('ec_point_formats', 'the client does not accept uncompressed points');
  }
  // Certificate, suite and ServerKeyExchange scheme (choose-certificate.ts). Without
  // signature_algorithms, TLS 1.2 means SHA-1 (§7.4.1.4.1); without supported_groups, P-256 (RFC 8422 §5.1.1).
  const peerGroupCodes = ext.supportedGroups;
  const { certificate, suite, scheme } = chooseCertificate(cfg, {
    cipherSuites: hello.cipherSuites,
    signatureSchemes: ext.signatureAlgorithms,
    groups: peerGroupCodes,
    serverName: ext.serverName,
  });
  const peerGroups =
    peerGroupCodes !== undefined
      ? peerGroupCodes.map((c) => groupByCode(c)?.name).filter((g): g is GroupName => g !== undefined)
      : (['secp256r1'] as GroupName[]);
  const group = cfg.groups.find((g) => peerGroups.includes(g));
  if (!group) {
    throw incompatibleError(
      'no_common_group',
      `no common ECDHE group: the client offered ${
        peerGroupCodes !== undefined
          ? peerGroupCodes.map((c) => `0x${c.toString(16).padStart(4, '0')}`).join(', ')
          : 'none'
      }; ` + `we allow ${cfg.groups.join(', ')}`,
    );
  }
  // SNI (RFC 6066 §3): recorded; it chose the certificate above.
  const serverName = ext.serverName;
  // ALPN (RFC 7301 §3.2): our preference; no overlap is fatal. A malformed list was a decode_error
  // above even when we have no protocols configured.
  let alpn: string | undefined;
  const offered = ext.alpn;
  if (offered !== undefined && cfg.alpn.length > 0) {
    alpn = chooseAlpn(cfg.alpn, offered);
    if (alpn === undefined) {
      throw incompatibleError(
        'no_application_protocol',
        `no ALPN protocol in common: the client offered ${alpnListText(offered)}; we accept ${alpnListText(cfg.alpn)}`,
      );
    }
  }
  const recordSizeLimit = ext.recordSizeLimit;

  const helloExtensions: ServerHelloExtensions = {
    ...(secureRenegotiation ? { renegotiationInfo: new Uint8Array(0) } : {}),
    ...(extendedMasterSecret ? { extendedMasterSecret: true } : {}),
    ...(pf !== undefined ? { ecPointFormats: [ECPointFormat.uncompressed] } : {}),
    ...(serverName !== undefined ? { serverName: true } : {}),
    ...(alpn !== undefined ? { alpn: [alpn] } : {}),
    ...(recordSizeLimit !== undefined ? { recordSizeLimit: cfg.maxRecordSize ?? MAX_PLAINTEXT } : {}),
    unknown: [],
  };
  const extensions = encodeServerHelloExtensions(helloExtensions);
  return {
    certificate,
    suite,
    group,
    scheme,
    extendedMasterSecret,
    alpn,
    serverName,
    recordSizeLimit,
    extensions,
    helloExtensions,
    sessionTicket: ext.sessionTicket,
  };
}
