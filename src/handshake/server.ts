// The TLS 1.2 server handshake state machine: full ECDHE handshake, requiring (or allowing) client
// certificates, and the abbreviated handshake resuming a ticket or cached session (RFC 5246 §7.3–7.4,
// RFC 8422, RFC 7627, RFC 5746, RFC 6066, RFC 7301, RFC 8449, RFC 5077).

import { describeScheme, schemeByCode } from '../ciphers/schemes.js';
import type { ResolvedServerConfig } from '../config.js';
import { certificateError, peerError } from '../errors.js';
import { awaitingSignature, type SignatureRequest } from '../signer.js';
import type { HandlerTable, StateAt as StateAtOf } from './handler-table.js';
import type { HandshakeIo } from './io.js';
import { encodeFinished } from './messages/finished.js';
import { encodeNewSessionTicket } from './messages/new-session-ticket.js';
import {
  type CertificateMessage,
  type CertificateVerify,
  type ClientHello,
  type ClientKeyExchange,
  type Finished,
  type HandshakeMessage,
  HandshakeType,
} from './messages/types.js';
import { schemesForKey } from './negotiate.js';
import { negotiateClientHello } from './negotiate-client-hello.js';
import { resumedResult, sendResumedFlight } from './server-abbreviated.js';
import { finishSignedFlight, sendFullHandshakeFlight } from './server-full-flight.js';
import { findResumable, newTicket, storedSession } from './server-resumption.js';
import type { ServerState } from './server-states.js';
import { deriveTrafficKeys, handshakeResult, wipeTrafficKeys } from './session.js';
import { authenticatePeer, checkPeerFinished, deriveMasterSecret, finishedVerifyData } from './shared.js';
import { describeState, unexpectedChangeCipherSpec, unexpectedMessage } from './unexpected.js';

export type { ServerState } from './server-states.js';

type StateAt<K extends ServerState['step']> = StateAtOf<ServerState, K>;
type Handlers = HandlerTable<ServerState>;

export class ServerHandshake {
  state: ServerState = { step: 'awaitClientHello' };

  /** The transitions. A message with no handler in the current state is unexpected_message. */
  private readonly on: Handlers = {
    awaitClientHello: { [HandshakeType.client_hello]: (_, m) => this.onClientHello(m.body, m.raw) },
    awaitSignature: {},
    awaitCertificate: { [HandshakeType.certificate]: (s, m) => this.onCertificate(s, m.body, m.raw) },
    awaitClientKeyExchange: {
      [HandshakeType.client_key_exchange]: (s, m) => this.onClientKeyExchange(s, m.body, m.raw),
    },
    awaitCertificateVerify: {
      [HandshakeType.certificate_verify]: (s, m) => this.onCertificateVerify(s, m.body, m.raw),
    },
    awaitChangeCipherSpec: {},
    awaitFinished: { [HandshakeType.finished]: (s, m) => this.onFinished(s, m.body, m.raw) },
    awaitResumedChangeCipherSpec: {},
    awaitResumedFinished: { [HandshakeType.finished]: (s, m) => this.onResumedFinished(s, m.body, m.raw) },
  };

  constructor(
    private readonly config: ResolvedServerConfig,
    private readonly io: HandshakeIo,
  ) {}

  get done(): boolean {
    return this.state.step === 'done';
  }

  /**
   * Zero the secrets the current state holds: our ephemeral ECDHE key until ClientKeyExchange (so
   * a refused client certificate does not leave it behind), the master secret after it. The
   * connection calls this when it fails or closes.
   */
  wipe(): void {
    const s = this.state;
    if ('share' in s) s.share.dispose();
    if ('masterSecret' in s) s.masterSecret.fill(0);
    if (s.step === 'done') s.result.masterSecret.fill(0);
  }

  /** The signature the handshake waits for (a signer that answers later), else undefined. */
  get pendingSignature(): SignatureRequest | undefined {
    return this.state.step === 'awaitSignature' ? this.state.request : undefined;
  }

  /** The signer's answer: checked against the certificate's key, then ServerKeyExchange goes out. */
  provideSignature(signature: unknown): void {
    this.state = finishSignedFlight(this.config, this.io, awaitingSignature(this.state), signature);
  }

  get expectsChangeCipherSpec(): boolean {
    return this.state.step === 'awaitChangeCipherSpec' || this.state.step === 'awaitResumedChangeCipherSpec';
  }

  /** Throws unexpected_message unless a message of `type` may come now; called before its body is decoded. */
  checkExpected(type: number): void {
    const step = this.state.step;
    if (step !== 'done' && type in this.on[step]) return;
    throw unexpectedMessage(type, describeState(step));
  }

  handle(message: HandshakeMessage): void {
    const s = this.state;
    if (s.step === 'done') throw unexpectedMessage(message.type, describeState(s.step));
    const handler = (this.on[s.step] as Record<number, (s: ServerState, m: HandshakeMessage) => ServerState>)[
      message.type
    ];
    if (handler === undefined) throw unexpectedMessage(message.type, describeState(s.step));
    this.state = handler(s, message);
  }

  onChangeCipherSpec(): void {
    const s = this.state;
    if (s.step === 'awaitResumedChangeCipherSpec') {
      this.state = { ...s, step: 'awaitResumedFinished' };
      return;
    }
    if (s.step !== 'awaitChangeCipherSpec') {
      throw unexpectedChangeCipherSpec('client', s.step);
    }
    this.state = { ...s, step: 'awaitFinished' };
  }

  private onClientHello(hello: ClientHello, raw: Uint8Array): ServerState {
    const cfg = this.config;
    const io = this.io;
    const n = negotiateClientHello(cfg, hello);
    io.lockRecordVersion();
    io.transcript.add(raw);
    if (n.recordSizeLimit !== undefined) {
      io.setSendLimit(n.recordSizeLimit);
      if (cfg.maxRecordSize !== undefined) io.setReceiveLimit(cfg.maxRecordSize);
    }
    const resumable = findResumable(cfg, hello, n);
    if (resumable) return sendResumedFlight(cfg, io, hello, n, resumable);
    return sendFullHandshakeFlight(cfg, io, hello, n);
  }

  /** Abbreviated handshake: the client's Finished completes it (RFC 5246 §7.3). */
  private onResumedFinished(
    s: StateAt<'awaitResumedFinished'>,
    finished: Finished,
    raw: Uint8Array,
  ): ServerState {
    const cfg = this.config;
    const r = s.resumed;
    checkPeerFinished(cfg, r.suite, s.masterSecret, 'client', this.io.transcript, finished.verifyData);
    this.io.transcript.add(raw);
    const result = resumedResult(r, s.masterSecret);
    this.io.transcript.clear();
    return { step: 'done', result };
  }

  private onCertificate(
    s: StateAt<'awaitCertificate'>,
    message: CertificateMessage,
    raw: Uint8Array,
  ): ServerState {
    const cfg = this.config;
    if (message.certificates.length === 0) {
      if (cfg.clientAuth === 'required') {
        throw certificateError(
          'certificate_required',
          'the client sent no certificate, but this server requires one (clientAuth: required)',
        );
      }
      this.io.transcript.add(raw);
      return { step: 'awaitClientKeyExchange', session: s.session, share: s.share, client: undefined };
    }
    const { peerCertificates, identity } = authenticatePeer(cfg, message.certificates, 'client', undefined);
    const key = identity.certificate.publicKey;
    if (!key || schemesForKey(key, s.requestedSchemes).length === 0) {
      throw certificateError(
        'unsupported_algorithm',
        `the client's certificate key (${key?.type ?? 'unknown'}) fits none of the signature schemes we requested`,
      );
    }
    this.io.transcript.add(raw);
    return {
      step: 'awaitClientKeyExchange',
      session: s.session,
      share: s.share,
      client: { peerCertificates, identity, key, requestedSchemes: s.requestedSchemes },
    };
  }

  private onClientKeyExchange(
    s: StateAt<'awaitClientKeyExchange'>,
    cke: ClientKeyExchange,
    raw: Uint8Array,
  ): ServerState {
    const cfg = this.config;
    const session = s.session;
    let preMasterSecret: Uint8Array;
    try {
      preMasterSecret = s.share.derive(cke.publicKey);
    } finally {
      s.share.dispose();
    }
    this.io.transcript.add(raw);
    const masterSecret = deriveMasterSecret(cfg, session, preMasterSecret, this.io.transcript);
    const keys = deriveTrafficKeys(session.suite, masterSecret, session.clientRandom, session.serverRandom);
    this.io.expectReadCipher(keys.client);
    wipeTrafficKeys(keys); // the record layer keyed its AEAD from a copy; server keys come again at Finished
    this.io.logKey(session.clientRandom, masterSecret);
    return s.client
      ? { step: 'awaitCertificateVerify', session, masterSecret, client: s.client }
      : { step: 'awaitChangeCipherSpec', session, masterSecret, client: undefined };
  }

  private onCertificateVerify(
    s: StateAt<'awaitCertificateVerify'>,
    cv: CertificateVerify,
    raw: Uint8Array,
  ): ServerState {
    const cfg = this.config;
    const key = s.client.key;
    const scheme = schemeByCode(cv.signatureScheme);
    if (!scheme || !s.client.requestedSchemes.includes(scheme) || schemesForKey(key, [scheme]).length === 0) {
      throw peerError(
        'unoffered_signature_scheme',
        `the client signed CertificateVerify with ${describeScheme(cv.signatureScheme)}, which we did not request` +
          ` or which does not fit its ${key.type} key`,
      );
    }
    if (!cfg.provider.verify(scheme.algorithm, key, this.io.transcript.bytes(), cv.signature)) {
      throw peerError(
        'bad_certificate_verify',
        `the client's CertificateVerify signature (${scheme.name}) does not verify with its certificate key:` +
          ' it does not hold the private key of the certificate it sent',
      );
    }
    this.io.transcript.add(raw);
    const { peerCertificates, identity } = s.client;
    return {
      step: 'awaitChangeCipherSpec',
      session: s.session,
      masterSecret: s.masterSecret,
      client: { peerCertificates, identity, scheme },
    };
  }

  private onFinished(s: StateAt<'awaitFinished'>, finished: Finished, raw: Uint8Array): ServerState {
    const cfg = this.config;
    const io = this.io;
    const session = s.session;
    checkPeerFinished(cfg, session.suite, s.masterSecret, 'client', io.transcript, finished.verifyData);
    io.transcript.add(raw);
    // What a later connection resumes: sealed into a ticket (RFC 5077 §3.3) or cached by session ID.
    const peerCertificates = s.client?.peerCertificates ?? [];
    const resumable = () =>
      storedSession(cfg, {
        ...session,
        masterSecret: s.masterSecret,
        signatureScheme: s.client?.scheme.name ?? 'none',
        peerCertificates,
        verifiedPath: s.client?.identity.verifiedPath,
      });
    if (session.issueTicket) {
      const ticket = newTicket(cfg, resumable());
      io.send(HandshakeType.new_session_ticket, (w) => encodeNewSessionTicket(w, ticket));
    } else if (session.sessionId.length > 0) {
      cfg.sessions.put(session.sessionId, { stored: resumable(), peerCertificates });
    }
    const keys = deriveTrafficKeys(session.suite, s.masterSecret, session.clientRandom, session.serverRandom);
    io.changeWriteCipher(keys.server);
    wipeTrafficKeys(keys);
    const verifyData = finishedVerifyData(
      cfg,
      session.suite,
      s.masterSecret,
      'server finished',
      io.transcript,
    );
    io.send(HandshakeType.finished, (w) => encodeFinished(w, { verifyData }));
    const result = handshakeResult({
      ...session,
      masterSecret: s.masterSecret,
      signatureScheme: s.client?.scheme.name ?? 'none',
      peerCertificates: s.client?.peerCertificates ?? [],
      identity: s.client?.identity,
      certificate: session.certificate,
    });
    io.transcript.clear();
    const cached = !session.issueTicket && session.sessionId.length > 0;
    return { step: 'done', result: cached ? { ...result, cachedSessionId: session.sessionId } : result };
  }
}
