// Quick AEAD measurement: our keyed-once AES-GCM and ChaCha20-Poly1305 against noble's one-shot
// gcm(key, nonce).encrypt and node:crypto, at 64 B, 1 KiB and 16 KiB. Not a test; run with
//   npx esbuild bench/aead-quick.ts --bundle --platform=node --format=esm --outfile=/tmp/aead-quick.mjs \
//     && node /tmp/aead-quick.mjs

import { createCipheriv } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { createAead } from '../src/ciphers/aead.js';

const SIZES = [64, 1024, 16384];
const aad = new Uint8Array(13).fill(1);
const nonce = new Uint8Array(12).fill(2);

/** Operations per second of `f`, measured for about `ms` milliseconds after a short warm-up. */
function opsPerSecond(f: () => void, ms = 400): number {
  const warmUpEnd = performance.now() + 100;
  while (performance.now() < warmUpEnd) f();
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) f();
    count += 50;
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}

function row(label: string, ops: number, size: number, reference?: number): void {
  const mbps = (ops * size) / 1e6;
  const ratio = reference === undefined ? '' : `  ${(ops / reference).toFixed(2)}× noble one-shot`;
  console.log(`${label.padEnd(34)} ${ops.toFixed(0).padStart(9)} ops/s ${mbps.toFixed(1).padStart(8)} MB/s${ratio}`);
}

for (const [name, keyLength] of [
  ['AES-128-GCM', 16],
  ['AES-256-GCM', 32],
] as const) {
  const key = new Uint8Array(keyLength).fill(3);
  const aead = createAead(name, key);
  for (const size of SIZES) {
    const plaintext = new Uint8Array(size).fill(4);
    const sealed = aead.seal(nonce, aad, plaintext);
    const oneShot = opsPerSecond(() => gcm(key, nonce, aad).encrypt(plaintext));
    const oneShotOpen = opsPerSecond(() => gcm(key, nonce, aad).decrypt(sealed));
    const keyedSeal = opsPerSecond(() => aead.seal(nonce, aad, plaintext));
    const keyedOpen = opsPerSecond(() => aead.open(nonce, aad, sealed));
    const nodeSeal = opsPerSecond(() => {
      const c = createCipheriv(name.toLowerCase() as 'aes-128-gcm', key, nonce);
      c.setAAD(aad);
      c.update(plaintext);
      c.final();
      c.getAuthTag();
    });
    console.log(`\n${name} ${size} B`);
    row('noble gcm(key, nonce).encrypt', oneShot, size);
    row('noble gcm(key, nonce).decrypt', oneShotOpen, size);
    row('memtls keyed-once seal', keyedSeal, size, oneShot);
    row('memtls keyed-once open', keyedOpen, size, oneShotOpen);
    row('node:crypto (OpenSSL) seal', nodeSeal, size);
  }
}

{
  const key = new Uint8Array(32).fill(5);
  const aead = createAead('CHACHA20-POLY1305', key);
  for (const size of SIZES) {
    const plaintext = new Uint8Array(size).fill(6);
    const oneShot = opsPerSecond(() => chacha20poly1305(key, nonce, aad).encrypt(plaintext));
    const keyedSeal = opsPerSecond(() => aead.seal(nonce, aad, plaintext));
    console.log(`\nCHACHA20-POLY1305 ${size} B`);
    row('noble chacha20poly1305().encrypt', oneShot, size);
    row('memtls seal', keyedSeal, size, oneShot);
  }
}
