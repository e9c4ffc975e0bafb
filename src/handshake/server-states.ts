// The server handshake's states and what each carries (RFC 5246 §7.3–7.4, RFC 8422 §5.4, RFC 5077 §3.3).

import type { GroupName } from '../ciphers/groups.js';
import type { PublicKey } from '../ciphers/keys.js';
import type { SchemeParams } from '../ciphers/schemes.js';
import type { SuiteParams } from '../ciphers/suites.js';
import type { OwnKey, SignatureRequest } from '../signer.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';
import type { Resumed } from './server-abbreviated.js';
import type { HandshakeResult } from './session.js';

/** What both sides agreed in the hellos: everything SessionInfo reports besides the client's certificate. */
export interface Negotiated {
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
export interface EphemeralKey {
  readonly derive: (peer: Uint8Array) => Uint8Array;
  readonly dispose: () => void;
}

/** The client's verified certificate, and the schemes its CertificateVerify may use (those we requested). */
export interface ClientCertificate {
  readonly peerCertificates: Certificate[];
  readonly identity: PeerIdentity;
  readonly key: PublicKey;
  readonly requestedSchemes: readonly SchemeParams[];
}

/** The client's certificate once CertificateVerify proved it holds the key, with the scheme it signed with. */
export interface ClientProof {
  readonly peerCertificates: Certificate[];
  readonly identity: PeerIdentity;
  readonly scheme: SchemeParams;
}

/** The ServerKeyExchange waiting for its signature, and what the handshake needs after it. */
export interface KeyExchangeToSign {
  readonly session: Negotiated;
  readonly share: EphemeralKey;
  readonly namedGroup: number;
  readonly publicKey: Uint8Array;
  readonly requestedSchemes: readonly SchemeParams[];
}

/** The server handshake: one state per step, each carrying exactly the data the next step needs. */
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
