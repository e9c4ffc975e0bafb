// A ZeroMQ ROUTER serving several DEALERs over mutual TLS 1.2 (memtls/zeromq). The ROUTER keeps one TLS
// session per routing id and answers each message with it upper-cased, prefixed by the caller's
// certificate Common Name: the identity comes from the verified client certificate, not from the socket.
//
// Run (certificates from `memtls pki` or openssl; one root signs them all):
//   npx esbuild examples/zmq-router.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist-examples/zmq-router.mjs && node dist-examples/zmq-router.mjs ca.pem server.pem server.key \
//     alice.pem alice.key bob.pem bob.key

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { connectZmq, createZmqServer } from '../src/adapters/zeromq.js';

export interface RouterExamplePki {
  ca: string;
  server: { cert: string; key: string };
  clients: { cert: string; key: string }[];
  /** The name in the server certificate; default 'server.test'. */
  serverName?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Start a ROUTER, connect one DEALER per client certificate, exchange messages; returns every reply. */
export async function runRouterExample(
  pki: RouterExamplePki,
  log = (_line: string) => {},
): Promise<string[]> {
  const server = await createZmqServer(
    { ca: pki.ca, cert: pki.server.cert, key: pki.server.key, bind: 'tcp://127.0.0.1:*' },
    async (session) => {
      const who = session.info.peerIdentity?.commonName ?? 'unknown';
      log(`router: ${who} connected (${session.info.cipherSuite})`);
      try {
        for await (const message of session) {
          await session.send(encoder.encode(`${who}: ${decoder.decode(message).toUpperCase()}`));
        }
      } catch (error) {
        log(`router: ${who} ended: ${(error as Error).message}`);
      }
    },
  );
  log(`router: listening on ${server.address}`);
  try {
    const dealers = await Promise.all(
      pki.clients.map((client) =>
        connectZmq({
          ca: pki.ca,
          cert: client.cert,
          key: client.key,
          serverName: pki.serverName ?? 'server.test',
          connect: server.address,
        }),
      ),
    );
    const replies = await Promise.all(
      dealers.map(async (dealer, index) => {
        const words = [`hello from dealer ${index}`, 'second message', ''];
        for (const word of words) await dealer.send(encoder.encode(word));
        const received: string[] = [];
        for await (const message of dealer) {
          received.push(decoder.decode(message));
          if (received.length === words.length) break;
        }
        await dealer.close();
        return received;
      }),
    );
    for (const reply of replies.flat()) log(`dealer got: ${reply}`);
    return replies.flat();
  } finally {
    await server.close();
  }
}

/** Run as a program (its own file or bundle; a bundle that merely includes this module does not count). */
const script = process.argv[1];
if (script && import.meta.url === pathToFileURL(script).href && /zmq-router[^/]*$/.test(script)) {
  const [ca, serverCert, serverKey, ...clientFiles] = process.argv
    .slice(2)
    .map((f) => readFileSync(f, 'utf8'));
  if (!ca || !serverCert || !serverKey || clientFiles.length < 2 || clientFiles.length % 2 !== 0) {
    process.stderr.write('usage: zmq-router CA.pem SERVER.pem SERVER.key CLIENT.pem CLIENT.key [...]\n');
    process.exit(2);
  }
  const clients = [];
  for (let i = 0; i < clientFiles.length; i += 2)
    clients.push({ cert: clientFiles[i]!, key: clientFiles[i + 1]! });
  await runRouterExample({ ca, server: { cert: serverCert, key: serverKey }, clients }, (line) =>
    process.stdout.write(`${line}\n`),
  );
}
