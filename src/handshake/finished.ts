// What a connection keeps of its handshake state machine once the handshake is complete (RFC 5246
// §7.1, §7.4): nothing but the answers a finished handshake gives. The state machine itself (its
// transition table, its view of the record layer, the last state) is dropped, so an idle connection
// does not carry it; the connection's phase holds the result and the secrets.

import { localError } from '../errors.js';
import type { SignatureRequest } from '../signer.js';
import type { HandshakeMessage } from './messages/types.js';
import { describeState, unexpectedChangeCipherSpec, unexpectedMessage } from './unexpected.js';

/** A completed handshake: every message or ChangeCipherSpec is unexpected, as in the machines' 'done' state. */
export class FinishedHandshake {
  readonly done = true;

  private constructor(
    /** Who sends us handshake messages: the client, for a server connection. */
    private readonly peer: 'client' | 'server',
  ) {}

  /** One shared instance per role (it holds no per-connection data). */
  static readonly ofServer = new FinishedHandshake('client');
  static readonly ofClient = new FinishedHandshake('server');

  /** A finished handshake waits for no signature. */
  readonly pendingSignature: SignatureRequest | undefined = undefined;

  provideSignature(_signature: unknown): never {
    throw localError('no_pending_signature', 'provideSignature(): the handshake is over');
  }

  checkExpected(type: number): never {
    throw unexpectedMessage(type, describeState('done'));
  }

  handle(message: HandshakeMessage): never {
    throw unexpectedMessage(message.type, describeState('done'));
  }

  onChangeCipherSpec(): never {
    throw unexpectedChangeCipherSpec(this.peer, 'done');
  }

  /** The secrets of the result live in the connection's phase, which wipes them. */
  wipe(): void {}
}
