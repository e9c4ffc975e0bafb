// The slab small outgoing records are carved from (RFC 5246 §6.2: records are written whole, never
// changed after they are queued).

/**
 * Small outgoing records are carved from a shared slab, as Node's Buffer pool does: a view on an
 * existing buffer costs a tenth of a fresh small Uint8Array (whose backing store is allocated off
 * the JS heap). Regions are never reused, so a returned record stays valid; it may keep its slab
 * alive, and its `.buffer` shows other outgoing records — bytes that go on the wire anyway, since
 * only protected records and plaintext handshake, alert and change_cipher_spec records are written.
 */
const SLAB_SIZE = 16 * 1024;
/** Largest region taken from the slab; larger records get a buffer of their own. */
export const SLAB_MAX_RECORD = 2048;
let slab = new Uint8Array(0);
let slabOffset = 0;

/** n bytes for an outgoing record: a view on the shared slab when small, else a new buffer. */
export function allocateOutgoing(n: number): Uint8Array {
  if (n > SLAB_MAX_RECORD) return new Uint8Array(n);
  if (slabOffset + n > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    slabOffset = 0;
  }
  const out = slab.subarray(slabOffset, slabOffset + n);
  slabOffset = (slabOffset + n + 7) & ~7; // keep views 8-byte aligned
  return out;
}
