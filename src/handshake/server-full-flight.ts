// The server's first flight of a full handshake, ServerHello … ServerHelloDone (RFC 5246 §7.4.1–7.4.5).

import { GROUPS, type GroupName } from '../ciphers/groups.js';
import { concatBytes } from '../codec.js';
import type { ResolvedServerConfig } from '../config.js';
import { ProtocolVersion } from '../record/types.js';
import { checkedSignature, makeSignature, type SignatureRequest } from '../signer.js';
import type { HandshakeIo } from './io.js';
import { encodeCertificate, encodeCertificateRequest } from './messages/certificate.js';
import { encodeServerHelloDone } from './messages/finished.js';
import { encodeServerHello, RANDOM_LENGTH } from './messages/hello.js';
import { encodeServerHelloExtensions } from './messages/hello-extensions.js';
import { ECCurveType, encodeServerEcdhParams, encodeServerKeyExchange } from './messages/key-exchange.js';
import {
  ClientCertificateType,
  type ClientHello,
  CompressionMethod,
  HandshakeType,
} from './messages/types.js';
import type { ServerChoices } from './negotiate-client-hello.js';
import { newSessionPlan } from './server-resumption.js';
import type { KeyExchangeToSign, Negotiated, ServerState } from './server-states.js';

/**
 * A new session: ServerHello, Certificate, and ServerKeyExchange signed with the chosen certificate's
 * key, then CertificateRequest and ServerHelloDone; or stop at awaitSignature when the signer answers later.
 */
export function sendFullHandshakeFlight(
  cfg: ResolvedServerConfig,
  io: HandshakeIo,
  hello: ClientHello,
  n: ServerChoices,
): ServerState {
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
  io.send(HandshakeType.certificate, (w) => encodeCertificate(w, { certificates: [...n.certificate.chain] }));
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
  if (signature instanceof Uint8Array) return sendKeyExchange(cfg, io, pending, signature);
  return { ...pending, step: 'awaitSignature', key, signed, request: signature };
}

/** The signer's answer: checked against the certificate's key, then ServerKeyExchange … ServerHelloDone go out. */
export function finishSignedFlight(
  cfg: ResolvedServerConfig,
  io: HandshakeIo,
  s: Extract<ServerState, { step: 'awaitSignature' }>,
  signature: unknown,
): ServerState {
  const checked = checkedSignature(s.key, s.session.scheme, s.signed, signature, cfg.provider);
  return sendKeyExchange(cfg, io, s, checked);
}

/** ServerKeyExchange with its signature, CertificateRequest (unless clientAuth 'none'), ServerHelloDone. */
function sendKeyExchange(
  cfg: ResolvedServerConfig,
  io: HandshakeIo,
  s: KeyExchangeToSign,
  signature: Uint8Array,
): ServerState {
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

function groupCode(group: GroupName): number {
  return GROUPS[group].code;
}
