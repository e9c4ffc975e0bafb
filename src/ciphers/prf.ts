// The TLS 1.2 PRF and everything derived with it: master secret (RFC 5246 §5, §8.1), extended
// master secret (RFC 7627 §4), key block (RFC 5246 §6.3), Finished verify_data (§7.4.9) and
// exported keying material (RFC 5705 §4).

import { localError } from '../errors.js';
import { keyedHmac } from './hash.js';
import type { SuiteParams } from './suites.js';

export type PrfHash = 'sha256' | 'sha384';

const textEncoder = new TextEncoder();

/** P_hash(secret, seed) truncated to `length` bytes (RFC 5246 §5). */
function pHash(hash: PrfHash, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const mac = keyedHmac(hash, secret);
  const out = new Uint8Array(length);
  let a = seed; // A(0) = seed
  let filled = 0;
  while (filled < length) {
    a = mac(a); // A(i) = HMAC_hash(secret, A(i-1))
    const block = mac(a, seed);
    out.set(block.subarray(0, Math.min(block.length, length - filled)), filled);
    filled += block.length;
    block.fill(0);
  }
  a.fill(0);
  return out;
}

/** PRF(secret, label, seed) = P_<hash>(secret, label + seed) (RFC 5246 §5). */
export function prf(
  hash: PrfHash,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw localError('bad_argument', `PRF output length must be a non-negative integer, got ${length}`);
  }
  const labelBytes = textEncoder.encode(label);
  const labelAndSeed = new Uint8Array(labelBytes.length + seed.length);
  labelAndSeed.set(labelBytes);
  labelAndSeed.set(seed, labelBytes.length);
  return pHash(hash, secret, labelAndSeed, length);
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47] */
export function computeMasterSecret(
  hash: PrfHash,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  return prf(hash, preMasterSecret, 'master secret', join(clientRandom, serverRandom), 48);
}

/** master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47] (RFC 7627 §4). */
export function computeExtendedMasterSecret(
  hash: PrfHash,
  preMasterSecret: Uint8Array,
  sessionHash: Uint8Array,
): Uint8Array {
  return prf(hash, preMasterSecret, 'extended master secret', sessionHash, 48);
}

/** The AEAD traffic keys and implicit IVs of one connection (no MAC keys: AEAD suites only). */
export interface KeyBlock {
  readonly clientKey: Uint8Array;
  readonly serverKey: Uint8Array;
  /** client_write_IV: the 4-byte GCM salt (RFC 5288 §3) or the 12-byte ChaCha20 IV (RFC 7905 §2). */
  readonly clientIv: Uint8Array;
  readonly serverIv: Uint8Array;
}

/**
 * key_block = PRF(master_secret, "key expansion", server_random + client_random), split as
 * client_write_key, server_write_key, client_write_IV, server_write_IV (RFC 5246 §6.3).
 */
export function deriveKeyBlock(
  suite: Pick<SuiteParams, 'prfHash' | 'keyLength' | 'fixedIvLength'>,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): KeyBlock {
  const k = suite.keyLength;
  const iv = suite.fixedIvLength;
  const block = prf(
    suite.prfHash,
    masterSecret,
    'key expansion',
    join(serverRandom, clientRandom),
    2 * (k + iv),
  );
  const keyBlock: KeyBlock = {
    clientKey: block.slice(0, k),
    serverKey: block.slice(k, 2 * k),
    clientIv: block.slice(2 * k, 2 * k + iv),
    serverIv: block.slice(2 * k + iv, 2 * k + 2 * iv),
  };
  block.fill(0);
  return keyBlock;
}

/** verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9). */
export function computeVerifyData(
  hash: PrfHash,
  masterSecret: Uint8Array,
  label: 'client finished' | 'server finished',
  handshakeHash: Uint8Array,
): Uint8Array {
  return prf(hash, masterSecret, label, handshakeHash, 12);
}

/**
 * Exported keying material (RFC 5705 §4): PRF(master_secret, label, client_random + server_random
 * [+ context_value_length + context_value])[length]. A context of length 0 differs from none.
 */
export function exportKeyingMaterial(
  hash: PrfHash,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  length: number,
  context?: Uint8Array,
): Uint8Array {
  if (context !== undefined && context.length > 0xffff) {
    throw localError('bad_argument', `exporter context must be at most 65535 bytes, got ${context.length}`);
  }
  if (RESERVED_EXPORTER_LABELS.has(label)) {
    throw localError('bad_argument', `exporter label '${label}' is reserved by TLS itself (RFC 5705 §4)`);
  }
  let seed = join(clientRandom, serverRandom);
  if (context !== undefined) {
    const withContext = new Uint8Array(seed.length + 2 + context.length);
    withContext.set(seed);
    withContext[seed.length] = context.length >>> 8;
    withContext[seed.length + 1] = context.length & 0xff;
    withContext.set(context, seed.length + 2);
    seed = withContext;
  }
  return prf(hash, masterSecret, label, seed, length);
}

/** Labels TLS 1.2 itself uses with the PRF; exporting under them would leak protocol secrets. */
const RESERVED_EXPORTER_LABELS = new Set([
  'client finished',
  'server finished',
  'master secret',
  'extended master secret',
  'key expansion',
]);
