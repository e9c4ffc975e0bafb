// SessionInfo (README "The engine") and the secrets a finished handshake hands to the connection (RFC 5246 §8.1, §6.3).

import { deriveKeyBlock } from '../ciphers/prf.js';
import type { SuiteParams } from '../ciphers/suites.js';
import type { DirectionKeys } from '../record/types.js';
import type { Certificate, PeerIdentity } from '../x509/types.js';
import { definePeerCertificates, keptPeer } from './kept-peer.js';

/** What a completed handshake negotiated, and who the peer is. */
export interface SessionInfo {
  readonly version: 'TLSv1.2';
  /** IANA name, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256. */
  readonly cipherSuite: string;
  /** 'x25519' | 'secp256r1' | 'secp384r1'. */
  readonly group: string;
  /** IANA name of the peer's handshake signature (ServerKeyExchange or CertificateVerify). */
  readonly signatureScheme: string;
  /** SNI sent (client) or received (server). */
  readonly serverName?: string;
  readonly alpn?: string;
  readonly extendedMasterSecret: boolean;
  readonly resumed: boolean;
  /** As sent by the peer, leaf first (parsed). Empty when the peer sent no certificate. */
  readonly peerCertificates: readonly Certificate[];
  /** The verified leaf's identity; undefined when the peer sent no certificate. */
  readonly peerIdentity?: PeerIdentity;
  /** Server side: our leaf certificate that was sent (with several certificates, the one chosen for this client). */
  readonly certificate?: Certificate;
  /**
   * The verify_data of the Finished messages of this handshake (RFC 5246 §7.4.9): the one we sent
   * and the one we received (node:tls getFinished() / getPeerFinished()).
   */
  readonly finished: { readonly sent: Uint8Array; readonly received: Uint8Array };
}

/** SessionInfo as the handshake state machines report it; the connection adds the Finished values. */
export type HandshakeInfo = Omit<SessionInfo, 'finished'>;

/** What a completed handshake leaves behind for the connection. */
export interface HandshakeResult {
  readonly info: HandshakeInfo;
  readonly suite: SuiteParams;
  readonly masterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  /** Client: a serialized session to hand out in a `session` event (resumption.ts). */
  readonly session?: Uint8Array;
  /**
   * Server: the ID this session is cached under. A fatal alert on the connection invalidates it
   * (RFC 5246 §7.2: "the session identifier MUST be invalidated").
   */
  readonly cachedSessionId?: Uint8Array;
}

/** client_write and server_write keys from the key block (RFC 5246 §6.3). */
export function deriveTrafficKeys(
  suite: SuiteParams,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): { client: DirectionKeys; server: DirectionKeys } {
  const block = deriveKeyBlock(suite, masterSecret, clientRandom, serverRandom);
  return {
    client: { suite, key: block.clientKey, fixedIv: block.clientIv },
    server: { suite, key: block.serverKey, fixedIv: block.serverIv },
  };
}

/** Zero both directions' keys and IVs once the record layer has taken its own copies. */
export function wipeTrafficKeys(keys: { client: DirectionKeys; server: DirectionKeys }): void {
  for (const k of [keys.client, keys.server]) {
    k.key.fill(0);
    k.fixedIv.fill(0);
  }
}

/** What either side knows at the end of a full handshake. */
export interface CompletedHandshake {
  readonly suite: SuiteParams;
  readonly masterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly group: string;
  /** The peer's handshake signature scheme, or 'none' when the peer signed nothing. */
  readonly signatureScheme: string;
  readonly serverName: string | undefined;
  readonly alpn: string | undefined;
  readonly extendedMasterSecret: boolean;
  readonly peerCertificates: readonly Certificate[];
  readonly identity: PeerIdentity | undefined;
  /** An abbreviated handshake resumed an earlier session (default false). */
  readonly resumed?: boolean;
  readonly session?: Uint8Array;
  /** Our own leaf as sent, when we report it. */
  readonly certificate?: Certificate | undefined;
}

/** The HandshakeResult (and its SessionInfo) for a completed handshake. */
export function handshakeResult(h: CompletedHandshake): HandshakeResult {
  // The peer's certificates are kept as DER and parsed again when read (kept-peer.ts). The getter is
  // added with defineProperty as a new key (an accessor in the literal, or one replacing a data
  // property, would put the object in V8's slower and larger dictionary mode), and it is one function
  // shared by every connection, so SessionInfo objects share their V8 maps.
  const peer = keptPeer(h.peerCertificates, h.identity);
  const info: { -readonly [K in keyof SessionInfo]: SessionInfo[K] } = {
    version: 'TLSv1.2',
    cipherSuite: h.suite.name,
    group: h.group,
    signatureScheme: h.signatureScheme,
    ...(h.serverName !== undefined ? { serverName: h.serverName } : {}),
    ...(h.alpn !== undefined ? { alpn: h.alpn } : {}),
    extendedMasterSecret: h.extendedMasterSecret,
    resumed: h.resumed === true,
  } as SessionInfo;
  definePeerCertificates(info, peer.chain);
  if (peer.identity) info.peerIdentity = peer.identity;
  if (h.certificate) info.certificate = h.certificate;
  return {
    suite: h.suite,
    masterSecret: h.masterSecret,
    clientRandom: h.clientRandom,
    serverRandom: h.serverRandom,
    ...(h.session ? { session: h.session } : {}),
    info,
  };
}
