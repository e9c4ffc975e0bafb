// Compiled contexts: a client or server config validated, parsed and copied once into an immutable
// value that any number of connections share (as node's tls.createSecureContext, rustls's Arc<ServerConfig>).

import {
  type ClientConfig,
  type ResolvedClientConfig,
  type ResolvedConfig,
  type ResolvedServerConfig,
  resolveClientConfig,
  resolveServerConfig,
  type ServerConfig,
} from './config.js';
import { VerifiedSignatureCache } from './x509/signature-cache.js';

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/** What console.log and JSON.stringify show of a context: names and counts, never key bytes. */
function summary(role: 'client' | 'server', resolved: ResolvedConfig): Record<string, unknown> {
  return {
    role,
    roots: resolved.rootCertificates.map((c) => c.subject.text),
    chain: resolved.chainCertificates.map((c) => c.subject.text),
    key: resolved.ownKey
      ? {
          type: resolved.ownKey.publicKey.type,
          ...(resolved.ownKey.signer ? { signer: true } : { redacted: true }),
        }
      : undefined,
    cipherSuites: resolved.suites.map((s) => s.name),
    alpn: [...resolved.alpn],
    crls: resolved.revocation?.crls.map((c) => ({ issuer: c.issuer.text, revoked: c.revoked.size })),
  };
}

let readClient: (context: ClientContext) => ResolvedClientConfig;
let readServer: (context: ServerContext) => ResolvedServerConfig;

/**
 * A client config compiled once: validated, certificates and keys parsed, everything kept copied
 * and frozen. Later changes to the config object, its arrays or its buffers have no effect. Give it
 * to `new TlsClient(context)` (or to an adapter as `{ secureContext: context }`) for each connection.
 */
export class ClientContext {
  readonly #resolved: ResolvedClientConfig;

  /** Same as createClientContext(config); throws a local TlsError (bad_config, ...) for a bad config. */
  constructor(config: ClientConfig) {
    this.#resolved = { ...resolveClientConfig(config), verifiedSignatures: new VerifiedSignatureCache() };
    Object.freeze(this);
  }

  /** The server name checked and sent in SNI. */
  get serverName(): string {
    return this.#resolved.serverName;
  }

  static {
    readClient = (context) => context.#resolved;
  }

  /** True for a ClientContext made by this copy of memtls (no instanceof needed). */
  static is(value: unknown): value is ClientContext {
    return typeof value === 'object' && value !== null && #resolved in value;
  }

  /** What console.log shows: a summary, never keys. */
  [inspectSymbol](): string {
    return `ClientContext ${JSON.stringify(this.toJSON())}`;
  }

  /** A summary for JSON.stringify: role, subjects, suites, ALPN; never key bytes. */
  toJSON(): Record<string, unknown> {
    return { ...summary('client', this.#resolved), serverName: this.#resolved.serverName };
  }
}

/**
 * A server config compiled once (see ClientContext). Give it to `new TlsServer(context)` for each
 * connection, or to an adapter server (`{ secureContext: context }`, or setSecureContext(context)).
 */
export class ServerContext {
  readonly #resolved: ResolvedServerConfig;

  /** Same as createServerContext(config); throws a local TlsError (bad_config, ...) for a bad config. */
  constructor(config: ServerConfig) {
    this.#resolved = { ...resolveServerConfig(config), verifiedSignatures: new VerifiedSignatureCache() };
    Object.freeze(this);
  }

  static {
    readServer = (context) => context.#resolved;
  }

  /** True for a ServerContext made by this copy of memtls (no instanceof needed). */
  static is(value: unknown): value is ServerContext {
    return typeof value === 'object' && value !== null && #resolved in value;
  }

  /** What console.log shows: a summary, never keys. */
  [inspectSymbol](): string {
    return `ServerContext ${JSON.stringify(this.toJSON())}`;
  }

  /** A summary for JSON.stringify: role, subjects, suites, ALPN; never key bytes. */
  toJSON(): Record<string, unknown> {
    const resolved = this.#resolved;
    return {
      ...summary('server', resolved),
      certificates: resolved.certificates.map((c) => c.leaf.subject.text),
      clientAuth: resolved.clientAuth,
    };
  }
}

/** Compile a client config once (see ClientContext). */
export function createClientContext(config: ClientConfig): ClientContext {
  return new ClientContext(config);
}

/** Compile a server config once (see ServerContext). */
export function createServerContext(config: ServerConfig): ServerContext {
  return new ServerContext(config);
}

/** The engine's resolved config from a context, or from a config compiled on the spot. */
export function resolvedClient(configOrContext: ClientConfig | ClientContext): ResolvedClientConfig {
  return ClientContext.is(configOrContext)
    ? readClient(configOrContext)
    : readClient(new ClientContext(configOrContext));
}

export function resolvedServer(configOrContext: ServerConfig | ServerContext): ResolvedServerConfig {
  return ServerContext.is(configOrContext)
    ? readServer(configOrContext)
    : readServer(new ServerContext(configOrContext));
}
