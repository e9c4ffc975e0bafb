// Building the client's ClientHello: suites, groups, schemes and extensions we offer
// (RFC 5246 §7.4.1.2, RFC 8422 §5.1, RFC 6066 §3, RFC 7301, RFC 7627, RFC 5746, RFC 8449, RFC 5077 §3.2).

import { ECPointFormat, GROUPS } from '../ciphers/groups.js';
import type { ResolvedClientConfig } from '../config.js';
import { ProtocolVersion } from '../record/types.js';
import { isIpLiteral } from '../x509/hostname.js';
import type { Offer } from './client-resumption.js';
import { RANDOM_LENGTH } from './messages/hello.js';
import { encodeClientHelloExtensions } from './messages/hello-extensions.js';
import { type ClientHello, CompressionMethod } from './messages/types.js';

/** `offer`: a stored session to resume (its session ID, and its ticket when it has one). */
export function buildClientHello(cfg: ResolvedClientConfig, offer?: Offer): ClientHello {
  const extensions = encodeClientHelloExtensions({
    // RFC 6066 §3: literal IP addresses are not permitted in server_name.
    ...(isIpLiteral(cfg.serverName) ? {} : { serverName: cfg.serverName }),
    supportedGroups: cfg.groups.map((g) => GROUPS[g].code),
    ecPointFormats: [ECPointFormat.uncompressed],
    signatureAlgorithms: cfg.schemes.map((s) => s.code),
    ...(cfg.alpn.length > 0 ? { alpn: [...cfg.alpn] } : {}),
    // RFC 5077 §3.2: an empty ticket asks for one; a stored ticket offers it again.
    sessionTicket: offer?.session.ticket ?? new Uint8Array(0),
    extendedMasterSecret: true,
    ...(cfg.maxRecordSize !== undefined ? { recordSizeLimit: cfg.maxRecordSize } : {}),
    // RFC 5746 §3.4: an empty renegotiation_info in the initial ClientHello.
    renegotiationInfo: new Uint8Array(0),
    unknown: [],
  });
  return {
    version: ProtocolVersion.TLSv1_2,
    random: cfg.random(RANDOM_LENGTH),
    sessionId: offer?.sessionId ?? new Uint8Array(0),
    cipherSuites: cfg.suites.map((s) => s.code),
    compressionMethods: [CompressionMethod.null],
    extensions,
  };
}
