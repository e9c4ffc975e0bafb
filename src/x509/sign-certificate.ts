// Signing a certificate: TBSCertificate, serial, key identifier (RFC 5280 §4.1, §4.2.1.1–2; RFC 5758 §3.2).

import { sha1 } from '@noble/hashes/legacy.js';
import * as asn1js from 'asn1js';
import { type PrivateKey, type PublicKey, publicKeyOf } from '../ciphers/keys.js';
import type { SignatureAlgorithm } from '../ciphers/schemes.js';
import { signMessage } from '../ciphers/signatures.js';
import { equalBytes } from '../codec.js';
import { localError } from '../errors.js';
import { encodeTime } from './issue-extensions.js';
import { subjectPublicKeyBits, subjectPublicKeyInfo, toDer } from './key-encoding.js';
import type { Certificate } from './types.js';

/** The signature the issuer's key makes, and its AlgorithmIdentifier (RFC 5758 §3.2, RFC 4055, RFC 8410). */
export function signatureAlgorithmFor(key: PrivateKey): {
  algorithm: SignatureAlgorithm;
  identifier: asn1js.Sequence;
} {
  const identifier = (oid: string, withNull: boolean) =>
    new asn1js.Sequence({
      value: [new asn1js.ObjectIdentifier({ value: oid }), ...(withNull ? [new asn1js.Null()] : [])],
    });
  switch (key.type) {
    case 'rsa':
      return {
        algorithm: { kind: 'rsa-pkcs1', hash: 'sha256' },
        identifier: identifier('1.2.840.113549.1.1.11', true),
      };
    case 'ec':
      return key.curve === 'P-384'
        ? {
            algorithm: { kind: 'ecdsa', hash: 'sha384' },
            identifier: identifier('1.2.840.10045.4.3.3', false),
          }
        : {
            algorithm: { kind: 'ecdsa', hash: 'sha256' },
            identifier: identifier('1.2.840.10045.4.3.2', false),
          };
    case 'ed25519':
      return { algorithm: { kind: 'ed25519' }, identifier: identifier('1.3.101.112', false) };
  }
}

/** A positive 16-byte serial with 126 random bits (RFC 5280 §4.1.2.2: unique, positive, ≤ 20 octets). */
export function randomSerial(random: (n: number) => Uint8Array): asn1js.Integer {
  const bytes = random(16).slice();
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return new asn1js.Integer({ valueHex: bytes });
}

/** Key identifier: SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2 method 1; an identifier, not a signature). */
export function keyIdentifier(key: Parameters<typeof subjectPublicKeyBits>[0]): Uint8Array {
  return sha1(subjectPublicKeyBits(key));
}

/** The fields of a TBSCertificate (RFC 5280 §4.1.2) besides its version. */
export interface TbsParts {
  serial: asn1js.Integer;
  signature: asn1js.Sequence;
  issuer: asn1js.AsnType;
  notBefore: number;
  notAfter: number;
  subject: asn1js.Sequence;
  subjectKey: PrivateKey | PublicKey;
  extensions: asn1js.Sequence[];
}

/** TBSCertificate (§4.1.2) → signed Certificate (§4.1.1) DER. */
export function signCertificate(
  parts: TbsParts,
  issuerKey: PrivateKey,
  random: (n: number) => Uint8Array,
): Uint8Array {
  const { algorithm, identifier } = signatureAlgorithmFor(issuerKey);
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Integer({ value: 2 })],
      }),
      parts.serial,
      parts.signature,
      parts.issuer,
      new asn1js.Sequence({ value: [encodeTime(parts.notBefore), encodeTime(parts.notAfter)] }),
      parts.subject,
      subjectPublicKeyInfo(asPublicKey(parts.subjectKey)),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 3 },
        value: [new asn1js.Sequence({ value: parts.extensions })],
      }),
    ],
  });
  const tbsDer = toDer(tbs);
  const signature = signMessage(algorithm, issuerKey, tbsDer, random);
  return toDer(
    new asn1js.Sequence({
      value: [tbs, identifier, new asn1js.BitString({ valueHex: signature, unusedBits: 0 })],
    }),
  );
}

/** The issuer's subject Name as asn1js, re-encoding to exactly its DER so chains match by bytes. */
export function issuerName(cert: Certificate): asn1js.AsnType {
  const parsed = asn1js.fromBER(cert.subject.der.slice());
  if (parsed.offset === -1 || !equalBytes(toDer(parsed.result), cert.subject.der)) {
    throw localError(
      'bad_config',
      `the issuer subject '${cert.subject.text}' is not DER-encoded; cannot copy it exactly`,
    );
  }
  return parsed.result;
}

/** The public half of a private key; a public key as it is. */
export function asPublicKey(key: PrivateKey | PublicKey): PublicKey {
  return 'd' in key || 'seed' in key ? publicKeyOf(key) : key;
}
