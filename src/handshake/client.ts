// The TLS 1.2 client handshake state machine: full ECDHE handshake with optional client
// authentication, and the abbreviated handshake that resumes a session (RFC 5246 §7.3–7.4, RFC 8422,
// RFC 7627, RFC 5746, RFC 6066, RFC 7301, RFC 8449, RFC 5077).

import { groupByCode } from '../ciphers/groups.js';
import { describeScheme, schemeByCode } from '../ciphers/schemes.js';
import { concatBytes } from '../codec.js';
import type { ResolvedClientConfig } from '../config.js';
import { certificateError, peerError } from '../errors.js';
import { awaitingSignature, type SignatureRequest } from '../signer.js';
import { isIpLiteral } from '../x509/hostname.js';
import { buildClientHello } from './build-client-hello.js';
import { checkServerHello } from './check-server-hello.js';
import { finishResumed, startResumed } from './client-abbreviated.js';
import { finishSignedFlight, sendClientFlight } from './client-full-flight.js';
import {
  checkResumedHello,
  prepareOffer,
  serverResumed,
  sessionAfterFullHandshake,
} from './client-resumption.js';
import type { ClientState } from './client-states.js';
import type { HandlerTable, StateAt as StateAtOf } from './handler-table.js';
import type { HandshakeIo } from './io.js';
import { encodeClientHello } from './messages/hello.js';
import { encodeServerEcdhParams } from './messages/key-exchange.js';
import {
  type CertificateMessage,
  type Finished,
  type HandshakeMessage,
  HandshakeType,
  type ServerHello,
  type ServerKeyExchange,
} from './messages/types.js';
import { keyFitsSuite, schemesForKey } from './negotiate.js';
import { handshakeResult } from './session.js';
import { authenticatePeer, checkPeerFinished } from './shared.js';
import { describeState, unexpectedChangeCipherSpec, unexpectedMessage } from './unexpected.js';

export type { ClientState } from './client-states.js';

type StateAt<K extends ClientState['step']> = StateAtOf<ClientState, K>;
type Handlers = HandlerTable<ClientState>;

export class ClientHandshake {
  state: ClientState;

  /** The transitions. A message with no handler in the current state is unexpected_message. */
  private readonly on: Handlers = {
    awaitServerHello: { [HandshakeType.server_hello]: (s, m) => this.onServerHello(s, m.body, m.raw) },
    awaitCertificate: { [HandshakeType.certificate]: (s, m) => this.onCertificate(s, m.body, m.raw) },
    awaitServerKeyExchange: {
      [HandshakeType.server_key_exchange]: (s, m) => this.onServerKeyExchange(s, m.body, m.raw),
    },
    awaitCertificateRequestOrDone: {
      [HandshakeType.certificate_request]: (s, m) => {
        this.io.transcript.add(m.raw);
        return { step: 'awaitServerHelloDone', session: s.session, request: m.body };
      },
      [HandshakeType.server_hello_done]: (s, m) => {
        this.io.transcript.add(m.raw);
        return sendClientFlight(this.config, this.io, s.session, undefined);
      },
    },
    awaitServerHelloDone: {
      [HandshakeType.server_hello_done]: (s, m) => {
        this.io.transcript.add(m.raw);
        return sendClientFlight(this.config, this.io, s.session, s.request);
      },
    },
    awaitNewSessionTicket: {
      [HandshakeType.new_session_ticket]: (s, m) => {
        this.io.transcript.add(m.raw);
        return {
          step: 'awaitChangeCipherSpec',
          session: s.session,
          masterSecret: s.masterSecret,
          ticket: m.body,
        };
      },
    },
    awaitSignature: {},
    awaitChangeCipherSpec: {},
    awaitFinished: { [HandshakeType.finished]: (s, m) => this.onFinished(s, m.body, m.raw) },
    awaitResumedNewSessionTicket: {
      [HandshakeType.new_session_ticket]: (s, m) => {
        this.io.transcript.add(m.raw);
        return { ...s, step: 'awaitResumedChangeCipherSpec', ticket: m.body };
      },
    },
    awaitResumedChangeCipherSpec: {},
    awaitResumedFinished: { [HandshakeType.finished]: (s, m) => this.onResumedFinished(s, m.body, m.raw) },
  };

  constructor(
    private readonly config: ResolvedClientConfig,
    private readonly io: HandshakeIo,
    session?: Uint8Array,
  ) {
    const resumption = prepareOffer(config, session ?? config.session);
    const hello = buildClientHello(config, resumption);
    io.send(HandshakeType.client_hello, (w) => encodeClientHello(w, hello));
    this.state = {
      step: 'awaitServerHello',
      clientRandom: hello.random,
      offered: new Set(hello.extensions.map((e) => e.type)),
      resumption,
    };
  }

  get done(): boolean {
    return this.state.step === 'done';
  }

  /**
   * Zero the secrets the current state holds (the master secret from ClientKeyExchange on); the
   * connection calls this when it fails or closes. The ephemeral key is already gone by then: it
   * lives only inside sendClientFlight (client-full-flight.ts).
   */
  wipe(): void {
    const s = this.state;
    if ('masterSecret' in s) s.masterSecret.fill(0);
    if (s.step === 'awaitServerHello') s.resumption?.session.masterSecret.fill(0); // the offered session's
    if (s.step === 'done') s.result.masterSecret.fill(0);
  }

  /** Whether a ChangeCipherSpec is expected now. */
  get expectsChangeCipherSpec(): boolean {
    return this.state.step === 'awaitChangeCipherSpec' || this.state.step === 'awaitResumedChangeCipherSpec';
  }

  /** Throws unexpected_message unless a message of `type` may come now; called before its body is decoded. */
  checkExpected(type: number): void {
    const step = this.state.step;
    if (step !== 'done' && (type === HandshakeType.hello_request || type in this.on[step])) return;
    throw unexpectedMessage(type, describeState(step));
  }

  handle(message: HandshakeMessage): void {
    const s = this.state;
    if (s.step === 'done') throw unexpectedMessage(message.type, describeState(s.step));
    // RFC 5246 §7.4.1.1: HelloRequest is ignored while a handshake is in progress; not in the transcript.
    if (message.type === HandshakeType.hello_request) return;
    const handler = (this.on[s.step] as Record<number, (s: ClientState, m: HandshakeMessage) => ClientState>)[
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
      throw unexpectedChangeCipherSpec('server', s.step);
    }
    this.state = { ...s, step: 'awaitFinished' };
  }

  private onServerHello(s: StateAt<'awaitServerHello'>, hello: ServerHello, raw: Uint8Array): ClientState {
    const cfg = this.config;
    const { suite, extendedMasterSecret, alpn, recordSizeLimit, ticketExpected } = checkServerHello(
      cfg,
      hello,
      s.offered,
    );
    if (recordSizeLimit !== undefined) {
      this.io.setSendLimit(recordSizeLimit);
      if (cfg.maxRecordSize !== undefined) this.io.setReceiveLimit(cfg.maxRecordSize);
    }
    this.io.lockRecordVersion();
    this.io.transcript.add(raw);
    if (s.resumption && serverResumed(s.resumption, hello.sessionId)) {
      checkResumedHello(s.resumption, suite, extendedMasterSecret);
      return startResumed(
        this.io,
        s.resumption,
        { suite, clientRandom: s.clientRandom, serverRandom: hello.random, alpn },
        ticketExpected,
      );
    }
    s.resumption?.session.masterSecret.fill(0); // not resumed: the offered session's secret is not needed
    return {
      step: 'awaitCertificate',
      session: {
        suite,
        clientRandom: s.clientRandom,
        serverRandom: hello.random,
        extendedMasterSecret,
        alpn,
        sessionId: hello.sessionId,
        ticketExpected,
      },
    };
  }

  private onCertificate(
    s: StateAt<'awaitCertificate'>,
    message: CertificateMessage,
    raw: Uint8Array,
  ): ClientState {
    const cfg = this.config;
    if (message.certificates.length === 0) {
      throw certificateError('empty_chain', 'the server sent no certificate');
    }
    const { peerCertificates, identity } = authenticatePeer(
      cfg,
      message.certificates,
      'server',
      cfg.verifyHostname ? cfg.serverName : undefined,
    );
    const leafKey = identity.certificate.publicKey;
    if (!leafKey || !keyFitsSuite(leafKey, s.session.suite)) {
      throw peerError(
        'certificate_suite_mismatch',
        `the server's ${leafKey?.type ?? 'unknown'} certificate key cannot authenticate ${s.session.suite.name}`,
      );
    }
    this.io.transcript.add(raw);
    return {
      step: 'awaitServerKeyExchange',
      session: { ...s.session, peerCertificates, identity, serverKey: leafKey },
    };
  }

  private onServerKeyExchange(
    s: StateAt<'awaitServerKeyExchange'>,
    ske: ServerKeyExchange,
    raw: Uint8Array,
  ): ClientState {
    const cfg = this.config;
    const group = groupByCode(ske.namedGroup);
    if (!group || !cfg.groups.includes(group.name)) {
      throw peerError(
        'unoffered_group',
        `the server chose ECDHE group 0x${ske.namedGroup.toString(16).padStart(4, '0')}, which we did not offer`,
      );
    }
    const leafKey = s.session.serverKey;
    const scheme = schemeByCode(ske.signatureScheme);
    if (!scheme || !cfg.schemes.includes(scheme) || !schemesForKey(leafKey, [scheme]).length) {
      throw peerError(
        'unoffered_signature_scheme',
        `the server signed its key exchange with ${describeScheme(ske.signatureScheme)}, which we did not offer` +
          ` or which does not fit its ${leafKey.type} key`,
      );
    }
    const params = encodeServerEcdhParams(ske.namedGroup, ske.publicKey);
    const signed = concatBytes(s.session.clientRandom, s.session.serverRandom, params);
    if (!cfg.provider.verify(scheme.algorithm, leafKey, signed, ske.signature)) {
      throw peerError(
        'bad_key_exchange_signature',
        `the server's ServerKeyExchange signature (${scheme.name}) does not verify with its certificate key`,
      );
    }
    this.io.transcript.add(raw);
    return {
      step: 'awaitCertificateRequestOrDone',
      session: { ...s.session, group: group.name, serverPublicKey: ske.publicKey, serverScheme: scheme },
    };
  }

  /** The signature the handshake waits for (a signer that answers later), else undefined. */
  get pendingSignature(): SignatureRequest | undefined {
    return this.state.step === 'awaitSignature' ? this.state.request : undefined;
  }

  /** The signer's answer: checked against our certificate's key, then CertificateVerify and Finished go out. */
  provideSignature(signature: unknown): void {
    this.state = finishSignedFlight(this.config, this.io, awaitingSignature(this.state), signature);
  }

  private onFinished(s: StateAt<'awaitFinished'>, finished: Finished, raw: Uint8Array): ClientState {
    const cfg = this.config;
    checkPeerFinished(
      cfg,
      s.session.suite,
      s.masterSecret,
      'server',
      this.io.transcript,
      finished.verifyData,
    );
    this.io.transcript.add(raw);
    const session = s.session;
    const result = handshakeResult({
      ...session,
      masterSecret: s.masterSecret,
      signatureScheme: session.serverScheme.name,
      serverName: isIpLiteral(cfg.serverName) ? undefined : cfg.serverName,
      session: sessionAfterFullHandshake(cfg, {
        ...session,
        masterSecret: s.masterSecret,
        signatureScheme: session.serverScheme.name,
        ticket: s.ticket,
      }),
    });
    this.io.transcript.clear();
    return { step: 'done', result };
  }

  /** Abbreviated handshake: check the server's Finished, then send our ChangeCipherSpec and Finished. */
  private onResumedFinished(
    s: StateAt<'awaitResumedFinished'>,
    finished: Finished,
    raw: Uint8Array,
  ): ClientState {
    return finishResumed(this.config, this.io, s, finished, raw);
  }
}
