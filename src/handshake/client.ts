// The TLS 1.2 client handshake state machine: full ECDHE handshake with optional client
// authentication (RFC 5246 §7.3–7.4, RFC 8422, RFC 7627, RFC 5746, RFC 6066, RFC 7301, RFC 8449).

import { type GroupName, groupByCode } from '../ciphers/groups.js';
import type { KeyShare } from '../ciphers/provider.js';
import { describeScheme, type SchemeParams, schemeByCode } from '../ciphers/schemes.js';
import type { SuiteParams } from '../ciphers/suites.js';
import { concatBytes } from '../codec.js';
import type { ResolvedClientConfig } from '../config.js';
import { certificateError, peerError } from '../errors.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';
import { buildClientHello } from './build-client-hello.js';
import { checkServerHello } from './check-server-hello.js';
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
  type ServerHello,
  type ServerKeyExchange,
} from './messages/types.js';
import { chooseScheme, isIpLiteral, keyFitsSuite, schemesForKey } from './negotiate.js';
import { deriveTrafficKeys, type HandshakeResult, handshakeResult, wipeTrafficKeys } from './session.js';
import { authenticatePeer, checkPeerFinished, deriveMasterSecret, finishedVerifyData } from './shared.js';
import { describeState, unexpectedChangeCipherSpec, unexpectedMessage } from './unexpected.js';

interface Negotiated {
  readonly suite: SuiteParams;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly extendedMasterSecret: boolean;
  readonly alpn: string | undefined;
}

interface Authenticated extends Negotiated {
  readonly peerCertificates: Certificate[];
  readonly identity: PeerIdentity;
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
    }
  | { readonly step: 'awaitCertificate'; readonly session: Negotiated }
  | { readonly step: 'awaitServerKeyExchange'; readonly session: Authenticated }
  | { readonly step: 'awaitCertificateRequestOrDone'; readonly session: KeyExchanged }
  | {
      readonly step: 'awaitServerHelloDone';
      readonly session: KeyExchanged;
      readonly request: CertificateRequest;
    }
  | {
      readonly step: 'awaitChangeCipherSpec';
      readonly session: KeyExchanged;
      readonly masterSecret: Uint8Array;
    }
  | { readonly step: 'awaitFinished'; readonly session: KeyExchanged; readonly masterSecret: Uint8Array }
  | { readonly step: 'done' };

/** The messages each step accepts besides HelloRequest, which is accepted (and ignored) in every step. */
const EXPECTED: Record<Exclude<ClientState['step'], 'done'>, readonly number[]> = {
  awaitServerHello: [HandshakeType.server_hello],
  awaitCertificate: [HandshakeType.certificate],
  awaitServerKeyExchange: [HandshakeType.server_key_exchange],
  awaitCertificateRequestOrDone: [HandshakeType.certificate_request, HandshakeType.server_hello_done],
  awaitServerHelloDone: [HandshakeType.server_hello_done],
  awaitChangeCipherSpec: [],
  awaitFinished: [HandshakeType.finished],
};

export class ClientHandshake {
  state: ClientState;
  /** Set when the handshake completes. */
  result: HandshakeResult | undefined;

  constructor(
    private readonly config: ResolvedClientConfig,
    private readonly io: HandshakeIo,
  ) {
    const hello = buildClientHello(config);
    io.send(HandshakeType.client_hello, (w) => encodeClientHello(w, hello));
    this.state = {
      step: 'awaitServerHello',
      clientRandom: hello.random,
      offered: new Set(hello.extensions.map((e) => e.type)),
    };
  }

  get done(): boolean {
    return this.state.step === 'done';
  }

  /**
   * Zero the secrets the current state holds (the master secret between ClientKeyExchange and the
   * server's Finished); the connection calls this when it fails or closes. The ephemeral key is
   * already gone by then: it lives only inside onServerHelloDone.
   */
  wipe(): void {
    const s = this.state;
    if ('masterSecret' in s) s.masterSecret.fill(0);
  }

  /** Whether a ChangeCipherSpec is expected now. */
  get expectsChangeCipherSpec(): boolean {
    return this.state.step === 'awaitChangeCipherSpec';
  }

  /** Throws unexpected_message unless a message of `type` may come now; called before its body is decoded. */
  checkExpected(type: number): void {
    const step = this.state.step;
    if (step !== 'done' && (type === HandshakeType.hello_request || EXPECTED[step].includes(type))) return;
    throw unexpectedMessage(type, describeState(step));
  }

  handle(message: HandshakeMessage): void {
    const s = this.state;
    if (message.type === HandshakeType.hello_request && s.step !== 'done') {
      return; // RFC 5246 §7.4.1.1: ignored while a handshake is in progress; not in the transcript.
    }
    switch (s.step) {
      case 'awaitServerHello':
        if (message.type === HandshakeType.server_hello)
          return this.onServerHello(s, message.body, message.raw);
        break;
      case 'awaitCertificate':
        if (message.type === HandshakeType.certificate)
          return this.onCertificate(s, message.body, message.raw);
        break;
      case 'awaitServerKeyExchange':
        if (message.type === HandshakeType.server_key_exchange) {
          return this.onServerKeyExchange(s, message.body, message.raw);
        }
        break;
      case 'awaitCertificateRequestOrDone':
        if (message.type === HandshakeType.certificate_request) {
          this.io.transcript.add(message.raw);
          this.state = { step: 'awaitServerHelloDone', session: s.session, request: message.body };
          return;
        }
        if (message.type === HandshakeType.server_hello_done) {
          this.io.transcript.add(message.raw);
          return this.onServerHelloDone(s.session, undefined);
        }
        break;
      case 'awaitServerHelloDone':
        if (message.type === HandshakeType.server_hello_done) {
          this.io.transcript.add(message.raw);
          return this.onServerHelloDone(s.session, s.request);
        }
        break;
      case 'awaitFinished':
        if (message.type === HandshakeType.finished) return this.onFinished(s, message.body, message.raw);
        break;
      default:
        break;
    }
    throw unexpectedMessage(message.type, describeState(s.step));
  }

  onChangeCipherSpec(): void {
    const s = this.state;
    if (s.step !== 'awaitChangeCipherSpec') {
      throw unexpectedChangeCipherSpec('server', s.step);
    }
    this.state = { step: 'awaitFinished', session: s.session, masterSecret: s.masterSecret };
  }

  private onServerHello(
    s: Extract<ClientState, { step: 'awaitServerHello' }>,
    hello: ServerHello,
    raw: Uint8Array,
  ): void {
    const cfg = this.config;
    const { suite, extendedMasterSecret, alpn, recordSizeLimit } = checkServerHello(cfg, hello, s.offered);
    if (recordSizeLimit !== undefined) {
      this.io.setSendLimit(recordSizeLimit);
      if (cfg.maxRecordSize !== undefined) this.io.setReceiveLimit(cfg.maxRecordSize);
    }
    this.io.lockRecordVersion();
    this.io.transcript.add(raw);
    this.state = {
      step: 'awaitCertificate',
      session: {
        suite,
        clientRandom: s.clientRandom,
        serverRandom: hello.random,
        extendedMasterSecret,
        alpn,
      },
    };
  }

  private onCertificate(
    s: Extract<ClientState, { step: 'awaitCertificate' }>,
    message: CertificateMessage,
    raw: Uint8Array,
  ): void {
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
        'illegal_parameter',
        'certificate_suite_mismatch',
        `the server's ${leafKey?.type ?? 'unknown'} certificate key cannot authenticate ${s.session.suite.name}`,
      );
    }
    this.io.transcript.add(raw);
    this.state = {
      step: 'awaitServerKeyExchange',
      session: { ...s.session, peerCertificates, identity },
    };
  }

  private onServerKeyExchange(
    s: Extract<ClientState, { step: 'awaitServerKeyExchange' }>,
    ske: ServerKeyExchange,
    raw: Uint8Array,
  ): void {
    const cfg = this.config;
    const group = groupByCode(ske.namedGroup);
    if (!group || !cfg.groups.includes(group.name)) {
      throw peerError(
        'illegal_parameter',
        'unoffered_group',
        `the server chose ECDHE group 0x${ske.namedGroup.toString(16).padStart(4, '0')}, which we did not offer`,
      );
    }
    const leafKey = s.session.identity.certificate.publicKey!;
    const scheme = schemeByCode(ske.signatureScheme);
    if (!scheme || !cfg.schemes.includes(scheme) || !schemesForKey(leafKey, [scheme]).length) {
      throw peerError(
        'illegal_parameter',
        'unoffered_signature_scheme',
        `the server signed its key exchange with ${describeScheme(ske.signatureScheme)}, which we did not offer` +
          ` or which does not fit its ${leafKey.type} key`,
      );
    }
    const params = encodeServerEcdhParams(ske.namedGroup, ske.publicKey);
    const signed = concatBytes(s.session.clientRandom, s.session.serverRandom, params);
    if (!cfg.provider.verify(scheme.algorithm, leafKey, signed, ske.signature)) {
      throw peerError(
        'decrypt_error',
        'bad_key_exchange_signature',
        `the server's ServerKeyExchange signature (${scheme.name}) does not verify with its certificate key`,
      );
    }
    this.io.transcript.add(raw);
    this.state = {
      step: 'awaitCertificateRequestOrDone',
      session: { ...s.session, group: group.name, serverPublicKey: ske.publicKey, serverScheme: scheme },
    };
  }

  private onServerHelloDone(session: KeyExchanged, request: CertificateRequest | undefined): void {
    const cfg = this.config;
    const io = this.io;
    // Client Certificate (RFC 5246 §7.4.6): ours if it fits the request, else an empty list.
    let clientScheme: SchemeParams | undefined;
    if (request) {
      const key = cfg.key;
      if (key && cfg.chain.length > 0) {
        const typeWanted =
          key.type === 'rsa' ? ClientCertificateType.rsa_sign : ClientCertificateType.ecdsa_sign;
        if (request.certificateTypes.includes(typeWanted)) {
          clientScheme = chooseScheme(key, cfg.schemes, request.signatureSchemes);
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
    if (clientScheme && cfg.key) {
      const signature = cfg.provider.sign(clientScheme.algorithm, cfg.key, io.transcript.bytes(), cfg.random);
      const signatureScheme = clientScheme.code;
      io.send(HandshakeType.certificate_verify, (w) =>
        encodeCertificateVerify(w, { signatureScheme, signature }),
      );
    }
    io.logKey(session.clientRandom, masterSecret);
    const keys = deriveTrafficKeys(session.suite, masterSecret, session.clientRandom, session.serverRandom);
    io.changeWriteCipher(keys.client);
    io.expectReadCipher(keys.server);
    wipeTrafficKeys(keys); // the record layer keyed its AEADs from copies
    const verifyData = finishedVerifyData(cfg, session.suite, masterSecret, 'client finished', io.transcript);
    io.send(HandshakeType.finished, (w) => encodeFinished(w, { verifyData }));
    this.state = { step: 'awaitChangeCipherSpec', session, masterSecret };
  }

  private onFinished(
    s: Extract<ClientState, { step: 'awaitFinished' }>,
    finished: Finished,
    raw: Uint8Array,
  ): void {
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
    this.result = handshakeResult({
      ...session,
      masterSecret: s.masterSecret,
      signatureScheme: session.serverScheme.name,
      serverName: isIpLiteral(cfg.serverName) ? undefined : cfg.serverName,
    });
    this.io.transcript.clear();
    this.state = { step: 'done' };
  }
}
