// The TLS 1.2 client handshake state machine: full ECDHE handshake with optional client
// authentication, and the abbreviated handshake that resumes a session (RFC 5246 §7.3–7.4, RFC 8422,
// RFC 7627, RFC 5746, RFC 6066, RFC 7301, RFC 8449, RFC 5077).

import { type GroupName, groupByCode } from '../ciphers/groups.js';
import type { PublicKey } from '../ciphers/keys.js';
import type { KeyShare } from '../ciphers/provider.js';
import { describeScheme, type SchemeParams, schemeByCode } from '../ciphers/schemes.js';
import type { SuiteParams } from '../ciphers/suites.js';
import { concatBytes } from '../codec.js';
import type { ResolvedClientConfig } from '../config.js';
import { certificateError, localError, peerError } from '../errors.js';
import {
  checkedSignature,
  makeSignature,
  type OwnKey,
  ownSchemes,
  type SignatureRequest,
} from '../signer.js';
import { isIpLiteral } from '../x509/hostname.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';
import { buildClientHello } from './build-client-hello.js';
import { checkServerHello } from './check-server-hello.js';
import { finishResumed, type Resumed, startResumed } from './client-abbreviated.js';
import {
  checkResumedHello,
  type Offer,
  prepareOffer,
  serverResumed,
  sessionAfterFullHandshake,
} from './client-resumption.js';
import type { HandlerTable, StateAt as StateAtOf } from './handler-table.js';
import type { HandshakeIo } from './io.js';
import { encodeCertificate, encodeCertificateVerify } from './messages/certificate.js';
import { encodeFinished } from './messages/finished.js';
import { encodeClientHello } from './messages/hello.js';
import { encodeClientKeyExchange, encodeServerEcdhParams } from './messages/key-exchange.js';
import {
  type CertificateMessage,
  type CertificateRequest,
  ClientCertificateType,
  type Finished,
  type HandshakeMessage,
  HandshakeType,
  type NewSessionTicket,
  type ServerHello,
  type ServerKeyExchange,
} from './messages/types.js';
import { keyFitsSuite, schemesForKey } from './negotiate.js';
import { deriveTrafficKeys, type HandshakeResult, handshakeResult, wipeTrafficKeys } from './session.js';
import { authenticatePeer, checkPeerFinished, deriveMasterSecret, finishedVerifyData } from './shared.js';
import { describeState, unexpectedChangeCipherSpec, unexpectedMessage } from './unexpected.js';

interface Negotiated {
  readonly suite: SuiteParams;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly extendedMasterSecret: boolean;
  readonly alpn: string | undefined;
  /** The server's session_id for this new session (empty: none). */
  readonly sessionId: Uint8Array;
  /** The server acknowledged session_ticket: a NewSessionTicket precedes its ChangeCipherSpec. */
  readonly ticketExpected: boolean;
}

interface Authenticated extends Negotiated {
  readonly peerCertificates: Certificate[];
  readonly identity: PeerIdentity;
  /** The leaf's key, checked to fit the suite: it signs the ServerKeyExchange. */
  readonly serverKey: PublicKey;
}

interface KeyExchanged extends Authenticated {
  readonly group: GroupName;
  readonly serverPublicKey: Uint8Array;
  readonly serverScheme: SchemeParams;
}

export type ClientState =
  | {
      readonly step: 'awaitServerHello';
      readonly clientRandom: Uint8Array;
      /** The extension types our ClientHello carried: the only ones the ServerHello may answer. */
      readonly offered: ReadonlySet<number>;
      /** The stored session our ClientHello offered to resume, if any. */
      readonly resumption: Offer | undefined;
    }
  | { readonly step: 'awaitCertificate'; readonly session: Negotiated }
  | { readonly step: 'awaitServerKeyExchange'; readonly session: Authenticated }
  | { readonly step: 'awaitCertificateRequestOrDone'; readonly session: KeyExchanged }
  | {
      readonly step: 'awaitServerHelloDone';
      readonly session: KeyExchanged;
      readonly request: CertificateRequest;
    }
  /** The signer answers later: Certificate and ClientKeyExchange are queued, CertificateVerify waits. */
  | {
      readonly step: 'awaitSignature';
      readonly session: KeyExchanged;
      readonly masterSecret: Uint8Array;
      readonly key: OwnKey;
      readonly scheme: SchemeParams;
      readonly signed: Uint8Array;
      readonly request: SignatureRequest;
    }
  | {
      readonly step: 'awaitNewSessionTicket';
      readonly session: KeyExchanged;
      readonly masterSecret: Uint8Array;
    }
  | {
      readonly step: 'awaitChangeCipherSpec';
      readonly session: KeyExchanged;
      readonly masterSecret: Uint8Array;
      readonly ticket: NewSessionTicket | undefined;
    }
  | {
      readonly step: 'awaitFinished';
      readonly session: KeyExchanged;
      readonly masterSecret: Uint8Array;
      readonly ticket: NewSessionTicket | undefined;
    }
  /** Abbreviated handshake (RFC 5246 §7.3): the server resumed; its [NewSessionTicket,] CCS, Finished come first. */
  | {
      readonly step: 'awaitResumedNewSessionTicket';
      readonly resumed: Resumed;
      readonly masterSecret: Uint8Array;
    }
  | {
      readonly step: 'awaitResumedChangeCipherSpec';
      readonly resumed: Resumed;
      readonly masterSecret: Uint8Array;
      readonly ticket: NewSessionTicket | undefined;
    }
  | {
      readonly step: 'awaitResumedFinished';
      readonly resumed: Resumed;
      readonly masterSecret: Uint8Array;
      readonly ticket: NewSessionTicket | undefined;
    }
  /** The handshake is complete; the connection takes `result`. */
  | { readonly step: 'done'; readonly result: HandshakeResult };

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
        return this.onServerHelloDone(s.session, undefined);
      },
    },
    awaitServerHelloDone: {
      [HandshakeType.server_hello_done]: (s, m) => {
        this.io.transcript.add(m.raw);
        return this.onServerHelloDone(s.session, s.request);
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
   * lives only inside onServerHelloDone.
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

  private onServerHelloDone(session: KeyExchanged, request: CertificateRequest | undefined): ClientState {
    const cfg = this.config;
    const io = this.io;
    // Client Certificate (RFC 5246 §7.4.6): ours if it fits the request, else an empty list.
    let clientScheme: SchemeParams | undefined;
    const key = cfg.ownKey;
    if (request) {
      if (key && cfg.chain.length > 0) {
        const typeWanted =
          key.publicKey.type === 'rsa' ? ClientCertificateType.rsa_sign : ClientCertificateType.ecdsa_sign;
        if (request.certificateTypes.includes(typeWanted)) {
          clientScheme = ownSchemes(key, cfg.schemes).find((s) => request.signatureSchemes.includes(s.code));
        }
      }
      const chain = clientScheme ? [...cfg.chain] : [];
      io.send(HandshakeType.certificate, (w) => encodeCertificate(w, { certificates: chain }));
    }
    // ClientKeyExchange (RFC 8422 §5.7) with a fresh ephemeral key.
    const share: KeyShare = cfg.provider.generateKeyShare(session.group, cfg.random);
    let preMasterSecret: Uint8Array;
    try {
      preMasterSecret = share.deriveSharedSecret(session.serverPublicKey);
    } finally {
      share.dispose();
    }
    io.send(HandshakeType.client_key_exchange, (w) =>
      encodeClientKeyExchange(w, { publicKey: share.publicKey }),
    );
    const masterSecret = deriveMasterSecret(cfg, session, preMasterSecret, io.transcript);
    // CertificateVerify (RFC 5246 §7.4.8): a signature over every handshake message so far.
    if (clientScheme && key) {
      const signed = io.transcript.bytes();
      let signature: Uint8Array | SignatureRequest;
      try {
        signature = makeSignature(key, clientScheme, signed, cfg.provider, cfg.random);
      } catch (e) {
        masterSecret.fill(0);
        throw e;
      }
      if (!(signature instanceof Uint8Array)) {
        return {
          step: 'awaitSignature',
          session,
          masterSecret,
          key,
          scheme: clientScheme,
          signed,
          request: signature,
        };
      }
      this.sendCertificateVerify(clientScheme, signature);
    }
    return this.sendFinished(session, masterSecret);
  }

  private sendCertificateVerify(scheme: SchemeParams, signature: Uint8Array): void {
    const signatureScheme = scheme.code;
    this.io.send(HandshakeType.certificate_verify, (w) =>
      encodeCertificateVerify(w, { signatureScheme, signature }),
    );
  }

  /** ChangeCipherSpec and Finished: the end of our flight. */
  private sendFinished(session: KeyExchanged, masterSecret: Uint8Array): ClientState {
    const cfg = this.config;
    const io = this.io;
    io.logKey(session.clientRandom, masterSecret);
    const keys = deriveTrafficKeys(session.suite, masterSecret, session.clientRandom, session.serverRandom);
    io.changeWriteCipher(keys.client);
    io.expectReadCipher(keys.server);
    wipeTrafficKeys(keys); // the record layer keyed its AEADs from copies
    const verifyData = finishedVerifyData(cfg, session.suite, masterSecret, 'client finished', io.transcript);
    io.send(HandshakeType.finished, (w) => encodeFinished(w, { verifyData }));
    return session.ticketExpected
      ? { step: 'awaitNewSessionTicket', session, masterSecret }
      : { step: 'awaitChangeCipherSpec', session, masterSecret, ticket: undefined };
  }

  /** The signature the handshake waits for (a signer that answers later), else undefined. */
  get pendingSignature(): SignatureRequest | undefined {
    return this.state.step === 'awaitSignature' ? this.state.request : undefined;
  }

  /** The signer's answer: checked against our certificate's key, then CertificateVerify and Finished go out. */
  provideSignature(signature: unknown): void {
    const s = this.state;
    if (s.step !== 'awaitSignature') {
      throw localError(
        'no_pending_signature',
        'provideSignature(): the handshake is not waiting for a signature',
      );
    }
    const checked = checkedSignature(s.key, s.scheme, s.signed, signature, this.config.provider);
    this.sendCertificateVerify(s.scheme, checked);
    this.state = this.sendFinished(s.session, s.masterSecret);
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
