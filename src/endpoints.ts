// TlsClient and TlsServer: the public sans-IO endpoints (docs/ARCHITECTURE.md "The life of a record").

import type { ClientConfig, ServerConfig } from './config.js';
import { TlsConnection } from './connection.js';
import { type ClientContext, resolvedClient, resolvedServer, type ServerContext } from './context.js';
import { localError } from './errors.js';
import { ClientHandshake } from './handshake/client.js';
import type { FinishedHandshake } from './handshake/finished.js';
import { ServerHandshake } from './handshake/server.js';

/**
 * A TLS 1.2 client. Its ClientHello is queued in takeOutgoing() as soon as it is constructed. Give it
 * a context (createClientContext) to share one parsed configuration, or a config compiled on the spot.
 */
export class TlsClient extends TlsConnection {
  protected handshake: ClientHandshake | FinishedHandshake;

  /**
   * `options.session`: a session from an earlier `session` event to offer for resumption (overrides
   * the config's `session`); one that does not fit this context is not offered.
   */
  constructor(config: ClientConfig | ClientContext, options: { session?: Uint8Array } = {}) {
    const resolved = resolvedClient(config);
    super(resolved, 'client');
    const session = options.session;
    if (session !== undefined && !(session instanceof Uint8Array)) {
      throw localError('bad_argument', "session must be a Uint8Array from a 'session' event");
    }
    this.handshake = new ClientHandshake(resolved, this.makeIo(), session);
  }
}

/** A TLS 1.2 server. It waits for the client's ClientHello. Takes a context or a config (as TlsClient). */
export class TlsServer extends TlsConnection {
  protected handshake: ServerHandshake | FinishedHandshake;
  /** Whether this server asks clients for a certificate: its config's `clientAuth`. */
  readonly clientAuth: 'required' | 'optional' | 'none';

  constructor(config: ServerConfig | ServerContext) {
    const resolved = resolvedServer(config);
    super(resolved, 'server');
    this.clientAuth = resolved.clientAuth;
    this.handshake = new ServerHandshake(resolved, this.makeIo());
  }
}
