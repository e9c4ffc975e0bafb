// AlgorithmIdentifier → signature algorithm (RFC 3279 §2.2, RFC 4055 §3.1, RFC 5758 §3.2, RFC 8410 §3)
// and SubjectPublicKeyInfo → public key (RFC 3279 §2.3, RFC 4055 §1.2, RFC 5480 §2, RFC 8410 §4).

import { p256, p384 } from '@noble/curves/nist.js';
import type { EcCurve, PublicKey } from '../ciphers/keys.js';
import type { SignatureAlgorithm } from '../ciphers/schemes.js';
import type { HashName } from '../ciphers/suites.js';
import {
  type DerNode,
  explicitInner,
  parseDer,
  readByteAlignedBitString,
  readNull,
  readOid,
  readSmallInteger,
  readUnsignedBigInt,
  sequence,
  Tag,
} from './asn1.js';
import { OID, SIGNATURE_ALGORITHM_NAMES, WEAK_SIGNATURE_HASHES } from './oids.js';

export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The parameters element, when present. */
  readonly parameters: DerNode | undefined;
  /** The AlgorithmIdentifier itself (for error messages and its DER). */
  readonly node: DerNode;
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }. */
export function parseAlgorithmIdentifier(node: DerNode, what: string): AlgorithmIdentifier {
  const [oidNode, parameters] = sequence(node, what, 1, 2);
  return { oid: readOid(oidNode!, what), parameters, node };
}

export interface ParsedSignatureAlgorithm {
  /** Undefined when unsupported or weak; validation then refuses the signature. */
  readonly algorithm: SignatureAlgorithm | undefined;
  readonly name: string;
  /** Set when the signature uses a broken hash (refused with weak_signature). */
  readonly weakHash: 'md2' | 'md5' | 'sha1' | undefined;
}

const RSA_PKCS1: Readonly<Record<string, HashName>> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const ECDSA: Readonly<Record<string, HashName>> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const HASHES: Readonly<Record<string, HashName | 'sha1'>> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** A signature AlgorithmIdentifier: supported ones map to a SignatureAlgorithm; the name is always kept. */
export function signatureAlgorithmOf(id: AlgorithmIdentifier, what: string): ParsedSignatureAlgorithm {
  const name = SIGNATURE_ALGORITHM_NAMES[id.oid] ?? id.oid;
  const weakHash = WEAK_SIGNATURE_HASHES[id.oid];
  if (weakHash) return { algorithm: undefined, name, weakHash };
  const rsaHash = RSA_PKCS1[id.oid];
  if (rsaHash) {
    // RFC 4055 §5: parameters are NULL; some encoders omit them, which OpenSSL also accepts.
    if (id.parameters) readNull(id.parameters, `${what} parameters`);
    return { algorithm: { kind: 'rsa-pkcs1', hash: rsaHash }, name, weakHash: undefined };
  }
  const ecdsaHash = ECDSA[id.oid];
  if (ecdsaHash) {
    if (id.parameters) throw id.parameters.fail(`${what}: ${name} must not have parameters (RFC 5758 §3.2)`);
    return { algorithm: { kind: 'ecdsa', hash: ecdsaHash }, name, weakHash: undefined };
  }
  if (id.oid === OID.ed25519) {
    if (id.parameters) throw id.parameters.fail(`${what}: Ed25519 must not have parameters (RFC 8410 §3)`);
    return { algorithm: { kind: 'ed25519' }, name, weakHash: undefined };
  }
  if (id.oid === OID.rsassaPss) return pssAlgorithm(id, what);
  return { algorithm: undefined, name, weakHash: undefined };
}

/**
 * RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1, maskGenAlgorithm [1] DEFAULT
 * mgf1SHA1, saltLength [2] DEFAULT 20, trailerField [3] DEFAULT 1 } (RFC 4055 §3.1). We accept
 * SHA-256/384/512 with MGF1 over the same hash; SHA-1 (the default) is weak.
 */
function pssAlgorithm(id: AlgorithmIdentifier, what: string): ParsedSignatureAlgorithm {
  const name = 'rsassaPss';
  if (!id.parameters) throw id.node.fail(`${what}: RSASSA-PSS signature without parameters`);
  const fields = sequence(id.parameters, `${what} RSASSA-PSS parameters`, 0, 4);
  let hash: HashName | 'sha1' | undefined = 'sha1';
  let mgfHash: HashName | 'sha1' | undefined = 'sha1';
  let saltLength = 20;
  let last = -1;
  for (const field of fields) {
    if (field.tagClass !== 'context' || field.tag > 3 || field.tag <= last) {
      throw field.fail(`${what}: malformed RSASSA-PSS parameters`);
    }
    last = field.tag;
    const inner = explicitInner(field, `${what} RSASSA-PSS parameters`);
    if (field.tag === 0) hash = hashOf(parseAlgorithmIdentifier(inner, `${what} PSS hash`), what);
    else if (field.tag === 1) {
      const mgf = parseAlgorithmIdentifier(inner, `${what} PSS mask generation`);
      if (mgf.oid !== OID.mgf1 || !mgf.parameters) mgfHash = undefined;
      else mgfHash = hashOf(parseAlgorithmIdentifier(mgf.parameters, `${what} MGF1 hash`), what);
    } else if (field.tag === 2) saltLength = readSmallInteger(inner, `${what} PSS salt length`, 1024);
    else if (readSmallInteger(inner, `${what} PSS trailer field`, 255) !== 1) {
      throw inner.fail(`${what}: RSASSA-PSS trailerField must be 1`);
    }
  }
  if (hash === 'sha1') return { algorithm: undefined, name: `${name} (SHA-1)`, weakHash: 'sha1' };
  if (hash === undefined || mgfHash !== hash) {
    return { algorithm: undefined, name: `${name} (unsupported hash or MGF)`, weakHash: undefined };
  }
  return { algorithm: { kind: 'rsa-pss', hash, saltLength }, name, weakHash: undefined };
}

function hashOf(id: AlgorithmIdentifier, what: string): HashName | 'sha1' | undefined {
  if (id.parameters) readNull(id.parameters, `${what} hash parameters`);
  return HASHES[id.oid];
}

// --- SubjectPublicKeyInfo -----------------------------------------------------------------------

export interface ParsedPublicKeyInfo {
  readonly algorithmOid: string;
  /** Undefined for key types we do not support (DSA, Ed448, other curves, ...). */
  readonly publicKey: PublicKey | undefined;
}

const CURVES: Readonly<Record<string, EcCurve>> = { [OID.prime256v1]: 'P-256', [OID.secp384r1]: 'P-384' };
const CURVE_IMPLEMENTATIONS = { 'P-256': p256, 'P-384': p384 } as const;

/** SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }. */
export function parsePublicKeyInfo(node: DerNode, what: string): ParsedPublicKeyInfo {
  const [algorithmNode, keyNode] = sequence(node, what, 2, 2) as [DerNode, DerNode];
  const algorithm = parseAlgorithmIdentifier(algorithmNode, `${what} algorithm`);
  const keyBytes = readByteAlignedBitString(keyNode, `${what} key`);
  const algorithmOid = algorithm.oid;
  switch (algorithmOid) {
    case OID.rsaEncryption:
      if (algorithm.parameters) readNull(algorithm.parameters, `${what} RSA parameters`);
      return { algorithmOid, publicKey: rsaPublicKey(keyBytes, node, what) };
    case OID.rsassaPss:
      // RFC 4055 §1.2: the same RSAPublicKey; optional parameters restrict its use (not enforced).
      return { algorithmOid, publicKey: rsaPublicKey(keyBytes, node, what) };
    case OID.ecPublicKey: {
      if (!algorithm.parameters || algorithm.parameters.tag !== Tag.OBJECT_IDENTIFIER) {
        // RFC 5480 §2.1.1: namedCurve only (implicit or explicit curves are not supported).
        return { algorithmOid, publicKey: undefined };
      }
      const curve = CURVES[readOid(algorithm.parameters, `${what} curve`)];
      if (!curve) return { algorithmOid, publicKey: undefined };
      return { algorithmOid, publicKey: { type: 'ec', curve, point: ecPoint(curve, keyBytes, node, what) } };
    }
    case OID.ed25519:
      if (algorithm.parameters) throw node.fail(`${what}: Ed25519 key must not have parameters`);
      if (keyBytes.length !== 32) throw node.fail(`${what}: Ed25519 key of ${keyBytes.length} bytes`);
      return { algorithmOid, publicKey: { type: 'ed25519', key: keyBytes.slice() } };
    default:
      return { algorithmOid, publicKey: undefined };
  }
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1). */
function rsaPublicKey(keyBytes: Uint8Array, node: DerNode, what: string): PublicKey {
  const rsaKey = parseDer(keyBytes, `${what} RSA key`, node.source);
  const [nNode, eNode] = sequence(rsaKey, `${what} RSA key`, 2, 2) as [DerNode, DerNode];
  const n = readUnsignedBigInt(nNode, `${what} RSA modulus`);
  const e = readUnsignedBigInt(eNode, `${what} RSA exponent`);
  if (n < 3n || (n & 1n) === 0n) throw node.fail(`${what}: RSA modulus must be odd and positive`);
  if (e < 3n || (e & 1n) === 0n) throw node.fail(`${what}: RSA public exponent must be odd and at least 3`);
  // Strict verifiers accept 3 ≤ e < 2^32: a larger e only makes every verification expensive.
  if (e >= 1n << 32n)
    throw node.fail(`${what}: RSA public exponent of ${e.toString(2).length} bits (must be below 2^32)`);
  return { type: 'rsa', n, e, bits: n.toString(2).length };
}

/** The uncompressed SEC 1 point, checked to be on the curve; compressed points are decompressed. */
function ecPoint(curve: EcCurve, bytes: Uint8Array, node: DerNode, what: string): Uint8Array {
  try {
    const point = CURVE_IMPLEMENTATIONS[curve].Point.fromBytes(bytes);
    point.assertValidity();
    return point.toBytes(false);
  } catch {
    throw node.fail(`${what}: the EC ${curve} public key is not a valid point`);
  }
}
