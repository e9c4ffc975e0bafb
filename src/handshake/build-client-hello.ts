// Building the client's ClientHello: suites, groups, schemes and extensions we offer
// (RFC 5246 §7.4.1.2, RFC 8422 §5.1, RFC 6066 §3, RFC 7301, RFC 7627, RFC 5746, RFC 8449).

import { GROUPS } from '../ciphers/groups.js';
import type { ResolvedClientConfig } from '../config.js';
import { ProtocolVersion } from '../record/types.js';
import {
  encodeAlpn,
  encodeEcPointFormats,
  encodeRecordSizeLimit,
  encodeRenegotiationInfo,
  encodeServerName,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
} from './messages/extensions.js';
import { type ClientHello, type Extension, ExtensionType } from './messages/types.js';
import { isIpLiteral } from './negotiate.js';

export function buildClientHello(cfg: ResolvedClientConfig): ClientHello {
  const random = cfg.random(32);
  const extensions: Extension[] = [];
  // RFC 6066 §3: literal IP addresses are not permitted in server_name.
  if (!isIpLiteral(cfg.serverName)) {
    extensions.push({ type: ExtensionType.server_name, data: encodeServerName(cfg.serverName) });
  }
  extensions.push(
    {
      type: ExtensionType.supported_groups,
      data: encodeSupportedGroups(cfg.groups.map((g) => GROUPS[g].code)),
    },
    { type: ExtensionType.ec_point_formats, data: encodeEcPointFormats([0]) },
    {
      type: ExtensionType.signature_algorithms,
      data: encodeSignatureAlgorithms(cfg.schemes.map((s) => s.code)),
    },
  );
  if (cfg.alpn.length > 0) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      data: encodeAlpn([...cfg.alpn]),
    });
  }
  extensions.push({ type: ExtensionType.extended_master_secret, data: new Uint8Array(0) });
  if (cfg.maxRecordSize !== undefined) {
    extensions.push({
      type: ExtensionType.record_size_limit,
      data: encodeRecordSizeLimit(cfg.maxRecordSize),
    });
  }
  // RFC 5746 §3.4: an empty renegotiation_info in the initial ClientHello.
  extensions.push({
    type: ExtensionType.renegotiation_info,
    data: encodeRenegotiationInfo(new Uint8Array(0)),
  });
  return {
    version: ProtocolVersion.TLSv1_2,
    random,
    sessionId: new Uint8Array(0),
    cipherSuites: cfg.suites.map((s) => s.code),
    compressionMethods: [0],
    extensions,
  };
}
