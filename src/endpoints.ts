// TlsClient and TlsServer: the public sans-IO endpoints (DESIGN.md "The sans-IO contract").

import { type ClientConfig, resolveClientConfig, resolveServerConfig, type ServerConfig } from './config.js';
import { TlsConnection } from './connection.js';
import { ClientHandshake } from './handshake/client.js';
import { ServerHandshake } from './handshake/server.js';

/** A TLS 1.2 client. Its ClientHello is queued in takeOutgoing() as soon as it is constructed. */
export class TlsClient extends TlsConnection {
  protected readonly handshake: ClientHandshake;

  constructor(config: ClientConfig) {
    const resolved = resolveClientConfig(config);
    super(resolved, 'client');
    this.handshake = new ClientHandshake(resolved, this.makeIo());
  }
}

/** A TLS 1.2 server. It waits for the client's ClientHello. */
export class TlsServer extends TlsConnection {
  protected readonly handshake: ServerHandshake;

  constructor(config: ServerConfig) {
    const resolved = resolveServerConfig(config);
    super(resolved, 'server');
    this.handshake = new ServerHandshake(resolved, this.makeIo());
  }
}
