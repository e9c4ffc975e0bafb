// Test and bench helper: raw X.509 v3 certificates (RFC 5280 §4.1) signed with any RSA key, even
// with public exponents no issuer accepts, the hostile chain shapes built from them, and the
// client flight (RFC 5246 §7.4.2) that carries one to a server.

import { generateKeyPairSync } from 'node:crypto';
import * as asn1js from 'asn1js';
import type { PrivateKey } from '../../src/ciphers/keys.js';
import {
  bigIntToBytes,
  bitLength,
  bytesToBigInt,
  emsaPkcs1v15Encode,
  modInverse,
  modPow,
} from '../../src/ciphers/rsa.js';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { createRoot, issueCertificate } from '../../src/x509/issue.js';

/** An RSA key as numbers: enough to put n, e in a certificate and sign with d. */
export interface RawRsaKey {
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
}

const fromB64u = (s: string): bigint => bytesToBigInt(new Uint8Array(Buffer.from(s, 'base64url')));

function primesOf(bits: number): { p: bigint; q: bigint } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const jwk = privateKey.export({ format: 'jwk' });
  return { p: fromB64u(jwk.p!), q: fromB64u(jwk.q!) };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * A fresh RSA key of `bits` bits. exponent 'huge': d = 65537 and e = d⁻¹ mod λ(n), so e is about as
 * long as n and every verification costs a private-key operation; 'max32': the largest prime
 * e < 2^32 coprime to λ(n); a number: that e.
 */
export function rsaKeyWithExponent(bits: number, exponent: 'huge' | 'max32' | bigint): RawRsaKey {
  for (;;) {
    const { p, q } = primesOf(bits);
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const n = p * q;
    if (exponent === 'huge') {
      const e = modInverse(65537n, lambda);
      if (e !== undefined) return { n, e, d: 65537n, p, q };
      continue;
    }
    const candidates = exponent === 'max32' ? [4294967291n, 4294967279n, 4294967231n] : [exponent];
    for (const e of candidates) {
      const d = modInverse(e, lambda);
      if (d !== undefined) return { n, e, d, p, q };
    }
  }
}

const OID_RSA = '1.2.840.113549.1.1.1';
const OID_SHA256_RSA = '1.2.840.113549.1.1.11';

function algorithm(oid: string): asn1js.Sequence {
  return new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), new asn1js.Null()] });
}

function integer(x: bigint): asn1js.Integer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: new Uint8Array(Buffer.from(hex, 'hex')) });
}

function name(commonName: string): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [
      new asn1js.Set({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.ObjectIdentifier({ value: '2.5.4.3' }),
              new asn1js.Utf8String({ value: commonName }),
            ],
          }),
        ],
      }),
    ],
  });
}

function extension(oid: string, critical: boolean, value: asn1js.AsnType): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: oid }),
      new asn1js.Boolean({ value: critical }),
      new asn1js.OctetString({ valueHex: value.toBER(false) }),
    ],
  });
}

function der(node: asn1js.AsnType): Uint8Array {
  return new Uint8Array(node.toBER(false));
}

let serial = 1n;

export interface RawCertificateOptions {
  subject: string;
  issuer: string;
  subjectKey: { n: bigint; e: bigint };
  /** The key that signs (its n and d); omit for a signature of the right length that verifies with no key. */
  signer?: { n: bigint; d: bigint };
  ca: boolean;
  now?: number;
}

/** A v3 certificate, sha256WithRSAEncryption, CA (keyCertSign) or end entity (digitalSignature). */
export function rawCertificate(o: RawCertificateOptions): Uint8Array {
  const now = o.now ?? Date.now();
  // keyUsage BIT STRING: keyCertSign + cRLSign (bits 5, 6), or digitalSignature (bit 0).
  const keyUsageBits = o.ca ? [0x01, 0x06] : [0x07, 0x80];
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Integer({ value: 2 })],
      }),
      integer(serial++),
      algorithm(OID_SHA256_RSA),
      name(o.issuer),
      new asn1js.Sequence({
        value: [
          new asn1js.UTCTime({ valueDate: new Date(now - 3_600_000) }),
          new asn1js.UTCTime({ valueDate: new Date(now + 86_400_000) }),
        ],
      }),
      name(o.subject),
      new asn1js.Sequence({
        value: [
          algorithm(OID_RSA),
          new asn1js.BitString({
            valueHex: der(new asn1js.Sequence({ value: [integer(o.subjectKey.n), integer(o.subjectKey.e)] })),
            unusedBits: 0,
          }),
        ],
      }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 3 },
        value: [
          new asn1js.Sequence({
            value: [
              extension(
                '2.5.29.19',
                true,
                new asn1js.Sequence({ value: o.ca ? [new asn1js.Boolean({ value: true })] : [] }),
              ),
              extension(
                '2.5.29.15',
                true,
                new asn1js.BitString({
                  valueHex: new Uint8Array([keyUsageBits[1]!]),
                  unusedBits: keyUsageBits[0]!,
                }),
              ),
            ],
          }),
        ],
      }),
    ],
  });
  const tbsDer = der(tbs);
  const signer = o.signer ?? { n: o.subjectKey.n, d: 1n };
  const k = Math.ceil(bitLength(signer.n) / 8);
  const m = bytesToBigInt(emsaPkcs1v15Encode('sha256', tbsDer, k));
  const signature = bigIntToBytes(o.signer ? modPow(m, signer.d, signer.n) : m ^ 1n, k);
  return der(
    new asn1js.Sequence({
      value: [tbs, algorithm(OID_SHA256_RSA), new asn1js.BitString({ valueHex: signature, unusedBits: 0 })],
    }),
  );
}

/**
 * The issue's shape: a leaf under `levels` levels of intermediates, two certificates per level
 * (same name, same key), every link valid except the top one, which names the root as its issuer
 * but is signed by the peer's key. 2^levels candidate paths; leaf first, 1 + 2·levels certificates.
 */
export function branchingChain(rootName: string, key: RawRsaKey, levels: number, now?: number): Uint8Array[] {
  const level = (i: number): string => (i === levels ? rootName : `hostile CA ${i}`);
  const chain = [
    rawCertificate({
      subject: 'hostile leaf',
      issuer: level(0),
      subjectKey: key,
      signer: key,
      ca: false,
      now,
    }),
  ];
  for (let i = 0; i < levels; i++) {
    for (let copy = 0; copy < 2; copy++) {
      chain.push(
        rawCertificate({
          subject: level(i),
          issuer: level(i + 1),
          subjectKey: key,
          signer: key,
          ca: true,
          now,
        }),
      );
    }
  }
  return chain;
}

/**
 * The costliest shape left once signatures are checked from the root down: `count` − 1
 * intermediates that all name the root as their issuer (each a candidate the root's key must
 * check) over a leaf that names them.
 */
export function rootClaimingChain(
  rootName: string,
  key: RawRsaKey,
  count: number,
  now?: number,
): Uint8Array[] {
  const chain = [
    rawCertificate({
      subject: 'hostile leaf',
      issuer: 'hostile CA',
      subjectKey: key,
      signer: key,
      ca: false,
      now,
    }),
  ];
  for (let i = 1; i < count; i++) {
    chain.push(
      rawCertificate({
        subject: 'hostile CA',
        issuer: rootName,
        subjectKey: key,
        signer: key,
        ca: true,
        now,
      }),
    );
  }
  return chain;
}

/** Records (type 22) → handshake messages (type, body), and back, for plaintext handshake flights. */
function handshakeMessages(records: Uint8Array): {
  messages: { type: number; body: Uint8Array }[];
  rest: Uint8Array;
} {
  let payload = new Uint8Array(0);
  let offset = 0;
  while (offset + 5 <= records.length && records[offset] === 22) {
    const length = (records[offset + 3]! << 8) | records[offset + 4]!;
    const next = new Uint8Array(payload.length + length);
    next.set(payload);
    next.set(records.subarray(offset + 5, offset + 5 + length), payload.length);
    payload = next;
    offset += 5 + length;
  }
  const messages: { type: number; body: Uint8Array }[] = [];
  for (let i = 0; i + 4 <= payload.length; ) {
    const length = (payload[i + 1]! << 16) | (payload[i + 2]! << 8) | payload[i + 3]!;
    messages.push({ type: payload[i]!, body: payload.subarray(i + 4, i + 4 + length) });
    i += 4 + length;
  }
  return { messages, rest: records.subarray(offset) };
}

function u24(n: number): number[] {
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** The client flight `records` with its Certificate message's list replaced by `chain`. */
export function withCertificateChain(records: Uint8Array, chain: readonly Uint8Array[]): Uint8Array {
  const { messages, rest } = handshakeMessages(records);
  const list = chain.flatMap((c) => [...u24(c.length), ...c]);
  const bodies = messages.map((m) =>
    m.type === 11 ? new Uint8Array([...u24(list.length), ...list]) : m.body,
  );
  const payload = messages.flatMap((m, i) => [m.type, ...u24(bodies[i]!.length), ...bodies[i]!]);
  const out: number[] = [];
  for (let i = 0; i < payload.length; i += 16384) {
    const part = payload.slice(i, i + 16384);
    out.push(22, 3, 3, part.length >> 8, part.length & 0xff, ...part);
  }
  return new Uint8Array([...out, ...rest]);
}

/** A normal RSA private key (e = 65537) made by node:crypto, as memtls key data. */
export function nodeRsaKey(bits: number): PrivateKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const j = privateKey.export({ format: 'jwk' });
  const [n, e, d, p, q, dp, dq, qi] = [j.n, j.e, j.d, j.p, j.q, j.dp, j.dq, j.qi].map((v) =>
    fromB64u(v!),
  ) as bigint[];
  return { type: 'rsa', n: n!, e: e!, d: d!, p: p!, q: q!, dp: dp!, dq: dq!, qi: qi!, bits: bitLength(n!) };
}

export interface HostilePki {
  readonly rootName: string;
  readonly root: Uint8Array;
  readonly server: ServerConfig;
  readonly client: ClientConfig;
}

/** An RSA root (its key made by node:crypto), a P-256 server and a P-256 client under it. */
export function hostilePki(rootBits = 2048): HostilePki {
  const rootName = 'hostile-test root';
  const root = createRoot({ commonName: rootName, key: nodeRsaKey(rootBits) });
  const issuer = { certificate: root.certificate, key: root.key };
  const server = issueCertificate({ commonName: 'server.test', issuer });
  const client = issueCertificate({ commonName: 'client.test', issuer, usage: 'client' });
  return {
    rootName,
    root: root.certificate,
    server: { ca: root.certificate, cert: server.certificate, key: server.keyPem, clientAuth: 'required' },
    client: { ca: root.certificate, cert: client.certificate, key: client.keyPem, serverName: 'server.test' },
  };
}

/**
 * A server that has sent its first flight, and the client's second flight with `chain` as its
 * Certificate message: the bytes of one hostile `receive()`.
 */
export function serverAwaitingFlight(
  pki: HostilePki,
  chain: readonly Uint8Array[],
  serverOptions: Partial<ServerConfig> = {},
): { server: TlsServer; flight: Uint8Array } {
  const client = new TlsClient(pki.client);
  const server = new TlsServer({ ...pki.server, ...serverOptions });
  server.receive(client.takeOutgoing());
  client.receive(server.takeOutgoing());
  return { server, flight: withCertificateChain(client.takeOutgoing(), chain) };
}
