// TlsClient and TlsServer: the public sans-IO endpoints (docs/ARCHITECTURE.md "The life of a record").

import type { ClientConfig, ServerConfig } from './config.js';
import { TlsConnection } from './connection.js';
import { type ClientContext, resolvedClient, resolvedServer, type ServerContext } from './context.js';
import { ClientHandshake } from './handshake/client.js';
import type { FinishedHandshake } from './handshake/finished.js';
import { ServerHandshake } from './handshake/server.js';

/**
 * A TLS 1.2 client. Its ClientHello is queued in takeOutgoing() as soon as it is constructed. Give it
 * a context (createClientContext) to share one parsed configuration, or a config compiled on the spot.
 */
export class TlsClient extends TlsConnection {
  protected handshake: ClientHandshake | FinishedHandshake;

  constructor(config: ClientConfig | ClientContext) {
    const resolved = resolvedClient(config);
    super(resolved, 'client');
    this.handshake = new ClientHandshake(resolved, this.makeIo());
  }
}

/** A TLS 1.2 server. It waits for the client's ClientHello. Takes a context or a config (as TlsClient). */
export class TlsServer extends TlsConnection {
  protected handshake: ServerHandshake | FinishedHandshake;

  constructor(config: ServerConfig | ServerContext) {
    const resolved = resolvedServer(config);
    super(resolved, 'server');
    this.handshake = new ServerHandshake(resolved, this.makeIo());
  }
}
