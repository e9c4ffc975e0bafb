// Several certificates per server (README "Several certificates per server"): the `certificates`
// config entries compiled once into chains with their keys, for the choice per ClientHello
// (RFC 6066 §3 server_name, RFC 8422 §5.3, RFC 5246 §7.4.2).

import type { PublicKey } from './ciphers/keys.js';
import { localError, type TlsError } from './errors.js';
import { compileOwnKey, type OwnKey, type Signer } from './signer.js';
import { parseCertificate } from './x509/certificate.js';
import { type PemOrDer, toDerList } from './x509/pem.js';
import type { Certificate } from './x509/types.js';

/** One certificate chain a server can present, with its key (bytes, PEM or a Signer). */
export interface ServerCertificateConfig {
  /** The chain, leaf first (PEM may hold several blocks). */
  cert: PemOrDer | PemOrDer[];
  /** The leaf's private key (PKCS#8, SEC1 EC or PKCS#1 RSA, PEM or DER), or a Signer. */
  key: PemOrDer | Signer;
  /** For an encrypted PKCS#8 key. */
  passphrase?: string;
}

/** A certificate chain compiled for the engine: DER as sent, parsed certificates, the leaf's key. */
export interface ServerCertificate {
  readonly chain: readonly Uint8Array[];
  readonly chainCertificates: readonly Certificate[];
  readonly leaf: Certificate;
  readonly key: OwnKey;
}

function bad(message: string): TlsError {
  return localError('bad_config', message);
}

/** Compile one chain and key; `field` names it in messages ("certificates[1]"). */
export function compileServerCertificate(
  entry: ServerCertificateConfig,
  field: string,
  checkKey: (key: PublicKey, field: string) => void,
): ServerCertificate {
  if (entry === null || typeof entry !== 'object') throw bad(`'${field}' must be an object { cert, key }`);
  for (const name of Object.keys(entry)) {
    if (name !== 'cert' && name !== 'key' && name !== 'passphrase') {
      throw bad(`'${field}' has an unknown option '${name}'; an entry holds cert, key and passphrase`);
    }
  }
  if (entry.cert === undefined || entry.key === undefined) {
    throw bad(
      `'${field}' needs 'cert' (the chain, leaf first) and 'key' (the leaf's private key or a signer)`,
    );
  }
  const list = Array.isArray(entry.cert) ? entry.cert : [entry.cert];
  const chain = list.flatMap((c) =>
    toDerList(c, 'CERTIFICATE', { what: `${field}.cert` }).map((d) => d.slice()),
  );
  const chainCertificates = chain.map((der) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      throw bad(
        `'${field}.cert' holds a certificate that does not parse: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  });
  const leaf = chainCertificates[0];
  if (!leaf) throw bad(`'${field}.cert' holds no certificate`);
  const key = compileOwnKey(entry.key, entry.passphrase, leaf, `${field}.key`);
  checkKey(key.publicKey, `${field}.key`);
  return Object.freeze({
    chain: Object.freeze(chain),
    chainCertificates: Object.freeze(chainCertificates),
    leaf,
    key: Object.freeze(key),
  });
}

/**
 * The server's certificates in order: `cert`/`key` first when given (already compiled by the common
 * config), then each `certificates` entry. At least one is required.
 */
export function compileServerCertificates(
  first: ServerCertificate | undefined,
  entries: readonly ServerCertificateConfig[] | undefined,
  checkKey: (key: PublicKey, field: string) => void,
): readonly ServerCertificate[] {
  if (entries !== undefined && !Array.isArray(entries)) {
    throw bad(`'certificates' must be an array of { cert, key, passphrase? }`);
  }
  const out = first ? [first] : [];
  (entries ?? []).forEach((entry, i) => {
    out.push(compileServerCertificate(entry, `certificates[${i}]`, checkKey));
  });
  if (out.length === 0) {
    throw bad(
      `server config needs 'cert' (its certificate chain, leaf first) and 'key' (the leaf's private key),` +
        ` or 'certificates': [{ cert, key }, ...]`,
    );
  }
  return Object.freeze(out);
}
