// The interoperability matrix: one table of cases that drives both `npm run interop` (run.ts) and the
// vitest suite (matrix.test.ts). Each axis is covered fully against each peer in both directions;
// the full cross product is not (see README-section.md for the list).

import { GROUP_NAMES, SUITES } from './names.js';
import type { FailureExpectation, Identity, InteropCase, PeerName, Role, Scenario } from './scenario.js';

const PEERS: PeerName[] = ['openssl', 'node', 'python'];
const ROLES: Role[] = ['client', 'server'];

/** A PKI identity by file stem (NAME.pem / NAME.key). */
function id(stem: string, intermediates?: string[]): Identity {
  return { cert: `${stem}.pem`, key: `${stem}.key`, ...(intermediates ? { intermediates } : {}) };
}

export type KeyType = 'rsa2048' | 'rsa4096' | 'p256' | 'p384' | 'ed25519';
const KEY_TYPES: KeyType[] = ['rsa2048', 'rsa4096', 'p256', 'p384', 'ed25519'];
const SERVER_IDS: Record<KeyType, Identity> = {
  rsa2048: id('server-rsa'),
  rsa4096: id('server-rsa4096'),
  p256: id('server-p256'),
  p384: id('server-p384'),
  ed25519: id('server-ed25519'),
};
const CLIENT_IDS: Record<KeyType, Identity> = {
  rsa2048: id('client-rsa2048'),
  rsa4096: id('client-rsa4096'),
  p256: id('client'),
  p384: id('client-p384'),
  ed25519: id('client-ed25519'),
};

const MUTUAL: Pick<Scenario, 'server' | 'client' | 'clientAuth' | 'transfer' | 'provider'> = {
  server: SERVER_IDS.p256,
  client: CLIENT_IDS.p256,
  clientAuth: true,
  transfer: { kind: 'echo' },
  provider: 'noble',
};

const LARGE_BYTES = 16 * 1024 * 1024;
const SMALL_WRITES = 1000;

function short(suite: string): string {
  return suite
    .replace('TLS_ECDHE_', '')
    .replace('_WITH_', ' ')
    .replace('_SHA256', '')
    .replace('_SHA384', '')
    .replace('AES_128_GCM', 'AES-128-GCM')
    .replace('AES_256_GCM', 'AES-256-GCM')
    .replace('CHACHA20_POLY1305', 'ChaCha20-Poly1305');
}

/** The suites a peer can negotiate: Python's aiomas cipher string 'ECDH+AESGCM' excludes ChaCha20. */
function suitesFor(peer: PeerName): string[] {
  const all = [...SUITES.ecdsa, ...SUITES.rsa];
  return peer === 'python' ? all.filter((s) => !s.includes('CHACHA20')) : all;
}

interface Draft {
  name: string;
  title: string;
  scenario: Scenario;
  timeoutMs?: number;
}

/** Positive cases for one peer and one memtls role. */
function positives(peer: PeerName, role: Role): Draft[] {
  const drafts: Draft[] = [];
  // Suite × group (mutual TLS), with each provider: every suite once, groups in rotation.
  const providers = peer === 'openssl' ? (['noble', 'node'] as const) : (['noble'] as const);
  for (const provider of providers) {
    suitesFor(peer).forEach((suite, i) => {
      const group = GROUP_NAMES[i % GROUP_NAMES.length]!;
      const rsa = suite.includes('_RSA_');
      drafts.push({
        name: `suite ${short(suite)} ${group}${provider === 'node' ? ' [node crypto]' : ''}`,
        title: `${suite}, ${group}, mutual TLS, ${provider} provider`,
        scenario: { ...MUTUAL, server: rsa ? SERVER_IDS.rsa2048 : SERVER_IDS.p256, suite, group, provider },
      });
    });
  }
  // Key types: server and client certificates of each type.
  for (const key of KEY_TYPES) {
    drafts.push({
      name: `keys ${key}`,
      title: `server and client certificates with ${key} keys`,
      scenario: { ...MUTUAL, server: SERVER_IDS[key], client: CLIENT_IDS[key] },
    });
  }
  drafts.push({
    name: 'no client certificate',
    title: 'server does not ask for a client certificate',
    scenario: { ...MUTUAL, client: undefined, clientAuth: false, server: SERVER_IDS.rsa2048 },
  });
  drafts.push({
    name: 'alpn',
    title: "ALPN: client offers h2, http/1.1; the server's preference (http/1.1) wins",
    scenario: { ...MUTUAL, alpn: { client: ['h2', 'http/1.1'], server: ['http/1.1', 'h2'], expect: 'http/1.1' } },
  });
  drafts.push({
    name: 'sni',
    title: 'SNI server.test, seen by the server',
    scenario: { ...MUTUAL, checkSni: true },
  });
  drafts.push({
    name: 'intermediate',
    title: 'both certificates issued by an intermediate CA, sent in the chain',
    scenario: { ...MUTUAL, server: id('leaf-via-inter', ['inter.pem']), client: id('leaf-via-inter', ['inter.pem']) },
  });
  drafts.push({
    name: `${SMALL_WRITES} small writes`,
    title: `${SMALL_WRITES} separately flushed small writes, echoed`,
    scenario: { ...MUTUAL, transfer: { kind: 'small', count: SMALL_WRITES } },
  });
  // Large transfers: Node tls (both providers) and Python; the openssl CLI is for breadth.
  const largeProviders = peer === 'node' ? (['noble', 'node'] as const) : peer === 'python' ? (['noble'] as const) : [];
  for (const provider of largeProviders) {
    drafts.push({
      name: `16 MiB${provider === 'node' ? ' [node crypto]' : ''}`,
      title: `16 MiB echoed, SHA-256 checked on both ends, ${provider} provider`,
      scenario: { ...MUTUAL, transfer: { kind: 'large', bytes: LARGE_BYTES }, provider },
      timeoutMs: 120_000,
    });
  }
  return drafts;
}

function failure(
  kind: FailureExpectation['kind'],
  code: string,
  peer: FailureExpectation['peer'],
  messageIncludes?: string[],
): FailureExpectation {
  return { kind, code, peer, ...(messageIncludes ? { messageIncludes } : {}) };
}

/** Negative cases with memtls as the client (the peer is the server). */
function clientNegatives(peer: PeerName): Draft[] {
  const none = { kind: 'none' } as const;
  const drafts: Draft[] = [
    {
      name: 'expired server cert',
      title: 'server certificate expired 2021-01-01',
      scenario: { ...MUTUAL, server: id('expired'), transfer: none, failure: failure('certificate', 'expired', { alert: 'certificate_expired' }) },
    },
    {
      name: 'wrong root',
      title: 'server certificate from another root',
      scenario: { ...MUTUAL, server: id('wrong-root-leaf'), transfer: none, failure: failure('certificate', 'unknown_ca', { alert: 'unknown_ca' }) },
    },
    {
      name: 'hostname mismatch',
      title: "server certificate for other.test, client expects server.test",
      scenario: {
        ...MUTUAL,
        server: id('wrong-name'),
        transfer: none,
        failure: failure('certificate', 'hostname_mismatch', { alert: 'bad_certificate' }, ['other.test', 'server.test']),
      },
    },
    {
      name: 'missing client cert',
      title: 'server requires a client certificate; memtls has none',
      scenario: {
        ...MUTUAL,
        client: undefined,
        transfer: none,
        failure: failure('alertReceived', 'handshake_failure', { error: /peer did not return a certificate/i }),
      },
    },
  ];
  // Node's tls server checks client certificates in JavaScript after the handshake and just closes
  // the socket (no alert), so a refused client certificate cannot be told apart there.
  if (peer !== 'node') {
    drafts.push({
      name: 'client cert server-only EKU',
      title: 'client certificate with extendedKeyUsage serverAuth only',
      scenario: {
        ...MUTUAL,
        client: id('server-only'),
        transfer: none,
        failure: failure('alertReceived', 'unsupported_certificate', {
          error: /unsuitable certificate purpose|unsupported certificate purpose/i,
        }),
      },
    });
  }
  if (peer === 'openssl') {
    drafts.push({
      // memtls offers only TLS 1.2 AEAD suites, so a TLS 1.1 server finds no suite for its version.
      name: 'server TLS 1.1 only',
      title: 's_server -tls1_1 (SECLEVEL=0): no suite it can use at TLS 1.1',
      scenario: {
        ...MUTUAL,
        transfer: none,
        peerTweak: { tls11: true },
        failure: failure('alertReceived', 'handshake_failure', { error: /no shared cipher/i }),
      },
    });
    drafts.push({
      name: 'server CBC only',
      title: 's_server -cipher ECDHE-ECDSA-AES128-SHA256',
      scenario: {
        ...MUTUAL,
        transfer: none,
        peerTweak: { cipher: 'ECDHE-ECDSA-AES128-SHA256' },
        failure: failure('alertReceived', 'handshake_failure', { error: /no shared cipher/i }),
      },
    });
  }
  return drafts;
}

/** Negative cases with memtls as the server (the peer is the client). */
function serverNegatives(peer: PeerName): Draft[] {
  const none = { kind: 'none' } as const;
  const drafts: Draft[] = [
    {
      name: 'expired client cert',
      title: 'client certificate expired 2021-01-01',
      scenario: { ...MUTUAL, client: id('expired-client'), transfer: none, failure: failure('certificate', 'expired', { alert: 'certificate_expired' }) },
    },
    {
      name: 'wrong root',
      title: 'client certificate from another root',
      scenario: { ...MUTUAL, client: id('wrong-root-client'), transfer: none, failure: failure('certificate', 'unknown_ca', { alert: 'unknown_ca' }) },
    },
    {
      name: 'missing client cert',
      title: 'memtls requires a client certificate; the peer has none',
      scenario: {
        ...MUTUAL,
        client: undefined,
        transfer: none,
        failure: failure('certificate', 'certificate_required', { alert: 'handshake_failure' }),
      },
    },
    {
      name: 'client cert server-only EKU',
      title: 'client certificate with extendedKeyUsage serverAuth only',
      scenario: {
        ...MUTUAL,
        client: id('server-only'),
        transfer: none,
        failure: failure('certificate', 'bad_extended_key_usage', { alert: 'unsupported_certificate' }),
      },
    },
    {
      name: 'client TLS 1.1 only',
      title: 'client offers only TLS 1.1 (SECLEVEL=0)',
      scenario: {
        ...MUTUAL,
        transfer: none,
        peerTweak: { tls11: true },
        failure: failure('incompatible', 'unsupported_version', { alert: 'protocol_version' }, ['TLS 1.1']),
      },
    },
    {
      name: 'client CBC only',
      title: 'client offers only ECDHE-ECDSA-AES128-SHA256 (CBC)',
      scenario: {
        ...MUTUAL,
        transfer: none,
        peerTweak: { cipher: 'ECDHE-ECDSA-AES128-SHA256' },
        failure: failure('incompatible', 'no_common_cipher_suite', { alert: 'handshake_failure' }, [
          'no common cipher suite',
          'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
        ]),
      },
    },
    {
      name: 'client RSA key exchange only',
      title: 'client offers only AES128-GCM-SHA256 (static RSA key exchange)',
      scenario: {
        ...MUTUAL,
        server: SERVER_IDS.rsa2048,
        transfer: none,
        peerTweak: { cipher: 'AES128-GCM-SHA256' },
        failure: failure('incompatible', 'no_common_cipher_suite', { alert: 'handshake_failure' }, [
          'no common cipher suite',
          'TLS_RSA_WITH_AES_128_GCM_SHA256',
        ]),
      },
    },
  ];
  // The peer client checks the server's name itself. OpenSSL and Python abort the handshake with an
  // alert; Node's tls checks after the handshake and closes without one.
  drafts.push({
    name: 'hostname mismatch',
    title: 'memtls serves a certificate for other.test; the client expects server.test',
    scenario: {
      ...MUTUAL,
      server: id('wrong-name'),
      transfer: none,
      failure:
        peer === 'node'
          ? failure('transport', 'closed_without_alert', { error: /ERR_TLS_CERT_ALTNAME_INVALID/ })
          : failure('alertReceived', 'certificate_unknown', {
              error: peer === 'openssl' ? /hostname mismatch/i : /Hostname mismatch|certificate verify failed/i,
            }),
    },
  });
  return drafts;
}

function build(): InteropCase[] {
  const cases: InteropCase[] = [];
  for (const peer of PEERS) {
    for (const role of ROLES) {
      const drafts = [...positives(peer, role), ...(role === 'client' ? clientNegatives(peer) : serverNegatives(peer))];
      for (const d of drafts) {
        cases.push({
          id: `${peer}/memtls-${role}/${d.name}`,
          peer,
          role,
          title: d.title,
          scenario: d.scenario,
          timeoutMs: d.timeoutMs ?? 30_000,
        });
      }
    }
  }
  const ids = new Set(cases.map((c) => c.id));
  if (ids.size !== cases.length) throw new Error('duplicate interop case ids');
  return cases;
}

/** Every interop case, in a stable order. */
export const CASES: readonly InteropCase[] = build();
