import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../src/ciphers/suites.js';
import { concatBytes, fromHex, utf8 } from '../../src/codec.js';
import { TlsError } from '../../src/errors.js';
import { Deframer } from '../../src/record/deframer.js';
import { encodeRecord } from '../../src/record/header.js';
import { RecordProtector } from '../../src/record/protection.js';
import { RecordLayer } from '../../src/record/record-layer.js';
import {
  ContentType,
  type ContentTypeCode,
  MAX_CIPHERTEXT,
  MAX_EMPTY_RECORDS,
  MAX_PLAINTEXT,
  type PlainRecord,
  type TlsRecord,
} from '../../src/record/types.js';
import { ALL_SUITES, PROVIDERS, testKeys } from './providers.js';
import { nodeTestProvider } from './test-provider.js';

const { handshake, alert, application_data: appData, change_cipher_spec: ccs } = ContentType;
const CHACHA = SUITES.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
const GCM = SUITES.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

function caught(f: () => unknown): TlsError {
  try {
    f();
  } catch (error) {
    if (error instanceof TlsError) return error;
    throw new Error(`expected a TlsError, got ${String(error)}`);
  }
  throw new Error('expected a TlsError, nothing was thrown');
}

function readAll(layer: RecordLayer): PlainRecord[] {
  const out: PlainRecord[] = [];
  for (let r = layer.read(); r !== undefined; r = layer.read()) out.push(r);
  return out;
}

function records(bytes: Uint8Array): TlsRecord[] {
  const d = new Deframer();
  d.push(bytes);
  const out: TlsRecord[] = [];
  for (let r = d.next(); r !== undefined; r = d.next()) out.push(r);
  return out;
}

/** A client and a server layer with keys active both ways (as after both ChangeCipherSpecs). */
function protectedPair(suite = GCM, provider = nodeTestProvider) {
  const clientWrite = testKeys(suite, 1);
  const serverWrite = testKeys(suite, 2);
  const client = new RecordLayer({ provider });
  const server = new RecordLayer({ provider });
  client.setPendingWrite(clientWrite);
  client.setPendingRead(serverWrite);
  server.setPendingRead(clientWrite);
  server.setPendingWrite(serverWrite);
  for (const layer of [client, server]) {
    layer.activateWrite();
    layer.activateRead();
    layer.lockVersion();
  }
  return { client, server, clientWrite, serverWrite };
}

/** A server layer reading protected records, plus a protector playing the peer's write side. */
function protectedReceiver(suite = CHACHA) {
  const keys = testKeys(suite, 5);
  const layer = new RecordLayer({ provider: nodeTestProvider });
  layer.setPendingRead(keys);
  layer.activateRead();
  const peer = new RecordProtector(keys, nodeTestProvider);
  const send = (type: number, plaintext: Uint8Array) =>
    layer.feed(encodeRecord(type, 0x0303, peer.seal(type, 0x0303, plaintext)));
  return { layer, send };
}

describe('RecordLayer: handshake to protected traffic', () => {
  it('passes plaintext handshake records, switches at ChangeCipherSpec, then protects both ways', () => {
    const provider = nodeTestProvider;
    const client = new RecordLayer({ provider });
    const server = new RecordLayer({ provider });
    client.write(handshake, fromHex('010000020303'));
    expect(client.pendingOutgoing).toBe(11);
    server.feed(client.takeOutgoing());
    expect(client.pendingOutgoing).toBe(0);
    expect(client.takeOutgoing().length).toBe(0);
    expect(server.read()).toEqual({ type: handshake, data: fromHex('010000020303') });
    server.lockVersion();

    const clientWrite = testKeys(CHACHA, 1);
    client.setPendingWrite(clientWrite);
    server.setPendingRead(clientWrite);
    client.write(ccs, fromHex('01'));
    client.activateWrite();
    client.write(handshake, fromHex('1400000c00112233445566778899aabb'));
    client.write(appData, utf8.encode('ping'));
    const wire = client.takeOutgoing();
    const onWire = records(wire);
    expect(onWire.map((r) => [r.type, r.fragment.length])).toEqual([
      [ccs, 1],
      [handshake, 16 + 16],
      [appData, 4 + 16],
    ]);

    server.feed(wire);
    expect(server.read()).toEqual({ type: ccs, data: fromHex('01') });
    server.activateRead();
    expect(server.read()).toEqual({ type: handshake, data: fromHex('1400000c00112233445566778899aabb') });
    expect(server.read()).toEqual({ type: appData, data: utf8.encode('ping') });
    expect(server.read()).toBeUndefined();
  });

  for (const suite of ALL_SUITES) {
    for (const { name, provider } of PROVIDERS) {
      it(`${suite.name} (${name}): any re-fragmentation of protected records yields the same plaintext in order`, () => {
        fc.assert(
          fc.property(
            fc.array(
              fc.record({
                type: fc.constantFrom<ContentTypeCode>(alert, handshake, appData),
                data: fc.uint8Array({ maxLength: 200 }),
              }),
              { maxLength: 6 },
            ),
            fc.array(fc.nat(), { maxLength: 12 }),
            (messages, cuts) => {
              const { client, server } = protectedPair(suite, provider);
              const sent = messages.filter((m) => m.data.length > 0 || m.type === appData);
              for (const m of sent) client.write(m.type, m.data);
              const wire = client.takeOutgoing();
              const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
              const got: PlainRecord[] = [];
              let start = 0;
              for (const p of [...points, wire.length]) {
                server.feed(wire.subarray(start, p));
                start = p;
                got.push(...readAll(server));
              }
              const expected = sent.filter((m) => m.data.length > 0);
              expect(got.map((r) => [r.type, Array.from(r.data)])).toEqual(
                expected.map((m) => [m.type, Array.from(m.data)]),
              );
            },
          ),
          { numRuns: 15 },
        );
      });
    }
  }

  it('keeps one sequence number per direction', () => {
    const { client, server } = protectedPair(CHACHA);
    for (let i = 0; i < 3; i++) client.write(appData, utf8.encode(`c${i}`));
    server.write(appData, utf8.encode('s0'));
    server.feed(client.takeOutgoing());
    client.feed(server.takeOutgoing());
    expect(readAll(server).map((r) => utf8.decode(r.data))).toEqual(['c0', 'c1', 'c2']);
    expect(readAll(client).map((r) => utf8.decode(r.data))).toEqual(['s0']);
  });

  it('a replayed record fails authentication', () => {
    const { client, server } = protectedPair();
    client.write(appData, utf8.encode('once'));
    const wire = client.takeOutgoing();
    server.feed(wire);
    server.feed(wire);
    expect(server.read()?.data).toEqual(utf8.encode('once'));
    expect(caught(() => server.read())).toMatchObject({
      code: 'bad_record_mac',
      alertSent: 'bad_record_mac',
    });
  });
});

describe('RecordLayer: fragmentation of writes (RFC 5246 §6.2.1, RFC 8449 §4)', () => {
  it('splits large writes into 2^14-byte records, plaintext or protected', () => {
    const data = new Uint8Array(40000).map((_, i) => i & 0xff);
    const plain = new RecordLayer({ provider: nodeTestProvider });
    plain.write(handshake, data);
    expect(records(plain.takeOutgoing()).map((r) => r.fragment.length)).toEqual([16384, 16384, 7232]);
    const { client, server } = protectedPair();
    client.write(appData, data);
    const wire = client.takeOutgoing();
    expect(records(wire).map((r) => r.fragment.length)).toEqual([16384 + 24, 16384 + 24, 7232 + 24]);
    server.feed(wire);
    expect(concatBytes(...readAll(server).map((r) => r.data))).toEqual(data);
  });

  it("the peer's record_size_limit caps protected records only; maxPlaintext caps all", () => {
    const { client, server } = protectedPair();
    client.setSendLimit(100);
    client.write(appData, new Uint8Array(250));
    expect(records(client.takeOutgoing()).map((r) => r.fragment.length - 24)).toEqual([100, 100, 50]);
    const plain = new RecordLayer({ provider: nodeTestProvider });
    plain.setSendLimit(100); // unprotected messages are not subject to the limit
    plain.write(handshake, new Uint8Array(250));
    expect(records(plain.takeOutgoing()).map((r) => r.fragment.length)).toEqual([250]);
    const small = new RecordLayer({ provider: nodeTestProvider, maxPlaintext: 64 });
    small.write(handshake, new Uint8Array(130));
    expect(records(small.takeOutgoing()).map((r) => r.fragment.length)).toEqual([64, 64, 2]);
    server.setSendLimit(1 << 16); // above 2^14 means 2^14 (RFC 8449 §4)
    server.write(appData, new Uint8Array(MAX_PLAINTEXT + 1));
    expect(records(server.takeOutgoing()).map((r) => r.fragment.length - 24)).toEqual([MAX_PLAINTEXT, 1]);
  });

  it('refuses a peer record_size_limit below 64 with illegal_parameter', () => {
    const layer = new RecordLayer({ provider: nodeTestProvider });
    expect(caught(() => layer.setSendLimit(63))).toMatchObject({
      alertSent: 'illegal_parameter',
      kind: 'peer',
    });
    layer.setSendLimit(64);
  });

  it('writes nothing for empty application data and refuses other empty records as local misuse', () => {
    const layer = new RecordLayer({ provider: nodeTestProvider });
    layer.write(appData, new Uint8Array(0));
    expect(layer.pendingOutgoing).toBe(0);
    for (const type of [handshake, alert, ccs] as const) {
      expect(caught(() => layer.write(type, new Uint8Array(0))).kind).toBe('local');
    }
    expect(caught(() => layer.write(24 as 23, new Uint8Array(1))).kind).toBe('local');
  });

  it('takeOutgoing joins several writes in order and then is empty', () => {
    const layer = new RecordLayer({ provider: nodeTestProvider });
    layer.write(handshake, fromHex('01'));
    layer.write(alert, fromHex('0100'));
    const out = layer.takeOutgoing();
    expect(out).toEqual(fromHex('16030300010115030300020100'));
    expect(layer.takeOutgoing().length).toBe(0);
  });
});

describe('RecordLayer: limits and the alerts they send', () => {
  it('unprotected plaintext over 2^14 → record_overflow', () => {
    const layer = new RecordLayer({ provider: nodeTestProvider });
    layer.feed(encodeRecord(handshake, 0x0303, new Uint8Array(MAX_PLAINTEXT + 1)));
    expect(caught(() => layer.read())).toMatchObject({
      code: 'record_overflow',
      alertSent: 'record_overflow',
    });
  });

  it('protected plaintext over the advertised receive limit → record_overflow, before decryption', () => {
    const { layer, send } = protectedReceiver();
    layer.setReceiveLimit(1000);
    send(appData, new Uint8Array(1000));
    expect(layer.read()?.data.length).toBe(1000);
    send(appData, new Uint8Array(1001));
    expect(caught(() => layer.read())).toMatchObject({
      code: 'record_overflow',
      alertSent: 'record_overflow',
    });
  });

  it('ciphertext over MAX_CIPHERTEXT → record_overflow', () => {
    const { layer } = protectedReceiver();
    layer.feed(fromHex(`170303${(MAX_CIPHERTEXT + 1).toString(16)}`));
    expect(caught(() => layer.read())).toMatchObject({
      code: 'record_overflow',
      alertSent: 'record_overflow',
    });
  });

  it('zero-length handshake, alert and change_cipher_spec records → unexpected_message', () => {
    for (const type of [handshake, alert, ccs]) {
      const layer = new RecordLayer({ provider: nodeTestProvider });
      layer.feed(encodeRecord(type, 0x0303, new Uint8Array(0)));
      expect(caught(() => layer.read())).toMatchObject({
        code: 'empty_record',
        alertSent: 'unexpected_message',
      });
      const { layer: protectedLayer, send } = protectedReceiver();
      send(type, new Uint8Array(0));
      expect(caught(() => protectedLayer.read())).toMatchObject({
        code: 'empty_record',
        alertSent: 'unexpected_message',
      });
    }
  });

  it(`skips up to ${MAX_EMPTY_RECORDS} empty application data records in a row; one more → limit error`, () => {
    const { layer, send } = protectedReceiver();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_EMPTY_RECORDS; i++) send(appData, new Uint8Array(0));
      send(appData, utf8.encode('x')); // a non-empty record resets the count
      expect(layer.read()).toEqual({ type: appData, data: utf8.encode('x') });
    }
    for (let i = 0; i <= MAX_EMPTY_RECORDS; i++) send(appData, new Uint8Array(0));
    expect(caught(() => layer.read())).toMatchObject({
      kind: 'limit',
      code: 'too_many_empty_records',
      alertSent: 'unexpected_message',
    });
  });

  it('unprotected application data before keys are active → unexpected_message', () => {
    const layer = new RecordLayer({ provider: nodeTestProvider });
    layer.feed(encodeRecord(appData, 0x0303, utf8.encode('early')));
    expect(caught(() => layer.read())).toMatchObject({
      code: 'unexpected_application_data',
      alertSent: 'unexpected_message',
    });
  });

  it('ChangeCipherSpec without pending keys → unexpected_message', () => {
    const layer = new RecordLayer({ provider: nodeTestProvider });
    expect(caught(() => layer.activateRead())).toMatchObject({
      code: 'unexpected_change_cipher_spec',
      alertSent: 'unexpected_message',
    });
    expect(caught(() => layer.activateWrite()).kind).toBe('local');
  });

  it('accepts any 0x03xx record version until lockVersion(), then only 0x0303 → protocol_version', () => {
    const layer = new RecordLayer({ provider: nodeTestProvider });
    layer.feed(encodeRecord(handshake, 0x0301, fromHex('01')));
    layer.feed(encodeRecord(handshake, 0x0300, fromHex('02')));
    expect(readAll(layer).map((r) => r.data[0])).toEqual([1, 2]);
    layer.lockVersion();
    layer.feed(encodeRecord(handshake, 0x0303, fromHex('03')));
    layer.feed(encodeRecord(handshake, 0x0301, fromHex('04')));
    expect(layer.read()?.data[0]).toBe(3);
    expect(caught(() => layer.read())).toMatchObject({
      code: 'bad_record_version',
      alertSent: 'protocol_version',
    });
  });

  it('header errors from the deframer reach read(): unknown type, bad major version', () => {
    const cases: [string, string][] = [
      ['1803030001', 'unexpected_message'],
      ['1704030001', 'protocol_version'],
    ];
    for (const [bytes, expectedAlert] of cases) {
      const layer = new RecordLayer({ provider: nodeTestProvider });
      layer.feed(fromHex(bytes));
      expect(caught(() => layer.read()).alertSent).toBe(expectedAlert);
    }
  });

  it('read() failures are sticky; writing (the fatal alert) still works', () => {
    const { layer, send } = protectedReceiver();
    layer.feed(encodeRecord(appData, 0x0303, new Uint8Array(40)));
    const first = caught(() => layer.read());
    expect(first.code).toBe('bad_record_mac');
    send(appData, utf8.encode('later'));
    expect(caught(() => layer.read())).toBe(first);
    layer.write(alert, fromHex('0214'));
    expect(layer.pendingOutgoing).toBe(7);
  });

  it('random bytes fail with a TlsError or yield records, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, keyed) => {
        const layer = keyed ? protectedReceiver().layer : new RecordLayer({ provider: nodeTestProvider });
        layer.feed(bytes);
        try {
          readAll(layer);
        } catch (error) {
          expect(error).toBeInstanceOf(TlsError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses bad configuration and use after dispose as local errors', () => {
    expect(caught(() => new RecordLayer({ provider: nodeTestProvider, maxPlaintext: 0 })).kind).toBe('local');
    const layer = new RecordLayer({ provider: nodeTestProvider });
    expect(caught(() => layer.setReceiveLimit(MAX_PLAINTEXT + 1)).kind).toBe('local');
    layer.dispose();
    expect(caught(() => layer.read()).code).toBe('disposed');
    expect(caught(() => layer.write(appData, fromHex('00'))).code).toBe('disposed');
  });
});

describe('large writes sealed in parts (Aead.sealParts)', () => {
  it('queues only whole records when a later record of the write cannot be sealed', () => {
    // A provider whose AEAD refuses its second record, as a used-up sequence number would.
    let sealed = 0;
    const failing: typeof nodeTestProvider = {
      ...nodeTestProvider,
      aead(algorithm, key) {
        const inner = nodeTestProvider.aead(algorithm, key);
        return {
          algorithm: inner.algorithm,
          nonceLength: inner.nonceLength,
          tagLength: inner.tagLength,
          seal: (n, a, p) => inner.seal(n, a, p),
          open: (n, a, c) => inner.open(n, a, c),
          dispose: () => inner.dispose(),
          sealParts(n, a, p) {
            if (++sealed === 2) throw new Error('the AEAD refuses');
            const whole = inner.seal(n, a, p);
            return [whole.subarray(0, whole.length - 16), whole.subarray(whole.length - 16)];
          },
        };
      },
    };
    const { client } = protectedPair(GCM, failing);
    const { server } = protectedPair(GCM);
    const message = new Uint8Array(40_000).fill(9);
    expect(() => client.write(appData, message)).toThrow('the AEAD refuses');
    const wire = client.takeOutgoing();
    expect(wire.length).toBe(5 + 8 + 16384 + 16); // the first record, with its tag
    server.feed(wire);
    const got = readAll(server);
    expect(got.map((r) => r.data.length)).toEqual([16384]);
    expect(got[0]!.data).toEqual(message.subarray(0, 16384));
  });
});
