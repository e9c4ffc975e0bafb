// Message framing and buffering for the adapters: a 4-byte big-endian length prefix per application
// message inside the TLS stream, an async inbox of received messages, and plain byte views of Node
// Buffers. No I/O and no node:* here: it runs in browsers.

import { limitError, type TlsError } from '../index.js';

/**
 * A plain Uint8Array view of the same bytes. Node's Buffer (from zeromq, ws, net) is a Uint8Array whose
 * slice() does not copy, and pooled Buffers sit at unaligned offsets; the engine gets neither.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An async queue with one consumer; ends cleanly or with an error after the queued items. */
export class Inbox<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private finished = false;
  private failure: TlsError | undefined;

  push(item: T): void {
    if (this.finished) return;
    this.items.push(item);
    this.wake();
  }

  end(error?: TlsError): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = error;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.finished) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}

/** Prefix a message with its 4-byte big-endian length. */
export function frameMessage(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(data, 4);
  return out;
}

/** Reassembles length-prefixed messages from decrypted chunks of any size (linear in the bytes seen). */
export class MessageDeframer {
  private readonly chunks: Uint8Array[] = [];
  private buffered = 0;
  private expected: number | undefined;

  constructor(private readonly maxMessageSize: number) {}

  /** Bytes of a message (or its length prefix) received but not yet complete. */
  get partialBytes(): number {
    return this.buffered + (this.expected === undefined ? 0 : 4); // the length prefix, once read
  }

  push(chunk: Uint8Array): Uint8Array[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: Uint8Array[] = [];
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < 4) break;
        const length = new DataView(this.take(4).buffer).getUint32(0);
        if (length > this.maxMessageSize) {
          throw limitError(
            'message_too_large',
            `the peer announced a ${length}-byte message; the limit is ${this.maxMessageSize} (maxMessageSize)`,
          );
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      messages.push(this.take(this.expected));
      this.expected = undefined;
    }
    return messages;
  }

  /** Remove and return the first n buffered bytes (n ≤ buffered) as a fresh array. */
  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const used = Math.min(head.length, n - filled);
      out.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.buffered -= n;
    return out;
  }
}
