// The shape of a handshake state machine's handler table: one handler per (state, message) pair
// that RFC 5246 §7.3–7.4 allows; anything absent is unexpected_message (docs/ARCHITECTURE.md).

import type { HandshakeMessage } from './messages/types.js';

/** The state of `S` whose step is `K`. */
export type StateAt<S extends { step: string }, K extends S['step']> = Extract<S, { step: K }>;

/** The decoded handshake message of type `T`. */
export type MessageOf<T extends HandshakeMessage['type']> = Extract<HandshakeMessage, { type: T }>;

/** For every step but 'done': the messages it accepts, each with the handler that returns the next state. */
export type HandlerTable<S extends { step: string }> = {
  readonly [K in Exclude<S['step'], 'done'>]: {
    readonly [T in HandshakeMessage['type']]?: (s: StateAt<S, K>, m: MessageOf<T>) => S;
  };
};
