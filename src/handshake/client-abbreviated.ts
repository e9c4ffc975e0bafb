// The client's abbreviated handshake (RFC 5246 §7.3, RFC 5077 §3.1, §3.4): keys from the stored
// master secret once the ServerHello resumed our session, then the server's Finished checked and
// ours sent; the result reports the full handshake's verified server and parameters.

import type { SuiteParams } from '../ciphers/suites.js';
import type { ResolvedClientConfig } from '../config.js';
import { isIpLiteral } from '../x509/hostname.js';
import type { Certificate } from '../x509/types.js';
import { type Offer, sessionAfterResumption } from './client-resumption.js';
import type { ClientState } from './client-states.js';
import type { HandshakeIo } from './io.js';
import { encodeFinished } from './messages/finished.js';
import { type Finished, HandshakeType } from './messages/types.js';
import { resumedIdentity } from './resumed-path.js';
import type { ClientSession } from './resumption.js';
import { deriveTrafficKeys, handshakeResult, wipeTrafficKeys } from './session.js';
import { checkPeerFinished, finishedVerifyData } from './shared.js';

/** An abbreviated handshake: this connection's hellos and the stored session it resumes. */
export interface Resumed {
  readonly suite: SuiteParams;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly alpn: string | undefined;
  readonly stored: ClientSession;
  readonly peerCertificates: readonly Certificate[];
  readonly verifiedPath: readonly Certificate[] | undefined;
}

/**
 * The server resumed `offer`: its [NewSessionTicket,] ChangeCipherSpec and Finished come next, and
 * its records from ChangeCipherSpec on are read with keys from the stored master secret.
 */
export function startResumed(
  io: HandshakeIo,
  offer: Offer,
  hellos: {
    suite: SuiteParams;
    clientRandom: Uint8Array;
    serverRandom: Uint8Array;
    alpn: string | undefined;
  },
  ticketExpected: boolean,
): ClientState {
  const stored = offer.session;
  const resumed: Resumed = {
    ...hellos,
    stored,
    peerCertificates: offer.peerCertificates,
    verifiedPath: offer.verifiedPath,
  };
  const masterSecret = stored.masterSecret; // our own decoded copy: the states hold it and wipe it
  const keys = deriveTrafficKeys(hellos.suite, masterSecret, hellos.clientRandom, hellos.serverRandom);
  io.expectReadCipher(keys.server);
  wipeTrafficKeys(keys); // the client's keys are derived again when we send our Finished
  return ticketExpected
    ? { step: 'awaitResumedNewSessionTicket', resumed, masterSecret }
    : { step: 'awaitResumedChangeCipherSpec', resumed, masterSecret, ticket: undefined };
}

/** Check the server's Finished, send our ChangeCipherSpec and Finished: the handshake is done. */
export function finishResumed(
  cfg: ResolvedClientConfig,
  io: HandshakeIo,
  s: Extract<ClientState, { step: 'awaitResumedFinished' }>,
  finished: Finished,
  raw: Uint8Array,
): ClientState {
  const r = s.resumed;
  checkPeerFinished(cfg, r.suite, s.masterSecret, 'server', io.transcript, finished.verifyData);
  io.transcript.add(raw);
  io.logKey(r.clientRandom, s.masterSecret);
  const keys = deriveTrafficKeys(r.suite, s.masterSecret, r.clientRandom, r.serverRandom);
  io.changeWriteCipher(keys.client);
  wipeTrafficKeys(keys);
  const verifyData = finishedVerifyData(cfg, r.suite, s.masterSecret, 'client finished', io.transcript);
  io.send(HandshakeType.finished, (w) => encodeFinished(w, { verifyData }));
  const peerCertificates = [...r.peerCertificates];
  const result = handshakeResult({
    suite: r.suite,
    masterSecret: s.masterSecret,
    clientRandom: r.clientRandom,
    serverRandom: r.serverRandom,
    group: r.stored.group,
    signatureScheme: r.stored.signatureScheme,
    serverName: isIpLiteral(cfg.serverName) ? undefined : cfg.serverName,
    alpn: r.alpn,
    extendedMasterSecret: r.stored.extendedMasterSecret,
    peerCertificates,
    identity: resumedIdentity(peerCertificates[0]!, r.verifiedPath),
    resumed: true,
    session: sessionAfterResumption(cfg, r.stored, s.ticket),
  });
  io.transcript.clear();
  return { step: 'done', result };
}
