// The handshake transcript: every handshake message's bytes in order (RFC 5246 §7.4.9, RFC 7627 §3).
// Kept as bytes, not a running hash: TLS 1.2 CertificateVerify signs the messages themselves, and the
// suite's hash is only known after ServerHello. Handshakes are a few KiB, so hashing on demand is cheap.

import type { CryptoProvider } from '../ciphers/provider.js';
import type { HashName } from '../ciphers/suites.js';
import { concatBytes } from '../codec.js';

export class Transcript {
  private readonly parts: Uint8Array[] = [];

  add(message: Uint8Array): void {
    this.parts.push(message);
  }

  /** handshake_messages so far, concatenated. */
  bytes(): Uint8Array {
    return concatBytes(...this.parts);
  }

  hash(provider: CryptoProvider, algorithm: HashName): Uint8Array {
    return provider.hash(algorithm, this.bytes());
  }

  clear(): void {
    this.parts.length = 0;
  }
}
