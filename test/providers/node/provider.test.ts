import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GroupName } from '../../../src/ciphers/groups.js';
import { type PrivateKey, type PublicKey, publicKeyOf } from '../../../src/ciphers/keys.js';
import { nobleProvider } from '../../../src/ciphers/noble-provider.js';
import type { CryptoProvider } from '../../../src/ciphers/provider.js';
import type { SignatureAlgorithm } from '../../../src/ciphers/schemes.js';
import type { HashName } from '../../../src/ciphers/suites.js';
import { concatBytes, fromHex, toHex, utf8 } from '../../../src/codec.js';
import { TlsClient, TlsServer } from '../../../src/endpoints.js';
import { TlsError } from '../../../src/errors.js';
import { nodeCryptoProvider } from '../../../src/providers/node/provider.js';
import { deterministicRandom, loadEcdsa, loadEd25519, loadRsa } from '../../ciphers/signature-vectors.js';
import { dataOf, errorOf, runPair } from '../../helpers/pair.js';
import { type KeyKind, type TestPki, testPki } from '../../helpers/pki.js';
import { AEAD_VECTORS } from '../../vectors/aead.js';
import { ECDH_VECTORS, X25519_LOW_ORDER_POINTS } from '../../vectors/ecdh.js';

const node = nodeCryptoProvider;
const HASHES: HashName[] = ['sha256', 'sha384', 'sha512'];
const GROUP_NAMES: GroupName[] = ['x25519', 'secp256r1', 'secp384r1'];

/** A `random` that makes the provider pick exactly `privateKey` (x25519 scalar or NIST scalar d). */
function randomForPrivateKey(group: GroupName, privateKey: string): (n: number) => Uint8Array {
  return (n) => {
    if (group === 'x25519') return fromHex(privateKey);
    // The provider reduces an n-byte seed s to (s mod (order - 1)) + 1; s = d - 1 < order - 1 gives d.
    const seed = (BigInt(`0x${privateKey}`) - 1n).toString(16).padStart(2 * n, '0');
    return fromHex(seed);
  };
}

function thrown(f: () => unknown): TlsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TlsError);
    return e as TlsError;
  }
  throw new Error('expected a TlsError');
}

describe('nodeCryptoProvider AEADs', () => {
  it('pass the known answers (seal and open) and refuse a flipped tag', () => {
    for (const v of AEAD_VECTORS) {
      const aead = node.aead(v.algorithm, fromHex(v.key));
      const sealed = aead.seal(fromHex(v.nonce), fromHex(v.aad), fromHex(v.plaintext));
      expect(toHex(sealed), v.name).toBe(v.ciphertext + v.tag);
      expect(sealed).not.toBeInstanceOf(Buffer);
      const opened = aead.open(fromHex(v.nonce), fromHex(v.aad), sealed);
      expect(toHex(opened!), v.name).toBe(v.plaintext);
      const bad = sealed.slice();
      bad[bad.length - 1]! ^= 1;
      expect(aead.open(fromHex(v.nonce), fromHex(v.aad), bad)).toBeUndefined();
      expect(aead.open(fromHex(v.nonce), fromHex(v.aad), sealed.subarray(0, 15))).toBeUndefined();
    }
  });

  it('agree with the noble provider on random inputs (one key, many records)', () => {
    for (const algorithm of ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305'] as const) {
      const key = new Uint8Array(algorithm === 'AES-128-GCM' ? 16 : 32).map((_, i) => i * 7);
      const ours = node.aead(algorithm, key);
      const theirs = nobleProvider.aead(algorithm, key);
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 12, maxLength: 12 }),
          fc.uint8Array({ maxLength: 13 }),
          fc.uint8Array({ maxLength: 300 }),
          (nonce, aad, plaintext) => {
            const sealed = ours.seal(nonce, aad, plaintext);
            expect(toHex(sealed)).toBe(toHex(theirs.seal(nonce, aad, plaintext)));
            expect(toHex(theirs.open(nonce, aad, sealed)!)).toBe(toHex(plaintext));
          },
        ),
        { numRuns: 30 },
      );
    }
  });

  it('refuse wrong key sizes and use after dispose with local errors', () => {
    expect(thrown(() => node.aead('AES-128-GCM', new Uint8Array(32))).kind).toBe('local');
    const aead = node.aead('AES-256-GCM', new Uint8Array(32));
    const sealed = aead.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(5));
    aead.dispose();
    expect(thrown(() => aead.open(new Uint8Array(12), new Uint8Array(0), sealed)).code).toBe('aead_disposed');
    expect(thrown(() => aead.seal(new Uint8Array(12), new Uint8Array(0), sealed)).code).toBe('aead_disposed');
  });
});

describe('nodeCryptoProvider hashes', () => {
  it('hash and HMAC like the noble provider', () => {
    const data = utf8.encode('memtls hashes');
    const key = fromHex('0b0b0b0b');
    for (const alg of HASHES) {
      expect(toHex(node.hash(alg, data))).toBe(toHex(nobleProvider.hash(alg, data)));
      expect(toHex(node.hmac(alg, key, data))).toBe(toHex(nobleProvider.hmac(alg, key, data)));
    }
  });
});

describe('nodeCryptoProvider key shares', () => {
  for (const v of ECDH_VECTORS) {
    it(`${v.group}: ${v.name} known answer (private key from random)`, () => {
      const ours = node.generateKeyShare(v.group, randomForPrivateKey(v.group, v.privateKey));
      const theirs = node.generateKeyShare(v.group, randomForPrivateKey(v.group, v.peerPrivateKey));
      expect(toHex(ours.publicKey)).toBe(v.publicKey);
      expect(toHex(theirs.publicKey)).toBe(v.peerPublicKey);
      expect(toHex(ours.deriveSharedSecret(fromHex(v.peerPublicKey)))).toBe(v.sharedSecret);
      expect(toHex(theirs.deriveSharedSecret(fromHex(v.publicKey)))).toBe(v.sharedSecret);
    });
  }

  for (const group of GROUP_NAMES) {
    it(`${group}: same random → same key as the noble provider; shares agree across providers`, () => {
      const a = node.generateKeyShare(group, deterministicRandom(`share ${group}`));
      const b = nobleProvider.generateKeyShare(group, deterministicRandom(`share ${group}`));
      expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
      const peer = nobleProvider.generateKeyShare(group, deterministicRandom(`peer ${group}`));
      expect(toHex(a.deriveSharedSecret(peer.publicKey))).toBe(toHex(peer.deriveSharedSecret(a.publicKey)));
      a.dispose();
      expect(thrown(() => a.deriveSharedSecret(peer.publicKey)).code).toBe('key_share_disposed');
    });
  }

  it('NIST scalars from random bytes land in [1, n-1], as in the noble provider', () => {
    for (const group of ['secp256r1', 'secp384r1'] as const) {
      const extremes = [0x00, 0xff];
      for (const fill of extremes) {
        const random = (n: number) => new Uint8Array(n).fill(fill);
        const a = node.generateKeyShare(group, random);
        const b = nobleProvider.generateKeyShare(group, random);
        expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
      }
    }
  });

  /** Every bad share must be refused exactly as the noble provider refuses it: same kind, alert, code, message. */
  it('refuses bad peer shares with the same TlsError as the noble provider', () => {
    const cases: [GroupName, Uint8Array][] = [];
    for (const v of ECDH_VECTORS.slice(1)) {
      const valid = fromHex(v.peerPublicKey);
      const coordinate = (valid.length - 1) / 2;
      const offCurve = valid.slice();
      offCurve[offCurve.length - 1]! ^= 1;
      for (const bytes of [
        new Uint8Array(0),
        fromHex('00'),
        concatBytes(fromHex('00'), valid.subarray(1)),
        concatBytes(fromHex('02'), valid.subarray(1, 1 + coordinate)),
        concatBytes(fromHex('03'), valid.subarray(1, 1 + coordinate)),
        concatBytes(fromHex('02'), valid.subarray(1)),
        concatBytes(fromHex('06'), valid.subarray(1)),
        valid.subarray(0, valid.length - 1),
        concatBytes(valid, fromHex('00')),
        offCurve,
        concatBytes(fromHex('04'), new Uint8Array(2 * coordinate)),
        concatBytes(fromHex('04'), new Uint8Array(2 * coordinate).fill(0xff)),
      ]) {
        cases.push([v.group, bytes]);
      }
    }
    for (const length of [0, 31, 33, 65]) cases.push(['x25519', new Uint8Array(length).fill(9)]);
    for (const u of X25519_LOW_ORDER_POINTS) cases.push(['x25519', fromHex(u)]);
    for (const [group, bytes] of cases) {
      const random = deterministicRandom(`bad ${group}`);
      const ours = thrown(() => node.generateKeyShare(group, random).deriveSharedSecret(bytes));
      const theirs = thrown(() => nobleProvider.generateKeyShare(group, random).deriveSharedSecret(bytes));
      const summary = (e: TlsError) => ({
        kind: e.kind,
        alertSent: e.alertSent,
        code: e.code,
        message: e.message,
      });
      expect(summary(ours), `${group} ${toHex(bytes)}`).toEqual(summary(theirs));
      expect(ours.code).toBe('bad_ecdhe_share');
    }
  });
});

const rsa1024 = loadRsa(1024);
const rsa2048 = loadRsa(2048);
const rsa4096 = loadRsa(4096);
const ecP256 = loadEcdsa('p256');
const ecP384 = loadEcdsa('p384');
const ed = loadEd25519();
const random = deterministicRandom('node-crypto.test');
const SALT: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

describe('nodeCryptoProvider signatures', () => {
  it('verifies every OpenSSL vector (RSA PKCS#1 and PSS, ECDSA P-256/P-384, Ed25519)', () => {
    for (const { file, key } of [rsa1024, rsa2048, rsa4096]) {
      for (const v of file.signatures) {
        const algorithm: SignatureAlgorithm =
          v.padding === 'pkcs1'
            ? { kind: 'rsa-pkcs1', hash: v.hash }
            : { kind: 'rsa-pss', hash: v.hash, saltLength: v.saltLength ?? SALT[v.hash] };
        const msg = fromHex(v.message);
        const sig = fromHex(v.signature);
        expect(node.verify(algorithm, publicKeyOf(key), msg, sig), v.command).toBe(true);
        if (algorithm.kind === 'rsa-pss') {
          const other = { ...algorithm, saltLength: algorithm.saltLength + 1 };
          expect(node.verify(other, publicKeyOf(key), msg, sig), `salt ${v.command}`).toBe(false);
        }
      }
    }
    for (const { file, key } of [ecP256, ecP384]) {
      for (const v of file.signatures) {
        expect(
          node.verify(
            { kind: 'ecdsa', hash: v.hash },
            publicKeyOf(key),
            fromHex(v.message),
            fromHex(v.signature),
          ),
        ).toBe(true);
      }
    }
    for (const v of ed.file.signatures) {
      expect(
        node.verify({ kind: 'ed25519' }, publicKeyOf(ed.key), fromHex(v.message), fromHex(v.signature)),
      ).toBe(true);
    }
  });

  it('makes PKCS#1 v1.5 and Ed25519 signatures equal to OpenSSL byte for byte', () => {
    for (const v of rsa2048.file.signatures.filter((s) => s.padding === 'pkcs1')) {
      const sig = node.sign({ kind: 'rsa-pkcs1', hash: v.hash }, rsa2048.key, fromHex(v.message), random);
      expect(toHex(sig)).toBe(v.signature);
    }
    for (const v of ed.file.signatures) {
      expect(toHex(node.sign({ kind: 'ed25519' }, ed.key, fromHex(v.message), random))).toBe(v.signature);
    }
  });

  it('signs with every algorithm so that the noble provider verifies, and the reverse', () => {
    const table: [SignatureAlgorithm, PrivateKey][] = [
      ...HASHES.flatMap((hash): [SignatureAlgorithm, PrivateKey][] => [
        [{ kind: 'ecdsa', hash }, ecP256.key],
        [{ kind: 'ecdsa', hash }, ecP384.key],
        [{ kind: 'rsa-pkcs1', hash }, rsa2048.key],
        [{ kind: 'rsa-pss', hash, saltLength: SALT[hash] }, rsa2048.key],
      ]),
      [{ kind: 'rsa-pss', hash: 'sha256', saltLength: 20 }, rsa2048.key],
      [{ kind: 'ed25519' }, ed.key],
    ];
    for (const [algorithm, key] of table) {
      const message = utf8.encode(`memtls ${JSON.stringify(algorithm)}`);
      const ours = node.sign(algorithm, key, message, random);
      expect(
        nobleProvider.verify(algorithm, publicKeyOf(key), message, ours),
        JSON.stringify(algorithm),
      ).toBe(true);
      const theirs = nobleProvider.sign(algorithm, key, message, random);
      expect(node.verify(algorithm, publicKeyOf(key), message, theirs), JSON.stringify(algorithm)).toBe(true);
      expect(node.verify(algorithm, publicKeyOf(key), utf8.encode('other'), theirs)).toBe(false);
    }
  });

  it('key of the wrong type: sign throws key_mismatch, verify is false; RSA under 2048 bits is not used to sign', () => {
    const message = utf8.encode('mismatch');
    const ecSig = node.sign({ kind: 'ecdsa', hash: 'sha256' }, ecP256.key, message, random);
    expect(
      thrown(() => node.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, ecP256.key, message, random)).code,
    ).toBe('key_mismatch');
    expect(thrown(() => node.sign({ kind: 'ed25519' }, rsa2048.key, message, random)).code).toBe(
      'key_mismatch',
    );
    expect(node.verify({ kind: 'ed25519' }, publicKeyOf(ecP256.key), message, ecSig)).toBe(false);
    expect(
      node.verify(
        { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 },
        publicKeyOf(ecP256.key),
        message,
        ecSig,
      ),
    ).toBe(false);
    const weak = thrown(() => node.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, rsa1024.key, message, random));
    expect({ kind: weak.kind, code: weak.code }).toEqual({ kind: 'local', code: 'weak_key' });
  });

  it('ECDSA: refuses non-canonical DER and trailing bytes', () => {
    const v = ecP256.file.signatures[1]!;
    const msg = fromHex(v.message);
    const sig = fromHex(v.signature);
    const pub = publicKeyOf(ecP256.key);
    const algorithm: SignatureAlgorithm = { kind: 'ecdsa', hash: v.hash };
    expect(node.verify(algorithm, pub, msg, sig)).toBe(true);
    expect(node.verify(algorithm, pub, msg, concatBytes(sig, Uint8Array.of(0)))).toBe(false);
    const longForm = concatBytes(Uint8Array.of(0x30, 0x81, sig[1]!), sig.subarray(2));
    expect(node.verify(algorithm, pub, msg, longForm)).toBe(false);
  });

  it('equal public keys in different objects verify alike; the negated point (same x) does not', () => {
    // The provider caches imported keys by content; a key that differs only in y must not hit it.
    const v = ecP256.file.signatures[0]!;
    const algorithm: SignatureAlgorithm = { kind: 'ecdsa', hash: v.hash };
    const msg = fromHex(v.message);
    const sig = fromHex(v.signature);
    const pub = publicKeyOf(ecP256.key);
    if (pub.type !== 'ec') throw new Error('expected an EC key');
    const copy = (point: Uint8Array): PublicKey => ({ type: 'ec', curve: 'P-256', point });
    const p = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
    const y = BigInt(`0x${toHex(pub.point.subarray(33))}`);
    const negated = concatBytes(pub.point.subarray(0, 33), fromHex((p - y).toString(16).padStart(64, '0')));
    for (let round = 0; round < 2; round++) {
      expect(node.verify(algorithm, copy(new Uint8Array(pub.point)), msg, sig)).toBe(true);
      expect(node.verify(algorithm, copy(negated), msg, sig)).toBe(false);
    }
    expect(nobleProvider.verify(algorithm, copy(negated), msg, sig)).toBe(false);
  });

  it('random signatures and malformed keys are refused, never thrown', () => {
    const pairs: [SignatureAlgorithm, PublicKey][] = [
      [{ kind: 'rsa-pkcs1', hash: 'sha256' }, publicKeyOf(rsa2048.key)],
      [{ kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, publicKeyOf(rsa2048.key)],
      [{ kind: 'ecdsa', hash: 'sha256' }, publicKeyOf(ecP256.key)],
      [{ kind: 'ecdsa', hash: 'sha384' }, publicKeyOf(ecP384.key)],
      [{ kind: 'ed25519' }, publicKeyOf(ed.key)],
      [
        { kind: 'ecdsa', hash: 'sha256' },
        { type: 'ec', curve: 'P-256', point: new Uint8Array(65).fill(4) },
      ],
      [{ kind: 'ed25519' }, { type: 'ed25519', key: new Uint8Array(31) }],
      [
        { kind: 'rsa-pkcs1', hash: 'sha256' },
        { type: 'rsa', n: rsa2048.key.n + 1n, e: 65537n, bits: 2048 },
      ],
      [
        { kind: 'rsa-pkcs1', hash: 'sha256' },
        { type: 'rsa', n: rsa2048.key.n, e: 1n, bits: 2048 },
      ],
    ];
    fc.assert(
      fc.property(
        fc.nat(pairs.length - 1),
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 256, maxLength: 256 })),
        fc.uint8Array({ maxLength: 40 }),
        (which, signature, message) => {
          const [algorithm, key] = pairs[which]!;
          expect(node.verify(algorithm, key, message, signature)).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('in-memory handshakes with nodeCryptoProvider on one or both sides', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = testPki();
  }, 120_000);

  const providers: [string, CryptoProvider, CryptoProvider][] = [
    ['node ↔ node', node, node],
    ['node client ↔ noble server', node, nobleProvider],
    ['noble client ↔ node server', nobleProvider, node],
  ];
  const cases: [KeyKind, KeyKind, string, string][] = [
    ['p256', 'rsa2048', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'x25519'],
    ['rsa2048', 'p256', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'secp384r1'],
    ['p384', 'ed25519', 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'secp256r1'],
    ['ed25519', 'p384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'x25519'],
  ];
  for (const [label, clientCrypto, serverCrypto] of providers) {
    it.each(cases)(`${label}: %s server, %s client, %s over %s`, (serverKind, clientKind, suite, group) => {
      const s = pki.leaf(serverKind, 'server');
      const c = pki.leaf(clientKind, 'client');
      const order = [group, ...['x25519', 'secp256r1', 'secp384r1'].filter((g) => g !== group)];
      const client = new TlsClient({
        ca: pki.ca,
        serverName: 'server.test',
        cert: c.cert,
        key: c.key,
        cipherSuites: [suite],
        // Listed first rather than alone: supported_groups also names the certificate curves (RFC 8422).
        groups: order,
        crypto: clientCrypto,
      });
      const server = new TlsServer({
        ca: pki.ca,
        cert: s.cert,
        key: s.key,
        crypto: serverCrypto,
        groups: order,
      });
      client.write(utf8.encode('ohai'));
      const log = runPair(client, server);
      expect(errorOf(log.client)).toBeUndefined();
      expect(errorOf(log.server)).toBeUndefined();
      expect(utf8.decode(dataOf(log.server))).toBe('ohai');
      expect(client.info?.cipherSuite).toBe(suite);
      expect(client.info?.group).toBe(group);
      expect(server.info?.peerIdentity?.commonName).toBe('client.test');
      expect(toHex(client.exportKeyingMaterial('EXPORTER-t', 16))).toBe(
        toHex(server.exportKeyingMaterial('EXPORTER-t', 16)),
      );
    });
  }
});
