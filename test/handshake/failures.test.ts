// Failure pairs: each side ends with the right TlsError code and the right alert on the wire,
// and no application data is delivered without (or after) authentication.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { TlsEvent } from '../../src/connection.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { TlsError } from '../../src/errors.js';
import { dataOf, errorOf, type Mangle, runPair } from '../helpers/pair.js';
import { p256Configs, type TestPki, testPki } from '../helpers/pki.js';

let pki: TestPki;
let base: { client: ClientConfig; server: ServerConfig };
beforeAll(() => {
  pki = testPki();
  base = p256Configs(pki);
}, 120_000);

interface Outcome {
  client: TlsEvent[];
  server: TlsEvent[];
  c: TlsClient;
  s: TlsServer;
}

function attempt(client: Partial<ClientConfig>, server: Partial<ServerConfig>, mangle?: Mangle): Outcome {
  const c = new TlsClient({ ...base.client, ...client } as ClientConfig);
  const s = new TlsServer({ ...base.server, ...server } as ServerConfig);
  c.write(new TextEncoder().encode('secret from client'));
  const log = runPair(c, s, mangle);
  return { client: log.client, server: log.server, c, s };
}

/** `failing` ends with code/alert; the other side receives that alert. Nobody delivers data. */
function expectFailure(o: Outcome, failing: 'client' | 'server', code: string, alert: string) {
  const mine = errorOf(failing === 'client' ? o.client : o.server);
  const theirs = errorOf(failing === 'client' ? o.server : o.client);
  expect(mine, `${failing} should fail`).toBeInstanceOf(TlsError);
  expect(mine?.code).toBe(code);
  expect(mine?.alertSent).toBe(alert);
  expect(theirs?.kind).toBe('alertReceived');
  expect(theirs?.alertReceived).toBe(alert);
  expect(o.c.state).toBe('failed');
  expect(o.s.state).toBe('failed');
  expect(dataOf(o.server).length).toBe(0);
  expect(dataOf(o.client).length).toBe(0);
}

describe('handshake failures', () => {
  it('wrong root', () => {
    expectFailure(attempt({ ca: pki.otherCa }, {}), 'client', 'unknown_ca', 'unknown_ca');
  });

  it('client certificate from the wrong root', () => {
    const other = pki.leaf('p256', 'client', { otherRoot: true });
    expectFailure(attempt({ cert: other.cert, key: other.key }, {}), 'server', 'unknown_ca', 'unknown_ca');
  });

  it('expired server certificate', () => {
    const old = pki.leaf('p256', 'server', { expired: true });
    expectFailure(attempt({}, { cert: old.cert, key: old.key }), 'client', 'expired', 'certificate_expired');
  });

  it('hostname mismatch names both names', () => {
    const o = attempt({ serverName: 'other.test' }, {});
    expectFailure(o, 'client', 'hostname_mismatch', 'bad_certificate');
    expect(errorOf(o.client)?.message).toMatch(/other\.test/);
    expect(errorOf(o.client)?.message).toMatch(/server\.test/);
  });

  it('verifyHostname: false skips only the name check', () => {
    const o = attempt({ serverName: 'other.test', verifyHostname: false }, {});
    expect(o.c.state).toBe('open');
    expect(dataOf(o.server)).toEqual(new TextEncoder().encode('secret from client'));
  });

  it('missing client certificate when required', () => {
    const o = attempt({ cert: undefined, key: undefined }, {});
    expectFailure(o, 'server', 'certificate_required', 'handshake_failure');
  });

  it('client certificate with server-only EKU', () => {
    const wrong = pki.leaf('p256', 'client', { eku: 'serverAuth', cn: 'eku.test' });
    expectFailure(
      attempt({ cert: wrong.cert, key: wrong.key }, {}),
      'server',
      'bad_extended_key_usage',
      'unsupported_certificate',
    );
  });

  it('no common cipher suite', () => {
    const o = attempt({ cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] }, {});
    expectFailure(o, 'server', 'no_common_cipher_suite', 'handshake_failure');
    expect(errorOf(o.server)?.message).toMatch(/TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/);
  });

  it('no common group', () => {
    // An RSA-only client lists just its groups; the server allows none of them.
    const rsa = pki.leaf('rsa2048', 'server');
    expectFailure(
      attempt(
        { groups: ['x25519'], cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] },
        { groups: ['secp384r1'], cert: rsa.cert, key: rsa.key },
      ),
      'server',
      'no_common_group',
      'handshake_failure',
    );
  });

  it('a client whose supported_groups omit the ECDSA certificate curve is refused (RFC 8422 §5.1.1)', () => {
    const o = attempt({ groups: ['x25519'] }, {});
    expectFailure(o, 'server', 'certificate_curve_not_supported', 'handshake_failure');
    expect(errorOf(o.server)?.message).toMatch(/do not include secp256r1/);
  });

  it('no common signature scheme', () => {
    expectFailure(
      attempt({ signatureSchemes: ['rsa_pss_rsae_sha256'] }, {}),
      'server',
      'no_common_signature_scheme',
      'handshake_failure',
    );
  });

  it('ALPN without overlap', () => {
    expectFailure(
      attempt({ alpn: ['h2'] }, { alpn: ['mqtt'] }),
      'server',
      'no_application_protocol',
      'no_application_protocol',
    );
  });

  it('extended master secret refused by a peer that requires it, with a hint', () => {
    // A client that omits EMS is simulated by stripping the extension from its ClientHello.
    const o = attempt({}, {}, (bytes, dir, flight) => {
      if (dir !== 'toServer' || flight !== 0) return [bytes];
      return [stripExtension(bytes, 0x0017)];
    });
    expectFailure(o, 'server', 'extended_master_secret_required', 'handshake_failure');
    expect(errorOf(o.server)?.message).toMatch(/requireExtendedMasterSecret: false/);
  });

  it('a flipped byte anywhere in the server flight fails the handshake', () => {
    const first = attempt({}, {});
    const flight = firstServerFlight(first);
    // Flip a byte in the body of each handshake record position (skip record headers).
    for (let pos = 5; pos < flight.length; pos += Math.max(1, Math.floor(flight.length / 40))) {
      const o = attempt({}, {}, (bytes, dir, n) => {
        if (dir !== 'toClient' || n !== 0) return [bytes];
        const copy = bytes.slice();
        copy[pos] = copy[pos]! ^ 0x01;
        return [copy];
      });
      const ce = errorOf(o.client);
      const se = errorOf(o.server);
      expect(dataOf(o.server).length, `flip at ${pos}`).toBe(0);
      expect(dataOf(o.client).length).toBe(0);
      // A flip in a handshake length field that makes the message longer leaves the client waiting
      // for bytes that never come (the adapters' handshake timeout ends that); anything else fails.
      // The flight's length varies with its ECDSA signatures, so either can land on `pos`.
      if (ce === undefined && se === undefined) {
        expect(o.c.state, `flip at ${pos}`).toBe('handshaking');
        continue;
      }
      expect(ce ?? se, `flip at ${pos}`).toBeInstanceOf(TlsError);
      expect(o.c.state).toBe('failed');
    }
  });

  it('a flipped byte in the client Finished is bad_record_mac or bad_finished', () => {
    const o = attempt({}, {}, (bytes, dir, n) => {
      if (dir !== 'toServer' || n !== 1) return [bytes];
      const copy = bytes.slice();
      copy[copy.length - 20] = copy[copy.length - 20]! ^ 0x80; // inside the last record (Finished or app data)
      return [copy];
    });
    const se = errorOf(o.server);
    expect(se?.alertSent).toBe('bad_record_mac');
    expect(errorOf(o.client)?.alertReceived).toBe('bad_record_mac');
    expect(dataOf(o.server).length).toBe(0);
  });

  it('a dropped record fails cleanly', () => {
    const o = attempt({}, {}, (bytes, dir, n) => {
      if (dir !== 'toServer' || n !== 1) return [bytes];
      // Drop the first record of the client's second flight (its Certificate).
      const len = 5 + ((bytes[3]! << 8) | bytes[4]!);
      return [bytes.subarray(len)];
    });
    expect(errorOf(o.server)?.alertSent).toBe('unexpected_message');
    expect(dataOf(o.server).length).toBe(0);
  });

  it('a duplicated record fails cleanly', () => {
    const o = attempt({}, {}, (bytes, dir, n) => {
      if (dir !== 'toClient' || n !== 0) return [bytes];
      const len = 5 + ((bytes[3]! << 8) | bytes[4]!);
      return [bytes.subarray(0, len), bytes];
    });
    expect(errorOf(o.client)?.alertSent).toBe('unexpected_message');
    expect(dataOf(o.client).length).toBe(0);
  });

  it('application data injected before the handshake completes is refused', () => {
    const o = attempt({}, {}, (bytes, dir, n) => {
      if (dir !== 'toClient' || n !== 0) return [bytes];
      return [new Uint8Array([23, 3, 3, 0, 4, 1, 2, 3, 4]), bytes];
    });
    expect(errorOf(o.client)?.alertSent).toBe('unexpected_message');
    expect(dataOf(o.client).length).toBe(0);
  });

  it('garbage from the peer gives a TlsError, never a throw', () => {
    const c = new TlsClient(base.client);
    c.takeOutgoing();
    const ev = c.receive(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n'));
    expect(errorOf(ev)).toBeInstanceOf(TlsError);
  });

  it('local misuse throws kind local', () => {
    expect(() => new TlsClient({ ca: pki.ca } as ClientConfig)).toThrowError(
      expect.objectContaining({ kind: 'local' }),
    );
    expect(() => new TlsServer({ ca: pki.ca } as ServerConfig)).toThrowError(
      expect.objectContaining({ kind: 'local' }),
    );
    const other = pki.leaf('p256', 'client', { cn: 'mismatch.test' });
    expect(() => new TlsClient({ ...base.client, key: other.key })).toThrowError(
      expect.objectContaining({ kind: 'local', code: 'key_mismatch' }),
    );
  });
});

function firstServerFlight(o: Outcome): Uint8Array {
  // Re-run to capture the server's first flight bytes.
  const c = new TlsClient(base.client);
  const s = new TlsServer(base.server);
  s.receive(c.takeOutgoing());
  void o;
  return s.takeOutgoing();
}

/** Remove one extension from the ClientHello in the first record of `bytes` (fixing lengths). */
function stripExtension(bytes: Uint8Array, type: number): Uint8Array {
  const body = bytes.subarray(5 + 4);
  let o = 2 + 32;
  o += 1 + body[o]!;
  o += 2 + ((body[o]! << 8) | body[o + 1]!);
  o += 1 + body[o]!;
  const extStart = o + 2;
  const kept: number[] = [];
  let p = extStart;
  while (p < body.length) {
    const t = (body[p]! << 8) | body[p + 1]!;
    const l = (body[p + 2]! << 8) | body[p + 3]!;
    if (t !== type) kept.push(...body.subarray(p, p + 4 + l));
    p += 4 + l;
  }
  const newBody = new Uint8Array([...body.subarray(0, o), kept.length >> 8, kept.length & 0xff, ...kept]);
  const hs = new Uint8Array([
    1,
    newBody.length >> 16,
    (newBody.length >> 8) & 0xff,
    newBody.length & 0xff,
    ...newBody,
  ]);
  return new Uint8Array([22, bytes[1]!, bytes[2]!, hs.length >> 8, hs.length & 0xff, ...hs]);
}
