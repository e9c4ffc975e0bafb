// The one place handshake handlers touch the outside: queueing handshake messages, cipher changes
// and the transcript (docs/ARCHITECTURE.md "The handshake state machines"). The connection
// implements it over the record layer (connection-io.ts).

import type { Writer } from '../codec.js';
import type { DirectionKeys } from '../record/types.js';
import type { Transcript } from './transcript.js';

export interface HandshakeIo {
  readonly transcript: Transcript;
  /** Frame a handshake message, add it to the transcript and queue it. */
  send(type: number, body: (w: Writer) => void): void;
  /** Queue ChangeCipherSpec and protect everything we send after it with `keys`. */
  changeWriteCipher(keys: DirectionKeys): void;
  /** Keys that take effect when the peer's ChangeCipherSpec arrives. */
  expectReadCipher(keys: DirectionKeys): void;
  /** From ServerHello on, record versions must be exactly TLS 1.2. */
  lockRecordVersion(): void;
  /** The peer's record_size_limit (RFC 8449): our records carry at most this much plaintext. */
  setSendLimit(limit: number): void;
  /** Our own record_size_limit, once the peer has acknowledged it: protected records above it are refused. */
  setReceiveLimit(limit: number): void;
  /** Key log line for Wireshark (NSS format). */
  logKey(clientRandom: Uint8Array, masterSecret: Uint8Array): void;
}
