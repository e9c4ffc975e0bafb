import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/codec.js';
import {
  decodeCertificate,
  decodeCertificateRequest,
  decodeCertificateVerify,
  encodeCertificate,
  encodeCertificateRequest,
  encodeCertificateVerify,
} from '../../../src/handshake/messages/certificate.js';
import {
  certificateMessage,
  certificateRequest,
  certificateVerify,
  decoder,
  describeCodecProperties,
  encoder,
  expectTlsError,
} from './arbitraries.js';

const encodeCert = encoder(encodeCertificate);
const decodeCert = decoder(decodeCertificate, 'Certificate');
const encodeRequest = encoder(encodeCertificateRequest);
const decodeRequest = decoder(decodeCertificateRequest, 'CertificateRequest');
const encodeVerify = encoder(encodeCertificateVerify);
const decodeVerify = decoder(decodeCertificateVerify, 'CertificateVerify');

describeCodecProperties({
  name: 'Certificate',
  arbitrary: certificateMessage,
  encode: encodeCert,
  decode: decodeCert,
});
describeCodecProperties({
  name: 'CertificateRequest',
  arbitrary: certificateRequest,
  encode: encodeRequest,
  decode: decodeRequest,
});
describeCodecProperties({
  name: 'CertificateVerify',
  arbitrary: certificateVerify,
  encode: encodeVerify,
  decode: decodeVerify,
});

describe('Certificate', () => {
  it('encodes an empty list as three zero bytes and accepts it', () => {
    expect(encodeCert({ certificates: [] })).toEqual(fromHex('000000'));
    expect(decodeCert(fromHex('000000'))).toEqual({ certificates: [] });
  });

  it('encodes the RFC 5246 §7.4.2 layout (vector24 of opaque24)', () => {
    const bytes = encodeCert({ certificates: [fromHex('3003020101'), fromHex('30')] });
    expect(bytes).toEqual(fromHex('00000c' + '0000053003020101' + '00000130'));
  });

  it('refuses a zero-length certificate', () => {
    expectTlsError(() => decodeCert(fromHex('000003000000')));
  });

  it('refuses a certificate that overruns the list', () => {
    expectTlsError(() => decodeCert(fromHex('00000400000230')));
  });
});

describe('CertificateRequest', () => {
  const request = {
    certificateTypes: [64, 1],
    signatureSchemes: [0x0403, 0x0804],
    certificateAuthorities: [fromHex('3000')],
  };

  it('encodes the RFC 5246 §7.4.4 layout', () => {
    expect(encodeRequest(request)).toEqual(fromHex('024001' + '000404030804' + '0004' + '00023000'));
  });

  it('accepts an empty certificate_authorities list', () => {
    const value = { ...request, certificateAuthorities: [] };
    expect(decodeRequest(encodeRequest(value))).toEqual(value);
  });

  it('refuses empty certificate_types, empty schemes, and an empty distinguished name', () => {
    expectTlsError(() => decodeRequest(encodeRequest({ ...request, certificateTypes: [] })));
    expectTlsError(() => decodeRequest(encodeRequest({ ...request, signatureSchemes: [] })));
    expectTlsError(() =>
      decodeRequest(encodeRequest({ ...request, certificateAuthorities: [new Uint8Array(0)] })),
    );
  });
});

describe('CertificateVerify', () => {
  it('encodes scheme ‖ opaque16 signature', () => {
    expect(encodeVerify({ signatureScheme: 0x0804, signature: fromHex('0102') })).toEqual(
      fromHex('080400020102'),
    );
  });
});
