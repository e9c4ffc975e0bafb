// The client's flight of a full handshake, Certificate … Finished (RFC 5246 §7.4.6–7.4.9, RFC 8422 §5.7).

import type { SchemeParams } from '../ciphers/schemes.js';
import type { ResolvedClientConfig } from '../config.js';
import { checkedSignature, makeSignature, ownSchemes, type SignatureRequest } from '../signer.js';
import type { ClientState, KeyExchanged } from './client-states.js';
import type { HandshakeIo } from './io.js';
import { encodeCertificate, encodeCertificateVerify } from './messages/certificate.js';
import { encodeFinished } from './messages/finished.js';
import { encodeClientKeyExchange } from './messages/key-exchange.js';
import { type CertificateRequest, ClientCertificateType, HandshakeType } from './messages/types.js';
import { deriveTrafficKeys, wipeTrafficKeys } from './session.js';
import { deriveMasterSecret, finishedVerifyData } from './shared.js';

/**
 * The server's hello flight is done: send our Certificate (when requested), ClientKeyExchange and
 * CertificateVerify (when we sent a certificate), then ChangeCipherSpec and Finished; or stop at
 * awaitSignature when the signer answers later.
 */
export function sendClientFlight(
  cfg: ResolvedClientConfig,
  io: HandshakeIo,
  session: KeyExchanged,
  request: CertificateRequest | undefined,
): ClientState {
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
  const share = cfg.provider.generateKeyShare(session.group, cfg.random);
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
    sendCertificateVerify(io, clientScheme, signature);
  }
  return sendFinished(cfg, io, session, masterSecret);
}

/** The signer's answer: checked against our certificate's key, then CertificateVerify and Finished go out. */
export function finishSignedFlight(
  cfg: ResolvedClientConfig,
  io: HandshakeIo,
  s: Extract<ClientState, { step: 'awaitSignature' }>,
  signature: unknown,
): ClientState {
  const checked = checkedSignature(s.key, s.scheme, s.signed, signature, cfg.provider);
  sendCertificateVerify(io, s.scheme, checked);
  return sendFinished(cfg, io, s.session, s.masterSecret);
}

function sendCertificateVerify(io: HandshakeIo, scheme: SchemeParams, signature: Uint8Array): void {
  const signatureScheme = scheme.code;
  io.send(HandshakeType.certificate_verify, (w) =>
    encodeCertificateVerify(w, { signatureScheme, signature }),
  );
}

/** ChangeCipherSpec and Finished: the end of our flight. */
function sendFinished(
  cfg: ResolvedClientConfig,
  io: HandshakeIo,
  session: KeyExchanged,
  masterSecret: Uint8Array,
): ClientState {
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
