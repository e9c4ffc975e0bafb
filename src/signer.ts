// Keys that stay outside JavaScript memory (README "Keys outside JavaScript (signers)"): the Signer
// interface, our own key in compiled form, and the handshake signatures made with it (RFC 5246
// §7.4.3 ServerKeyExchange, §7.4.8 CertificateVerify; RFC 8422 §5.4: ECDSA signatures are DER).

import { p256, p384 } from '@noble/curves/nist.js';
import type { PrivateKey, PublicKey } from './ciphers/keys.js';
import { describeKey, publicKeyOf } from './ciphers/keys.js';
import type { CryptoProvider } from './ciphers/provider.js';
import { type SchemeParams, type SignatureSchemeName, schemeByName } from './ciphers/schemes.js';
import { localError, type TlsError } from './errors.js';
import { schemesForKey } from './handshake/negotiate.js';
import type { PemOrDer } from './x509/pem.js';
import { checkKeyMatchesCertificate, parsePrivateKey } from './x509/private-key.js';
import { parsePublicKeyInput } from './x509/public-key.js';
import type { Certificate } from './x509/types.js';

/**
 * A private key the engine never sees: a TPM, an HSM, a cloud KMS, a browser's non-extractable
 * WebCrypto key. Give it as `key` (next to its `cert`). The engine asks it for at most one
 * signature per handshake (the server's ServerKeyExchange, the client's CertificateVerify).
 */
export interface Signer {
  /** Its public key as a SubjectPublicKeyInfo, PEM ("PUBLIC KEY") or DER; checked against the certificate. */
  readonly publicKey: PemOrDer;
  /** The schemes it can make; default every configured scheme that fits its key type. */
  readonly schemes?: readonly SignatureSchemeName[];
  /**
   * Sign the whole `message` (hash it as `scheme` says). ECDSA signatures are DER (see
   * ecdsaSignatureToDer for WebCrypto's raw r‖s); RSA-PSS uses a salt as long as the hash.
   * Return the bytes, or a promise of them: the handshake then pauses until they come (the
   * 'signatureRequest' event; the adapters wait on their own).
   */
  sign(scheme: SignatureSchemeName, message: Uint8Array): Uint8Array | PromiseLike<Uint8Array>;
}

/** True for a Signer (an object with a `sign` function), as opposed to key bytes or PEM text. */
export function isSigner(value: unknown): value is Signer {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    typeof (value as { sign?: unknown }).sign === 'function'
  );
}

/** Our own key as the engine holds it: in memory, or a signer that knows the same public key. */
export interface OwnKey {
  readonly publicKey: PublicKey;
  readonly privateKey: PrivateKey | undefined;
  readonly signer: Signer | undefined;
  /** The signer's own scheme list (codes), when it gave one. */
  readonly signerSchemes: ReadonlySet<number> | undefined;
}

/** A signature the handshake waits for: the signer's promise, with what it was asked to sign. */
export interface SignatureRequest {
  readonly scheme: SignatureSchemeName;
  readonly message: Uint8Array;
  /** Settles with the signature; hand it to provideSignature() (or the reason to failSignature()). */
  readonly signature: PromiseLike<Uint8Array>;
}

function bad(message: string): TlsError {
  return localError('bad_config', message);
}

/** Parse `key` (bytes, PEM or a Signer) for `leaf` and check that it is the leaf's key. */
export function compileOwnKey(
  key: PemOrDer | Signer,
  passphrase: string | undefined,
  leaf: Certificate,
  field: string,
): OwnKey {
  if (!isSigner(key)) {
    const privateKey = parsePrivateKey(key instanceof Uint8Array ? key.slice() : key, passphrase);
    checkKeyMatchesCertificate(privateKey, leaf);
    return { publicKey: publicKeyOf(privateKey), privateKey, signer: undefined, signerSchemes: undefined };
  }
  if (passphrase !== undefined)
    throw bad(`'passphrase' is for an encrypted key, not for a signer ('${field}')`);
  const publicKey = parsePublicKeyInput(key.publicKey, `${field}.publicKey`);
  const certKey = leaf.publicKey;
  if (!certKey || !samePublicKey(publicKey, certKey)) {
    throw localError(
      'key_mismatch',
      `the signer's public key (${describeKey(publicKey)}) is not the key of certificate '${leaf.subject.text}'`,
    );
  }
  let signerSchemes: Set<number> | undefined;
  if (key.schemes !== undefined) {
    signerSchemes = new Set();
    for (const name of key.schemes) {
      const s = schemeByName(name);
      if (!s) throw bad(`'${field}.schemes' names an unknown or refused signature scheme '${String(name)}'`);
      signerSchemes.add(s.code);
    }
  }
  return { publicKey: certKey, privateKey: undefined, signer: key, signerSchemes };
}

function samePublicKey(a: PublicKey, b: PublicKey): boolean {
  if (a.type === 'rsa') return b.type === 'rsa' && a.n === b.n && a.e === b.e;
  if (a.type === 'ec') return b.type === 'ec' && a.curve === b.curve && sameBytes(a.point, b.point);
  return b.type === 'ed25519' && sameBytes(a.key, b.key);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The schemes from `allowed` our key can make (and its signer offers), best first. */
export function ownSchemes(own: OwnKey, allowed: readonly SchemeParams[]): SchemeParams[] {
  const fits = schemesForKey(own.publicKey, allowed);
  const only = own.signerSchemes;
  return only ? fits.filter((s) => only.has(s.code)) : fits;
}

/** `state` when it is the handshake's pause for a signature; a local error otherwise. */
export function awaitingSignature<S extends { readonly step: string }>(
  state: S,
): Extract<S, { readonly step: 'awaitSignature' }> {
  if (state.step !== 'awaitSignature') {
    throw localError(
      'no_pending_signature',
      'provideSignature(): the handshake is not waiting for a signature',
    );
  }
  return state as Extract<S, { readonly step: 'awaitSignature' }>;
}

/** A local error for a signer that threw, rejected or was failed by the application. */
export function signerFailed(cause: unknown): TlsError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return localError('signer_failed', `the signer could not sign the handshake: ${detail}`);
}

/**
 * Our handshake signature over `message`: made at once with an in-memory key, asked of the signer
 * otherwise. A signer that answers at once is checked here; one that returns a promise gives a
 * SignatureRequest (the engine never awaits it; checkedSignature() checks the answer).
 */
export function makeSignature(
  own: OwnKey,
  scheme: SchemeParams,
  message: Uint8Array,
  provider: CryptoProvider,
  random: (n: number) => Uint8Array,
): Uint8Array | SignatureRequest {
  if (own.privateKey) return provider.sign(scheme.algorithm, own.privateKey, message, random);
  const signer = own.signer!;
  let answer: Uint8Array | PromiseLike<Uint8Array>;
  try {
    answer = signer.sign(scheme.name, message.slice());
  } catch (e) {
    throw signerFailed(e);
  }
  if (
    answer !== null &&
    typeof answer === 'object' &&
    typeof (answer as PromiseLike<Uint8Array>).then === 'function' &&
    !(answer instanceof Uint8Array)
  ) {
    return { scheme: scheme.name, message: message.slice(), signature: answer as PromiseLike<Uint8Array> };
  }
  return checkedSignature(own, scheme, message, answer, provider);
}

/**
 * The signer's answer, checked against the certificate's key before it goes on the wire: a wrong
 * signature is our fault (a local error), never a handshake the peer has to refuse.
 */
export function checkedSignature(
  own: OwnKey,
  scheme: SchemeParams,
  message: Uint8Array,
  signature: unknown,
  provider: CryptoProvider,
): Uint8Array {
  if (!(signature instanceof Uint8Array)) {
    throw localError(
      'bad_signer_signature',
      `the signer returned ${typeof signature}, not a Uint8Array signature`,
    );
  }
  const copy = signature.slice();
  if (!provider.verify(scheme.algorithm, own.publicKey, message, copy)) {
    const hint =
      scheme.algorithm.kind === 'ecdsa' && (copy.length === 64 || copy.length === 96)
        ? ' (it looks like a raw r‖s signature, as WebCrypto makes: convert it with ecdsaSignatureToDer)'
        : '';
    throw localError(
      'bad_signer_signature',
      `the signer's ${scheme.name} signature does not verify with the certificate's ${describeKey(own.publicKey)} key${hint}`,
    );
  }
  return copy;
}

/**
 * An ECDSA signature as raw r‖s (IEEE P1363, what WebCrypto's subtle.sign returns) re-encoded as
 * the DER ECDSA-Sig-Value TLS carries (RFC 8422 §5.4). 64 bytes for P-256, 96 for P-384.
 */
export function ecdsaSignatureToDer(raw: Uint8Array): Uint8Array {
  const curve = raw.length === 64 ? p256 : raw.length === 96 ? p384 : undefined;
  if (!curve) {
    throw localError(
      'bad_argument',
      `a raw ECDSA signature is 64 (P-256) or 96 (P-384) bytes, got ${raw.length}`,
    );
  }
  try {
    return curve.Signature.fromBytes(raw, 'compact').toBytes('der');
  } catch (e) {
    throw localError(
      'bad_argument',
      `not a raw ECDSA signature: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
