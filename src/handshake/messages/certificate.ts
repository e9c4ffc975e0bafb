// Certificate, CertificateRequest and CertificateVerify codecs (RFC 5246 §7.4.2, §7.4.4, §7.4.8).

import type { Reader, Writer } from '../../codec.js';
import type { CertificateMessage, CertificateRequest, CertificateVerify } from './types.js';

/*
 * opaque ASN.1Cert<1..2^24-1>;
 * struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 * An empty list is legal (a client with no suitable certificate).
 */
export function encodeCertificate(w: Writer, m: CertificateMessage): void {
  w.vector24(() => {
    for (const c of m.certificates) w.opaque24(c);
  });
}

export function decodeCertificate(r: Reader): CertificateMessage {
  const certificates = r.vector24((r) => r.list((r) => r.opaque24({ min: 1 })));
  r.end();
  return { certificates };
}

/*
 * struct {
 *   ClientCertificateType certificate_types<1..2^8-1>;
 *   SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
 *   DistinguishedName certificate_authorities<0..2^16-1>;      opaque DistinguishedName<1..2^16-1>
 * } CertificateRequest;
 */
export function encodeCertificateRequest(w: Writer, m: CertificateRequest): void {
  w.vector8(() => {
    for (const t of m.certificateTypes) w.u8(t);
  });
  w.vector16(() => {
    for (const s of m.signatureSchemes) w.u16(s);
  });
  w.vector16(() => {
    for (const dn of m.certificateAuthorities) w.opaque16(dn);
  });
}

export function decodeCertificateRequest(r: Reader): CertificateRequest {
  const certificateTypes = r.vector8((r) => r.list((r) => r.u8()), { min: 1 });
  const signatureSchemes = r.vector16((r) => r.list((r) => r.u16()), { min: 2, max: 0xfffe });
  const certificateAuthorities = r.vector16((r) => r.list((r) => r.opaque16({ min: 1 })));
  r.end();
  return { certificateTypes, signatureSchemes, certificateAuthorities };
}

/*
 * struct { digitally-signed struct { opaque handshake_messages[handshake_messages_length]; } } CertificateVerify;
 * digitally-signed = SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>;
 */
export function encodeCertificateVerify(w: Writer, m: CertificateVerify): void {
  w.u16(m.signatureScheme);
  w.opaque16(m.signature);
}

export function decodeCertificateVerify(r: Reader): CertificateVerify {
  const signatureScheme = r.u16();
  const signature = r.opaque16();
  r.end();
  return { signatureScheme, signature };
}
