// The providers every record test runs against: node:crypto (independent of our AEAD code) and the
// default noble provider (our keyed-once AEADs).

import { nobleProvider } from '../../src/ciphers/noble-provider.js';
import type { CryptoProvider } from '../../src/ciphers/provider.js';
import { SUITES, type SuiteParams } from '../../src/ciphers/suites.js';
import type { DirectionKeys } from '../../src/record/types.js';
import { nodeTestProvider } from './test-provider.js';

export const PROVIDERS: readonly { name: string; provider: CryptoProvider }[] = [
  { name: 'node:crypto', provider: nodeTestProvider },
  { name: 'noble', provider: nobleProvider },
];

export const ALL_SUITES: readonly SuiteParams[] = Object.values(SUITES);

/** Deterministic keys for a suite: key bytes 0x01…, IV bytes 0xa0… (offset by `seed`). */
export function testKeys(suite: SuiteParams, seed = 0): DirectionKeys {
  const key = new Uint8Array(suite.keyLength).map((_, i) => (seed + i + 1) & 0xff);
  const fixedIv = new Uint8Array(suite.fixedIvLength).map((_, i) => (seed + 0xa0 + i) & 0xff);
  return { suite, key, fixedIv };
}
