// The TLS 1.2 server handshake state machine: full ECDHE handshake, requiring (or allowing) client
// certificates, and the abbreviated handshake resuming a ticket or cached session (RFC 5246 §7.3–7.4,
// RFC 8422, RFC 7627, RFC 5746, RFC 6066, RFC 7301, RFC 8449, RFC 5077).

import { GROUPS, type GroupName } from '../ciphers/groups.js';
import type { PublicKey } from '../ciphers/keys.js';
import { describeScheme, type SchemeParams, schemeByCode } from '../ciphers/schemes.js';
import type { SuiteParams } from '../ciphers/suites.js';
import { concatBytes } from '../codec.js';
import type { ResolvedServerConfig } from '../config.js';
import { certificateError, localError, peerError } from '../errors.js';
import { ProtocolVersion } from '../record/types.js';
import { checkedSignature, makeSignature, type OwnKey, type SignatureRequest } from '../signer.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';
import type { HandlerTable, StateAt as StateAtOf } from './handler-table.js';
import type { HandshakeIo } from './io.js';
import { encodeCertificate, encodeCertificateRequest } from './messages/certificate.js';
import { encodeFinished, encodeServerHelloDone } from './messages/finished.js';
import { encodeServerHello, RANDOM_LENGTH } from './messages/hello.js';
import { encodeServerHelloExtensions } from './messages/hello-extensions.js';
import { ECCurveType, encodeServerEcdhParams, encodeServerKeyExchange } from './messages/key-exchange.js';
import { encodeNewSessionTicket } from './messages/new-session-ticket.js';
import {
  type CertificateMessage,
  type CertificateVerify,
  ClientCertificateType,
  type ClientHello,
  type ClientKeyExchange,
  CompressionMethod,
  type Finished,
  type HandshakeMessage,
  HandshakeType,
} from './messages/types.js';
import { schemesForKey } from './negotiate.js';
import { negotiateClientHello } from './negotiate-client-hello.js';
import { type Resumed, resumedResult, sendResumedFlight } from './server-abbreviated.js';
import { findResumable, newSessionPlan, newTicket, storedSession } from './server-resumption.js';
import { deriveTrafficKeys, type HandshakeResult, handshakeResult, wipeTrafficKeys } from './session.js';
import { authenticatePeer, checkPeerFinished, deriveMasterSecret, finishedVerifyData } from './shared.js';
import { describeState, unexpectedChangeCipherSpec, unexpectedMessage } from './unexpected.js';

/** What both sides agreed in the hellos: everything SessionInfo reports besides the client's certificate. */
interface Negotiated {
  readonly suite: SuiteParams;
  readonly group: GroupName;
  readonly scheme: SchemeParams;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly extendedMasterSecret: boolean;
  readonly alpn: string | undefined;
  readonly serverName: string | undefined;
  /** Our session_id for this session (empty: none; it is cached when the handshake completes). */
  readonly sessionId: Uint8Array;
  /** We acknowledged session_ticket: a NewSessionTicket goes before our ChangeCipherSpec. */
  readonly issueTicket: boolean;
  /** The leaf of the chain we sent (several certificates: the one chosen for this client). */
  readonly certificate: Certificate;
}

/** Our ephemeral ECDHE key, from ServerKeyExchange until ClientKeyExchange. */
interface EphemeralKey {
  readonly derive: (peer: Uint8Array) => Uint8Array;
  readonly dispose: () => void;
}

/** The client's verified certificate, and the schemes its CertificateVerify may use (those we requested). */
interface ClientCertificate {
  readonly peerCertificates: Certificate[];
  readonly identity: PeerIdentity;
  readonly key: PublicKey;
  readonly requestedSchemes: readonly SchemeParams[];
}

/** The client's certificate once CertificateVerify proved it holds the key, with the scheme it signed with. */
interface ClientProof {
  readonly peerCertificates: Certificate[];
  readonly identity: PeerIdentity;
  readonly scheme: SchemeParams;
}

/** The ServerKeyExchange waiting for its signature, and what the handshake needs after it. */
interface KeyExchangeToSign {
  readonly session: Negotiated;
  readonly share: EphemeralKey;
  readonly namedGroup: number;
  readonly publicKey: Uint8Array;
  readonly requestedSchemes: readonly SchemeParams[];
}

export type ServerState =
  | { readonly step: 'awaitClientHello' }
  /** The signer answers later: ServerHello and Certificate are queued, ServerKeyExchange waits. */
  | (KeyExchangeToSign & {
      readonly step: 'awaitSignature';
      readonly key: OwnKey;
      readonly signed: Uint8Array;
      readonly request: SignatureRequest;
    })
  | {
      readonly step: 'awaitCertificate';
      readonly session: Negotiated;
      readonly share: EphemeralKey;
      /** The schemes we listed in CertificateRequest. */
      readonly requestedSchemes: readonly SchemeParams[];
    }
  | {
      readonly step: 'awaitClientKeyExchange';
      readonly session: Negotiated;
      readonly share: EphemeralKey;
      /** Undefined when the client sent no certificate (or none was requested). */
      readonly client: ClientCertificate | undefined;
    }
  | {
      readonly step: 'awaitCertificateVerify';
      readonly session: Negotiated;
      readonly masterSecret: Uint8Array;
      readonly client: ClientCertificate;
    }
  | {
      readonly step: 'awaitChangeCipherSpec';
      readonly session: Negotiated;
      readonly masterSecret: Uint8Array;
      readonly client: ClientProof | undefined;
    }
  | {
      readonly step: 'awaitFinished';
      readonly session: Negotiated;
      readonly masterSecret: Uint8Array;
      readonly client: ClientProof | undefined;
    }
  /** Abbreviated handshake (RFC 5246 §7.3): our ServerHello, [NewSessionTicket,] CCS, Finished went first. */
  | {
      readonly step: 'awaitResumedChangeCipherSpec';
      readonly resumed: Resumed;
      readonly masterSecret: Uint8Array;
    }
  | { readonly step: 'awaitResumedFinished'; readonly resumed: Resumed; readonly masterSecret: Uint8Array }
  /** The handshake is complete; the connection takes `result`. */
  | { readonly step: 'done'; readonly result: HandshakeResult };

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
    const s = this.state;
    if (s.step !== 'awaitSignature') {
      throw localError(
        'no_pending_signature',
        'provideSignature(): the handshake is not waiting for a signature',
      );
    }
    const checked = checkedSignature(s.key, s.session.scheme, s.signed, signature, this.config.provider);
    this.state = this.sendKeyExchange(s, checked);
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
    const serverRandom = cfg.random(RANDOM_LENGTH);
    const plan = newSessionPlan(cfg, n);
    io.send(HandshakeType.server_hello, (w) =>
      encodeServerHello(w, {
        version: ProtocolVersion.TLSv1_2,
        random: serverRandom,
        sessionId: plan.sessionId,
        cipherSuite: n.suite.code,
        compressionMethod: CompressionMethod.null,
        extensions: plan.issueTicket
          ? encodeServerHelloExtensions({ ...n.helloExtensions, sessionTicket: true })
          : n.extensions,
      }),
    );
    io.send(HandshakeType.certificate, (w) =>
      encodeCertificate(w, { certificates: [...n.certificate.chain] }),
    );
    // ServerKeyExchange (RFC 8422 §5.4): a fresh ephemeral key, signed with the client and server randoms.
    const share = cfg.provider.generateKeyShare(n.group, cfg.random);
    const namedGroup = groupCode(n.group);
    const params = encodeServerEcdhParams(namedGroup, share.publicKey);
    const session: Negotiated = {
      suite: n.suite,
      group: n.group,
      scheme: n.scheme,
      clientRandom: hello.random,
      serverRandom,
      extendedMasterSecret: n.extendedMasterSecret,
      alpn: n.alpn,
      serverName: n.serverName,
      ...plan,
      certificate: n.certificate.leaf,
    };
    const pending: KeyExchangeToSign = {
      session,
      share: { derive: (peer) => share.deriveSharedSecret(peer), dispose: () => share.dispose() },
      namedGroup,
      publicKey: share.publicKey,
      requestedSchemes: cfg.clientAuth === 'none' ? [] : [...cfg.schemes],
    };
    const key = n.certificate.key;
    const signed = concatBytes(hello.random, serverRandom, params);
    let signature: Uint8Array | SignatureRequest;
    try {
      signature = makeSignature(key, n.scheme, signed, cfg.provider, cfg.random);
    } catch (e) {
      share.dispose();
      throw e;
    }
    if (signature instanceof Uint8Array) return this.sendKeyExchange(pending, signature);
    return { ...pending, step: 'awaitSignature', key, signed, request: signature };
  }

  /** ServerKeyExchange with its signature, CertificateRequest (unless clientAuth 'none'), ServerHelloDone. */
  private sendKeyExchange(s: KeyExchangeToSign, signature: Uint8Array): ServerState {
    const cfg = this.config;
    const io = this.io;
    io.send(HandshakeType.server_key_exchange, (w) =>
      encodeServerKeyExchange(w, {
        curveType: ECCurveType.named_curve,
        namedGroup: s.namedGroup,
        publicKey: s.publicKey,
        signatureScheme: s.session.scheme.code,
        signature,
      }),
    );
    const requestedSchemes = s.requestedSchemes;
    if (cfg.clientAuth !== 'none') {
      io.send(HandshakeType.certificate_request, (w) =>
        encodeCertificateRequest(w, {
          certificateTypes: [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
          signatureSchemes: requestedSchemes.map((x) => x.code),
          certificateAuthorities: cfg.rootCertificates.map((c) => c.subject.der),
        }),
      );
    }
    io.send(HandshakeType.server_hello_done, (w) => encodeServerHelloDone(w));
    const { session, share } = s;
    return cfg.clientAuth === 'none'
      ? { step: 'awaitClientKeyExchange', session, share, client: undefined }
      : { step: 'awaitCertificate', session, share, requestedSchemes };
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
    return { step: 'done', result };
  }
}

function groupCode(group: GroupName): number {
  return GROUPS[group].code;
}
