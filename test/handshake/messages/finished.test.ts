import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, Reader } from '../../../src/codec.js';
import {
  decodeFinished,
  decodeHelloRequest,
  decodeNewSessionTicket,
  decodeServerHelloDone,
  encodeFinished,
  encodeHelloRequest,
  encodeNewSessionTicket,
  encodeServerHelloDone,
} from '../../../src/handshake/messages/finished.js';
import {
  bytes,
  decoder,
  describeCodecProperties,
  encoder,
  expectTlsError,
  finished,
  newSessionTicket,
} from './arbitraries.js';

describeCodecProperties({
  name: 'Finished',
  arbitrary: finished,
  encode: encoder(encodeFinished),
  decode: decoder(decodeFinished, 'Finished'),
});
describeCodecProperties({
  name: 'NewSessionTicket',
  arbitrary: newSessionTicket,
  encode: encoder(encodeNewSessionTicket),
  decode: decoder(decodeNewSessionTicket, 'NewSessionTicket'),
});

describe('Finished', () => {
  it('decodes exactly the expected verify_data length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), bytes(0, 70), (expected, data) => {
        const decode = () => decodeFinished(new Reader(data, 'Finished'), expected);
        if (data.length === expected) expect(decode()).toEqual({ verifyData: data });
        else expectTlsError(decode);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ServerHelloDone and HelloRequest', () => {
  it('encode to nothing and refuse any body', () => {
    expect(encoder(encodeServerHelloDone)(undefined)).toEqual(new Uint8Array(0));
    expect(encoder(encodeHelloRequest)(undefined)).toEqual(new Uint8Array(0));
    expect(decodeServerHelloDone(new Reader(new Uint8Array(0)))).toEqual({});
    expect(decodeHelloRequest(new Reader(new Uint8Array(0)))).toEqual({});
    expectTlsError(() => decodeServerHelloDone(new Reader(fromHex('00'))));
    expectTlsError(() => decodeHelloRequest(new Reader(fromHex('0000'))));
  });
});

describe('NewSessionTicket', () => {
  it('encodes u32 lifetime ‖ opaque16 ticket and accepts an empty ticket (RFC 5077 §3.3)', () => {
    const encode = encoder(encodeNewSessionTicket);
    expect(encode({ lifetimeHint: 0xfffffffe, ticket: fromHex('ab') })).toEqual(fromHex('fffffffe0001ab'));
    expect(decodeNewSessionTicket(new Reader(fromHex('0000000a0000')))).toEqual({
      lifetimeHint: 10,
      ticket: new Uint8Array(0),
    });
  });
});
