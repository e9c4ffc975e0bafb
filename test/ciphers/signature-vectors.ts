// Loads the OpenSSL signature vectors (test/vectors/*.json, made by make-signature-vectors.mjs) into key objects.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { EcCurve, PrivateKey } from '../../src/ciphers/keys.js';
import type { HashName } from '../../src/ciphers/suites.js';
import { fromHex } from '../../src/codec.js';

function readVector<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as T;
}

const big = (hex: string): bigint => BigInt(`0x${hex}`);

export interface RsaVectorFile {
  source: string;
  key: Record<'n' | 'e' | 'd' | 'p' | 'q' | 'dp' | 'dq' | 'qi', string> & { bits: number; pem: string };
  signatures: {
    padding: 'pkcs1' | 'pss';
    hash: HashName;
    saltLength?: number;
    message: string;
    signature: string;
    command: string;
  }[];
}

export interface EcdsaVectorFile {
  source: string;
  key: { curve: EcCurve; d: string; point: string; pem: string };
  signatures: { hash: HashName; message: string; signature: string; command: string }[];
}

export interface Ed25519VectorFile {
  source: string;
  key: { seed: string; key: string; pem: string };
  signatures: { message: string; signature: string; command: string }[];
}

export function loadRsa(bits: 1024 | 2048 | 4096): {
  file: RsaVectorFile;
  key: Extract<PrivateKey, { type: 'rsa' }>;
} {
  const file = readVector<RsaVectorFile>(`rsa-${bits}.json`);
  const k = file.key;
  return {
    file,
    key: {
      type: 'rsa',
      n: big(k.n),
      e: big(k.e),
      d: big(k.d),
      p: big(k.p),
      q: big(k.q),
      dp: big(k.dp),
      dq: big(k.dq),
      qi: big(k.qi),
      bits: k.bits,
    },
  };
}

export function loadEcdsa(name: 'p256' | 'p384'): {
  file: EcdsaVectorFile;
  key: Extract<PrivateKey, { type: 'ec' }>;
} {
  const file = readVector<EcdsaVectorFile>(`ecdsa-${name}.json`);
  return {
    file,
    key: { type: 'ec', curve: file.key.curve, d: fromHex(file.key.d), point: fromHex(file.key.point) },
  };
}

export function loadEd25519(): { file: Ed25519VectorFile; key: Extract<PrivateKey, { type: 'ed25519' }> } {
  const file = readVector<Ed25519VectorFile>('ed25519-openssl.json');
  return { file, key: { type: 'ed25519', seed: fromHex(file.key.seed), key: fromHex(file.key.key) } };
}

/** A reproducible byte source for tests: SHA-256 in counter mode over a label. */
export function deterministicRandom(label: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let offset = 0; offset < n; offset += 32) {
      const block = createHash('sha256').update(`${label}/${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - offset)), offset);
    }
    return out;
  };
}
