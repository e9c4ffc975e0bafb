// Structure-aware fuzzing of ClientHello, ServerHello and Certificate (RFC 5246 §7.4.1.2–7.4.2, §7.4.1.4,
// RFC 6066, RFC 7301, RFC 7627, RFC 8422, RFC 5746): each generated fault gets the alert the RFCs pick.

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/config.js';
import { TlsClient, TlsServer } from '../../src/endpoints.js';
import { nodeCryptoProvider } from '../../src/providers/node/provider.js';
import { testPki } from '../helpers/pki.js';
import { seededRandom } from './pair-case.js';
import { concat, parseRecords, recordBytes } from './wire.js';

/**
 * The alert each fault gets. A duplicate extension breaks "there MUST NOT be more than one extension of
 * the same type" (RFC 5246 §7.4.1.4), which names no alert: decode_error (the block does not parse as
 * the grammar allows) and illegal_parameter (RFC 8446 §4.2's choice, rustls, OpenSSL) are both accepted.
 */
const EXPECTED_ALERTS = {
  duplicateExtension: ['decode_error', 'illegal_parameter'], // RFC 5246 §7.4.1.4, RFC 8446 §4.2
  lengthPastItsVector: ['decode_error'], // RFC 5246 §7.2.2 decode_error: "the length of the message was incorrect"
  emptyWhereForbidden: ['decode_error'], // RFC 8422 §5.1.1 <2..>, §5.1.2 <1..>; RFC 5246 §7.4.1.4.1 <2..>; RFC 6066 §3 <1..>; RFC 7301 §3.1 <2..>
  extendedMasterSecretWithBody: ['decode_error'], // RFC 7627 §5.1: "The extension_data field of this extension is empty"
  unknownInClientHello: [], // RFC 5246 §7.4.1.4: the server ignores extensions it does not recognise
  unsolicitedInServerHello: ['unsupported_extension'], // RFC 5246 §7.4.1.4: "MUST abort ... unsupported_extension"
  renegotiationInfoNotEmpty: ['handshake_failure'], // RFC 5746 §3.4: non-zero renegotiated_connection
  emptyCertificateEntry: ['decode_error'], // RFC 5246 §7.4.2: ASN.1Cert<1..2^24-1>
  corruptCertificate: ['bad_certificate', 'decode_error'], // RFC 5246 §7.2.2 bad_certificate: "corrupt"
} as const;

/** `got` is one of the alerts the table allows for `fault` (undefined: no alert, the peer went on). */
function expectAlert(fault: keyof typeof EXPECTED_ALERTS, got: string | undefined, note?: string): void {
  const allowed: readonly string[] = EXPECTED_ALERTS[fault];
  if (allowed.length === 0) expect(got, note).toBeUndefined();
  else expect(allowed, note).toContain(got);
}

let client: ClientConfig;
let server: ServerConfig;
let clientHello: Uint8Array; // the handshake message (header + body)
let serverFlight: Uint8Array; // the handshake messages of the server's first flight
beforeAll(() => {
  const pki = testPki();
  const s = pki.leaf('p256', 'server');
  const now = () => Date.now() + 3_600_000;
  const base = { ca: pki.ca, crypto: nodeCryptoProvider, now, alpn: ['h2', 'http/1.1'] };
  server = { ...base, cert: s.cert, key: s.key, clientAuth: 'none', random: seededRandom(3) };
  client = { ...base, serverName: 'server.test', random: (n) => new Uint8Array(n).fill(1) };
  clientHello = handshakeBytes(new TlsClient(client).takeOutgoing());
  const ts = new TlsServer(server);
  ts.receive(recordBytes(22, clientHello));
  serverFlight = handshakeBytes(ts.takeOutgoing());
}, 120_000);

function handshakeBytes(flight: Uint8Array): Uint8Array {
  return concat(parseRecords(flight, false).map((r) => r.bytes.subarray(5)));
}

interface Ext {
  type: number;
  data: Uint8Array;
  /** Declared length, when it lies. */
  length?: number;
}

/** Split a hello message into the bytes before its extension block and the extensions. */
function splitHello(message: Uint8Array, isClient: boolean): { prefix: Uint8Array; exts: Ext[] } {
  const b = message.subarray(4);
  let o = 34;
  o += 1 + b[o]!;
  o += isClient ? 2 + ((b[o]! << 8) | b[o + 1]!) : 2;
  o += isClient ? 1 + b[o]! : 1;
  const exts: Ext[] = [];
  const end = o + 2 + ((b[o]! << 8) | b[o + 1]!);
  for (let p = o + 2; p < end; ) {
    const len = (b[p + 2]! << 8) | b[p + 3]!;
    exts.push({ type: (b[p]! << 8) | b[p + 1]!, data: b.slice(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return { prefix: b.slice(0, o), exts };
}

function joinHello(type: number, prefix: Uint8Array, exts: Ext[]): Uint8Array {
  const parts = exts.map((e) => {
    const len = e.length ?? e.data.length;
    return concat([new Uint8Array([e.type >> 8, e.type & 0xff, len >> 8, len & 0xff]), e.data]);
  });
  const block = concat(parts);
  const body = concat([prefix, new Uint8Array([block.length >> 8, block.length & 0xff]), block]);
  return concat([
    new Uint8Array([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]),
    body,
  ]);
}

/** Handshake messages → plaintext records of at most 2^14 bytes. */
function records(messages: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  for (let o = 0; o < messages.length; o += 16_384)
    out.push(recordBytes(22, messages.subarray(o, o + 16_384)));
  return concat(out);
}

/** The alert the server sends for a ClientHello (undefined: it answered with its flight). */
function serverAnswer(hello: Uint8Array): string | undefined {
  const s = new TlsServer(server);
  const events = s.receive(records(hello));
  const e = events.find((x) => x.type === 'error');
  if (e?.type === 'error') return e.error.alertSent;
  expect(s.takeOutgoing()[5]).toBe(2); // a ServerHello
  return undefined;
}

/** The alert the client sends for a server flight whose first message is replaced. */
function clientAnswer(
  serverHello: Uint8Array,
  rest = serverFlight.subarray(messageLength(serverFlight)),
): string | undefined {
  const c = new TlsClient(client);
  c.takeOutgoing();
  const events = c.receive(records(concat([serverHello, rest])));
  const e = events.find((x) => x.type === 'error');
  return e?.type === 'error' ? e.error.alertSent : undefined;
}

function messageLength(m: Uint8Array): number {
  return 4 + ((m[1]! << 16) | (m[2]! << 8) | m[3]!);
}

/** Types no peer here sends or understands; GREASE values among them (RFC 8701). */
const unknownType = fc.oneof(
  fc.constantFrom(0x0a0a, 0x1a1a, 0xfafa, 0xfe00, 0x7777),
  fc.integer({ min: 0x3000, max: 0xfe00 }),
);
const unknownExt = fc.record({ type: unknownType, data: fc.uint8Array({ maxLength: 40 }) });
const withUnknown = (exts: Ext[], extra: Ext[], at: number): Ext[] => {
  const out = exts.slice();
  out.splice(at % (out.length + 1), 0, ...extra);
  return out;
};

/** Extensions whose ClientHello body may not be empty, and a body holding an empty inner list. */
const NON_EMPTY: Record<number, Uint8Array> = {
  0: new Uint8Array([0, 0]), // server_name_list<1..2^16-1>
  10: new Uint8Array([0, 0]), // named_curve_list<2..2^16-1>
  11: new Uint8Array([0]), // ec_point_format_list<1..2^8-1>
  13: new Uint8Array([0, 0]), // supported_signature_algorithms<2..2^16-2>
  16: new Uint8Array([0, 0]), // protocol_name_list<2..2^16-1>
};

describe('structure-aware ClientHello faults (server side)', () => {
  it('the unmutated hello with unknown extensions anywhere is answered, not refused', () => {
    const { prefix, exts } = splitHello(clientHello, true);
    for (const t of [0, 10, 11, 13, 16, 23, 0xff01]) expect(exts.map((e) => e.type)).toContain(t);
    fc.assert(
      fc.property(
        fc.uniqueArray(unknownExt, { selector: (e) => e.type, maxLength: 4 }),
        fc.nat(),
        (extra, at) => {
          expectAlert(
            'unknownInClientHello',
            serverAnswer(joinHello(1, prefix, withUnknown(exts, extra, at))),
          );
        },
      ),
      { seed: 1, numRuns: 60 },
    );
  });

  it('a duplicated extension, known or unknown, is refused', () => {
    const { prefix, exts } = splitHello(clientHello, true);
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.option(unknownExt), (which, at, extra) => {
        const list = extra ? [...exts, extra] : exts.slice();
        const dup = list[which % list.length]!;
        list.splice(at % (list.length + 1), 0, { ...dup });
        expectAlert('duplicateExtension', serverAnswer(joinHello(1, prefix, list)));
      }),
      { seed: 2, numRuns: 60 },
    );
  });

  it('an extension length past its block, or past the message, is decode_error', () => {
    const { prefix, exts } = splitHello(clientHello, true);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 0xffff }), (which, extra) => {
        const list = exts.slice();
        const i = which % list.length;
        list[i] = { ...list[i]!, length: Math.min(0xffff, list[i]!.data.length + extra) };
        expectAlert('lengthPastItsVector', serverAnswer(joinHello(1, prefix, list)));
      }),
      { seed: 3, numRuns: 60 },
    );
  });

  it('an empty body or an empty list where the RFC forbids one is decode_error', () => {
    const { prefix, exts } = splitHello(clientHello, true);
    for (const [type, emptyList] of Object.entries(NON_EMPTY)) {
      for (const data of [new Uint8Array(0), emptyList]) {
        const list = exts.map((e) => (e.type === Number(type) ? { type: e.type, data } : e));
        expectAlert(
          'emptyWhereForbidden',
          serverAnswer(joinHello(1, prefix, list)),
          `extension ${type} = [${[...data]}]`,
        );
      }
    }
  });

  it('extended_master_secret with a body is decode_error', () => {
    const { prefix, exts } = splitHello(clientHello, true);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 8 }), (data) => {
        const list = exts.map((e) => (e.type === 23 ? { type: 23, data } : e));
        expectAlert('extendedMasterSecretWithBody', serverAnswer(joinHello(1, prefix, list)));
      }),
      { seed: 4, numRuns: 20 },
    );
  });
});

describe('structure-aware ServerHello faults (client side)', () => {
  it('the captured flight is accepted as it is', () => {
    expect(clientAnswer(serverFlight.subarray(0, messageLength(serverFlight)))).toBeUndefined();
  });

  it('an extension the client did not offer is unsupported_extension', () => {
    const { prefix, exts } = splitHello(serverFlight.subarray(0, messageLength(serverFlight)), false);
    fc.assert(
      fc.property(unknownExt, fc.nat(), (extra, at) => {
        expectAlert(
          'unsolicitedInServerHello',
          clientAnswer(joinHello(2, prefix, withUnknown(exts, [extra], at))),
        );
      }),
      { seed: 5, numRuns: 40 },
    );
  });

  it('a duplicated extension is refused; a length past the block is decode_error', () => {
    const { prefix, exts } = splitHello(serverFlight.subarray(0, messageLength(serverFlight)), false);
    expect(exts.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 0xffff }), (which, extra) => {
        const i = which % exts.length;
        const dup = [...exts, { ...exts[i]! }];
        expectAlert('duplicateExtension', clientAnswer(joinHello(2, prefix, dup)));
        const long = exts.map((e, j) =>
          j === i ? { ...e, length: Math.min(0xffff, e.data.length + extra) } : e,
        );
        expectAlert('lengthPastItsVector', clientAnswer(joinHello(2, prefix, long)));
      }),
      { seed: 6, numRuns: 30 },
    );
  });

  it('a non-empty renegotiated_connection in the first handshake is handshake_failure', () => {
    const { prefix, exts } = splitHello(serverFlight.subarray(0, messageLength(serverFlight)), false);
    const list = exts.map((e) => (e.type === 0xff01 ? { type: 0xff01, data: new Uint8Array([2, 7, 7]) } : e));
    expect(list.some((e) => e.type === 0xff01)).toBe(true);
    expectAlert('renegotiationInfoNotEmpty', clientAnswer(joinHello(2, prefix, list)));
  });

  it('extended_master_secret with a body is decode_error', () => {
    const { prefix, exts } = splitHello(serverFlight.subarray(0, messageLength(serverFlight)), false);
    const list = exts.map((e) => (e.type === 23 ? { type: 23, data: new Uint8Array([0]) } : e));
    expectAlert('extendedMasterSecretWithBody', clientAnswer(joinHello(2, prefix, list)));
  });
});

describe('structure-aware Certificate faults (client side)', () => {
  /** The server flight with its Certificate message (the second) rebuilt from `certs`. */
  function withCertificates(certs: Uint8Array[], listLengthDelta = 0): Uint8Array {
    const sh = serverFlight.subarray(0, messageLength(serverFlight));
    const rest = serverFlight.subarray(sh.length);
    const after = rest.subarray(messageLength(rest));
    const entries = concat(
      certs.map((c) =>
        concat([new Uint8Array([c.length >> 16, (c.length >> 8) & 0xff, c.length & 0xff]), c]),
      ),
    );
    const n = entries.length + listLengthDelta;
    const body = concat([new Uint8Array([n >> 16, (n >> 8) & 0xff, n & 0xff]), entries]);
    const msg = concat([
      new Uint8Array([11, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]),
      body,
    ]);
    return concat([msg, after]);
  }
  const realChain = () => {
    const rest = serverFlight.subarray(messageLength(serverFlight));
    const body = rest.subarray(4, messageLength(rest));
    const out: Uint8Array[] = [];
    for (let o = 3; o < body.length; ) {
      const len = (body[o]! << 16) | (body[o + 1]! << 8) | body[o + 2]!;
      out.push(body.slice(o + 3, o + 3 + len));
      o += 3 + len;
    }
    return out;
  };
  const sh = () => serverFlight.subarray(0, messageLength(serverFlight));

  it('the rebuilt chain is accepted (so the faults below are what gets refused)', () => {
    expect(clientAnswer(sh(), withCertificates(realChain()))).toBeUndefined();
  });

  it('a zero-length certificate entry anywhere is decode_error', () => {
    fc.assert(
      fc.property(fc.nat(), (at) => {
        const chain = realChain();
        chain.splice(at % (chain.length + 1), 0, new Uint8Array(0));
        expectAlert('emptyCertificateEntry', clientAnswer(sh(), withCertificates(chain)));
      }),
      { seed: 7, numRuns: 10 },
    );
  });

  it('a list length that disagrees with its entries is decode_error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0),
        (delta) => {
          expectAlert('lengthPastItsVector', clientAnswer(sh(), withCertificates(realChain(), delta)));
        },
      ),
      { seed: 8, numRuns: 10 },
    );
  });

  it('a corrupt leaf certificate is bad_certificate (or decode_error)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (der) => {
        expectAlert('corruptCertificate', clientAnswer(sh(), withCertificates([der])));
      }),
      { seed: 9, numRuns: 40 },
    );
  });
});
