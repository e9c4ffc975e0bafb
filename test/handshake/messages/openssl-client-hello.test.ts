import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/codec.js';
import {
  decodeAlpn,
  decodeEcPointFormats,
  decodeEmptyExtension,
  decodeServerName,
  decodeSignatureAlgorithms,
  decodeSupportedGroups,
  findExtension,
} from '../../../src/handshake/messages/extensions.js';
import {
  decodeHandshakeMessage,
  encodeHandshakeMessage,
  HandshakeReassembler,
} from '../../../src/handshake/messages/handshake.js';
import { ExtensionType, HandshakeType } from '../../../src/handshake/messages/types.js';

// Captured from `openssl s_client -tls1_2` (OpenSSL 3.0.19); see the vector file for the exact command.
const vector = JSON.parse(
  readFileSync(new URL('../../vectors/openssl-client-hello.json', import.meta.url), 'utf8'),
) as { record: string; handshake: string };

describe('a real ClientHello from OpenSSL', () => {
  const record = fromHex(vector.record);
  const handshake = fromHex(vector.handshake);

  it('is one handshake record carrying the message', () => {
    expect(record[0]).toBe(22);
    expect((record[3]! << 8) | record[4]!).toBe(handshake.length);
    expect(record.subarray(5)).toEqual(handshake);
  });

  it('decodes to the fields s_client sent', () => {
    const m = decodeHandshakeMessage(handshake);
    if (m.type !== HandshakeType.client_hello) throw new Error('not a ClientHello');
    const hello = m.body;
    expect(hello.version).toBe(0x0303);
    expect(hello.random).toEqual(handshake.subarray(6, 38));
    expect(hello.sessionId.length).toBe(0);
    expect(hello.cipherSuites.length).toBe(28);
    expect(hello.cipherSuites).toContain(0xc02b); // ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    expect(hello.cipherSuites).toContain(0xcca9); // ECDHE_ECDSA_WITH_CHACHA20_POLY1305
    expect(hello.cipherSuites.at(-1)).toBe(0x00ff); // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
    expect(hello.compressionMethods).toEqual([0]);
    // server_name, ec_point_formats, supported_groups, session_ticket, ALPN, encrypt_then_mac (22, unknown
    // to us), extended_master_secret, signature_algorithms.
    expect(hello.extensions.map((e) => e.type)).toEqual([0, 11, 10, 35, 16, 22, 23, 13]);

    const data = (type: number) => findExtension(hello.extensions, type)!.data;
    expect(decodeServerName(data(ExtensionType.server_name))).toBe('example.test');
    expect(decodeEcPointFormats(data(ExtensionType.ec_point_formats))).toEqual([0, 1, 2]);
    expect(decodeSupportedGroups(data(ExtensionType.supported_groups))).toEqual([
      0x1d, 0x17, 0x1e, 0x19, 0x18,
    ]);
    expect(data(ExtensionType.session_ticket).length).toBe(0);
    expect(decodeAlpn(data(ExtensionType.application_layer_protocol_negotiation))).toEqual([
      'h2',
      'http/1.1',
    ]);
    expect(data(22).length).toBe(0);
    decodeEmptyExtension(data(ExtensionType.extended_master_secret), 'extended_master_secret');
    const schemes = decodeSignatureAlgorithms(data(ExtensionType.signature_algorithms));
    expect(schemes.length).toBe(20);
    expect(schemes.slice(0, 3)).toEqual([0x0403, 0x0503, 0x0603]);
    expect(schemes).toContain(0x0807); // ed25519
    expect(schemes).toContain(0x0804); // rsa_pss_rsae_sha256
  });

  it('re-encodes to the original bytes', () => {
    const m = decodeHandshakeMessage(handshake);
    expect(m.raw).toEqual(handshake);
    expect(encodeHandshakeMessage(m)).toEqual(handshake);
  });

  it('reassembles from one-byte fragments', () => {
    const reassembler = new HandshakeReassembler();
    const out = [];
    for (const byte of handshake) {
      reassembler.push(Uint8Array.of(byte));
      const m = reassembler.next();
      if (m !== undefined) out.push(m);
    }
    expect(out.map((m) => m.raw)).toEqual([handshake]);
  });
});
