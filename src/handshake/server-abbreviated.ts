// The server's abbreviated handshake (RFC 5246 §7.3, RFC 5077 §3.1, §3.4, RFC 6066 §3): its first
// flight (ServerHello echoing the session ID, [NewSessionTicket,] ChangeCipherSpec, Finished) and
// the result a resumed session reports (the full handshake's verified identity and parameters).

import type { SuiteParams } from '../ciphers/suites.js';
import type { ResolvedServerConfig } from '../config.js';
import { ProtocolVersion } from '../record/types.js';
import type { HandshakeIo } from './io.js';
import { encodeFinished } from './messages/finished.js';
import { encodeServerHello, RANDOM_LENGTH } from './messages/hello.js';
import { encodeServerHelloExtensions } from './messages/hello-extensions.js';
import { encodeNewSessionTicket } from './messages/new-session-ticket.js';
import { type ClientHello, CompressionMethod, HandshakeType } from './messages/types.js';
import type { ServerChoices } from './negotiate-client-hello.js';
import { resumedIdentity } from './resumed-path.js';
import { newTicket, type ResumableSession } from './server-resumption.js';
import type { ServerState } from './server-states.js';
import { deriveTrafficKeys, type HandshakeResult, handshakeResult, wipeTrafficKeys } from './session.js';
import { finishedVerifyData } from './shared.js';

/** An abbreviated handshake: this connection's hellos and the session it resumes. */
export interface Resumed {
  readonly suite: SuiteParams;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly alpn: string | undefined;
  readonly session: ResumableSession;
}

export /** The abbreviated handshake's first flight: ServerHello, [NewSessionTicket,] ChangeCipherSpec, Finished. */
function sendResumedFlight(
  cfg: ResolvedServerConfig,
  io: HandshakeIo,
  hello: ClientHello,
  n: ServerChoices,
  session: ResumableSession,
): ServerState {
  const stored = session.stored;
  const serverRandom = cfg.random(RANDOM_LENGTH);
  // RFC 5077 §3.4: echo the client's session_id; RFC 6066 §3: no server_name when resuming.
  const extensions = encodeServerHelloExtensions({
    ...n.helloExtensions,
    serverName: undefined,
    sessionTicket: session.renewTicket ? true : undefined,
  });
  io.send(HandshakeType.server_hello, (w) =>
    encodeServerHello(w, {
      version: ProtocolVersion.TLSv1_2,
      random: serverRandom,
      sessionId: hello.sessionId,
      cipherSuite: stored.suite.code,
      compressionMethod: CompressionMethod.null,
      extensions,
    }),
  );
  const masterSecret = stored.masterSecret;
  if (session.renewTicket) {
    const ticket = newTicket(cfg, { ...stored, masterSecret: masterSecret.slice() });
    io.send(HandshakeType.new_session_ticket, (w) => encodeNewSessionTicket(w, ticket));
  }
  const resumed: Resumed = {
    suite: stored.suite,
    clientRandom: hello.random,
    serverRandom,
    alpn: n.alpn,
    session,
  };
  io.logKey(hello.random, masterSecret);
  const keys = deriveTrafficKeys(stored.suite, masterSecret, hello.random, serverRandom);
  io.changeWriteCipher(keys.server);
  io.expectReadCipher(keys.client);
  wipeTrafficKeys(keys);
  const verifyData = finishedVerifyData(cfg, stored.suite, masterSecret, 'server finished', io.transcript);
  io.send(HandshakeType.finished, (w) => encodeFinished(w, { verifyData }));
  return { step: 'awaitResumedChangeCipherSpec', resumed, masterSecret };
}

/** What a resumed session reports: the stored session's identity and parameters, this connection's ALPN. */
export function resumedResult(r: Resumed, masterSecret: Uint8Array): HandshakeResult {
  const stored = r.session.stored;
  const peerCertificates = [...r.session.peerCertificates];
  const leaf = peerCertificates[0];
  const result = handshakeResult({
    suite: r.suite,
    masterSecret,
    clientRandom: r.clientRandom,
    serverRandom: r.serverRandom,
    group: stored.group,
    signatureScheme: stored.signatureScheme,
    serverName: stored.serverName,
    alpn: r.alpn,
    extendedMasterSecret: stored.extendedMasterSecret,
    peerCertificates,
    identity: leaf ? resumedIdentity(leaf, r.session.verifiedPath) : undefined,
    resumed: true,
  });
  const cachedId = r.session.cachedId;
  return cachedId ? { ...result, cachedSessionId: cachedId } : result;
}
