import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, Reader } from '../../../src/codec.js';
import {
  decodeFinished,
  decodeHelloRequest,
  decodeServerHelloDone,
  encodeFinished,
  encodeHelloRequest,
  encodeServerHelloDone,
} from '../../../src/handshake/messages/finished.js';
import { bytes, decoder, describeCodecProperties, encoder, expectTlsError, finished } from './arbitraries.js';

describeCodecProperties({
  name: 'Finished',
  arbitrary: finished,
  encode: encoder(encodeFinished),
  decode: decoder(decodeFinished, 'Finished'),
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
