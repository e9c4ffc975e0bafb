// Property tests: malformed certificates of any shape fail with TlsError and nothing else.

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '../../src/errors.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { verifyChain } from '../../src/x509/verify.js';
import { certOf, pkiDir } from '../helpers/pki.js';
import { tlv } from './der.js';

let samples: Uint8Array[] = [];
let root: Uint8Array = new Uint8Array();
let now = 0;

beforeAll(() => {
  const dir = pkiDir();
  const files = [
    'server-p256.pem',
    'server-rsa-pss.pem',
    'nc-inter.pem',
    'client.pem',
    'v1-server.pem',
    'critical-ext.pem',
  ];
  samples = files.map((f) => certOf(dir, f));
  root = certOf(dir, 'root.pem');
  now = Date.now();
});

/** Parse and require: success, or a certificate decode_error TlsError. */
function parsesOrDecodeError(der: Uint8Array): void {
  try {
    parseCertificate(der);
  } catch (error) {
    expect(error).toBeInstanceOf(TlsError);
    expect((error as TlsError).kind).toBe('certificate');
    expect((error as TlsError).code).toBe('decode_error');
    // The catch-all in parseCertificate wraps unexpected exceptions as "malformed certificate (...)";
    // none should reach it: every failure is found and described by the parser itself.
    expect((error as TlsError).message).not.toMatch(/malformed certificate \(/);
  }
}

type Mutation =
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number; count: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(der: Uint8Array, mutations: Mutation[]): Uint8Array {
  let out = der.slice();
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    if (m.kind === 'set' && at < out.length) out[at] = m.value;
    else if (m.kind === 'truncate') out = out.slice(0, at);
    else if (m.kind === 'insert') out = new Uint8Array([...out.slice(0, at), m.value, ...out.slice(at)]);
    else if (m.kind === 'delete') out = new Uint8Array([...out.slice(0, at), ...out.slice(at + m.count)]);
  }
  return out;
}

/** Random DER-shaped trees: plausible tags and lengths, so the parser gets past the first byte. */
const derTree: fc.Arbitrary<Uint8Array> = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(
        fc.constantFrom(
          0x01,
          0x02,
          0x03,
          0x04,
          0x05,
          0x06,
          0x0c,
          0x13,
          0x16,
          0x17,
          0x18,
          0x1e,
          0x80,
          0x81,
          0x82,
          0x87,
        ),
        fc.uint8Array({ maxLength: 12 }),
      )
      .map(([tag, content]) => tlv(tag, content)),
    fc
      .tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa3, 0xa4), fc.array(tie('node'), { maxLength: 8 }))
      .map(([tag, children]) => tlv(tag, ...children)),
  ),
})).node;

describe('parseCertificate never throws anything but TlsError', () => {
  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), parsesOrDecodeError), { numRuns: 500 });
  });

  it('on random DER-shaped trees', () => {
    fc.assert(fc.property(derTree, parsesOrDecodeError), { numRuns: 500 });
  });

  it('on byte mutations of real certificates', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (pick, mutations) => {
        parsesOrDecodeError(mutate(samples[pick % samples.length]!, mutations));
      }),
      { numRuns: 600 },
    );
  });

  it('reports our own malformed configuration as local bad_config', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (der) => {
        try {
          parseCertificate(der, { source: 'config' });
        } catch (error) {
          expect(error).toBeInstanceOf(TlsError);
          expect((error as TlsError).kind).toBe('local');
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('verifyChain never throws on peer input', () => {
  it('returns a TlsError result for mutated chains (or accepts an unchanged meaning)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (pick, mutations) => {
        const leaf = mutate(samples[pick % samples.length]!, mutations);
        const result = verifyChain({ chain: [leaf], root, now, usage: 'server', hostname: 'server.test' });
        if (!result.ok) {
          expect(result.error).toBeInstanceOf(TlsError);
          expect(result.error.kind).toBe('certificate');
        }
      }),
      { numRuns: 150 },
    );
  });
});
