// Encrypted PKCS#8 (RFC 5958 §3): PBES2 (RFC 8018 §6.2) with PBKDF2 (§5.2, HMAC-SHA1/SHA-2) and AES-CBC
// (RFC 3565 OIDs) — what `openssl genrsa -aes256` and `openssl pkcs8 -topk8 -v2 ...` write in OpenSSL 3.

import { cbc } from '@noble/ciphers/aes.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { utf8 } from '../codec.js';
import { localError } from '../errors.js';
import { type DerNode, parseDer, readOctetString, readOid, readSmallInteger, sequence, Tag } from './asn1.js';

const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_SCRYPT = '1.3.6.1.4.1.11591.4.11';

/** PBKDF2 pseudo-random functions (RFC 8018 §B.1). A SHA-1 HMAC here is a key-derivation PRF, not a signature. */
const PRFS: Record<string, { name: string; hash: CHash }> = {
  '1.2.840.113549.2.7': { name: 'hmacWithSHA1', hash: sha1 },
  '1.2.840.113549.2.8': { name: 'hmacWithSHA224', hash: sha224 },
  '1.2.840.113549.2.9': { name: 'hmacWithSHA256', hash: sha256 },
  '1.2.840.113549.2.10': { name: 'hmacWithSHA384', hash: sha384 },
  '1.2.840.113549.2.11': { name: 'hmacWithSHA512', hash: sha512 },
};

/** AES-CBC encryption schemes (RFC 3565 §4.1 / NIST CSOR): OID → key length in bytes. */
const AES_CBC: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
};

/** Far above any tool's default (OpenSSL: 2048, OWASP: 600 000); bounds the work a key file can ask for. */
const MAX_ITERATIONS = 10_000_000;

const WHAT = 'the encrypted private key';

function readAlgorithm(
  node: DerNode | undefined,
  what: string,
): { oid: string; parameters: DerNode | undefined } {
  if (node === undefined) throw localError('bad_config', `${WHAT}: missing ${what}`);
  const [oid, parameters] = sequence(node, what, 1, 2);
  return { oid: readOid(oid!, what), parameters };
}

const CONVERT_HINT =
  'convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key-pkcs8.pem` ' +
  '(or store it unencrypted with `openssl pkcs8 -topk8 -nocrypt`)';

interface Pbes2Parameters {
  salt: Uint8Array;
  iterations: number;
  keyLength: number;
  prf: (typeof PRFS)[string];
  iv: Uint8Array;
}

/**
 * Decrypt an EncryptedPrivateKeyInfo (DER) and return the PrivateKeyInfo DER inside it.
 * A missing passphrase is `bad_config`; a wrong one (bad padding or garbage inside) is `bad_passphrase`.
 */
export function decryptPrivateKeyInfo(der: Uint8Array, passphrase: string | undefined): Uint8Array {
  const [algorithmNode, dataNode] = sequence(parseDer(der, WHAT, 'config'), 'EncryptedPrivateKeyInfo', 2, 2);
  const algorithm = readAlgorithm(algorithmNode, 'encryptionAlgorithm');
  const encrypted = readOctetString(dataNode!, 'encryptedData');
  if (algorithm.oid !== OID_PBES2) {
    throw localError(
      'unsupported_key',
      `the private key is encrypted with a legacy scheme (${algorithm.oid}) that memtls does not read; ${CONVERT_HINT}`,
    );
  }
  const parameters = pbes2Parameters(algorithm.parameters);
  if (passphrase === undefined) {
    throw localError('bad_config', 'the private key is encrypted; pass its passphrase (config `passphrase`)');
  }
  if (encrypted.length === 0 || encrypted.length % 16 !== 0) {
    throw localError(
      'bad_config',
      'the encrypted private key is corrupt (ciphertext is not whole AES blocks)',
    );
  }
  const key = pbkdf2(parameters.prf.hash, utf8.encode(passphrase), parameters.salt, {
    c: parameters.iterations,
    dkLen: parameters.keyLength,
  });
  try {
    return cbc(key, parameters.iv).decrypt(encrypted);
  } catch {
    throw wrongPassphrase();
  } finally {
    key.fill(0);
  }
}

export function wrongPassphrase() {
  return localError('bad_passphrase', 'wrong passphrase for the private key, or the key is corrupt');
}

function pbes2Parameters(node: DerNode | undefined): Pbes2Parameters {
  if (node === undefined) throw localError('bad_config', `${WHAT}: missing PBES2 parameters`);
  const [kdfNode, schemeNode] = sequence(node, 'PBES2-params', 2, 2);
  const kdf = readAlgorithm(kdfNode, 'keyDerivationFunc');
  if (kdf.oid === OID_SCRYPT) {
    throw localError(
      'unsupported_key',
      `the private key is encrypted with scrypt, which memtls does not read; ${CONVERT_HINT}`,
    );
  }
  if (kdf.oid !== OID_PBKDF2) {
    throw localError(
      'unsupported_key',
      `the private key uses an unknown key derivation (${kdf.oid}); ${CONVERT_HINT}`,
    );
  }
  const scheme = readAlgorithm(schemeNode, 'encryptionScheme');
  const cipher = AES_CBC[scheme.oid];
  if (!cipher) {
    throw localError(
      'unsupported_key',
      `the private key is encrypted with an unsupported cipher (${scheme.oid}); ${CONVERT_HINT}`,
    );
  }
  const iv = scheme.parameters && readOctetString(scheme.parameters, 'AES-CBC IV');
  if (iv?.length !== 16) {
    throw localError('bad_config', 'the encrypted private key is corrupt (the AES IV is not 16 bytes)');
  }

  // PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER, keyLength INTEGER OPTIONAL,
  //                              prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }
  if (kdf.parameters === undefined) throw localError('bad_config', `${WHAT}: missing PBKDF2 parameters`);
  const items = sequence(kdf.parameters, 'PBKDF2-params', 2, 4);
  const salt = readOctetString(items[0]!, 'PBKDF2 salt');
  const iterations = readSmallInteger(items[1]!, 'PBKDF2 iteration count', Number.MAX_SAFE_INTEGER);
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw localError(
      'bad_config',
      `the encrypted private key asks for ${iterations} PBKDF2 iterations (allowed: 1 to ${MAX_ITERATIONS})`,
    );
  }
  let rest = items.slice(2);
  let keyLength = cipher.keyLength;
  if (rest[0]?.tagClass === 'universal' && rest[0].tag === Tag.INTEGER) {
    keyLength = readSmallInteger(rest[0], 'PBKDF2 key length', 64);
    rest = rest.slice(1);
  }
  if (keyLength !== cipher.keyLength) {
    throw localError(
      'bad_config',
      `the encrypted private key is corrupt (key length ${keyLength} for ${cipher.name})`,
    );
  }
  let prf = PRFS['1.2.840.113549.2.7']!;
  if (rest[0] !== undefined) {
    const prfOid = readAlgorithm(rest[0], 'PBKDF2 prf').oid;
    const known = PRFS[prfOid];
    if (!known) {
      throw localError(
        'unsupported_key',
        `the private key uses an unsupported PBKDF2 PRF (${prfOid}); ${CONVERT_HINT}`,
      );
    }
    prf = known;
    rest = rest.slice(1);
  }
  if (rest.length > 0) {
    throw localError('bad_config', 'the encrypted private key is malformed (PBKDF2-params)');
  }
  return { salt, iterations, keyLength, prf, iv };
}
