// The client's check of the ServerHello: the server may answer only extensions our ClientHello carried,
// and only those a ServerHello can carry (RFC 5246 §7.4.1.4); the offered set comes from the hello sent.

import { beforeAll, describe, expect, it } from 'vitest';
import { type ClientConfig, resolveClientConfig } from '../../src/config.js';
import { TlsError } from '../../src/errors.js';
import { buildClientHello } from '../../src/handshake/build-client-hello.js';
import { checkServerHello } from '../../src/handshake/check-server-hello.js';
import {
  encodeServerHelloExtensions,
  type ServerHelloExtensions,
} from '../../src/handshake/messages/hello-extensions.js';
import { ExtensionType, type ServerHello } from '../../src/handshake/messages/types.js';
import { testPki } from '../helpers/pki.js';

let client: ClientConfig;
beforeAll(() => {
  client = { ca: testPki().ca, serverName: 'server.test' };
}, 120_000);

function answer(overrides: Partial<ClientConfig>, ext: Omit<ServerHelloExtensions, 'unknown'>, extra = []) {
  const cfg = resolveClientConfig({ ...client, ...overrides });
  const sent = buildClientHello(cfg);
  const hello: ServerHello = {
    version: 0x0303,
    random: new Uint8Array(32),
    sessionId: new Uint8Array(0),
    cipherSuite: sent.cipherSuites[0]!,
    compressionMethod: 0,
    extensions: [...encodeServerHelloExtensions({ ...ext, unknown: extra })],
  };
  return () => checkServerHello(cfg, hello, new Set(sent.extensions.map((e) => e.type)));
}

function refusal(f: () => unknown): TlsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TlsError);
    return e as TlsError;
  }
  throw new Error('expected a throw');
}

describe('checkServerHello: the offered set is the hello we sent', () => {
  it('accepts the acknowledgements of what we offered', () => {
    const choices = answer(
      { alpn: ['h2'], maxRecordSize: 1024 },
      {
        serverName: true,
        extendedMasterSecret: true,
        alpn: ['h2'],
        recordSizeLimit: 512,
        renegotiationInfo: new Uint8Array(0),
      },
    )();
    expect(choices).toMatchObject({ alpn: 'h2', extendedMasterSecret: true, recordSizeLimit: 512 });
  });

  it('refuses a server_name ack when we sent no server_name (an IP address as serverName)', () => {
    const e = refusal(
      answer(
        { serverName: '192.0.2.1', verifyHostname: false },
        { serverName: true, extendedMasterSecret: true },
      ),
    );
    expect(e).toMatchObject({ alertSent: 'unsupported_extension', code: 'unsolicited_extension' });
  });

  it('refuses an ALPN or record_size_limit answer when we offered none', () => {
    for (const ext of [{ alpn: ['h2'] }, { recordSizeLimit: 512 }]) {
      const e = refusal(answer({}, { extendedMasterSecret: true, ...ext }));
      expect(e.code).toBe('unsolicited_extension');
    }
  });

  it('refuses an echo of supported_groups, which we offered but a ServerHello cannot carry', () => {
    const extra = [{ type: ExtensionType.supported_groups, data: new Uint8Array([0, 2, 0, 0x1d]) }];
    const e = refusal(answer({}, { extendedMasterSecret: true }, extra as never));
    expect(e.code).toBe('unsolicited_extension');
  });
});
