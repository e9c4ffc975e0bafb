// memtls public entry: the sans-IO TLS 1.2 engine, its configuration, errors and X.509 helpers.

export * from './errors.js';
export { CipherSuite, SUITES, DEFAULT_CIPHER_SUITES, suiteByCode, suiteByName } from './ciphers/suites.js';
export type { CipherSuiteName, SuiteParams, AeadAlgorithm, HashName } from './ciphers/suites.js';
export { NamedGroup, GROUPS, DEFAULT_GROUPS } from './ciphers/groups.js';
export type { GroupName } from './ciphers/groups.js';
export { SignatureScheme, SCHEMES, DEFAULT_SIGNATURE_SCHEMES } from './ciphers/schemes.js';
export type { SignatureSchemeName, SignatureAlgorithm } from './ciphers/schemes.js';
export type { CryptoProvider, Aead, KeyShare } from './ciphers/provider.js';
export type { PublicKey, PrivateKey } from './ciphers/keys.js';
export type { Certificate, PeerIdentity, DistinguishedName, GeneralName } from './x509/types.js';
