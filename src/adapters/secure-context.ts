// Adapter TLS settings: a config, a compiled context, or { secureContext: context } as node:tls's
// tls.connect({ secureContext }) takes it, compiled once into the context every connection shares.

import {
  type ClientConfig,
  ClientContext,
  createClientContext,
  createServerContext,
  localError,
  type ServerConfig,
  ServerContext,
} from '../index.js';

/** TLS settings of a client adapter: the config itself, or a context made by createClientContext. */
export type ClientTls = ClientConfig | { secureContext: ClientContext };
/** TLS settings of a server adapter: the config itself, or a context made by createServerContext. */
export type ServerTls = ServerConfig | { secureContext: ServerContext };

type Settings<Config, Context> = Config | Context | { secureContext: Context };

function compile<Config extends object, Context>(
  settings: Settings<Config, Context>,
  is: (value: unknown) => value is Context,
  create: (config: Config) => Context,
  maker: string,
): Context {
  if (is(settings)) return settings;
  if (settings === null || typeof settings !== 'object' || !('secureContext' in settings)) {
    return create(settings as Config);
  }
  const { secureContext, ...rest } = settings as { secureContext: unknown };
  if (!is(secureContext)) {
    throw localError('bad_config', `secureContext must be a context made by ${maker}()`);
  }
  const extra = Object.keys(rest);
  if (extra.length > 0) {
    throw localError(
      'bad_config',
      `give the TLS options either in secureContext or beside it, not both: '${extra[0]}' is beside a secureContext` +
        ` (put it in the config given to ${maker}())`,
    );
  }
  return secureContext;
}

/**
 * The client context for an adapter's TLS settings (its own options already removed): the context
 * given (bare or as `secureContext`), or the config compiled now. Throws a local TlsError.
 */
export function clientContextOf(settings: Settings<ClientConfig, ClientContext>): ClientContext {
  return compile(settings, ClientContext.is, createClientContext, 'createClientContext');
}

/** The server context for an adapter's TLS settings (see clientContextOf). */
export function serverContextOf(settings: Settings<ServerConfig, ServerContext>): ServerContext {
  return compile(settings, ServerContext.is, createServerContext, 'createServerContext');
}
