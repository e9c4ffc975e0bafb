// Quick AEAD measurement (not a test): memtls's keyed-once AES-GCM and ChaCha20-Poly1305 against
// noble's one-shot gcm(key, nonce).encrypt / chacha20poly1305(key, nonce).encrypt and node:crypto,
// at 64 B, 1 KiB and 16 KiB. Each figure is the median of 3 runs, each run in a fresh process so
// one variant's JIT feedback (noble's GHASH class is shared) cannot slow another. Run with
//   npx esbuild bench/aead-quick.ts --bundle --platform=node --format=esm --outfile=/tmp/aead-quick.mjs \
//     && node /tmp/aead-quick.mjs

import { execFileSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { type AeadAlgorithm, nobleProvider } from '../src/index.js';

const SIZES = [64, 1024, 16384];
const RUNS = 3;
const VARIANTS = ['nobleSeal', 'memtlsSeal', 'nobleOpen', 'memtlsOpen', 'nodeSeal'] as const;
type Variant = (typeof VARIANTS)[number];

/** Operations per second of `f`, measured for `ms` milliseconds after a short warm-up. */
function opsPerSecond(f: () => void, ms = 400): number {
  const warmUpEnd = performance.now() + 150;
  while (performance.now() < warmUpEnd) f();
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 20; i++) f();
    count += 20;
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}

/** One measurement, run in a child process. */
function measure(variant: Variant, algorithm: AeadAlgorithm, size: number): number {
  const key = new Uint8Array(algorithm === 'AES-128-GCM' ? 16 : 32).fill(3);
  const aad = new Uint8Array(13).fill(1); // a TLS 1.2 record's additional data is 13 bytes
  const nonce = new Uint8Array(12).fill(2);
  const plaintext = new Uint8Array(size).fill(4);
  const chacha = algorithm === 'CHACHA20-POLY1305';
  const oneShot = (k: Uint8Array, n: Uint8Array, a: Uint8Array) =>
    chacha ? chacha20poly1305(k, n, a) : gcm(k, n, a);
  const sealed = oneShot(key, nonce, aad).encrypt(plaintext);
  const aead = variant.startsWith('memtls') ? nobleProvider.aead(algorithm, key) : undefined;
  const run: Record<Variant, () => void> = {
    nobleSeal: () => oneShot(key, nonce, aad).encrypt(plaintext),
    nobleOpen: () => oneShot(key, nonce, aad).decrypt(sealed),
    memtlsSeal: () => aead!.seal(nonce, aad, plaintext),
    memtlsOpen: () => {
      if (aead!.open(nonce, aad, sealed) === undefined) throw new Error('open failed');
    },
    nodeSeal: () => {
      const c = createCipheriv(algorithm.toLowerCase() as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
      c.setAAD(aad, { plaintextLength: size });
      c.update(plaintext);
      c.final();
      c.getAuthTag();
    },
  };
  return opsPerSecond(run[variant]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function inChild(variant: Variant, algorithm: AeadAlgorithm, size: number): number {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, [
      process.argv[1]!,
      '--child',
      variant,
      algorithm,
      String(size),
    ]);
    runs.push(Number(out.toString().trim()));
  }
  return median(runs);
}

function main(): void {
  const [flag, variant, algorithm, size] = process.argv.slice(2);
  if (flag === '--child') {
    console.log(measure(variant as Variant, algorithm as AeadAlgorithm, Number(size)).toFixed(0));
    return;
  }
  const format = (ops: number, size: number) =>
    `${ops.toFixed(0).padStart(8)} ops/s ${((ops * size) / 1e6).toFixed(1).padStart(7)} MB/s`;
  console.log(
    'algorithm          size   noble one-shot seal / open        memtls keyed-once seal / open     speed-up seal / open   node:crypto seal',
  );
  for (const alg of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const) {
    for (const size of SIZES) {
      const r = Object.fromEntries(VARIANTS.map((v) => [v, inChild(v, alg, size)])) as Record<
        Variant,
        number
      >;
      console.log(
        `${alg.padEnd(18)} ${String(size).padStart(5)}  ${format(r.nobleSeal, size)} / ${r.nobleOpen.toFixed(0).padStart(7)}` +
          `  ${format(r.memtlsSeal, size)} / ${r.memtlsOpen.toFixed(0).padStart(7)}` +
          `  ${(r.memtlsSeal / r.nobleSeal).toFixed(2).padStart(6)}× / ${(r.memtlsOpen / r.nobleOpen).toFixed(2).padStart(5)}×` +
          `  ${format(r.nodeSeal, size)}`,
      );
    }
  }
}

main();
