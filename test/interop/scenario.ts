// The shape of one interop case: who plays which role, with which certificates and parameters,
// what is transferred, and what must happen on both ends (success or a named failure).

import type { TlsErrorKind } from '../../src/errors.js';
import type { PumpResult } from './pump.js';

export type PeerName = 'openssl' | 'node' | 'python';
/** memtls's role; the peer plays the other one. */
export type Role = 'client' | 'server';
export type ProviderName = 'noble' | 'node';

/** A certificate/key pair from the test PKI (test/fixtures/make-pki.sh), by file name. */
export interface Identity {
  /** Leaf certificate file. */
  cert: string;
  key: string;
  /** Intermediate CA certificate file(s) sent after the leaf. */
  intermediates?: string[];
}

export type Transfer =
  /** One short message, echoed. */
  | { kind: 'echo' }
  /** `count` separate small writes, each flushed on its own, echoed. */
  | { kind: 'small'; count: number }
  /** `bytes` of data sent and echoed, SHA-256 checked on both ends. */
  | { kind: 'large'; bytes: number }
  /** Nothing: a failure case. */
  | { kind: 'none' };

export interface FailureExpectation {
  /**
   * TlsError.code and kind on the memtls side. Kind 'transport' (code 'closed_without_alert') means
   * memtls has no TLS error to show because the peer closed TCP without an alert or close_notify.
   */
  code: string;
  kind: TlsErrorKind | 'transport';
  /** Substrings the memtls error message must contain. */
  messageIncludes?: string[];
  /**
   * What the peer must report: the alert memtls sent (e.g. 'unknown_ca', matched in the peer's own
   * words), or the peer's own error (a pattern, when the peer detected the problem itself).
   */
  peer: { alert: string } | { error: RegExp };
}

export interface Scenario {
  server: Identity;
  /** Client certificate; undefined: the client has none. */
  client?: Identity;
  /** The server requires a client certificate. */
  clientAuth: boolean;
  /** Root the client trusts (default root.pem). */
  clientCa?: string;
  /** Root the server trusts for client certificates (default root.pem). */
  serverCa?: string;
  /** SNI and the name checked (default server.test). */
  serverName?: string;
  /** Restrict both ends to this suite (IANA name). */
  suite?: string;
  /**
   * The group memtls prefers (listed first; the others follow, see memtls.ts) and that must be
   * negotiated; peers keep their defaults (servers pick by client preference, see python/peer.py).
   */
  group?: 'x25519' | 'secp256r1' | 'secp384r1';
  /** ALPN lists; `expect` is the protocol both ends must agree on ('' in a no-overlap failure case). */
  alpn?: { client: string[]; server: string[]; expect: string };
  /** The peer's handshake signature as memtls saw it (SessionInfo.signatureScheme). */
  peerSignature?: RegExp;
  /** Check that the server saw the client's SNI. */
  checkSni?: boolean;
  transfer: Transfer;
  /** memtls's CryptoProvider. */
  provider: ProviderName;
  /** Peer deviations for negative cases. */
  peerTweak?: {
    /** Offer/accept only this old version (at SECLEVEL=0, which OpenSSL 3 needs for it). */
    legacyVersion?: 'TLSv1' | 'TLSv1.1';
    /** OpenSSL cipher string for the peer. */
    cipher?: string;
    /** OpenSSL -groups list for the peer (openssl only). */
    groups?: string;
  };
  failure?: FailureExpectation;
}

/** What the peer reported. Fields the peer cannot report stay undefined. */
export interface PeerReport {
  /** The peer's error (message and code) when it failed. */
  error?: string;
  /** Everything it printed or logged, for diagnosis. */
  output: string;
  /** Negotiated suite, IANA name. */
  cipher?: string;
  /** Negotiated group, memtls name. */
  group?: string;
  alpn?: string | null;
  /** SNI the peer server received. */
  sni?: string | null;
  /** Common name of the certificate the peer received from memtls. */
  peerCertificateCn?: string | null;
  /** Bytes the peer received and their SHA-256. */
  receivedBytes?: number;
  receivedSha256?: string;
  /** For peer clients: the peer compared the echo with what it sent. */
  echoMatched?: boolean;
}

export interface Observation {
  memtls: PumpResult & {
    /** For memtls clients: the echo matched what was sent. */
    echoMatched?: boolean;
    sentSha256?: string;
  };
  peer: PeerReport;
}

export interface InteropCase {
  /** Unique name: `peer/role/what`. */
  id: string;
  peer: PeerName;
  role: Role;
  /** Short description of the axis values covered. */
  title: string;
  scenario: Scenario;
  timeoutMs: number;
}
