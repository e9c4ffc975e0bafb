// Certificate revocation list issuing for a private PKI (RFC 5280 §5.1, §5.2.1 AKI, §5.2.3 cRLNumber,
// §5.3.1 reasonCode): a v2 CRL signed with the CA's key, as `openssl ca -gencrl` writes one.

import * as asn1js from 'asn1js';
import type { PrivateKey } from '../ciphers/keys.js';
import { publicKeyOf } from '../ciphers/keys.js';
import { defaultRandom } from '../ciphers/provider.js';
import { signMessage } from '../ciphers/signatures.js';
import { localError } from '../errors.js';
import { CRL_OID, CRL_REASONS } from './crl.js';
import { loadIssuer } from './issue.js';
import { authorityKeyIdentifier, encodeTime } from './issue-extensions.js';
import { derInteger, toDer } from './key-encoding.js';
import { type PemOrDer, toPem } from './pem.js';
import { issuerName, keyIdentifier, signatureAlgorithmFor } from './sign-certificate.js';

/** One certificate to list as revoked. */
export interface RevocationEntry {
  /** The certificate's serial number as hex (Certificate.serialNumber; colons allowed). */
  serialNumber: string;
  /** ms since epoch. */
  revocationDate: number;
  /** A CRLReason name (keyCompromise, superseded, ...); none by default. */
  reason?: string;
}

/** What issueCrl needs: the CA, the revoked certificates, the CRL number and the validity. */
export interface IssueCrlOptions {
  /** The CA that signs: its certificate and key (PEM or DER, or a parsed key). */
  issuer: { certificate: PemOrDer; key: PrivateKey | PemOrDer; passphrase?: string };
  revoked: readonly RevocationEntry[];
  /** The cRLNumber: larger than that of every CRL this CA issued before (RFC 5280 §5.2.3). */
  crlNumber: bigint;
  /** nextUpdate is thisUpdate + days; default 30. */
  days?: number;
  /** thisUpdate, ms since epoch; default Date.now(). */
  now?: number;
  /** Random bytes for the signature (ECDSA nonces, PSS salts); the provider's default when absent. */
  random?: (n: number) => Uint8Array;
}

/** A CRL as DER and PEM ("X509 CRL"). */
export interface IssuedCrl {
  readonly der: Uint8Array;
  readonly pem: string;
}

const DAY_MS = 86_400_000;
/** How long a CRL from issueCrl (and `memtls pki crl`) stays valid by default, in days. */
export const DEFAULT_CRL_DAYS = 30;

function serialInteger(hex: string): asn1js.Integer {
  const digits = hex.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(digits) || digits.length > 40) {
    throw localError('bad_config', `'${hex}' is not a positive certificate serial number in hex`);
  }
  return derInteger(BigInt(`0x${digits}`));
}

function reasonCode(reason: string): asn1js.Sequence {
  const code = Object.entries(CRL_REASONS).find(([, name]) => name === reason)?.[0];
  if (code === undefined || reason === 'removeFromCRL') {
    throw localError(
      'bad_config',
      `unknown revocation reason '${reason}'; use one of ${Object.values(CRL_REASONS)
        .filter((r) => r !== 'removeFromCRL')
        .join(', ')}`,
    );
  }
  return new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: CRL_OID.reasonCode }),
      new asn1js.OctetString({
        valueHex: toDer(new asn1js.Enumerated({ value: Number(code) })),
      }),
    ],
  });
}

/**
 * A v2 CRL signed by `issuer` (which must be a CA whose keyUsage, if any, allows cRLSign), listing
 * `revoked` in the order given, with authorityKeyIdentifier and cRLNumber extensions and thisUpdate
 * now, nextUpdate now + days. Times are UTCTime through 2049 (RFC 5280 §5.1.2.4).
 */
export function issueCrl(options: IssueCrlOptions): IssuedCrl {
  const { cert, key } = loadIssuer(options.issuer);
  if (cert.keyUsage && !cert.keyUsage.cRLSign) {
    throw localError(
      'bad_config',
      `the issuer '${cert.subject.text}' may not sign CRLs (its keyUsage lacks cRLSign)`,
    );
  }
  const days = options.days ?? DEFAULT_CRL_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw localError('bad_config', `CRL days must be a whole number from 1 to 3650, got ${days}`);
  }
  if (options.crlNumber < 0n || options.crlNumber >= 1n << 159n) {
    throw localError(
      'bad_config',
      'cRLNumber must be from 0 to 2^159 - 1 (RFC 5280 §5.2.3: at most 20 octets)',
    );
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000) * 1000;
  const { algorithm, identifier } = signatureAlgorithmFor(key);
  const entries = options.revoked.map(
    (entry) =>
      new asn1js.Sequence({
        value: [
          serialInteger(entry.serialNumber),
          encodeTime(entry.revocationDate),
          ...(entry.reason === undefined ? [] : [new asn1js.Sequence({ value: [reasonCode(entry.reason)] })]),
        ],
      }),
  );
  const keyId = cert.subjectKeyIdentifier ?? keyIdentifier(publicKeyOf(key));
  const crlNumber = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: CRL_OID.cRLNumber }),
      new asn1js.OctetString({ valueHex: toDer(derInteger(options.crlNumber)) }),
    ],
  });
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      identifier,
      issuerName(cert),
      encodeTime(now),
      encodeTime(now + days * DAY_MS),
      // RFC 5280 §5.1.2.6: absent, not empty, when nothing is revoked.
      ...(entries.length > 0 ? [new asn1js.Sequence({ value: entries })] : []),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Sequence({ value: [authorityKeyIdentifier(keyId), crlNumber] })],
      }),
    ],
  });
  const tbsDer = toDer(tbs);
  const signature = signMessage(algorithm, key, tbsDer, options.random ?? defaultRandom);
  const der = toDer(
    new asn1js.Sequence({
      value: [tbs, identifier, new asn1js.BitString({ valueHex: signature, unusedBits: 0 })],
    }),
  );
  return { der, pem: toPem('X509 CRL', der) };
}
