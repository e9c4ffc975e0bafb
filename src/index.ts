// memtls public entry: the sans-IO TLS 1.2 engine, its configuration, errors and X.509 helpers.

export type { GroupName, GroupParams } from './ciphers/groups.js';
export { DEFAULT_GROUPS, GROUPS, NamedGroup } from './ciphers/groups.js';
export type { EcCurve, PrivateKey, PublicKey } from './ciphers/keys.js';
export { describeKey } from './ciphers/keys.js';
export { nobleProvider } from './ciphers/noble-provider.js';
export type { Aead, CryptoProvider, KeyShare } from './ciphers/provider.js';
export type { SchemeParams, SignatureAlgorithm, SignatureSchemeName } from './ciphers/schemes.js';
export { DEFAULT_SIGNATURE_SCHEMES, SCHEMES, SignatureScheme } from './ciphers/schemes.js';
export type { AeadAlgorithm, CipherSuiteName, HashName, SuiteParams } from './ciphers/suites.js';
export { CipherSuite, DEFAULT_CIPHER_SUITES, SUITES, suiteByCode, suiteByName } from './ciphers/suites.js';
export type { ClientConfig, CommonConfig, PemOrDer, ServerConfig } from './config.js';
export type { ConnectionState, TlsEvent } from './connection.js';
export { TlsConnection } from './connection.js';
export { ClientContext, createClientContext, createServerContext, ServerContext } from './context.js';
export { TlsClient, TlsServer } from './endpoints.js';
export * from './errors.js';
export type { SessionInfo } from './handshake/session.js';
export { printable } from './printable.js';
export { refusalRecord } from './record/refusal.js';
export type { ServerCertificateConfig } from './server-certificates.js';
export type { SignatureRequest, Signer } from './signer.js';
export { ecdsaSignatureToDer } from './signer.js';
export type { HandshakeTraceSummary, TraceDirection, TraceEvent, TraceHook } from './trace.js';
export type { DerSource } from './x509/asn1.js';
export type { ChainLimits } from './x509/chain-budget.js';
export * from './x509/index.js';
export * from './x509/keys-index.js';
