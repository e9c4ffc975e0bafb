// Finished (RFC 5246 §7.4.9), ServerHelloDone (§7.4.5) and HelloRequest (§7.4.1.1) codecs.

import type { Reader, Writer } from '../../codec.js';
import type { Finished } from './types.js';

/** verify_data_length for every cipher suite we support (RFC 5246 §7.4.9). */
export const VERIFY_DATA_LENGTH = 12;

/* struct { opaque verify_data[verify_data_length]; } Finished; */
export function encodeFinished(w: Writer, m: Finished): void {
  w.bytes(m.verifyData);
}

/** Any length other than `verifyDataLength` is a decode_error. */
export function decodeFinished(r: Reader, verifyDataLength = VERIFY_DATA_LENGTH): Finished {
  const verifyData = r.bytes(verifyDataLength);
  r.end();
  return { verifyData };
}

/* struct { } ServerHelloDone; */
export function encodeServerHelloDone(_w: Writer): void {}

export function decodeServerHelloDone(r: Reader): Record<string, never> {
  r.end();
  return {};
}

/* struct { } HelloRequest; */
export function encodeHelloRequest(_w: Writer): void {}

export function decodeHelloRequest(r: Reader): Record<string, never> {
  r.end();
  return {};
}
