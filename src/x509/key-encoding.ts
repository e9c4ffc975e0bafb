// Key encoders: PKCS#8 PrivateKeyInfo (RFC 5958 §2, as OpenSSL 3 writes it) and SubjectPublicKeyInfo
// (RFC 5280 §4.1.2.7) for RSA (RFC 8017 §A.1), EC (RFC 5480 §2, RFC 5915) and Ed25519 (RFC 8410).

import * as asn1js from 'asn1js';
import type { PrivateKey, PublicKey } from '../ciphers/keys.js';
import { OID } from './oids.js';
import { CURVE_OIDS } from './private-key.js';

/** DER bytes of an asn1js element. */
export function toDer(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array(node.toBER(false));
}

/** A DER INTEGER holding a non-negative bigint, minimally encoded. */
export function derInteger(value: bigint): asn1js.Integer {
  return asn1js.Integer.fromBigInt(value);
}

function algorithmIdentifier(oid: string, parameters?: asn1js.AsnType): asn1js.Sequence {
  const value: asn1js.AsnType[] = [new asn1js.ObjectIdentifier({ value: oid })];
  if (parameters !== undefined) value.push(parameters);
  return new asn1js.Sequence({ value });
}

function keyAlgorithm(key: PublicKey | PrivateKey): asn1js.Sequence {
  switch (key.type) {
    case 'rsa':
      return algorithmIdentifier(OID.rsaEncryption, new asn1js.Null());
    case 'ec':
      return algorithmIdentifier(
        OID.ecPublicKey,
        new asn1js.ObjectIdentifier({ value: CURVE_OIDS[key.curve] }),
      );
    case 'ed25519':
      return algorithmIdentifier(OID.ed25519);
  }
}

/** The subjectPublicKey BIT STRING contents: RSAPublicKey DER, the EC point, or the Ed25519 key. */
export function subjectPublicKeyBits(key: PublicKey): Uint8Array {
  switch (key.type) {
    case 'rsa':
      return toDer(new asn1js.Sequence({ value: [derInteger(key.n), derInteger(key.e)] }));
    case 'ec':
      return key.point.slice();
    case 'ed25519':
      return key.key.slice();
  }
}

/** SubjectPublicKeyInfo as an asn1js element, for embedding in a TBSCertificate. */
export function subjectPublicKeyInfo(key: PublicKey): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [keyAlgorithm(key), new asn1js.BitString({ valueHex: subjectPublicKeyBits(key), unusedBits: 0 })],
  });
}

/** The DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of a public key. */
export function encodeSubjectPublicKeyInfo(key: PublicKey): Uint8Array {
  return toDer(subjectPublicKeyInfo(key));
}

function privateKeyStructure(key: PrivateKey): Uint8Array {
  switch (key.type) {
    case 'rsa':
      // RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dp, dq, qi }
      return toDer(
        new asn1js.Sequence({
          value: [0n, key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qi].map(derInteger),
        }),
      );
    case 'ec':
      // ECPrivateKey ::= SEQUENCE { version 1, privateKey, [1] publicKey } — the curve is in the outer algorithm.
      return toDer(
        new asn1js.Sequence({
          value: [
            new asn1js.Integer({ value: 1 }),
            new asn1js.OctetString({ valueHex: key.d }),
            new asn1js.Constructed({
              idBlock: { tagClass: 3, tagNumber: 1 },
              value: [new asn1js.BitString({ valueHex: key.point, unusedBits: 0 })],
            }),
          ],
        }),
      );
    case 'ed25519':
      // CurvePrivateKey ::= OCTET STRING (RFC 8410 §7)
      return toDer(new asn1js.OctetString({ valueHex: key.seed }));
  }
}

/** PKCS#8 PrivateKeyInfo DER (version 0, no attributes): what `openssl genpkey` writes. */
export function encodePrivateKeyPkcs8(key: PrivateKey): Uint8Array {
  const inner = privateKeyStructure(key);
  const der = toDer(
    new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 0 }),
        keyAlgorithm(key),
        new asn1js.OctetString({ valueHex: inner }),
      ],
    }),
  );
  inner.fill(0);
  return der;
}
