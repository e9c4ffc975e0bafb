// NewSessionTicket codec (RFC 5077 §3.3): lifetime hint in seconds and the opaque ticket, 0..65535 bytes.

import type { Reader, Writer } from '../../codec.js';
import type { NewSessionTicket } from './types.js';

/** The largest ticket the wire format can carry (opaque ticket<0..2^16-1>). */
export const MAX_TICKET_LENGTH = 0xffff;

/*
 * struct {
 *   uint32 ticket_lifetime_hint;
 *   opaque ticket<0..2^16-1>;
 * } NewSessionTicket;
 */
export function encodeNewSessionTicket(w: Writer, m: NewSessionTicket): void {
  w.u32(m.lifetimeHint);
  w.opaque16(m.ticket);
}

export function decodeNewSessionTicket(r: Reader): NewSessionTicket {
  const lifetimeHint = r.u32();
  const ticket = r.opaque16();
  r.end();
  return { lifetimeHint, ticket };
}
