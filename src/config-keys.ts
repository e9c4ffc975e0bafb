// The keys a client or server config may hold: an unknown key is a local bad_config error naming the key
// meant (a near spelling, or what to do instead of a node:tls option memtls does not have).

import type { ClientConfig, ServerConfig } from './config.js';
import { localError } from './errors.js';
import { printable } from './printable.js';

/** Keys both sides accept (CommonConfig, its LimitOptions and chain limits). */
const COMMON_KEYS = {
  ca: true,
  cert: true,
  key: true,
  passphrase: true,
  requireExtendedMasterSecret: true,
  allowCommonNameFallback: true,
  maxHandshakeMessageSize: true,
  cipherSuites: true,
  groups: true,
  signatureSchemes: true,
  alpn: true,
  now: true,
  random: true,
  keyLog: true,
  trace: true,
  crypto: true,
  maxRecordSize: true,
  minRsaKeyBits: true,
  maxChainCertificates: true,
  maxChainBytes: true,
  maxSignatureChecks: true,
  maxPathCandidates: true,
  maxNameConstraintChecks: true,
  maxHelloExtensions: true,
  maxEmptyRecords: true,
  maxWarningAlerts: true,
  maxPendingWriteBytes: true,
  maxOutgoingBytes: true,
  maxRecordsPerReceive: true,
  crl: true,
  verifyPeer: true,
} as const;

/** Checked by the compiler against the config interfaces: a key added there must be added here. */
const CLIENT_KEYS = {
  ...COMMON_KEYS,
  serverName: true,
  verifyHostname: true,
  session: true,
} satisfies Record<keyof ClientConfig, true>;
const SERVER_KEYS = {
  ...COMMON_KEYS,
  clientAuth: true,
  certificates: true,
  strictServerName: true,
  sessionTickets: true,
  ticketKeys: true,
  ticketKeyRotation: true,
  sessionTimeout: true,
  sessionCacheSize: true,
} satisfies Record<keyof ServerConfig, true>;

export type ConfigRole = 'client' | 'server';

const VERIFY_ALWAYS =
  "memtls always verifies the peer's certificate: pin the root that issued it with 'ca' " +
  '(or set verifyHostname: false to skip only the hostname check, never the chain)';
const CLIENT_AUTH = "use clientAuth: 'required' (the default), 'optional' or 'none'";
const ONLY_TLS12 = 'memtls speaks TLS 1.2 only; remove it';
const CONTEXT_INSTEAD =
  'pass the context itself where a config goes (new TlsClient(context), new TlsServer(context)); ' +
  'the adapters take { secureContext, ...adapter options }';

/** node:tls / OpenSSL option names and what a memtls user writes instead, per side. */
const INSTEAD: Record<string, Partial<Record<ConfigRole, string>> & { both?: string }> = {
  rejectUnauthorized: { client: VERIFY_ALWAYS, server: CLIENT_AUTH },
  requestCert: { server: CLIENT_AUTH, client: "memtls clients send 'cert' when the server asks" },
  checkServerIdentity: {
    both: "the hostname is checked against 'serverName' (verifyHostname: false skips only that check)",
  },
  secureContext: { both: CONTEXT_INSTEAD },
  minVersion: { both: ONLY_TLS12 },
  maxVersion: { both: ONLY_TLS12 },
  secureProtocol: { both: ONLY_TLS12 },
  ciphers: { both: "use 'cipherSuites': an array of IANA or OpenSSL suite names" },
  ALPNProtocols: { both: "use 'alpn': an array of protocol names" },
  ecdhCurve: { both: "use 'groups': an array such as ['x25519', 'secp256r1']" },
  sigalgs: { both: "use 'signatureSchemes': an array of IANA signature scheme names" },
  pfx: { both: "give 'cert' and 'key' as PEM or DER" },
  certificate: { both: "use 'cert' (the chain, leaf first)" },
  privateKey: { both: "use 'key'" },
  servername: { server: "'serverName' is a client option" },
};

/** The other side's keys, with a note that they belong there. */
const OTHER_SIDE: Record<ConfigRole, readonly string[]> = {
  client: Object.keys(SERVER_KEYS).filter((k) => !(k in CLIENT_KEYS)),
  server: Object.keys(CLIENT_KEYS).filter((k) => !(k in SERVER_KEYS)),
};

/**
 * Throws a local bad_config error for the first key of `config` that a `role` config does not have,
 * naming it and, when there is one, the key meant. Non-objects are left to the caller's own check.
 */
export function checkConfigKeys(config: unknown, role: ConfigRole): void {
  if (config === null || typeof config !== 'object') return;
  const known: Record<string, true> = role === 'client' ? CLIENT_KEYS : SERVER_KEYS;
  for (const key of Object.keys(config)) {
    if (Object.hasOwn(known, key)) continue;
    throw localError(
      'bad_config',
      `${role} config has an unknown option '${printable(key)}'${hintFor(key, role, known)}`,
    );
  }
}

function hintFor(key: string, role: ConfigRole, known: Record<string, true>): string {
  const instead = Object.hasOwn(INSTEAD, key) ? INSTEAD[key]! : undefined;
  const advice = instead?.[role] ?? instead?.both;
  if (advice) return `: ${advice}`;
  if (OTHER_SIDE[role].includes(key)) {
    return `: '${key}' is a ${role === 'client' ? 'server' : 'client'} option`;
  }
  const near = nearestKey(key, Object.keys(known));
  return near ? `; did you mean '${near}'?` : '';
}

/** The known key closest to `key` (case-insensitive edit distance), if it is close enough to be a typo. */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(Math.min(key.length, best?.length ?? 0) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
