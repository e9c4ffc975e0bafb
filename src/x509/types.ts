// Parsed X.509 certificate and identity types (RFC 5280 §4.1, §4.2).

import type { PublicKey } from '../ciphers/keys.js';
import type { SignatureAlgorithm } from '../ciphers/schemes.js';

/** One attribute of a distinguished name, e.g. { type: 'CN', oid: '2.5.4.3', value: 'device1' }. */
export interface NameAttribute {
  /** Short name (CN, O, OU, C, ST, L, emailAddress, ...) or the dotted OID when unknown. */
  readonly type: string;
  readonly oid: string;
  readonly value: string;
}

/** An X.501 name (issuer or subject): its attributes, display text and DER. */
export interface DistinguishedName {
  /** Relative distinguished names in order, each a set of attributes. */
  readonly rdns: readonly (readonly NameAttribute[])[];
  /** RFC 4514-like display string, most significant first as OpenSSL prints: "C=DE, O=Acme, CN=device1". */
  readonly text: string;
  /** The DER encoding, for exact issuer/subject matching and CertificateRequest authorities. */
  readonly der: Uint8Array;
}

/** One GeneralName (RFC 5280 §4.2.1.6): DNS name, IP address, email, URI, directory name or another form. */
export type GeneralName =
  | { readonly type: 'dns'; readonly value: string }
  /** ip: 4 or 16 raw bytes; text is the canonical textual form. */
  | { readonly type: 'ip'; readonly value: Uint8Array; readonly text: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'dirName'; readonly value: DistinguishedName }
  | { readonly type: 'other'; readonly tag: number };

/** One certificate extension as encoded: OID, critical flag and DER value. */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** The keyUsage bits (RFC 5280 §4.2.1.3). */
export interface KeyUsage {
  readonly digitalSignature: boolean;
  readonly nonRepudiation: boolean;
  readonly keyEncipherment: boolean;
  readonly dataEncipherment: boolean;
  readonly keyAgreement: boolean;
  readonly keyCertSign: boolean;
  readonly cRLSign: boolean;
  readonly encipherOnly: boolean;
  readonly decipherOnly: boolean;
}

/** The nameConstraints extension (RFC 5280 §4.2.1.10) of a CA certificate. */
export interface NameConstraints {
  readonly permitted: readonly GeneralName[];
  /** IP constraints carry address and mask: { type: 'ip', value: addr ‖ mask }. */
  readonly excluded: readonly GeneralName[];
}

/** A parsed X.509 certificate (RFC 5280 §4.1): fields, decoded extensions and the DER it came from. */
export interface Certificate {
  /** The whole certificate DER. */
  readonly der: Uint8Array;
  /** The DER of tbsCertificate: what the issuer signed. */
  readonly tbs: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** Serial number as lower-case hex (no leading zeros beyond one byte). */
  readonly serialNumber: string;
  readonly issuer: DistinguishedName;
  readonly subject: DistinguishedName;
  /** ms since epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly publicKey: PublicKey | undefined;
  /** OID of the subject public key algorithm (kept when the key type is unsupported). */
  readonly publicKeyAlgorithmOid: string;
  /** DER of SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The outer signature algorithm; undefined when unsupported (then validation refuses it). */
  readonly signatureAlgorithm: SignatureAlgorithm | undefined;
  readonly signatureAlgorithmOid: string;
  /** Display name: "sha256WithRSAEncryption", "ecdsa-with-SHA256", ... */
  readonly signatureAlgorithmName: string;
  /** Set when the signature uses a broken hash (MD2, MD5, SHA-1): validation says weak_signature. */
  readonly weakSignatureHash?: 'md2' | 'md5' | 'sha1';
  readonly signature: Uint8Array;
  readonly extensions: readonly Extension[];
  readonly basicConstraints: { readonly ca: boolean; readonly pathLength: number | undefined } | undefined;
  readonly keyUsage: KeyUsage | undefined;
  /** Extended key usage OIDs (serverAuth = 1.3.6.1.5.5.7.3.1, clientAuth = 1.3.6.1.5.5.7.3.2). */
  readonly extendedKeyUsage: readonly string[] | undefined;
  readonly subjectAltNames: readonly GeneralName[] | undefined;
  readonly nameConstraints: NameConstraints | undefined;
  readonly subjectKeyIdentifier: Uint8Array | undefined;
  readonly authorityKeyIdentifier: Uint8Array | undefined;
  /** OIDs of critical extensions we do not understand. */
  readonly unknownCriticalExtensions: readonly string[];
  /** SHA-256 of der, lower-case hex with colons (as `openssl x509 -fingerprint -sha256`, lower case). */
  readonly fingerprintSha256: string;
}

/** Who the verified peer is. */
export interface PeerIdentity {
  /** Subject common name, when present (MQTT brokers use it as the user name). */
  readonly commonName: string | undefined;
  /** The SANs, as text: "DNS:a.test", "IP:127.0.0.1", "email:x@y", "URI:...". */
  readonly subjectAltNames: readonly string[];
  /** Full subject, as text. */
  readonly subject: string;
  /** SHA-256 fingerprint of the leaf, colon-separated hex. */
  readonly fingerprintSha256: string;
  /** The verified leaf certificate. */
  readonly certificate: Certificate;
  /**
   * The certification path that verified, leaf first and the pinned root last (set by the TLS
   * handshake; node:tls's getPeerCertificate(true) chain is built from it).
   */
  readonly verifiedPath?: readonly Certificate[];
}
