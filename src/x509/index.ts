// X.509 for memtls: PEM/DER (RFC 7468), certificate parsing (RFC 5280 §4), path validation to a
// pinned root (RFC 5280 §6) and server identity checks (RFC 9525).

export { parsePem, toPem, toDerList, decodeBase64, encodeBase64 } from './pem.js';
export type { PemOrDer, PemBlock, PemOptions } from './pem.js';
export { parseCertificate, parseConfigCertificate, fingerprint } from './certificate.js';
export type { ParseCertificateOptions } from './certificate.js';
export { verifyChain, identityOf } from './verify.js';
export type { VerifyChainOptions, VerifyChainResult, SignatureVerifier } from './verify.js';
export { matchesHostname, checkHostname, parseIpAddress, parseReferenceIdentity, matchesDnsPattern } from './hostname.js';
export type { HostnameOptions, ReferenceIdentity } from './hostname.js';
export { parseName, nameText, sameName, attributeValue, generalNameText, ipText } from './name.js';
export { checkNameConstraints } from './name-constraints.js';
export { parseDer, derFailure } from './asn1.js';
export type { DerNode, DerSource } from './asn1.js';
export type {
  Certificate,
  DistinguishedName,
  Extension,
  GeneralName,
  KeyUsage,
  NameAttribute,
  NameConstraints,
  PeerIdentity,
} from './types.js';
