// Private keys from PEM or DER: PKCS#8 (RFC 5958), PKCS#1 RSA (RFC 8017 §A.1.2), SEC 1 EC (RFC 5915),
// Ed25519 (RFC 8410 §7) and encrypted PKCS#8 (RFC 5958 §3); plus the key ↔ certificate match check.

import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { type EcCurve, type PrivateKey, redactPrivateKey } from '../ciphers/keys.js';
import { bitLength, RSA_MAX_PUBLIC_EXPONENT } from '../ciphers/rsa.js';
import { keysMatch } from '../ciphers/signatures.js';
import { equalBytes, utf8 } from '../codec.js';
import { localError, TlsError } from '../errors.js';
import {
  type DerNode,
  explicitInner,
  isContext,
  parseDer,
  readByteAlignedBitString,
  readOctetString,
  readOid,
  readSmallInteger,
  readUnsignedBigInt,
  sequence,
  Tag,
} from './asn1.js';
import { OID } from './oids.js';
import { type PemOrDer, parsePem } from './pem.js';
import { decryptPrivateKeyInfo, wrongPassphrase } from './pkcs8-encrypted.js';
import type { Certificate } from './types.js';

export const CURVE_OIDS: Readonly<Record<EcCurve, string>> = {
  'P-256': OID.prime256v1,
  'P-384': OID.secp384r1,
};
const CURVES_BY_OID: Readonly<Record<string, EcCurve>> = {
  [OID.prime256v1]: 'P-256',
  [OID.secp384r1]: 'P-384',
};
const CURVE_NAMES: Readonly<Record<string, string>> = {
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
};

/** The smallest RSA private key parsePrivateKey accepts, in bits. */
export const RSA_MIN_BITS = 2048;
/** The largest RSA private key parsePrivateKey accepts, in bits (bigger ones cost too much to use). */
export const RSA_MAX_BITS = 8192;

const WHAT = 'the private key';

/** The private key DER, read as configuration (failures are local bad_config errors). */
function parseKeyDer(der: Uint8Array): DerNode {
  return parseDer(der, WHAT, 'config');
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (RFC 5280 §4.1.1.2). */
function readAlgorithm(
  node: DerNode | undefined,
  what: string,
): { oid: string; parameters: DerNode | undefined } {
  if (node === undefined) throw localError('bad_config', `${WHAT}: missing ${what}`);
  const [oid, parameters] = sequence(node, what, 1, 2);
  return { oid: readOid(oid!, what), parameters };
}

function isNull(node: DerNode | undefined): boolean {
  return node !== undefined && node.tagClass === 'universal' && node.tag === Tag.NULL;
}

/** The noble curve for an EC key. */
export function ecCurveImpl(curve: EcCurve): typeof p256 {
  return curve === 'P-256' ? p256 : p384;
}

/**
 * Parse a private key: PEM (any of PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, ENCRYPTED PRIVATE KEY;
 * other blocks such as EC PARAMETERS or CERTIFICATE are skipped) or DER of the same structures.
 * Throws a local TlsError: `bad_config`, `bad_passphrase` or `unsupported_key`, each saying what to do.
 */
export function parsePrivateKey(input: PemOrDer, passphrase?: string): PrivateKey {
  return redactPrivateKey(parsePrivateKeyInput(input, passphrase));
}

function parsePrivateKeyInput(input: PemOrDer, passphrase?: string): PrivateKey {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw localError(
      'bad_config',
      `the private key must be PEM text or DER bytes, not ${input === null ? 'null' : typeof input}`,
    );
  }
  if (typeof input !== 'string' && !looksLikePem(input)) return parsePrivateKeyDerInput(input, passphrase);
  const text = typeof input === 'string' ? input : utf8.decode(input);
  const block = privateKeyBlock(text);
  switch (block.label) {
    case 'PRIVATE KEY':
      return parsePrivateKeyInfo(block.der);
    case 'ENCRYPTED PRIVATE KEY':
      return parseEncrypted(block.der, passphrase);
    case 'RSA PRIVATE KEY':
      return parseRsaPrivateKey(block.der);
    default:
      return parseEcPrivateKey(block.der, undefined);
  }
}

/** Parse DER, recognising PKCS#8, encrypted PKCS#8, PKCS#1 and SEC 1 by their shape. */
export function parsePrivateKeyDer(der: Uint8Array, passphrase?: string): PrivateKey {
  return redactPrivateKey(parsePrivateKeyDerInput(der, passphrase));
}

function parsePrivateKeyDerInput(der: Uint8Array, passphrase?: string): PrivateKey {
  const items = sequence(parseKeyDer(der), WHAT, 2);
  const tags = items.slice(0, 2).map((node) => (node.tagClass === 'universal' ? node.tag : -1));
  if (tags[0] === 16) return parseEncrypted(der, passphrase); // EncryptedPrivateKeyInfo
  if (tags[0] === 2 && tags[1] === 16) return parsePrivateKeyInfo(der); // PrivateKeyInfo
  if (tags[0] === 2 && tags[1] === 2) return parseRsaPrivateKey(der); // RSAPrivateKey
  if (tags[0] === 2 && tags[1] === 4) return parseEcPrivateKey(der, undefined); // ECPrivateKey
  throw localError('bad_config', 'the private key is not PKCS#8, PKCS#1 or SEC 1 DER');
}

/** Bytes that hold PEM text (a file read without an encoding): "-----BEGIN" after optional whitespace. */
function looksLikePem(bytes: Uint8Array): boolean {
  const head = utf8.decode(bytes.subarray(0, Math.min(bytes.length, 256))).trimStart();
  return head.replace(/^\uFEFF/, '').startsWith('-----BEGIN');
}

type KeyLabel = 'PRIVATE KEY' | 'ENCRYPTED PRIVATE KEY' | 'RSA PRIVATE KEY' | 'EC PRIVATE KEY';
const KEY_LABELS: ReadonlySet<string> = new Set<KeyLabel>([
  'PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
  'RSA PRIVATE KEY',
  'EC PRIVATE KEY',
]);

/** The one private-key block in PEM text (RFC 7468), refusing legacy encrypted PEM with advice. */
function privateKeyBlock(text: string): { label: KeyLabel; der: Uint8Array } {
  const blocks = parsePem(text, { what: WHAT });
  const keys = blocks.filter((b) => KEY_LABELS.has(b.label));
  if (keys.length === 0) {
    throw noKeyFound(
      blocks.map((b) => b.label),
      text,
    );
  }
  if (keys.length > 1) {
    throw localError('bad_config', `found ${keys.length} private keys in one PEM input; pass exactly one`);
  }
  const key = keys[0]!;
  const procType = Object.entries(key.headers ?? {}).find(([name]) => name.toLowerCase() === 'proc-type');
  if (procType !== undefined && /ENCRYPTED/i.test(procType[1])) {
    throw localError(
      'unsupported_key',
      'the private key uses legacy PEM encryption (Proc-Type: 4,ENCRYPTED), which memtls does not read; ' +
        'convert it to encrypted PKCS#8 with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in old.key -out new.key`',
    );
  }
  return { label: key.label as KeyLabel, der: key.der };
}

function noKeyFound(labels: string[], text: string): TlsError {
  if (labels.includes('OPENSSH PRIVATE KEY')) {
    return localError(
      'unsupported_key',
      'this is an OpenSSH-format key; convert it with `ssh-keygen -p -m PKCS8 -f KEYFILE` (it rewrites the file)',
    );
  }
  if (labels.includes('DSA PRIVATE KEY')) {
    return localError('unsupported_key', 'DSA keys are not supported; use EC P-256 or RSA');
  }
  if (labels.includes('PUBLIC KEY') || labels.includes('RSA PUBLIC KEY')) {
    return localError('bad_config', 'this is a public key; a private key is needed here');
  }
  if (labels.includes('CERTIFICATE')) {
    return localError(
      'bad_config',
      'found a certificate but no private key; pass the key file (PRIVATE KEY)',
    );
  }
  if (labels.length > 0) {
    return localError('bad_config', `no private key among the PEM blocks (${labels.join(', ')})`);
  }
  return localError(
    'bad_config',
    text.trim().length === 0 ? 'the private key input is empty' : 'the private key input holds no PEM block',
  );
}

function parseEncrypted(der: Uint8Array, passphrase: string | undefined): PrivateKey {
  const inner = decryptPrivateKeyInfo(der, passphrase);
  try {
    return parsePrivateKeyInfo(inner);
  } catch (error) {
    // Garbage after a lucky padding check means the passphrase was wrong, not that the file is bad.
    if (error instanceof TlsError && error.code === 'bad_config') throw wrongPassphrase();
    throw error;
  } finally {
    inner.fill(0);
  }
}

/** PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2). */
function parsePrivateKeyInfo(der: Uint8Array): PrivateKey {
  const items = sequence(parseKeyDer(der), 'PrivateKeyInfo', 3, 5);
  const version = readSmallInteger(items[0]!, 'PrivateKeyInfo version', 1);
  const algorithm = readAlgorithm(items[1], 'privateKeyAlgorithm');
  const privateKey = readOctetString(items[2]!, 'PrivateKeyInfo privateKey');
  const publicKeyNode = version === 1 ? items.slice(3).find((node) => isContext(node, 1)) : undefined;
  switch (algorithm.oid) {
    case OID.rsaEncryption:
      if (algorithm.parameters !== undefined && !isNull(algorithm.parameters)) {
        throw localError('bad_config', 'the RSA private key has unexpected algorithm parameters');
      }
      return parseRsaPrivateKey(privateKey);
    case OID.ecPublicKey:
      return parseEcPrivateKey(privateKey, curveOf(algorithm.parameters));
    case OID.ed25519:
      return parseEd25519(privateKey, publicKeyNode);
    case OID.rsassaPss:
      throw localError(
        'unsupported_key',
        'RSASSA-PSS-restricted keys are not supported; make a plain RSA key (`openssl genrsa 2048`)',
      );
    case '1.3.101.110':
    case '1.3.101.111':
      throw localError('unsupported_key', 'X25519/X448 keys cannot sign; use EC P-256, Ed25519 or RSA');
    case '1.3.101.113':
      throw localError('unsupported_key', 'Ed448 keys are not supported; use Ed25519, EC P-256 or RSA');
    default:
      throw localError(
        'unsupported_key',
        `unsupported private key algorithm ${algorithm.oid}; use EC P-256 or RSA`,
      );
  }
}

/** RSAPrivateKey (RFC 8017 §A.1.2), two-prime only, 2048–8192 bits, components checked for consistency. */
function parseRsaPrivateKey(der: Uint8Array): PrivateKey {
  const items = sequence(parseKeyDer(der), 'RSAPrivateKey', 9, 10);
  const version = readSmallInteger(items[0]!, 'RSAPrivateKey version', 1);
  if (version !== 0 || items.length !== 9) {
    throw localError(
      'unsupported_key',
      'multi-prime RSA keys are not supported; make a two-prime key with `openssl genrsa`',
    );
  }
  const names = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
  const [n, e, d, p, q, dp, dq, qi] = names.map((name, i) =>
    readUnsignedBigInt(items[i + 1]!, `RSA ${name}`),
  ) as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const bits = bitLength(n);
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
    throw localError(
      'unsupported_key',
      `RSA-${bits} keys are not supported (allowed: ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bits); make a new key with \`openssl genrsa 2048\``,
    );
  }
  if (e >= RSA_MAX_PUBLIC_EXPONENT) {
    throw localError(
      'unsupported_key',
      `the RSA key's public exponent has ${bitLength(e)} bits; peers refuse exponents of 2^32 and above, make a new key with \`openssl genrsa 2048\` (e = 65537)`,
    );
  }
  const consistent =
    e > 1n &&
    e % 2n === 1n &&
    p > 1n &&
    q > 1n &&
    p * q === n &&
    d > 0n &&
    d < n &&
    dp === d % (p - 1n) &&
    dq === d % (q - 1n) &&
    (qi * q) % p === 1n;
  if (!consistent) {
    throw localError('bad_config', 'the RSA private key is corrupt (its components do not agree)');
  }
  return { type: 'rsa', n, e, d, p, q, dp, dq, qi, bits };
}

/** The named curve in EC parameters (RFC 5480 §2.1.1); explicit parameters are refused. */
function curveOf(parameters: DerNode | undefined): EcCurve {
  if (parameters === undefined || isNull(parameters)) {
    throw localError('bad_config', 'the EC private key does not name its curve');
  }
  if (parameters.tagClass === 'universal' && parameters.tag === Tag.SEQUENCE) {
    throw localError(
      'unsupported_key',
      'the EC key spells out explicit curve parameters; re-save it with a named curve (`openssl ec -param_enc named_curve`)',
    );
  }
  const oid = readOid(parameters, 'EC curve');
  const curve = CURVES_BY_OID[oid];
  if (!curve) {
    throw localError(
      'unsupported_key',
      `unsupported EC curve ${CURVE_NAMES[oid] ?? oid}; use P-256 or P-384 (\`openssl ecparam -name prime256v1 -genkey\`)`,
    );
  }
  return curve;
}

/** ECPrivateKey (RFC 5915 §3); the public point is computed when absent and checked when present. */
function parseEcPrivateKey(der: Uint8Array, outerCurve: EcCurve | undefined): PrivateKey {
  const items = sequence(parseKeyDer(der), 'ECPrivateKey', 2, 4);
  if (readSmallInteger(items[0]!, 'ECPrivateKey version', 1) !== 1) {
    throw localError('bad_config', 'the EC private key has an unknown version');
  }
  let secret = readOctetString(items[1]!, 'ECPrivateKey privateKey');
  let curve = outerCurve;
  let encodedPoint: Uint8Array | undefined;
  for (const node of items.slice(2)) {
    if (isContext(node, 0)) {
      const named = curveOf(explicitInner(node, 'EC parameters'));
      if (curve !== undefined && curve !== named) {
        throw localError('bad_config', `the EC private key names two curves (${curve} and ${named})`);
      }
      curve = named;
    } else if (isContext(node, 1)) {
      encodedPoint = readByteAlignedBitString(explicitInner(node, 'EC public key'), 'EC public key');
    } else {
      throw localError('bad_config', 'the EC private key is malformed (unexpected field)');
    }
  }
  if (curve === undefined) throw localError('bad_config', 'the EC private key does not name its curve');
  const impl = ecCurveImpl(curve);
  const size = impl.lengths.secretKey!;
  while (secret.length > size && secret[0] === 0) secret = secret.subarray(1);
  if (secret.length < size) secret = Uint8Array.from([...new Uint8Array(size - secret.length), ...secret]);
  if (secret.length !== size || !impl.utils.isValidSecretKey(secret)) {
    throw localError('bad_config', `the ${curve} private key is corrupt (the scalar is out of range)`);
  }
  const point = impl.getPublicKey(secret, false);
  if (encodedPoint !== undefined) {
    let given: Uint8Array;
    try {
      given = impl.Point.fromBytes(encodedPoint).toBytes(false);
    } catch {
      throw localError(
        'bad_config',
        `the ${curve} private key is corrupt (its public point is not on the curve)`,
      );
    }
    if (!equalBytes(given, point)) {
      throw localError('bad_config', `the ${curve} private key is corrupt (its public point does not match)`);
    }
  }
  return { type: 'ec', curve, d: secret.slice(), point };
}

/** CurvePrivateKey inside PKCS#8 (RFC 8410 §7): the 32-byte seed; an included public key must match. */
function parseEd25519(privateKey: Uint8Array, publicKeyNode: DerNode | undefined): PrivateKey {
  const seed = readOctetString(parseKeyDer(privateKey), 'Ed25519 CurvePrivateKey').slice();
  if (seed.length !== 32) throw localError('bad_config', 'the Ed25519 private key is not 32 bytes');
  const key = ed25519.getPublicKey(seed);
  if (publicKeyNode !== undefined) {
    // [1] IMPLICIT BIT STRING: one unused-bits octet (0), then the key.
    const view = publicKeyNode.content;
    if (publicKeyNode.constructed || view[0] !== 0 || !equalBytes(view.subarray(1), key)) {
      throw localError('bad_config', 'the Ed25519 private key is corrupt (its public key does not match)');
    }
  }
  return { type: 'ed25519', seed, key };
}

/** Throws `key_mismatch` when the key does not belong to the certificate. */
export function checkKeyMatchesCertificate(key: PrivateKey, cert: Certificate): void {
  if (cert.publicKey === undefined || !keysMatch(key, cert.publicKey)) {
    throw localError('key_mismatch', `key does not match certificate '${cert.subject.text}'`);
  }
}
