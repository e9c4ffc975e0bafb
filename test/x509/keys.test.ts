// Private-key parsing against keys made by the openssl CLI (OpenSSL 3): components are compared with
// node:crypto's JWK export of the same file, re-encodings with openssl's own PKCS#8 bytes.

import { execFileSync } from 'node:child_process';
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrivateKey } from '../../src/ciphers/keys.js';
import { TlsError } from '../../src/errors.js';
import { encodePrivateKeyPkcs8 } from '../../src/x509/key-encoding.js';
import { parsePem } from '../../src/x509/pem.js';
import { parsePrivateKey } from '../../src/x509/private-key.js';

let dir: string;
const openssl = (...args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const file = (name: string) => readFileSync(join(dir, name), 'utf8');
const fileBytes = (name: string) => new Uint8Array(readFileSync(join(dir, name)));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtls-keys-'));
  openssl('genrsa', '-out', 'rsa.pem', '2048'); // PKCS#8 in OpenSSL 3
  openssl('rsa', '-in', 'rsa.pem', '-traditional', '-out', 'rsa-pkcs1.pem');
  openssl('rsa', '-in', 'rsa.pem', '-traditional', '-outform', 'DER', '-out', 'rsa-pkcs1.der');
  openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'rsa.pem', '-outform', 'DER', '-out', 'rsa.der');
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'ec-sec1.pem'); // EC PARAMETERS + EC PRIVATE KEY
  openssl('ec', '-in', 'ec-sec1.pem', '-no_public', '-out', 'ec-nopub.pem');
  openssl('ec', '-in', 'ec-sec1.pem', '-outform', 'DER', '-out', 'ec-sec1.der');
  openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'ec-sec1.pem', '-out', 'ec-pkcs8.pem');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'p384.pem');
  openssl('genpkey', '-algorithm', 'ed25519', '-out', 'ed25519.pem');
  openssl('genrsa', '-aes256', '-passout', 'pass:x', '-out', 'rsa-enc.pem', '2048');
  openssl(
    'pkcs8',
    '-topk8',
    '-v2',
    'aes-128-cbc',
    '-v2prf',
    'hmacWithSHA1',
    '-in',
    'ec-sec1.pem',
    '-passout',
    'pass:hunter2',
    '-out',
    'ec-enc.pem',
  );
  openssl(
    'pkcs8',
    '-topk8',
    '-v2',
    'aes-256-cbc',
    '-in',
    'ed25519.pem',
    '-passout',
    'pass:pässwörd',
    '-outform',
    'DER',
    '-out',
    'ed-enc.der',
  );
  openssl('ec', '-in', 'ec-sec1.pem', '-aes128', '-passout', 'pass:x', '-out', 'ec-legacy.pem');
  openssl(
    'pkcs8',
    '-topk8',
    '-v1',
    'PBE-SHA1-3DES',
    '-in',
    'ec-sec1.pem',
    '-passout',
    'pass:x',
    '-out',
    'ec-pbes1.pem',
  );
  openssl(
    'pkcs8',
    '-topk8',
    '-v2',
    'des3',
    '-in',
    'ec-sec1.pem',
    '-passout',
    'pass:x',
    '-out',
    'ec-des3.pem',
  );
  openssl('pkcs8', '-topk8', '-scrypt', '-in', 'ec-sec1.pem', '-passout', 'pass:x', '-out', 'ec-scrypt.pem');
  openssl('genrsa', '-out', 'rsa1024.pem', '1024');
  openssl('ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-out', 'k1.pem');
  openssl(
    'ecparam',
    '-name',
    'prime256v1',
    '-genkey',
    '-noout',
    '-param_enc',
    'explicit',
    '-out',
    'explicit.pem',
  );
  openssl('pkey', '-in', 'ec-sec1.pem', '-pubout', '-out', 'ec-pub.pem');
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const bigB64url = (n: bigint) =>
  b64url(Buffer.from(n.toString(16).padStart(Math.ceil(n.toString(16).length / 2) * 2, '0'), 'hex'));

/** Our key in node's JWK shape, so one toEqual compares every component. */
function jwkOf(key: PrivateKey): JsonWebKey {
  switch (key.type) {
    case 'rsa':
      return {
        kty: 'RSA',
        ...Object.fromEntries(
          (['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const).map((k) => [k, bigB64url(key[k])]),
        ),
      };
    case 'ec': {
      const size = (key.point.length - 1) / 2;
      return {
        kty: 'EC',
        crv: key.curve,
        x: b64url(key.point.subarray(1, 1 + size)),
        y: b64url(key.point.subarray(1 + size)),
        d: b64url(key.d),
      };
    }
    case 'ed25519':
      return { kty: 'OKP', crv: 'Ed25519', x: b64url(key.key), d: b64url(key.seed) };
  }
}

const nodeJwk = (name: string, passphrase?: string) => {
  const key = readFileSync(join(dir, name));
  const isDer = name.endsWith('.der');
  return createPrivateKey(
    isDer
      ? {
          key,
          format: 'der',
          type: name.includes('pkcs1') ? 'pkcs1' : name.includes('sec1') ? 'sec1' : 'pkcs8',
          passphrase,
        }
      : { key, passphrase },
  ).export({ format: 'jwk' });
};

function expectLocalError(f: () => unknown, code: string, message: RegExp): void {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).kind).toBe('local');
    expect((error as TlsError).code).toBe(code);
    expect((error as TlsError).message).toMatch(message);
    return;
  }
  expect.fail(`expected a ${code} error`);
}

describe('parsePrivateKey: plain keys', () => {
  it('reads the PKCS#8 RSA key `openssl genrsa` writes, and re-encodes it to the same bytes', () => {
    const key = parsePrivateKey(file('rsa.pem'));
    expect(key.type).toBe('rsa');
    expect(key.type === 'rsa' && key.bits).toBe(2048);
    expect(jwkOf(key)).toEqual(nodeJwk('rsa.pem'));
    expect(encodePrivateKeyPkcs8(key)).toEqual(parsePem(file('rsa.pem'))[0]!.der);
  });

  it('reads PKCS#1 (RSA PRIVATE KEY) PEM and DER to the same components', () => {
    const expected = nodeJwk('rsa.pem');
    expect(jwkOf(parsePrivateKey(file('rsa-pkcs1.pem')))).toEqual(expected);
    expect(jwkOf(parsePrivateKey(fileBytes('rsa-pkcs1.der')))).toEqual(expected);
    expect(jwkOf(parsePrivateKey(fileBytes('rsa.der')))).toEqual(expected);
  });

  it('reads SEC 1 from `openssl ecparam -genkey` (EC PARAMETERS block first), PEM and DER', () => {
    const key = parsePrivateKey(file('ec-sec1.pem'));
    expect(key.type === 'ec' && key.curve).toBe('P-256');
    expect(jwkOf(key)).toEqual(nodeJwk('ec-sec1.pem'));
    expect(jwkOf(parsePrivateKey(fileBytes('ec-sec1.der')))).toEqual(nodeJwk('ec-sec1.pem'));
    // The PKCS#8 encoding matches `openssl pkcs8 -topk8 -nocrypt` byte for byte.
    expect(encodePrivateKeyPkcs8(key)).toEqual(parsePem(file('ec-pkcs8.pem'))[0]!.der);
  });

  it('computes the public point when SEC 1 omits it (`openssl ec -no_public`)', () => {
    expect(jwkOf(parsePrivateKey(file('ec-nopub.pem')))).toEqual(nodeJwk('ec-sec1.pem'));
  });

  it('reads P-384 and Ed25519 PKCS#8 keys and re-encodes them to openssl bytes', () => {
    for (const name of ['p384.pem', 'ed25519.pem']) {
      const key = parsePrivateKey(file(name));
      expect(jwkOf(key)).toEqual(nodeJwk(name));
      expect(encodePrivateKeyPkcs8(key)).toEqual(parsePem(file(name))[0]!.der);
    }
  });

  it('takes PEM handed over as bytes (readFileSync without an encoding)', () => {
    expect(jwkOf(parsePrivateKey(fileBytes('ec-pkcs8.pem')))).toEqual(nodeJwk('ec-sec1.pem'));
  });
});

describe('parsePrivateKey: encrypted PKCS#8', () => {
  it('decrypts `openssl genrsa -aes256` (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)', () => {
    expect(jwkOf(parsePrivateKey(file('rsa-enc.pem'), 'x'))).toEqual(nodeJwk('rsa-enc.pem', 'x'));
  });

  it('decrypts `openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1`', () => {
    expect(jwkOf(parsePrivateKey(file('ec-enc.pem'), 'hunter2'))).toEqual(nodeJwk('ec-sec1.pem'));
  });

  it('decrypts DER with a UTF-8 passphrase', () => {
    expect(jwkOf(parsePrivateKey(fileBytes('ed-enc.der'), 'pässwörd'))).toEqual(nodeJwk('ed25519.pem'));
  });

  it('refuses a wrong passphrase with bad_passphrase', () => {
    for (const wrong of ['y', '', 'hunter3']) {
      expectLocalError(
        () => parsePrivateKey(file('ec-enc.pem'), wrong),
        'bad_passphrase',
        /wrong passphrase for the private key, or the key is corrupt/,
      );
    }
    expectLocalError(() => parsePrivateKey(file('rsa-enc.pem'), 'X'), 'bad_passphrase', /wrong passphrase/);
  });

  it('asks for the passphrase when none is given', () => {
    expectLocalError(
      () => parsePrivateKey(file('rsa-enc.pem')),
      'bad_config',
      /encrypted; pass its passphrase/,
    );
  });

  it('refuses PBES1, scrypt and non-AES ciphers with advice to re-encrypt', () => {
    expectLocalError(
      () => parsePrivateKey(file('ec-pbes1.pem'), 'x'),
      'unsupported_key',
      /legacy scheme.*openssl pkcs8 -topk8 -v2 aes-256-cbc/,
    );
    expectLocalError(() => parsePrivateKey(file('ec-scrypt.pem'), 'x'), 'unsupported_key', /scrypt/);
    expectLocalError(
      () => parsePrivateKey(file('ec-des3.pem'), 'x'),
      'unsupported_key',
      /unsupported cipher/,
    );
  });

  it('refuses legacy PEM encryption (Proc-Type) and says how to convert', () => {
    expect(file('ec-legacy.pem')).toContain('Proc-Type: 4,ENCRYPTED');
    expectLocalError(
      () => parsePrivateKey(file('ec-legacy.pem'), 'x'),
      'unsupported_key',
      /openssl pkcs8 -topk8/,
    );
  });
});

describe('parsePrivateKey: refusals', () => {
  it('refuses RSA keys under 2048 or over 8192 bits', () => {
    expectLocalError(
      () => parsePrivateKey(file('rsa1024.pem')),
      'unsupported_key',
      /RSA-1024 .*2048 to 8192/,
    );
    const rsa = parsePrivateKey(file('rsa.pem'));
    if (rsa.type !== 'rsa') throw new Error('unreachable');
    const huge = { ...rsa, n: (1n << 8199n) + 1n, bits: 8200 };
    expectLocalError(() => parsePrivateKey(encodePrivateKeyPkcs8(huge)), 'unsupported_key', /RSA-8200/);
  });

  it('refuses unknown curves and explicit curve parameters', () => {
    expectLocalError(
      () => parsePrivateKey(file('k1.pem')),
      'unsupported_key',
      /secp256k1; use P-256 or P-384/,
    );
    expectLocalError(() => parsePrivateKey(file('explicit.pem')), 'unsupported_key', /named curve/);
  });

  it('refuses RSA keys whose components disagree', () => {
    const rsa = parsePrivateKey(file('rsa.pem'));
    if (rsa.type !== 'rsa') throw new Error('unreachable');
    expectLocalError(
      () => parsePrivateKey(encodePrivateKeyPkcs8({ ...rsa, dp: rsa.dp + 2n })),
      'bad_config',
      /corrupt/,
    );
  });

  it('explains inputs that hold no private key', () => {
    expectLocalError(
      () => parsePrivateKey(file('ec-pub.pem')),
      'bad_config',
      /public key; a private key is needed/,
    );
    expectLocalError(() => parsePrivateKey(''), 'bad_config', /empty/);
    expectLocalError(() => parsePrivateKey('hello'), 'bad_config', /no PEM block/);
    expectLocalError(
      () => parsePrivateKey(file('rsa.pem') + file('ec-pkcs8.pem')),
      'bad_config',
      /found 2 private keys/,
    );
  });

  it('throws only local TlsErrors for random bytes and every truncation of a valid key', () => {
    const valid = [fileBytes('rsa.der'), fileBytes('ec-sec1.der'), parsePem(file('ed25519.pem'))[0]!.der];
    for (const der of valid) {
      for (let cut = 0; cut < der.length; cut += Math.max(1, Math.floor(der.length / 64))) {
        expect(() => parsePrivateKey(der.subarray(0, cut))).toThrow(TlsError);
      }
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 2 }), (bytes, which) => {
        // Random bytes, and a valid key with random bytes spliced in.
        const base = valid[which]!.slice();
        base.set(bytes.subarray(0, Math.min(bytes.length, base.length - 1)), 1);
        for (const input of [bytes, base]) {
          try {
            parsePrivateKey(input);
          } catch (error) {
            if (!(error instanceof TlsError) || error.kind !== 'local') throw error;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
