import { it } from 'vitest';
import { TlsClient, TlsServer } from '../../src/index.js';
import { testPki } from '../helpers/pki.js';
import { runPair } from '../helpers/pair.js';
it('debug', () => {
  const pki = testPki();
  const s = pki.leaf('p256', 'server'); const c = pki.leaf('p256', 'client', { cn: 'alice.test' });
  const client = new TlsClient({ ca: pki.ca, serverName: 'server.test', cert: c.cert, key: c.key });
  const server = new TlsServer({ ca: pki.ca, cert: s.cert, key: s.key });
  const log = runPair(client, server, (b) => [Buffer.from(b)]);
  console.log(client.state, server.state, client.error?.message, server.error?.message, server.error?.stack, (server.error?.cause as Error)?.stack);
});
