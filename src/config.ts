// Public configuration (docs/ARCHITECTURE.md "Contexts") and its validation into the engine's resolved form.
// Zero values are secure: TLS 1.2, ECDHE + AEAD, extended master secret required, client certificates
// required by servers, hostnames checked by clients.

import { GROUPS, type GroupName, groupByName } from './ciphers/groups.js';
import type { PrivateKey, PublicKey } from './ciphers/keys.js';
import { nobleProvider } from './ciphers/noble-provider.js';
import { type CryptoProvider, defaultRandom } from './ciphers/provider.js';
import { DEFAULT_SIGNATURE_SCHEMES, type SchemeParams, schemeByName } from './ciphers/schemes.js';
import { DEFAULT_CIPHER_SUITES, SUITES, type SuiteParams, suiteByName } from './ciphers/suites.js';
import { checkConfigKeys } from './config-keys.js';
import { localError, type TlsError } from './errors.js';
import { type ServerResumptionOptions, SessionStore } from './handshake/session-store.js';
import { type LimitOptions, type ResolvedLimits, resolveLimits } from './limits.js';
import { MAX_PLAINTEXT, MIN_RECORD_SIZE_LIMIT } from './record/types.js';
import {
  compileServerCertificates,
  type ServerCertificate,
  type ServerCertificateConfig,
} from './server-certificates.js';
import { compileOwnKey, type OwnKey, type Signer } from './signer.js';
import type { TraceHook } from './trace.js';
import { parseCertificate } from './x509/certificate.js';
import { type ChainLimits, resolveChainLimits } from './x509/chain-budget.js';
import { type PemOrDer, toDerList } from './x509/pem.js';
import { checkedMinRsaKeyBits } from './x509/profile.js';
import { compileConfigCrls, type RevocationLists } from './x509/revocation.js';
import type { VerifiedSignatureCache } from './x509/signature-cache.js';
import type { Certificate, PeerIdentity } from './x509/types.js';

export type { PemOrDer } from './x509/pem.js';

/** Resource limits (LimitOptions, README "Limits") are set on the same object. */
export interface CommonConfig extends LimitOptions {
  /** The ONE pinned root (server: for client certificates); a list only while rotating roots. */
  ca: PemOrDer | PemOrDer[];
  /** Own chain, leaf first (PEM may hold several blocks). */
  cert?: PemOrDer | PemOrDer[];
  /** PKCS#8, SEC1 EC or PKCS#1 RSA, PEM or DER; or a Signer for a key kept outside JavaScript. */
  key?: PemOrDer | Signer;
  /** For an encrypted PKCS#8 key. */
  passphrase?: string;
  /** Default true (RFC 7627, RFC 9325). */
  requireExtendedMasterSecret?: boolean;
  /** Default false: hostnames match subjectAltName only. */
  allowCommonNameFallback?: boolean;
  /**
   * Largest handshake message accepted; default 64 KiB. A ClientHello may always be as large as a
   * well-formed one can be (131396 bytes, MAX_CLIENT_HELLO_SIZE) or this value if larger.
   */
  maxHandshakeMessageSize?: number;
  /** IANA or OpenSSL names, preference order. */
  cipherSuites?: string[];
  /** 'x25519' | 'secp256r1' | 'secp384r1', preference order. */
  groups?: string[];
  /** IANA signature scheme names, preference order. */
  signatureSchemes?: string[];
  /** ALPN protocol names, preference order. */
  alpn?: string[];
  /** ms since epoch, for certificate validity checks; default Date.now. */
  now?: () => number;
  /** Random bytes; default globalThis.crypto.getRandomValues. */
  random?: (n: number) => Uint8Array;
  /** Receives NSS key-log lines (`CLIENT_RANDOM <hex> <hex>`) for Wireshark. */
  keyLog?: (line: string) => void;
  /** Called with every handshake message, ChangeCipherSpec and alert sent or received (like `openssl s_client -msg`). */
  trace?: TraceHook;
  /** Default: pure TypeScript (noble). */
  crypto?: CryptoProvider;
  /** Largest plaintext per record we send and accept (record_size_limit, RFC 8449); 64..16384. */
  maxRecordSize?: number;
  /** Smallest RSA key accepted, in the peer's chain and as our own key; default 2048, at least 1024. */
  minRsaKeyBits?: number;
  /** Most certificates the peer may send in its Certificate message; default 12. */
  maxChainCertificates?: number;
  /** Most bytes of certificates the peer may send; default 32768. */
  maxChainBytes?: number;
  /** Most signature checks to verify the peer's chain (each pair checked once); default 16. */
  maxSignatureChecks?: number;
  /** Most candidate paths from the peer's certificate to the root; default 8. */
  maxPathCandidates?: number;
  /** Most name-constraint comparisons (names × constraints) for the peer's chain; default 65536. */
  maxNameConstraintChecks?: number;
  /**
   * CRLs (PEM "X509 CRL" blocks or DER) from the pinned root or an intermediate: the peer's leaf and
   * every intermediate whose issuer has one is checked; others are not (README "Revocation").
   */
  crl?: PemOrDer | PemOrDer[];
  /**
   * The application's own check, called once the peer's chain and name checks pass, before the
   * handshake completes: return a reason (string) to refuse the peer (alert access_denied, error
   * code rejected_by_application), or undefined to accept. A throw fails the handshake with an
   * internal error (verify_peer_failed, alert internal_error) whose cause is what was thrown.
   */
  verifyPeer?: (identity: PeerIdentity, chain: readonly Certificate[]) => string | undefined;
}

export interface ClientConfig extends CommonConfig {
  /** SNI and hostname check; IP literals allowed. */
  serverName: string;
  /** Default true; false must be explicit. */
  verifyHostname?: boolean;
  /**
   * A session from an earlier `session` event to offer for resumption (RFC 5077, RFC 5246
   * §7.4.1.2). One that does not fit this config (another root, server name, verification
   * settings), has expired or does not parse is not offered: a full handshake happens.
   */
  session?: Uint8Array;
}

export interface ServerConfig extends CommonConfig, ServerResumptionOptions {
  /** Several chains, chosen per client by SNI and by what it can verify; `cert`/`key`, if given, come first. */
  certificates?: ServerCertificateConfig[];
  /** Refuse a client whose SNI names no certificate's name (alert unrecognized_name); default false: the first serves it. */
  strictServerName?: boolean;
  /** Default 'required'. */
  clientAuth?: 'required' | 'optional' | 'none';
}

/** The validated, parsed configuration the engine runs on. */
export interface ResolvedConfig {
  readonly roots: readonly Uint8Array[];
  readonly rootCertificates: readonly Certificate[];
  readonly chain: readonly Uint8Array[];
  readonly chainCertificates: readonly Certificate[];
  /** The in-memory key of `cert` (undefined for a signer, or without a key). */
  readonly key: PrivateKey | undefined;
  /** The key of `cert`, in memory or a signer. */
  readonly ownKey: OwnKey | undefined;
  readonly requireExtendedMasterSecret: boolean;
  readonly allowCommonNameFallback: boolean;
  readonly maxHandshakeMessageSize: number;
  readonly suites: readonly SuiteParams[];
  readonly groups: readonly GroupName[];
  readonly schemes: readonly SchemeParams[];
  readonly alpn: readonly string[];
  readonly now: () => number;
  readonly random: (n: number) => Uint8Array;
  readonly keyLog: ((line: string) => void) | undefined;
  readonly trace: TraceHook | undefined;
  readonly provider: CryptoProvider;
  readonly maxRecordSize: number | undefined;
  readonly minRsaKeyBits: number;
  readonly limits: ResolvedLimits;
  readonly chainLimits: ChainLimits;
  readonly revocation: RevocationLists | undefined;
  readonly verifyPeer: CommonConfig['verifyPeer'];
  /** Chain signatures that verified under this config (set by the compiled context). */
  readonly verifiedSignatures?: VerifiedSignatureCache;
}

export interface ResolvedClientConfig extends ResolvedConfig {
  readonly serverName: string;
  readonly verifyHostname: boolean;
  /** The session to offer (a copy), if any. */
  readonly session: Uint8Array | undefined;
}

export interface ResolvedServerConfig extends ResolvedConfig {
  /** In preference order: `cert`/`key` first, then `certificates`. */
  readonly certificates: readonly ServerCertificate[];
  readonly strictServerName: boolean;
  readonly clientAuth: 'required' | 'optional' | 'none';
  /** Ticket keys and the session-ID cache, shared by every connection of this context (mutable). */
  readonly sessions: SessionStore;
}

function bad(message: string): TlsError {
  return localError('bad_config', message);
}

function asList<T>(v: T | T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

interface Material {
  readonly roots: readonly Uint8Array[];
  readonly rootCertificates: readonly Certificate[];
  readonly chain: readonly Uint8Array[];
  readonly chainCertificates: readonly Certificate[];
  readonly ownKey: OwnKey | undefined;
}

/**
 * Parses certificates and keys from copies of the caller's bytes (DER input is copied before it is
 * parsed; PEM decodes into fresh bytes), so overwriting a buffer after the call changes nothing.
 */
function loadMaterial(config: CommonConfig): Material {
  const roots = asList(config.ca).flatMap((c) => toDerList(c, 'CERTIFICATE').map((der) => der.slice()));
  if (roots.length === 0) throw bad(`'ca' holds no certificate`);
  const rootCertificates = roots.map((der) => parseConfigCertificate(der, 'ca'));
  const chain = asList(config.cert).flatMap((c) => toDerList(c, 'CERTIFICATE').map((der) => der.slice()));
  const chainCertificates = chain.map((der) => parseConfigCertificate(der, 'cert'));
  let ownKey: OwnKey | undefined;
  if (config.key !== undefined) {
    const leaf = chainCertificates[0];
    if (!leaf) throw bad(`'key' is given without 'cert': give the certificate chain that goes with the key`);
    ownKey = Object.freeze(compileOwnKey(config.key, config.passphrase, leaf, 'key'));
  } else if (chain.length > 0) {
    throw bad(`'cert' is given without 'key': give the private key of the leaf certificate`);
  }
  return { roots, rootCertificates, chain, chainCertificates, ownKey };
}

function resolveCommon(config: CommonConfig, role: 'client' | 'server'): ResolvedConfig {
  if (config === null || typeof config !== 'object') throw bad(`${role} config must be an object`);
  if (config.ca === undefined) {
    throw bad(
      `${role} config needs 'ca': the pinned root certificate (PEM or DER) that issued the peer's certificate`,
    );
  }
  const { roots, rootCertificates, chain, chainCertificates, ownKey } = loadMaterial(config);
  const suites = (config.cipherSuites ?? DEFAULT_CIPHER_SUITES).map((name) => {
    const s = suiteByName(name);
    if (!s) {
      throw bad(
        `unknown or unsupported cipher suite '${name}'; supported: ${Object.values(SUITES)
          .map((x) => x.name)
          .join(', ')}`,
      );
    }
    return s;
  });
  if (suites.length === 0) throw bad('cipherSuites is empty');
  const groups = (config.groups ?? Object.keys(GROUPS)).map((name) => {
    const g = groupByName(name);
    if (!g) throw bad(`unknown group '${name}'; supported: x25519, secp256r1 (P-256), secp384r1 (P-384)`);
    return g.name;
  });
  if (groups.length === 0) throw bad('groups is empty');
  const schemes = (config.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES).map((name) => {
    const s = schemeByName(name);
    if (!s) throw bad(`unknown or refused signature scheme '${name}' (SHA-1 and MD5 are never allowed)`);
    return s;
  });
  if (schemes.length === 0) throw bad('signatureSchemes is empty');
  const alpn = [...(config.alpn ?? [])];
  for (const p of alpn) {
    if (typeof p !== 'string' || p.length === 0 || p.length > 255) {
      throw bad(`ALPN protocol names must be 1..255 characters, got '${String(p)}'`);
    }
  }
  const maxRecordSize = config.maxRecordSize;
  if (
    maxRecordSize !== undefined &&
    (!Number.isInteger(maxRecordSize) ||
      maxRecordSize < MIN_RECORD_SIZE_LIMIT ||
      maxRecordSize > MAX_PLAINTEXT)
  ) {
    throw bad(
      `maxRecordSize must be an integer from ${MIN_RECORD_SIZE_LIMIT} to ${MAX_PLAINTEXT}, got ${maxRecordSize}`,
    );
  }
  const maxHandshakeMessageSize = config.maxHandshakeMessageSize ?? 65536;
  if (!Number.isInteger(maxHandshakeMessageSize) || maxHandshakeMessageSize < 1024) {
    throw bad(`maxHandshakeMessageSize must be an integer ≥ 1024, got ${maxHandshakeMessageSize}`);
  }
  const minRsaKeyBits = resolveMinRsaKeyBits(config.minRsaKeyBits, ownKey?.publicKey);
  const provider = config.crypto ?? nobleProvider;
  if (config.verifyPeer !== undefined && typeof config.verifyPeer !== 'function') {
    throw bad('verifyPeer must be a function (identity, chain) => string | undefined');
  }
  if (config.trace !== undefined && typeof config.trace !== 'function') {
    throw bad('trace must be a function (event) => void');
  }
  return {
    roots: Object.freeze(roots),
    rootCertificates: Object.freeze(rootCertificates),
    chain: Object.freeze(chain),
    chainCertificates: Object.freeze(chainCertificates),
    key: ownKey?.privateKey,
    ownKey,
    requireExtendedMasterSecret: config.requireExtendedMasterSecret ?? true,
    allowCommonNameFallback: config.allowCommonNameFallback ?? false,
    maxHandshakeMessageSize,
    suites: Object.freeze(suites),
    groups: Object.freeze(groups),
    schemes: Object.freeze(schemes),
    alpn: Object.freeze(alpn),
    now: config.now ?? Date.now,
    random: config.random ? checkedRandom(config.random) : defaultRandom,
    keyLog: config.keyLog,
    trace: config.trace,
    provider,
    maxRecordSize,
    minRsaKeyBits,
    limits: Object.freeze(resolveLimits(config)),
    chainLimits: Object.freeze(resolveChainLimits(config)),
    revocation: compileConfigCrls(config.crl, rootCertificates, provider, (config.now ?? Date.now)()),
    verifyPeer: config.verifyPeer,
  };
}

/** The RSA bound, checked against our own key: a peer applying the same bound would refuse it. */
function resolveMinRsaKeyBits(value: number | undefined, key: PublicKey | undefined, field = 'key'): number {
  const bits = checkedMinRsaKeyBits(value);
  if (key?.type === 'rsa' && key.bits < bits) {
    throw bad(
      `'${field}' is a ${key.bits}-bit RSA key, below minRsaKeyBits (${bits}); peers refuse such keys. ` +
        'Regenerate it (openssl genrsa -out key.pem 3072, or memtls pki) and reissue the certificate, ' +
        `or set minRsaKeyBits: ${key.bits} if you must keep it`,
    );
  }
  return bits;
}

/** A caller's random source, checked on every call: a short or non-byte result is a local error. */
function checkedRandom(source: (n: number) => Uint8Array): (n: number) => Uint8Array {
  if (typeof source !== 'function') throw bad('random must be a function (n) => Uint8Array of n bytes');
  return (n) => {
    const bytes = source(n);
    if (!(bytes instanceof Uint8Array) || bytes.length !== n) {
      throw bad(`config.random(${n}) must return a Uint8Array of ${n} bytes`);
    }
    return bytes;
  };
}

function parseConfigCertificate(der: Uint8Array, field: string): Certificate {
  try {
    return parseCertificate(der);
  } catch (e) {
    throw bad(
      `'${field}' holds a certificate that does not parse: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * A client config validated and parsed into the engine's frozen form. Everything kept is copied: later
 * changes to `config`, its arrays or its buffers have no effect (createClientContext wraps this).
 */
export function resolveClientConfig(config: ClientConfig): ResolvedClientConfig {
  checkConfigKeys(config, 'client');
  const common = resolveCommon(config, 'client');
  if (typeof config.serverName !== 'string' || config.serverName.length === 0) {
    throw bad(
      `client config needs 'serverName': the DNS name or IP address the server's certificate must match` +
        ` (use verifyHostname: false explicitly to skip the check)`,
    );
  }
  if (config.verifyHostname !== undefined && typeof config.verifyHostname !== 'boolean') {
    throw bad('verifyHostname must be a boolean');
  }
  if (config.session !== undefined && !(config.session instanceof Uint8Array)) {
    throw bad("session must be a Uint8Array from a 'session' event");
  }
  return Object.freeze({
    ...common,
    serverName: config.serverName,
    verifyHostname: config.verifyHostname ?? true,
    session: config.session === undefined ? undefined : new Uint8Array(config.session), // a copy, even of a Buffer
  });
}

/** A server config validated and parsed into the engine's frozen form, from copies (as above). */
export function resolveServerConfig(config: ServerConfig): ResolvedServerConfig {
  checkConfigKeys(config, 'server');
  const common = resolveCommon(config, 'server');
  const first =
    common.ownKey && common.chainCertificates[0]
      ? {
          chain: common.chain,
          chainCertificates: common.chainCertificates,
          leaf: common.chainCertificates[0],
          key: common.ownKey,
        }
      : undefined;
  const certificates = compileServerCertificates(first, config.certificates, (key, field) =>
    resolveMinRsaKeyBits(config.minRsaKeyBits, key, field),
  );
  if (config.strictServerName !== undefined && typeof config.strictServerName !== 'boolean') {
    throw bad('strictServerName must be a boolean');
  }
  const clientAuth = config.clientAuth ?? 'required';
  if (clientAuth !== 'required' && clientAuth !== 'optional' && clientAuth !== 'none') {
    throw bad(`clientAuth must be 'required', 'optional' or 'none', got '${String(clientAuth)}'`);
  }
  const keyTypes = certificates.map((c) => c.key.publicKey.type);
  const usable = common.suites.filter((s) =>
    keyTypes.some((keyType) => (s.authentication === 'RSA' ? keyType === 'rsa' : keyType !== 'rsa')),
  );
  if (usable.length === 0) {
    throw bad(
      `none of the configured cipher suites can be used with a ${[...new Set(keyTypes)].join('/').toUpperCase()} certificate key` +
        ` (ECDSA suites need an EC or Ed25519 key, RSA suites an RSA key)`,
    );
  }
  const sessions = new SessionStore(config, common.random, common.provider);
  return Object.freeze({
    ...common,
    certificates,
    strictServerName: config.strictServerName ?? false,
    clientAuth,
    sessions,
  });
}
