// The interoperability matrix: one table of cases that drives both `npm run interop` (run.ts) and the
// vitest suite (matrix.test.ts). Each axis is covered fully against each peer in both directions;
// the full cross product is not (see README.md "Interoperability" for the list).

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

/** The handshake signature a peer with this key type makes (TLS 1.2 ECDSA schemes are not curve-bound). */
const SIGNATURES: Record<KeyType, RegExp> = {
  rsa2048: /^rsa_(pss_rsae|pkcs1)_sha(256|384|512)$/,
  rsa4096: /^rsa_(pss_rsae|pkcs1)_sha(256|384|512)$/,
  p256: /^ecdsa_secp(256|384|521)r1_sha(256|384|512)$/,
  p384: /^ecdsa_secp(256|384|521)r1_sha(256|384|512)$/,
  ed25519: /^ed25519$/,
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

/** Positive cases for one peer (the same list for both memtls roles). */
function positives(peer: PeerName): Draft[] {
  const drafts: Draft[] = [];
  // Suite × group (mutual TLS). Against the openssl CLI: the full cross product with each provider;
  // against Node and Python: every suite once, groups in rotation (so every group is covered too).
  const providers = peer === 'openssl' ? (['noble', 'node'] as const) : (['noble'] as const);
  for (const provider of providers) {
    suitesFor(peer).forEach((suite, i) => {
      const groups = peer === 'openssl' ? GROUP_NAMES : [GROUP_NAMES[i % GROUP_NAMES.length]!];
      for (const group of groups) {
        const rsa = suite.includes('_RSA_');
        drafts.push({
          name: `suite ${short(suite)} ${group}${provider === 'node' ? ' [node crypto]' : ''}`,
          title: `${suite}, ${group}, mutual TLS, ${provider} provider`,
          scenario: { ...MUTUAL, server: rsa ? SERVER_IDS.rsa2048 : SERVER_IDS.p256, suite, group, provider },
        });
      }
    });
  }
  // Key types: server and client certificates of each type; the peer's signature shows its key was used.
  for (const key of KEY_TYPES) {
    drafts.push({
      name: `keys ${key}`,
      title: `server and client certificates with ${key} keys`,
      scenario: {
        ...MUTUAL,
        server: SERVER_IDS[key],
        client: CLIENT_IDS[key],
        peerSignature: SIGNATURES[key],
      },
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
    scenario: {
      ...MUTUAL,
      alpn: { client: ['h2', 'http/1.1'], server: ['http/1.1', 'h2'], expect: 'http/1.1' },
    },
  });
  drafts.push({
    name: 'sni',
    title: 'SNI server.test, seen by the server',
    scenario: { ...MUTUAL, checkSni: true },
  });
  drafts.push({
    name: 'intermediate',
    title: 'both certificates issued by an intermediate CA, sent in the chain',
    scenario: {
      ...MUTUAL,
      server: id('leaf-via-inter', ['inter.pem']),
      client: id('leaf-via-inter', ['inter.pem']),
    },
  });
  drafts.push({
    name: `${SMALL_WRITES} small writes`,
    title: `${SMALL_WRITES} separately flushed small writes, echoed`,
    scenario: { ...MUTUAL, transfer: { kind: 'small', count: SMALL_WRITES } },
  });
  // Large transfers: Node tls (both providers) and Python; the openssl CLI is for breadth.
  const largeProviders =
    peer === 'node' ? (['noble', 'node'] as const) : peer === 'python' ? (['noble'] as const) : [];
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
      scenario: {
        ...MUTUAL,
        server: id('expired'),
        transfer: none,
        failure: failure('certificate', 'expired', { alert: 'certificate_expired' }),
      },
    },
    {
      name: 'wrong root',
      title: 'server certificate from another root',
      scenario: {
        ...MUTUAL,
        server: id('wrong-root-leaf'),
        transfer: none,
        failure: failure('certificate', 'unknown_ca', { alert: 'unknown_ca' }),
      },
    },
    {
      name: 'hostname mismatch',
      title: 'server certificate for other.test, client expects server.test',
      scenario: {
        ...MUTUAL,
        server: id('wrong-name'),
        transfer: none,
        failure: failure('certificate', 'hostname_mismatch', { alert: 'bad_certificate' }, [
          'other.test',
          'server.test',
        ]),
      },
    },
    {
      name: 'missing client cert',
      title: 'server requires a client certificate; memtls has none',
      scenario: {
        ...MUTUAL,
        client: undefined,
        transfer: none,
        failure: failure('alertReceived', 'handshake_failure', {
          error: /peer did not return a certificate/i,
        }),
      },
    },
  ];
  // Node's tls server checks client certificates in JavaScript after its side of the handshake and
  // destroys the socket without an alert: memtls sees the connection end, Node reports a hang-up.
  drafts.push({
    name: 'client cert server-only EKU',
    title: 'client certificate with extendedKeyUsage serverAuth only',
    scenario: {
      ...MUTUAL,
      client: id('server-only'),
      transfer: none,
      failure:
        peer === 'node'
          ? failure('transport', 'closed_without_alert', { error: /ECONNRESET|socket hang up/ })
          : failure('alertReceived', 'unsupported_certificate', {
              error: /unsuitable certificate purpose|unsupported certificate purpose/i,
            }),
    },
  });
  if (peer === 'openssl') {
    drafts.push({
      // memtls offers only TLS 1.2 AEAD suites, so a TLS 1.1 server finds no suite for its version.
      name: 'server TLS 1.1 only',
      title: 's_server -tls1_1 (SECLEVEL=0): no suite it can use at TLS 1.1',
      scenario: {
        ...MUTUAL,
        transfer: none,
        peerTweak: { legacyVersion: 'TLSv1.1' },
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
      scenario: {
        ...MUTUAL,
        client: id('expired-client'),
        transfer: none,
        failure: failure('certificate', 'expired', { alert: 'certificate_expired' }),
      },
    },
    {
      name: 'wrong root',
      title: 'client certificate from another root',
      scenario: {
        ...MUTUAL,
        client: id('wrong-root-client'),
        transfer: none,
        failure: failure('certificate', 'unknown_ca', { alert: 'unknown_ca' }),
      },
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
      name: 'alpn no overlap',
      title: 'client offers only http/1.1, memtls accepts only h2',
      scenario: {
        ...MUTUAL,
        alpn: { client: ['http/1.1'], server: ['h2'], expect: '' },
        transfer: none,
        failure: failure('incompatible', 'no_application_protocol', { alert: 'no_application_protocol' }, [
          'http/1.1',
          'h2',
        ]),
      },
    },
    {
      name: 'client TLS 1.1 only',
      title: 'client offers only TLS 1.1 (SECLEVEL=0)',
      scenario: {
        ...MUTUAL,
        transfer: none,
        peerTweak: { legacyVersion: 'TLSv1.1' },
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
  if (peer === 'openssl') {
    drafts.push({
      name: 'client without the certificate curve',
      title: 's_client -groups X25519 to a P-256 ECDSA server (RFC 8422 §5.1.1)',
      scenario: {
        ...MUTUAL,
        transfer: none,
        peerTweak: { groups: 'X25519' },
        failure: failure('incompatible', 'certificate_curve_not_supported', { alert: 'handshake_failure' }, [
          'do not include secp256r1',
        ]),
      },
    });
    drafts.push({
      name: 'client TLS 1.0 only',
      title: 's_client -tls1 (SECLEVEL=0)',
      scenario: {
        ...MUTUAL,
        transfer: none,
        peerTweak: { legacyVersion: 'TLSv1' },
        failure: failure('incompatible', 'unsupported_version', { alert: 'protocol_version' }, ['TLS 1.0']),
      },
    });
  }
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
          : failure('alertReceived', 'bad_certificate', {
              error:
                peer === 'openssl' ? /hostname mismatch/i : /Hostname mismatch|certificate verify failed/i,
            }),
    },
  });
  return drafts;
}

function build(): InteropCase[] {
  const cases: InteropCase[] = [];
  for (const peer of PEERS) {
    for (const role of ROLES) {
      const drafts = [
        ...positives(peer),
        ...(role === 'client' ? clientNegatives(peer) : serverNegatives(peer)),
      ];
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
