import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '../../../src/codec.js';
import {
  decodeClientKeyExchange,
  decodeServerKeyExchange,
  encodeClientKeyExchange,
  encodeServerEcdhParams,
  encodeServerKeyExchange,
} from '../../../src/handshake/messages/key-exchange.js';
import {
  clientKeyExchange,
  decoder,
  describeCodecProperties,
  encoder,
  expectTlsError,
  serverKeyExchange,
} from './arbitraries.js';

const encodeSKE = encoder(encodeServerKeyExchange);
const decodeSKE = decoder(decodeServerKeyExchange, 'ServerKeyExchange');
const encodeCKE = encoder(encodeClientKeyExchange);
const decodeCKE = decoder(decodeClientKeyExchange, 'ClientKeyExchange');

describeCodecProperties({
  name: 'ServerKeyExchange',
  arbitrary: serverKeyExchange,
  encode: encodeSKE,
  decode: decodeSKE,
  errorKinds: ['decode', 'peer'],
});
describeCodecProperties({
  name: 'ClientKeyExchange',
  arbitrary: clientKeyExchange,
  encode: encodeCKE,
  decode: decodeCKE,
});

describe('ServerKeyExchange', () => {
  const point = new Uint8Array(32).fill(9);
  const ske = {
    curveType: 3,
    namedGroup: 0x001d,
    publicKey: point,
    signatureScheme: 0x0403,
    signature: fromHex('3006'),
  };

  it('encodes RFC 8422 §5.4: params ‖ scheme ‖ opaque16 signature', () => {
    expect(encodeSKE(ske)).toEqual(fromHex(`03 001d 20 ${'09'.repeat(32)} 0403 00023006`));
  });

  it('encodeServerEcdhParams is exactly the signed params prefix of the message', () => {
    const params = encodeServerEcdhParams(0x001d, point);
    expect(params).toEqual(fromHex(`03001d20${'09'.repeat(32)}`));
    expect(concatBytes(params, fromHex('040300023006'))).toEqual(encodeSKE(ske));
  });

  it('refuses a curve_type other than named_curve with illegal_parameter', () => {
    for (const curveType of [0, 1, 2, 4, 255]) {
      const bytes = encodeSKE(ske);
      bytes[0] = curveType;
      const error = expectTlsError(() => decodeSKE(bytes), ['peer']);
      expect(error.code).toBe('unsupported_curve_type');
      expect(error.alertSent).toBe('illegal_parameter');
    }
  });

  it('refuses an empty public point', () => {
    expectTlsError(() => decodeSKE(fromHex('03001d00' + '0403' + '0000')));
  });
});

describe('ClientKeyExchange', () => {
  it('encodes opaque8 ecdh_Yc and refuses an empty one', () => {
    expect(encodeCKE({ publicKey: fromHex('0401') })).toEqual(fromHex('020401'));
    expectTlsError(() => decodeCKE(fromHex('00')));
  });
});
