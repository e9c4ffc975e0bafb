// What a connection keeps of its handshake once Finished went both ways (RFC 5246 §7.4.9): the
// result. The state machine, its handler table and its view of the record layer are dropped, so an
// idle connection holds none of them.

import { localError } from '../errors.js';
import type { SignatureRequest } from '../signer.js';
import type { HandshakeResult } from './session.js';
import { describeState, unexpectedChangeCipherSpec, unexpectedMessage } from './unexpected.js';

export class FinishedHandshake {
  readonly done = true;
  readonly expectsChangeCipherSpec = false;
  readonly state: { readonly step: 'done'; readonly result: HandshakeResult };

  /** `peer` names the other side in errors ("the client sent ChangeCipherSpec …"). */
  constructor(
    result: HandshakeResult,
    private readonly peer: 'client' | 'server',
  ) {
    this.state = { step: 'done', result };
  }

  /** A finished handshake waits for no signature. */
  readonly pendingSignature: SignatureRequest | undefined = undefined;

  provideSignature(_signature: unknown): void {
    throw localError('no_pending_signature', 'provideSignature(): the handshake is over');
  }

  checkExpected(type: number): void {
    throw unexpectedMessage(type, describeState('done'));
  }

  handle(message: { readonly type: number }): void {
    throw unexpectedMessage(message.type, describeState('done'));
  }

  onChangeCipherSpec(): void {
    throw unexpectedChangeCipherSpec(this.peer, 'done');
  }

  /** Zero the master secret (the connection calls this when it fails or closes). */
  wipe(): void {
    this.state.result.masterSecret.fill(0);
  }
}
