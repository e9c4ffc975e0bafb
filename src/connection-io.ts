// The handshake's view of the outside world over a connection's record layer (docs/ARCHITECTURE.md
// "The handshake state machines"): queueing handshake messages and ChangeCipherSpec (RFC 5246
// §7.1, §7.4), the cipher switch per direction (§6.1), record size limits (RFC 8449) and the key log.

import { toHex } from './codec.js';
import type { ResolvedConfig } from './config.js';
import type { HandshakeIo } from './handshake/io.js';
import { encodeHandshake } from './handshake/messages/handshake.js';
import { HandshakeType } from './handshake/messages/types.js';
import type { Transcript } from './handshake/transcript.js';
import type { RecordLayer } from './record/record-layer.js';
import { ContentType, MAX_PLAINTEXT } from './record/types.js';
import { traceChangeCipherSpec, traceHandshake } from './trace.js';

/** What the connection itself wants to see of its handshake's output. */
export interface HandshakeObserver {
  /** Our Finished message's verify_data, as it is sent. */
  finishedSent(verifyData: Uint8Array): void;
  /**
   * A per-connection key-log listener, besides the config's keyLog; undefined when none listens, so
   * no line (a copy of the master secret in a string that cannot be wiped) is made for nobody.
   */
  keyLogListener(): ((line: string) => void) | undefined;
}

/** The one HandshakeIo a connection gives its handshake: everything goes through `records`. */
export function recordLayerIo(
  records: RecordLayer,
  transcript: Transcript,
  cfg: ResolvedConfig,
  observer?: HandshakeObserver,
): HandshakeIo {
  return {
    transcript,
    send(type, body) {
      const message = encodeHandshake(type, body);
      transcript.add(message);
      records.write(ContentType.handshake, message);
      if (type === HandshakeType.finished) observer?.finishedSent(message.slice(4));
      traceHandshake(cfg.trace, 'sent', message);
    },
    changeWriteCipher(keys) {
      records.setPendingWrite(keys);
      records.write(ContentType.change_cipher_spec, new Uint8Array([1]));
      traceChangeCipherSpec(cfg.trace, 'sent');
      records.activateWrite();
    },
    expectReadCipher(keys) {
      records.setPendingRead(keys);
    },
    lockRecordVersion() {
      records.lockVersion();
    },
    setSendLimit(limit) {
      records.setSendLimit(Math.min(limit, cfg.maxRecordSize ?? MAX_PLAINTEXT));
    },
    setReceiveLimit(limit) {
      records.setReceiveLimit(limit);
    },
    logKey(clientRandom, masterSecret) {
      const listener = observer?.keyLogListener();
      if (!cfg.keyLog && !listener) return;
      const line = `CLIENT_RANDOM ${toHex(clientRandom)} ${toHex(masterSecret)}`;
      cfg.keyLog?.(line);
      listener?.(line);
    },
  };
}
