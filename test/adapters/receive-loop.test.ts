// The receive-event loop the adapters share: event order, where dispatch stops, the handshake deadline.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_HANDSHAKE_TIMEOUT } from '../../src/adapters/limits.js';
import { ReceiveLoop, type TlsEventHandlers } from '../../src/adapters/receive-loop.js';
import { type SessionInfo, type TlsConnection, TlsError, type TlsEvent } from '../../src/index.js';

function recorder(dataEnds = false): { handlers: TlsEventHandlers; calls: string[] } {
  const calls: string[] = [];
  const handlers: TlsEventHandlers = {
    done: () => false,
    handshake: () => void calls.push('handshake'),
    data: (bytes) => {
      calls.push(`data ${bytes.length}`);
      return dataEnds;
    },
    peerClosed: () => {
      calls.push('peerClosed');
      return false;
    },
    alert: (description) => void calls.push(`alert ${description}`),
    error: (error) => void calls.push(`error ${error.code}`),
    flush: () => void calls.push('flush'),
  };
  return { handlers, calls };
}

const noConnection = {} as TlsConnection;
const failure = new TlsError('bad', { kind: 'peer', code: 'bad_record_mac' });
const events: TlsEvent[] = [
  { type: 'handshake', info: {} as SessionInfo },
  { type: 'alert', level: 'warning', description: 'user_canceled' },
  { type: 'data', data: new Uint8Array(3) },
  { type: 'peerClosed' },
];

afterEach(() => vi.useRealTimers());

describe('ReceiveLoop', () => {
  it('hands events out in order, then flushes once', () => {
    const { handlers, calls } = recorder();
    new ReceiveLoop(noConnection, handlers, { handshakeTimeout: 0, onTimeout: () => {} }).dispatch(events);
    expect(calls).toEqual(['handshake', 'alert user_canceled', 'data 3', 'peerClosed', 'flush']);
  });

  it('stops at an error without flushing: the adapter sends the alert itself', () => {
    const { handlers, calls } = recorder();
    const loop = new ReceiveLoop(noConnection, handlers, { handshakeTimeout: 0, onTimeout: () => {} });
    loop.dispatch([{ type: 'data', data: new Uint8Array(1) }, { type: 'error', error: failure }, ...events]);
    expect(calls).toEqual(['data 1', 'error bad_record_mac']);
  });

  it('stops when a handler ended the adapter', () => {
    const { handlers, calls } = recorder(true);
    new ReceiveLoop(noConnection, handlers, { handshakeTimeout: 0, onTimeout: () => {} }).dispatch(events);
    expect(calls).toEqual(['handshake', 'alert user_canceled', 'data 3']);
  });

  it('fails an unfinished handshake at the default deadline, and not after the handshake event', () => {
    vi.useFakeTimers();
    const timeouts: TlsError[] = [];
    const onTimeout = (error: TlsError) => void timeouts.push(error);
    new ReceiveLoop(noConnection, recorder().handlers, { onTimeout });
    const finished = new ReceiveLoop(noConnection, recorder().handlers, { onTimeout });
    finished.dispatch([{ type: 'handshake', info: {} as SessionInfo }]);
    vi.advanceTimersByTime(DEFAULT_HANDSHAKE_TIMEOUT - 1);
    expect(timeouts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(timeouts.map((e) => e.code)).toEqual(['handshake_timeout']);
  });
});
