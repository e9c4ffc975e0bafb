// Pair-fuzzing fixtures: one client/server configuration per suite × group × key type × client
// certificate (RFC 5246 §7.4, RFC 8422 §5), built once from plain PEM so workers can share them.

import type { ClientConfig, ServerConfig } from '../../src/config.js';
import type { KeyKind, TestPki } from '../helpers/pki.js';

export interface FuzzIdentity {
  cert: string;
  key: string;
}

/** Everything a worker needs to rebuild the fixtures: plain, structured-clone-able data. */
export interface FuzzPki {
  ca: string;
  servers: Partial<Record<KeyKind, FuzzIdentity>>;
  clients: Partial<Record<KeyKind, FuzzIdentity>>;
}

export interface PairFixture {
  name: string;
  client: ClientConfig;
  server: ServerConfig;
}

const ECDSA_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
];
const RSA_SUITES = [
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];
const GROUPS = ['x25519', 'secp256r1', 'secp384r1'];
const SERVER_KINDS: KeyKind[] = ['p256', 'p384', 'ed25519', 'rsa2048'];
const CLIENT_KINDS: KeyKind[] = ['p256', 'ed25519', 'rsa2048'];

export function makeFuzzPki(pki: TestPki, kinds: { server?: KeyKind[]; client?: KeyKind[] } = {}): FuzzPki {
  const pick = ({ cert, key }: { cert: string; key: string }) => ({ cert, key });
  const out: FuzzPki = { ca: pki.ca, servers: {}, clients: {} };
  for (const k of kinds.server ?? SERVER_KINDS) out.servers[k] = pick(pki.leaf(k, 'server'));
  for (const k of kinds.client ?? CLIENT_KINDS) out.clients[k] = pick(pki.leaf(k, 'client'));
  return out;
}

/** Every suite the server key can use × every group × (no client certificate | each client key). */
export function pairFixtures(pki: FuzzPki): PairFixture[] {
  const out: PairFixture[] = [];
  for (const [serverKind, s] of Object.entries(pki.servers)) {
    if (!s) continue;
    const suites = serverKind.startsWith('rsa') ? RSA_SUITES : ECDSA_SUITES;
    const clientChoices: [string, FuzzIdentity | undefined][] = [
      ['none', undefined],
      ...Object.entries(pki.clients),
    ];
    for (const suite of suites)
      for (const group of GROUPS)
        for (const [clientKind, c] of clientChoices) {
          // Order, not restrict, the groups: supported_groups also names the curves an ECDSA
          // certificate may use in TLS 1.2 (RFC 8422 §5.1.1).
          const groups = [group, ...GROUPS.filter((g) => g !== group)];
          out.push({
            name: `${serverKind} server, ${suite}, ${group}, client cert ${clientKind}`,
            server: {
              ca: pki.ca,
              cert: s.cert,
              key: s.key,
              groups,
              clientAuth: c ? 'required' : 'none',
            },
            client: {
              ca: pki.ca,
              serverName: 'server.test',
              cipherSuites: [suite],
              groups,
              ...(c ? { cert: c.cert, key: c.key } : {}),
            },
          });
        }
  }
  return out;
}
