// PEM parsing and writing (RFC 7468) and the base64 codec under it (RFC 4648 §4).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TlsError } from '../../src/errors.js';
import { decodeBase64, encodeBase64, parsePem, toDerList, toPem } from '../../src/x509/pem.js';

const BYTES = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);
const BYTES_B64 = 'MAMCAQU=';
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function thrown(fn: () => unknown): TlsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TlsError);
    return error as TlsError;
  }
  throw new Error('expected a TlsError');
}

describe('parsePem', () => {
  it('reads one block', () => {
    expect(parsePem(`-----BEGIN CERTIFICATE-----\n${BYTES_B64}\n-----END CERTIFICATE-----\n`)).toEqual([
      { label: 'CERTIFICATE', der: BYTES },
    ]);
  });

  it('reads several blocks with text around them, CRLF and indentation', () => {
    const text =
      'subject=CN = a\r\nissuer=CN = b\r\n-----BEGIN CERTIFICATE-----\r\n  MAMC\r\n\tAQU=  \r\n-----END CERTIFICATE-----\r\n' +
      'garbage between\n-----BEGIN PRIVATE KEY-----\nMAMCAQU=\n-----END PRIVATE KEY-----trailing';
    const blocks = parsePem(text);
    expect(blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY']);
    expect(blocks[0]!.der).toEqual(BYTES);
    expect(blocks[1]!.der).toEqual(BYTES);
  });

  it('keeps RFC 1421 headers of legacy encrypted keys', () => {
    const text =
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00FF\n\nMAMCAQU=\n-----END RSA PRIVATE KEY-----\n';
    const [block] = parsePem(text);
    expect(block?.headers).toEqual({ 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': 'AES-128-CBC,00FF' });
    expect(block?.der).toEqual(BYTES);
  });

  it('returns [] for text without PEM', () => {
    expect(parsePem('no pem here')).toEqual([]);
  });

  it('refuses a BEGIN without its END, mismatched labels, bad base64 and empty blocks', () => {
    const bad = [
      `-----BEGIN CERTIFICATE-----\n${BYTES_B64}\n`,
      `-----BEGIN CERTIFICATE-----\n${BYTES_B64}\n-----END PRIVATE KEY-----\n`,
      `-----BEGIN CERTIFICATE-----\n${BYTES_B64}\n-----BEGIN CERTIFICATE-----\n${BYTES_B64}\n-----END CERTIFICATE-----\n`,
      '-----BEGIN CERTIFICATE-----\nMAMCAQ!=\n-----END CERTIFICATE-----\n',
      '-----BEGIN CERTIFICATE-----\nMAMCAQU\n-----END CERTIFICATE-----\n',
      '-----BEGIN CERTIFICATE-----\nMAMCAQV=\n-----END CERTIFICATE-----\n', // non-zero padding bits
      '-----BEGIN CERTIFICATE-----\nMA=MCAQU\n-----END CERTIFICATE-----\n',
      '-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n',
    ];
    for (const text of bad) {
      const error = thrown(() => parsePem(text));
      expect(error.kind, text).toBe('local');
      expect(error.code).toBe('bad_config');
    }
  });

  it("reports the peer's bad PEM as a certificate decode_error", () => {
    const error = thrown(() =>
      parsePem('-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----', { source: 'peer' }),
    );
    expect(error.kind).toBe('certificate');
    expect(error.code).toBe('decode_error');
    expect(error.alertSent).toBe('bad_certificate');
  });

  it('names the input in messages', () => {
    expect(thrown(() => toDerList('nothing', 'CERTIFICATE', { what: 'ca' })).message).toMatch(/^ca: /);
  });
});

describe('toPem', () => {
  it('writes 64-character lines and round-trips', () => {
    const der = new Uint8Array(100).map((_, i) => i);
    const pem = toPem('CERTIFICATE', der);
    const lines = pem.trimEnd().split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines[1]).toHaveLength(64);
    expect(lines.at(-1)).toBe('-----END CERTIFICATE-----');
    expect(parsePem(pem)).toEqual([{ label: 'CERTIFICATE', der }]);
  });

  it('round-trips any bytes and label (property)', () => {
    const label = fc.stringMatching(/^[A-Z][A-Z0-9 ]{0,20}[A-Z0-9]$/);
    fc.assert(
      fc.property(label, fc.uint8Array({ minLength: 1, maxLength: 300 }), (l, der) => {
        expect(parsePem(toPem(l, der))).toEqual([{ label: l, der }]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('toDerList', () => {
  const pem = (label: string) => `-----BEGIN ${label}-----\n${BYTES_B64}\n-----END ${label}-----\n`;

  it('takes DER as is, PEM strings and PEM bytes, singly or in arrays', () => {
    expect(toDerList(BYTES)).toEqual([BYTES]);
    expect(toDerList(pem('CERTIFICATE'))).toEqual([BYTES]);
    expect(toDerList(ascii(`\n${pem('CERTIFICATE')}`))).toEqual([BYTES]);
    expect(toDerList([pem('CERTIFICATE') + pem('CERTIFICATE'), BYTES])).toEqual([BYTES, BYTES, BYTES]);
    expect(toDerList([])).toEqual([]);
  });

  it('filters by label (a certificate file that also holds a key)', () => {
    const both = pem('CERTIFICATE') + pem('PRIVATE KEY');
    expect(toDerList(both, 'CERTIFICATE')).toHaveLength(1);
    expect(toDerList(pem('X509 CERTIFICATE'), 'CERTIFICATE')).toHaveLength(1);
    const error = thrown(() => toDerList(pem('PRIVATE KEY'), 'CERTIFICATE'));
    expect(error.message).toContain('found: PRIVATE KEY');
  });

  it('refuses empty and non-PEM text', () => {
    for (const input of ['', 'hello', new Uint8Array()]) {
      expect(thrown(() => toDerList(input)).code).toBe('bad_config');
    }
  });
});

describe('base64', () => {
  it('round-trips (property) and matches Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('parsePem never throws anything but TlsError (property)', () => {
    const piece = fc.constantFrom(
      '-----BEGIN A-----',
      '-----END A-----',
      '\n',
      'MAMC',
      '=',
      'AQU=',
      '!',
      ' ',
      '-',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        try {
          parsePem(pieces.join(''));
        } catch (error) {
          expect(error).toBeInstanceOf(TlsError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
