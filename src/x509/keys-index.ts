// Keys and issuing for memtls: private-key parsing (RFC 5958, RFC 8017, RFC 5915, RFC 8410, RFC 8018),
// key encoding, and certificate and CRL issuing for a private PKI (RFC 5280 §4.1, §4.2.1, §5).

export type { IssuedKeyType } from './generate-key.js';
export { generateKey, ISSUED_KEY_TYPES } from './generate-key.js';
export type {
  CertificateUsage,
  CreateRootOptions,
  IssueCertificateOptions,
  IssuedCertificate,
  SubjectAttribute,
} from './issue.js';
export {
  createRoot,
  DEFAULT_LEAF_DAYS,
  DEFAULT_ROOT_DAYS,
  issueCertificate,
  issueCertificateForPublicKey,
} from './issue.js';
export type { IssueCrlOptions, IssuedCrl, RevocationEntry } from './issue-crl.js';
export { DEFAULT_CRL_DAYS, issueCrl } from './issue-crl.js';
export { encodePrivateKeyPkcs8, encodeSubjectPublicKeyInfo } from './key-encoding.js';
export {
  checkKeyMatchesCertificate,
  parsePrivateKey,
  parsePrivateKeyDer,
  RSA_MAX_BITS,
  RSA_MIN_BITS,
} from './private-key.js';
