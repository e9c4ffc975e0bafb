// X.509 for memtls: PEM/DER (RFC 7468), certificate and CRL parsing (RFC 5280 §4, §5), path
// validation to a pinned root with CRL checks (RFC 5280 §6) and server identity checks (RFC 9525).

export type { ParseCertificateOptions } from './certificate.js';
export { fingerprint, parseCertificate } from './certificate.js';
export type { CertificateRevocationList, RevokedCertificate } from './crl.js';
export { CRL_REASONS, parseCrl } from './crl.js';
export type { HostnameOptions } from './hostname.js';
export { checkHostname, matchesHostname, parseIpAddress } from './hostname.js';
export { generalNameText } from './name.js';
export type { PemBlock, PemOptions, PemOrDer } from './pem.js';
export { parsePem, toDerList, toPem } from './pem.js';
export type { CompiledCrl } from './revocation.js';
export { compileRevocationLists, RevocationLists } from './revocation.js';
export { VerifiedSignatureCache } from './signature-cache.js';
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
export type { SignatureVerifier, VerifyChainOptions, VerifyChainResult } from './verify.js';
export { identityOf, verifyChain } from './verify.js';
