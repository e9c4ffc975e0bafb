// The client handshake's states and what each carries (RFC 5246 §7.3–7.4, RFC 5077 §3.3).

import type { GroupName } from '../ciphers/groups.js';
import type { PublicKey } from '../ciphers/keys.js';
import type { SchemeParams } from '../ciphers/schemes.js';
import type { SuiteParams } from '../ciphers/suites.js';
import type { OwnKey, SignatureRequest } from '../signer.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';
import type { Resumed } from './client-abbreviated.js';
import type { Offer } from './client-resumption.js';
import type { CertificateRequest, NewSessionTicket } from './messages/types.js';
import type { HandshakeResult } from './session.js';

/** What the hellos agreed for a new session. */
export interface Negotiated {
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

/** A new session once the server's chain verified: its certificates, identity and leaf key. */
export interface Authenticated extends Negotiated {
  readonly peerCertificates: Certificate[];
  readonly identity: PeerIdentity;
  /** The leaf's key, checked to fit the suite: it signs the ServerKeyExchange. */
  readonly serverKey: PublicKey;
}

/** A new session once the server's signed ECDHE share verified: its group, public key and scheme. */
export interface KeyExchanged extends Authenticated {
  readonly group: GroupName;
  readonly serverPublicKey: Uint8Array;
  readonly serverScheme: SchemeParams;
}

/** The client handshake: one state per step, each carrying exactly the data the next step needs. */
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
