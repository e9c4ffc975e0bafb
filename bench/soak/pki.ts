// The soak's private PKI, made with memtls's own issuer (RFC 5280 §4.1): a root, a server leaf, a good
// client leaf, an expired client leaf from the same root, and a client leaf from an unrelated root.

import { createRoot, issueCertificate } from '../../src/index.js';

export interface Identity {
  cert: string;
  key: string;
}

export interface SoakPki {
  /** The root both servers trust for client certificates and the clients trust for the server. */
  ca: string;
  server: Identity;
  client: Identity;
  /** Signed by the trusted root, valid for one day about a year ago. */
  expiredClient: Identity;
  /** Signed by a root nobody trusts. */
  wrongRootClient: Identity;
}

const DAY_MS = 86_400_000;

export function makeSoakPki(): SoakPki {
  const now = Date.now();
  const yearAgo = now - 400 * DAY_MS;
  // The root's validity starts before the expired leaf's, so only the leaf's dates are wrong.
  const root = createRoot({ commonName: 'soak root CA', now: yearAgo, days: 3650 });
  const other = createRoot({ commonName: 'soak untrusted CA' });
  const issuer = { certificate: root.certificatePem, key: root.key };
  const pair = (c: { certificatePem: string; keyPem: string }): Identity => ({
    cert: c.certificatePem,
    key: c.keyPem,
  });
  return {
    ca: root.certificatePem,
    server: pair(issueCertificate({ issuer, commonName: 'server.test', usage: 'server' })),
    client: pair(issueCertificate({ issuer, commonName: 'client.test', usage: 'client' })),
    expiredClient: pair(
      issueCertificate({ issuer, commonName: 'expired.test', usage: 'client', now: yearAgo, days: 1 }),
    ),
    wrongRootClient: pair(
      issueCertificate({
        issuer: { certificate: other.certificatePem, key: other.key },
        commonName: 'client.test',
        usage: 'client',
      }),
    ),
  };
}
