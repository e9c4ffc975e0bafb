// The handshake's view of the outside world over a connection's record layer (docs/ARCHITECTURE.md
// "The handshake state machines"): queueing handshake messages and ChangeCipherSpec (RFC 5246
// §7.1, §7.4), the cipher switch per direction (§6.1), record size limits (RFC 8449) and the key log.

import { toHex } from './codec.js';
import type { ResolvedConfig } from './config.js';
import type { HandshakeIo } from './handshake/io.js';
import { encodeHandshake } from './handshake/messages/handshake.js';
import type { Transcript } from './handshake/transcript.js';
import type { RecordLayer } from './record/record-layer.js';
import { ContentType, MAX_PLAINTEXT } from './record/types.js';
import { traceChangeCipherSpec, traceHandshake } from './trace.js';

/** The one HandshakeIo a connection gives its handshake: everything goes through `records`. */
export function recordLayerIo(
  records: RecordLayer,
  transcript: Transcript,
  cfg: ResolvedConfig,
): HandshakeIo {
  return {
    transcript,
    send(type, body) {
      const message = encodeHandshake(type, body);
      transcript.add(message);
      records.write(ContentType.handshake, message);
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
      cfg.keyLog?.(`CLIENT_RANDOM ${toHex(clientRandom)} ${toHex(masterSecret)}`);
    },
  };
}
