// The small PKI the ecosystem examples share (http, ws, MQTT): a root, an intermediate CA, a server
// certificate for localhost/127.0.0.1 and client certificates, issued in memory with memtls
// (RFC 5280 profile: CA flags, key usage, extended key usage, subjectAltName).

import { createRoot, issueCertificate } from '../src/index.js';

export interface Credentials {
  /** Leaf then intermediate, PEM: what a server or client sends. */
  cert: string;
  key: string;
}

export interface EcosystemPki {
  /** The root CA, PEM: what each side pins. */
  ca: string;
  /** A server certificate for localhost and 127.0.0.1. */
  server: Credentials;
  /** A client certificate whose Common Name is `commonName`. */
  client(commonName: string): Credentials;
}

export function ecosystemPki(): EcosystemPki {
  const root = createRoot({
    commonName: 'memtls example root',
    subject: [{ type: 'O', value: 'memtls examples' }],
  });
  const intermediate = issueCertificate({
    issuer: { certificate: root.certificate, key: root.key },
    commonName: 'memtls example issuing CA',
    subject: [{ type: 'O', value: 'memtls examples' }],
    ca: true,
    pathLength: 0,
  });
  const issuer = { certificate: intermediate.certificate, key: intermediate.key };
  const chained = (leaf: { certificatePem: string; keyPem: string }): Credentials => ({
    cert: leaf.certificatePem + intermediate.certificatePem,
    key: leaf.keyPem,
  });
  const server = issueCertificate({
    issuer,
    commonName: 'localhost',
    subject: [
      { type: 'C', value: 'DE' },
      { type: 'ST', value: 'Berlin' },
      { type: 'L', value: 'Berlin' },
      { type: 'O', value: 'memtls examples' },
      { type: 'OU', value: 'Ops' },
    ],
    subjectAltNames: ['DNS:localhost', 'IP:127.0.0.1'],
    usage: 'server',
  });
  return {
    ca: root.certificatePem,
    server: chained(server),
    client: (commonName) =>
      chained(
        issueCertificate({
          issuer,
          commonName,
          subject: [{ type: 'O', value: 'memtls examples' }],
          usage: 'client',
        }),
      ),
  };
}
