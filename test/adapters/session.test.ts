import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameMessage, Inbox, MessageDeframer } from '../../src/adapters/session.js';
import { TlsError } from '../../src/errors.js';

/** Split bytes at the given cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

describe('length-prefixed message framing', () => {
  it('frames a message as a 4-byte big-endian length and the bytes', () => {
    expect([...frameMessage(new Uint8Array([7, 8, 9]))]).toEqual([0, 0, 0, 3, 7, 8, 9]);
    expect([...frameMessage(new Uint8Array(0))]).toEqual([0, 0, 0, 0]);
  });

  it('returns exactly the messages sent, however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (messages, cuts) => {
          const framed = messages.map(frameMessage);
          const stream = new Uint8Array(framed.reduce((n, f) => n + f.length, 0));
          let o = 0;
          for (const f of framed) {
            stream.set(f, o);
            o += f.length;
          }
          const deframer = new MessageDeframer(1024);
          const out = split(stream, cuts).flatMap((chunk) => deframer.push(chunk));
          expect(out.map((m) => [...m])).toEqual(messages.map((m) => [...m]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a message longer than maxMessageSize before buffering it', () => {
    const deframer = new MessageDeframer(16);
    expect(deframer.push(frameMessage(new Uint8Array(16)))).toHaveLength(1);
    let error: unknown;
    try {
      deframer.push(new Uint8Array([0, 0, 0, 17]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).code).toBe('message_too_large');
  });
});

describe('Inbox', () => {
  it('yields queued items, then ends or throws the error it ended with', async () => {
    const clean = new Inbox<number>();
    clean.push(1);
    clean.push(2);
    clean.end();
    const seen: number[] = [];
    for await (const n of clean) seen.push(n);
    expect(seen).toEqual([1, 2]);

    const failing = new Inbox<number>();
    const collected: number[] = [];
    const consumer = (async () => {
      for await (const n of failing) collected.push(n);
    })();
    failing.push(3);
    failing.end(new TlsError('boom', { kind: 'local', code: 'boom' }));
    await expect(consumer).rejects.toThrow('boom');
    expect(collected).toEqual([3]);
  });
});
