// The default CryptoProvider: pure TypeScript over noble (docs/ARCHITECTURE.md "The layers").

import { createAead } from './aead.js';
import { generateKeyShare } from './ecdhe.js';
import { hash, hmac } from './hash.js';
import type { CryptoProvider } from './provider.js';
import { signMessage, verifySignature } from './signatures.js';

/** The default CryptoProvider: pure TypeScript on @noble/* (and our own RSA), runs anywhere. */
export const nobleProvider: CryptoProvider = {
  name: 'noble',
  aead: createAead,
  hash,
  hmac,
  generateKeyShare,
  sign: signMessage,
  verify: verifySignature,
};
