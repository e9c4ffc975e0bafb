// Certificate issuing for a private PKI (RFC 5280 §4.1, §4.2.1): a self-signed root, and leaf or
// intermediate certificates signed by it — v3, random serial, SAN, EKU, SKI/AKI — the whole openssl recipe.

import { type PrivateKey, type PublicKey, publicKeyOf } from '../ciphers/keys.js';
import { defaultRandom } from '../ciphers/provider.js';
import { localError } from '../errors.js';
import { parseConfigCertificate } from './certificate.js';
import { generateKey, type IssuedKeyType } from './generate-key.js';
import { parseIpAddress } from './hostname.js';
import {
  type AltName,
  authorityKeyIdentifier,
  basicConstraints,
  type CertificateUsage,
  encodeName,
  extendedKeyUsage,
  isDnsName,
  keyUsage,
  parseAltName,
  type SubjectAttribute,
  subjectAltName,
  subjectKeyIdentifier,
} from './issue-extensions.js';
import { encodePrivateKeyPkcs8 } from './key-encoding.js';
import { type PemOrDer, toDerList, toPem } from './pem.js';
import { checkKeyMatchesCertificate, parsePrivateKey } from './private-key.js';
import { parsePublicKeyInput } from './public-key.js';
import {
  asPublicKey,
  issuerName,
  keyIdentifier,
  randomSerial,
  signatureAlgorithmFor,
  signCertificate,
} from './sign-certificate.js';
import type { Certificate } from './types.js';

export { generateKey, ISSUED_KEY_TYPES, type IssuedKeyType } from './generate-key.js';
export type { CertificateUsage, SubjectAttribute } from './issue-extensions.js';

/** A certificate and its private key, as DER, parsed key and PEM (the key as PKCS#8, like OpenSSL 3). */
export interface IssuedCertificate {
  readonly certificate: Uint8Array;
  readonly key: PrivateKey;
  readonly certificatePem: string;
  readonly keyPem: string;
}

interface CommonIssueOptions {
  commonName: string;
  /** Key to make: default 'p256'. Ignored when `key` is given. */
  keyType?: IssuedKeyType;
  /** Certify this existing key instead of making one. */
  key?: PrivateKey;
  /** Validity in days from now (notBefore is backdated 5 minutes for clock skew). */
  days?: number;
  /** ms since epoch; default Date.now(). */
  now?: number;
  /** Random bytes for keys and serial numbers; default globalThis.crypto.getRandomValues. */
  random?: (n: number) => Uint8Array;
  /** Attributes before the CN, most significant first, e.g. [{ type: 'O', value: 'Acme' }]. */
  subject?: readonly SubjectAttribute[];
}

/** Options of createRoot: a self-signed CA certificate for a private PKI. */
export interface CreateRootOptions extends CommonIssueOptions {
  /** basicConstraints pathLenConstraint; default none. */
  pathLength?: number;
}

/** Options of issueCertificate: the issuer, the names and the usage of a new certificate. */
export interface IssueCertificateOptions extends CommonIssueOptions {
  /** The CA that signs: its certificate and key (PEM or DER, or a parsed key). */
  issuer: { certificate: PemOrDer; key: PrivateKey | PemOrDer; passphrase?: string };
  /**
   * "DNS:a.test", "IP:127.0.0.1", "email:...", "URI:..." (a bare value is an IP or DNS name).
   * Default: the CN as DNS or IP. Server certificates must have at least one.
   */
  subjectAltNames?: readonly string[];
  /** Extended key usage for leaves: default 'server'. */
  usage?: CertificateUsage;
  /** Make an intermediate CA instead of a leaf. */
  ca?: boolean;
  pathLength?: number;
}

const DAY_MS = 86_400_000;
const BACKDATE_MS = 5 * 60_000;
/** Validity of a root made by createRoot when `days` is not given. */
export const DEFAULT_ROOT_DAYS = 3650;
/** 825 days: the longest TLS server validity Apple platforms accept, private CAs included. */
export const DEFAULT_LEAF_DAYS = 825;

function checkDays(days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw localError('bad_config', `days must be a whole number from 1 to 36500, got ${days}`);
  }
}

function issued(certificate: Uint8Array, key: PrivateKey): IssuedCertificate {
  return {
    certificate,
    key,
    certificatePem: toPem('CERTIFICATE', certificate),
    keyPem: toPem('PRIVATE KEY', encodePrivateKeyPkcs8(key)),
  };
}

function checkCommonName(commonName: string): void {
  if (typeof commonName !== 'string' || commonName.trim().length === 0) {
    throw localError('bad_config', 'a certificate needs a common name (commonName / --cn)');
  }
}

/** A self-signed root CA certificate (CA:TRUE, keyCertSign + cRLSign) and its key. */
export function createRoot(options: CreateRootOptions): IssuedCertificate {
  checkCommonName(options.commonName);
  const random = options.random ?? defaultRandom;
  const now = options.now ?? Date.now();
  const days = options.days ?? DEFAULT_ROOT_DAYS;
  checkDays(days);
  const key = options.key ?? generateKey(options.keyType ?? 'p256', random);
  const name = encodeName(options.commonName, options.subject);
  const keyId = keyIdentifier(publicKeyOf(key));
  const certificate = signCertificate(
    {
      serial: randomSerial(random),
      signature: signatureAlgorithmFor(key).identifier,
      issuer: name,
      notBefore: now - BACKDATE_MS,
      notAfter: now + days * DAY_MS,
      subject: name,
      subjectKey: key,
      extensions: [
        basicConstraints(true, options.pathLength),
        keyUsage(['keyCertSign', 'cRLSign']),
        subjectKeyIdentifier(keyId),
        authorityKeyIdentifier(keyId),
      ],
    },
    key,
    random,
  );
  return issued(certificate, key);
}

/** The SANs for a leaf: explicit ones parsed, else the CN as DNS or IP when it is one. */
function altNamesFor(options: IssueCertificateOptions, usage: CertificateUsage): AltName[] {
  if (options.subjectAltNames !== undefined) {
    const names = options.subjectAltNames.map(parseAltName);
    if (names.length === 0 && usage !== 'client') {
      throw localError(
        'bad_config',
        'a server certificate needs at least one subjectAltName (DNS:... or IP:...)',
      );
    }
    return names;
  }
  const cn = options.commonName.trim();
  if (parseIpAddress(cn) || isDnsName(cn)) return [parseAltName(cn)];
  if (usage === 'client') return [];
  throw localError(
    'bad_config',
    `the common name '${cn}' is not a DNS name or IP address, so it cannot be the default SAN; pass subjectAltNames (--san DNS:host.example)`,
  );
}

export function loadIssuer(issuer: IssueCertificateOptions['issuer']): {
  cert: Certificate;
  key: PrivateKey;
} {
  const ders = toDerList(issuer.certificate, 'CERTIFICATE', { what: 'the issuer certificate' });
  const first = ders[0];
  if (first === undefined) {
    throw localError('bad_config', 'the issuer certificate input holds no certificate');
  }
  const cert = parseConfigCertificate(first, 'the issuer certificate');
  const key =
    typeof issuer.key === 'string' || issuer.key instanceof Uint8Array
      ? parsePrivateKey(issuer.key, issuer.passphrase)
      : issuer.key;
  checkKeyMatchesCertificate(key, cert);
  if (!cert.basicConstraints?.ca) {
    throw localError(
      'bad_config',
      `the issuer '${cert.subject.text}' is not a CA certificate (no basicConstraints CA:TRUE)`,
    );
  }
  if (cert.keyUsage && !cert.keyUsage.keyCertSign) {
    throw localError(
      'bad_config',
      `the issuer '${cert.subject.text}' may not sign certificates (keyUsage lacks keyCertSign)`,
    );
  }
  return { cert, key };
}

/** A leaf (server/client) or intermediate CA certificate signed by `issuer`, with a new or given key. */
export function issueCertificate(options: IssueCertificateOptions): IssuedCertificate {
  let key: PrivateKey | undefined;
  const certificate = certify(options, () => {
    key = options.key ?? generateKey(options.keyType ?? 'p256', options.random ?? defaultRandom);
    return key;
  });
  return issued(certificate, key!);
}

/**
 * A certificate for a public key whose private key stays elsewhere (an HSM, a TPM, a non-extractable
 * WebCrypto key; README "Keys outside JavaScript (signers)"): SubjectPublicKeyInfo PEM or DER, or parsed.
 */
export function issueCertificateForPublicKey(
  options: Omit<IssueCertificateOptions, 'key' | 'keyType'>,
  publicKey: PublicKey | PemOrDer,
): { readonly certificate: Uint8Array; readonly certificatePem: string } {
  const key =
    typeof publicKey === 'string' || publicKey instanceof Uint8Array
      ? parsePublicKeyInput(publicKey, 'publicKey')
      : publicKey;
  const certificate = certify(options, () => key);
  return { certificate, certificatePem: toPem('CERTIFICATE', certificate) };
}

function certify(options: IssueCertificateOptions, subjectKey: () => PrivateKey | PublicKey): Uint8Array {
  checkCommonName(options.commonName);
  const random = options.random ?? defaultRandom;
  const now = options.now ?? Date.now();
  const ca = options.ca ?? false;
  const days = options.days ?? (ca ? DEFAULT_ROOT_DAYS : DEFAULT_LEAF_DAYS);
  checkDays(days);
  const usage = options.usage ?? 'server';
  if (!['server', 'client', 'both'].includes(usage)) {
    throw localError('bad_config', `usage must be server, client or both, not '${usage}'`);
  }
  const issuer = loadIssuer(options.issuer);
  if (issuer.cert.notAfter <= now) {
    throw localError(
      'bad_config',
      `the issuer '${issuer.cert.subject.text}' expired on ${new Date(issuer.cert.notAfter).toISOString()}`,
    );
  }
  const issuerPathLength = issuer.cert.basicConstraints?.pathLength;
  if (ca && issuerPathLength === 0) {
    throw localError(
      'bad_config',
      `the issuer '${issuer.cert.subject.text}' has pathlen 0 and may not sign another CA`,
    );
  }
  let pathLength = options.pathLength;
  if (ca && issuerPathLength !== undefined) {
    pathLength = Math.min(pathLength ?? issuerPathLength - 1, issuerPathLength - 1);
  }
  if (pathLength !== undefined && (!Number.isInteger(pathLength) || pathLength < 0)) {
    throw localError('bad_config', `pathLength must be a whole number ≥ 0, got ${pathLength}`);
  }

  const key = subjectKey();
  const names = ca ? (options.subjectAltNames ?? []).map(parseAltName) : altNamesFor(options, usage);
  const issuerKeyId = issuer.cert.subjectKeyIdentifier ?? keyIdentifier(publicKeyOf(issuer.key));
  const extensions = [basicConstraints(ca, ca ? pathLength : undefined)];
  if (ca) extensions.push(keyUsage(['keyCertSign', 'cRLSign']));
  else
    extensions.push(
      keyUsage(key.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']),
    );
  if (!ca) extensions.push(extendedKeyUsage(usage));
  if (names.length > 0) extensions.push(subjectAltName(names));
  extensions.push(subjectKeyIdentifier(keyIdentifier(asPublicKey(key))), authorityKeyIdentifier(issuerKeyId));

  return signCertificate(
    {
      serial: randomSerial(random),
      signature: signatureAlgorithmFor(issuer.key).identifier,
      issuer: issuerName(issuer.cert),
      notBefore: Math.max(now - BACKDATE_MS, issuer.cert.notBefore),
      // Never outlive the issuer: a chain is only as valid as its shortest-lived link.
      notAfter: Math.min(now + days * DAY_MS, issuer.cert.notAfter),
      subject: encodeName(options.commonName, options.subject),
      subjectKey: key,
      extensions,
    },
    issuer.key,
    random,
  );
}
