// X.509 v1/v2/v3 certificate parsing (RFC 5280 §4.1) into the Certificate type.

import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, toHex } from '../codec.js';
import { TlsError } from '../errors.js';
import { parseAlgorithmIdentifier, parsePublicKeyInfo, signatureAlgorithmOf } from './algorithms.js';
import {
  type DerNode,
  type DerSource,
  derFailure,
  explicitInner,
  isContext,
  parseDer,
  readByteAlignedBitString,
  readIntegerBytes,
  readSmallInteger,
  readTime,
  sequence,
} from './asn1.js';
import { NO_EXTENSIONS, parseExtensions } from './extensions.js';
import { parseName } from './name.js';
import type { Certificate } from './types.js';

/** Options of parseCertificate: where the bytes come from (for the error kind) and what they are. */
export interface ParseCertificateOptions {
  /** 'peer' (default): failures are certificate/decode_error; 'config': local/bad_config. */
  source?: DerSource;
  /** What the certificate is, for messages ("certificate #2 from the peer", "ca"). */
  what?: string;
}

/**
 * Parse one DER certificate. Every failure is a TlsError (certificate/decode_error for the peer's
 * bytes, local/bad_config for our own): random or mutated bytes never throw anything else.
 */
export function parseCertificate(der: Uint8Array, options?: ParseCertificateOptions): Certificate {
  const source = options?.source ?? 'peer';
  const what = options?.what ?? 'certificate';
  if (!(der instanceof Uint8Array)) throw derFailure(source)(`${what}: expected DER bytes`);
  try {
    return parseCertificateDer(der, source, what);
  } catch (error) {
    if (error instanceof TlsError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw derFailure(source)(`${what}: malformed certificate (${detail})`);
  }
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
 * TBSCertificate ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, serialNumber, signature, issuer,
 *   validity, subject, subjectPublicKeyInfo, issuerUniqueID [1], subjectUniqueID [2], extensions [3] }
 */
function parseCertificateDer(input: Uint8Array, source: DerSource, what: string): Certificate {
  const root = parseDer(input, what, source);
  const [tbsNode, outerAlgorithmNode, signatureNode] = sequence(root, what, 3, 3) as [
    DerNode,
    DerNode,
    DerNode,
  ];
  const tbsFields = sequence(tbsNode, `${what} tbsCertificate`, 6, 10);
  let i = 0;
  let version = 1;
  if (isContext(tbsFields[0], 0)) {
    version = readSmallInteger(explicitInner(tbsFields[0], `${what} version`), `${what} version`, 2) + 1;
    i++;
  }
  const field = (name: string): DerNode => {
    const node = tbsFields[i++];
    if (!node) throw root.fail(`${what}: tbsCertificate is missing ${name}`);
    return node;
  };
  const serialBytes = readIntegerBytes(field('serialNumber'), `${what} serialNumber`);
  const innerAlgorithmNode = field('signature');
  const issuer = parseName(field('issuer'), `${what} issuer`);
  const [notBeforeNode, notAfterNode] = sequence(field('validity'), `${what} validity`, 2, 2) as [
    DerNode,
    DerNode,
  ];
  const notBefore = readTime(notBeforeNode, `${what} notBefore`);
  const notAfter = readTime(notAfterNode, `${what} notAfter`);
  const subject = parseName(field('subject'), `${what} subject`);
  const spkiNode = field('subjectPublicKeyInfo');
  const { algorithmOid: publicKeyAlgorithmOid, publicKey } = parsePublicKeyInfo(
    spkiNode,
    `${what} public key`,
  );

  let extensions = NO_EXTENSIONS;
  let lastTag = 0;
  for (; i < tbsFields.length; i++) {
    const node = tbsFields[i]!;
    if (node.tagClass !== 'context' || node.tag < 1 || node.tag > 3 || node.tag <= lastTag) {
      throw node.fail(`${what}: unexpected element in tbsCertificate`);
    }
    lastTag = node.tag;
    if (node.tag === 3) {
      if (version !== 3) throw node.fail(`${what}: extensions in a version ${version} certificate`);
      extensions = parseExtensions(explicitInner(node, `${what} extensions`), what);
    } else {
      // issuerUniqueID [1] / subjectUniqueID [2] IMPLICIT BIT STRING: v2 and v3 only, otherwise ignored.
      if (version === 1) throw node.fail(`${what}: unique identifiers in a version 1 certificate`);
      if (node.constructed) throw node.fail(`${what}: malformed unique identifier`);
    }
  }

  if (!equalBytes(innerAlgorithmNode.der, outerAlgorithmNode.der)) {
    throw root.fail(
      `${what}: the signature algorithm inside the signed part differs from the outer one (RFC 5280 §4.1.1.2)`,
    );
  }
  const algorithmId = parseAlgorithmIdentifier(outerAlgorithmNode, `${what} signature algorithm`);
  const signatureAlgorithm = signatureAlgorithmOf(algorithmId, `${what} signature algorithm`);
  const signature = readByteAlignedBitString(signatureNode, `${what} signature`);
  const der = root.der;

  return {
    der,
    tbs: tbsNode.der,
    version,
    serialNumber: serialHex(serialBytes),
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKey,
    publicKeyAlgorithmOid,
    spki: spkiNode.der,
    signatureAlgorithm: signatureAlgorithm.algorithm,
    signatureAlgorithmOid: algorithmId.oid,
    signatureAlgorithmName: signatureAlgorithm.name,
    ...(signatureAlgorithm.weakHash ? { weakSignatureHash: signatureAlgorithm.weakHash } : {}),
    signature,
    ...extensions,
    fingerprintSha256: fingerprint(der),
  };
}

/** Lower-case hex of the serial's value; negative serials (seen in the wild) get a '-' and their magnitude. */
export function serialHex(bytes: Uint8Array): string {
  if (bytes[0]! >= 0x80) {
    let magnitude = 0n;
    for (const b of bytes) magnitude = (magnitude << 8n) | BigInt(b);
    magnitude = (1n << BigInt(bytes.length * 8)) - magnitude;
    const hex = magnitude.toString(16);
    return `-${hex.length % 2 ? `0${hex}` : hex}`;
  }
  return toHex(bytes.length > 1 && bytes[0] === 0 ? bytes.subarray(1) : bytes);
}

/** SHA-256 of the DER as lower-case hex pairs joined by colons ("ab:cd:..."). */
export function fingerprint(der: Uint8Array): string {
  return (toHex(sha256(der)).match(/../g) ?? []).join(':');
}

/** Convenience for our own configuration: parse with local/bad_config errors. */
export function parseConfigCertificate(der: Uint8Array, what: string): Certificate {
  return parseCertificate(der, { source: 'config', what });
}
