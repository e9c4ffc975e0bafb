// Regenerates the OpenSSL signature vectors: test/vectors/{rsa-1024,rsa-2048,rsa-4096,ecdsa-p256,
// ecdsa-p384,ed25519-openssl}.json. Run from the project root: `node test/vectors/make-signature-vectors.mjs`.
// Every key and signature is made by the openssl CLI; each JSON file lists the exact commands.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'memtls-sigvectors-'));
const outDir = new URL('.', import.meta.url).pathname;
const opensslVersion = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();

function openssl(args) {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const hex = (bytes) => Buffer.from(bytes).toString('hex');

/** The messages signed: empty, "abc", and 300 bytes of a fixed pattern. */
const messages = [
  new Uint8Array(0),
  new TextEncoder().encode('abc'),
  Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff),
];
for (const [i, m] of messages.entries()) writeFileSync(join(dir, `msg${i}.bin`), m);

/** Named colon-hex fields from `openssl ... -text -noout` output ("modulus:", "priv:", …). */
function textFields(text) {
  const fields = {};
  let current;
  for (const line of text.split('\n')) {
    const header = /^([A-Za-z0-9]+):\s*(.*)$/.exec(line);
    if (header) {
      current = header[1];
      fields[current] = header[2] ?? '';
    } else if (current !== undefined && /^\s+[0-9a-f:]+$/.test(line)) {
      fields[current] += line.trim();
    }
  }
  const out = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v.replace(/:/g, '');
  return out;
}

/** Strip or add leading zero bytes so the hex is exactly `length` bytes. */
function fixedHex(h, length) {
  return h.replace(/^(00)+/, '').padStart(2 * length, '0');
}

function sign(digestArgs, keyFile, i) {
  const command = ['dgst', ...digestArgs, '-sign', keyFile, '-out', 'sig.bin', `msg${i}.bin`];
  openssl(command);
  return { signature: hex(readFileSync(join(dir, 'sig.bin'))), command: `openssl ${command.join(' ')}` };
}

function rsaVectors(bits) {
  const genpkey = ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', 'rsa.pem'];
  openssl(genpkey);
  const text = openssl(['rsa', '-in', 'rsa.pem', '-text', '-noout']);
  const f = textFields(text);
  const e = /publicExponent: (\d+)/.exec(text)[1];
  const key = {
    bits,
    n: f.modulus.replace(/^(00)+/, ''),
    e: BigInt(e).toString(16),
    d: f.privateExponent.replace(/^(00)+/, ''),
    p: f.prime1.replace(/^(00)+/, ''),
    q: f.prime2.replace(/^(00)+/, ''),
    dp: f.exponent1.replace(/^(00)+/, ''),
    dq: f.exponent2.replace(/^(00)+/, ''),
    qi: f.coefficient.replace(/^(00)+/, ''),
    pem: readFileSync(join(dir, 'rsa.pem'), 'utf8'),
  };
  const signatures = [];
  for (const hash of ['sha256', 'sha384', 'sha512']) {
    messages.forEach((m, i) => {
      signatures.push({ padding: 'pkcs1', hash, message: hex(m), ...sign([`-${hash}`], 'rsa.pem', i) });
      const pss = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'];
      const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[hash];
      // EMSA-PSS needs emLen ≥ hLen + sLen + 2: RSA-1024 cannot carry SHA-512 with a 64-byte salt.
      if (Math.ceil((bits - 1) / 8) < 2 * saltLength + 2) return;
      signatures.push({
        padding: 'pss',
        hash,
        saltLength,
        message: hex(m),
        ...sign([`-${hash}`, ...pss], 'rsa.pem', i),
      });
    });
  }
  // Explicit salt lengths, as X.509 RSASSA-PSS parameters carry them.
  for (const saltLength of [0, 20]) {
    const pss = ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${saltLength}`];
    signatures.push({
      padding: 'pss',
      hash: 'sha256',
      saltLength,
      message: hex(messages[1]),
      ...sign(['-sha256', ...pss], 'rsa.pem', 1),
    });
  }
  writeFileSync(
    join(outDir, `rsa-${bits}.json`),
    `${JSON.stringify(
      {
        source: `${opensslVersion}; key from \`openssl ${genpkey.join(' ')}\`, components from \`openssl rsa -in rsa.pem -text -noout\`; each signature lists its command (msgN.bin holds the message hex)`,
        key,
        signatures,
      },
      null,
      2,
    )}\n`,
  );
}

function ecdsaVectors(curve, scalarBytes) {
  const genpkey = ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', 'ec.pem'];
  openssl(genpkey);
  const f = textFields(openssl(['ec', '-in', 'ec.pem', '-text', '-noout']));
  const key = {
    curve,
    d: fixedHex(f.priv, scalarBytes),
    point: f.pub,
    pem: readFileSync(join(dir, 'ec.pem'), 'utf8'),
  };
  // Keep signing until the set holds a high-S signature (s > n/2), which OpenSSL makes half the time.
  const order = {
    'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    'P-384':
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  }[curve];
  for (;;) {
    const signatures = [];
    for (const hash of ['sha256', 'sha384', 'sha512']) {
      messages.forEach((m, i) => {
        signatures.push({ hash, message: hex(m), ...sign([`-${hash}`], 'ec.pem', i) });
      });
    }
    const highS = signatures.some(({ signature }) => {
      const der = Buffer.from(signature, 'hex');
      const rLength = der[3];
      const sLength = der[5 + rLength];
      return BigInt(`0x${hex(der.subarray(6 + rLength, 6 + rLength + sLength))}`) > order / 2n;
    });
    if (!highS) continue;
    const name = curve === 'P-256' ? 'p256' : 'p384';
    writeFileSync(
      join(outDir, `ecdsa-${name}.json`),
      `${JSON.stringify(
        {
          source: `${opensslVersion}; key from \`openssl ${genpkey.join(' ')}\`, d and point from \`openssl ec -in ec.pem -text -noout\`; signatures are DER from the listed commands`,
          key,
          signatures,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
}

function ed25519Vectors() {
  const genpkey = ['genpkey', '-algorithm', 'ED25519', '-out', 'ed.pem'];
  openssl(genpkey);
  const f = textFields(openssl(['pkey', '-in', 'ed.pem', '-text', '-noout']));
  // OpenSSL 3.0's pkeyutl -rawin cannot sign empty input ("Could not allocate 0 bytes"): skip message 0.
  const signatures = messages.slice(1).map((m, index) => {
    const i = index + 1;
    const command = [
      'pkeyutl',
      '-sign',
      '-rawin',
      '-inkey',
      'ed.pem',
      '-in',
      `msg${i}.bin`,
      '-out',
      'sig.bin',
    ];
    openssl(command);
    return {
      message: hex(m),
      signature: hex(readFileSync(join(dir, 'sig.bin'))),
      command: `openssl ${command.join(' ')}`,
    };
  });
  writeFileSync(
    join(outDir, 'ed25519-openssl.json'),
    `${JSON.stringify(
      {
        source: `${opensslVersion}; key from \`openssl ${genpkey.join(' ')}\`, seed and public key from \`openssl pkey -in ed.pem -text -noout\``,
        key: { seed: f.priv, key: f.pub, pem: readFileSync(join(dir, 'ed.pem'), 'utf8') },
        signatures,
      },
      null,
      2,
    )}\n`,
  );
}

try {
  for (const bits of [1024, 2048, 4096]) rsaVectors(bits);
  ecdsaVectors('P-256', 32);
  ecdsaVectors('P-384', 48);
  ed25519Vectors();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
