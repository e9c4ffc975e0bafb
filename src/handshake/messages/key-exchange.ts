// ECDHE ServerKeyExchange and ClientKeyExchange codecs (RFC 8422 §5.4, §5.7; digitally-signed RFC 5246 §4.7).
//
// A curve_type other than named_curve (3) parses but is refused: explicit_prime/explicit_char2 curves
// are deprecated by RFC 8422 §5.4 and we never offer them, so the value is an illegal_parameter from the
// peer (kind 'peer', code 'unsupported_curve_type'), not malformed bytes.

import { type Reader, Writer } from '../../codec.js';
import { peerError } from '../../errors.js';
import type { ClientKeyExchange, ServerKeyExchange } from './types.js';

export const ECCurveType = { named_curve: 3 } as const;

function writeServerEcdhParams(w: Writer, namedGroup: number, publicKey: Uint8Array): void {
  w.u8(ECCurveType.named_curve);
  w.u16(namedGroup);
  w.opaque8(publicKey);
}

/**
 * ServerECDHParams (curve_type ‖ named_curve ‖ opaque8 point): the exact `params` bytes covered by the
 * ServerKeyExchange signature, i.e. sign(client_random ‖ server_random ‖ these bytes).
 */
export function encodeServerEcdhParams(namedGroup: number, publicKey: Uint8Array): Uint8Array {
  const w = new Writer(4 + publicKey.length);
  writeServerEcdhParams(w, namedGroup, publicKey);
  return w.finish();
}

/*
 * struct {
 *   ServerECDHParams params;        { ECParameters curve_params; ECPoint public; }
 *   Signature signed_params;        digitally-signed { client_random, server_random, params }
 * } ServerKeyExchange;
 * ECParameters: ECCurveType curve_type (3) + NamedCurve namedcurve; ECPoint: opaque point<1..2^8-1>.
 */
export function encodeServerKeyExchange(w: Writer, m: ServerKeyExchange): void {
  writeServerEcdhParams(w, m.namedGroup, m.publicKey);
  w.u16(m.signatureScheme);
  w.opaque16(m.signature);
}

export function decodeServerKeyExchange(r: Reader): ServerKeyExchange {
  const curveType = r.u8();
  if (curveType !== ECCurveType.named_curve) {
    throw peerError(
      'unsupported_curve_type',
      `ServerKeyExchange: curve_type ${curveType} is not named_curve (3); explicit curves are not supported`,
    );
  }
  const namedGroup = r.u16();
  const publicKey = r.opaque8({ min: 1 });
  const signatureScheme = r.u16();
  const signature = r.opaque16();
  r.end();
  return { curveType, namedGroup, publicKey, signatureScheme, signature };
}

/* struct { ClientECDiffieHellmanPublic exchange_keys; } ClientKeyExchange; explicit: opaque ecdh_Yc<1..2^8-1>. */
export function encodeClientKeyExchange(w: Writer, m: ClientKeyExchange): void {
  w.opaque8(m.publicKey);
}

export function decodeClientKeyExchange(r: Reader): ClientKeyExchange {
  const publicKey = r.opaque8({ min: 1 });
  r.end();
  return { publicKey };
}
