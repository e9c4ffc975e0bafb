// Scaling out with session resumption (RFC 5077): a memtls/node server in several node:cluster
// workers that share one ticket key, and a client whose session, made on one worker, resumes on
// whichever worker the next connection lands on. Separate machines behind a load balancer do the
// same given the same key file ('memtls pki ticket-key FILE', then ticketKeys: readFileSync(FILE)).
// Run: npx esbuild examples/cluster.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/cluster.mjs && node dist-examples/cluster.mjs [WORKERS] [CONNECTIONS]

import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connect, createServer } from '../src/adapters/node.js';
import { createRoot, issueCertificate } from '../src/index.js';

/** What the primary sends each worker: the server's PEMs, the root, and the shared ticket key. */
interface WorkerSetup {
  ca: string;
  cert: string;
  key: string;
  ticketKey: string;
}

export interface ClusterConnection {
  /** Which worker answered. */
  worker: number;
  /** Whether the handshake resumed the first connection's session. */
  resumed: boolean;
}

/** Worker: serve TLS with the shared ticket key; tell each client who answered. */
function runWorker(): void {
  process.once('message', (setup: WorkerSetup) => {
    const server = createServer(
      { ca: setup.ca, cert: setup.cert, key: setup.key, ticketKeys: Buffer.from(setup.ticketKey, 'base64') },
      (socket) => {
        socket.on('error', () => {});
        socket.end(`${cluster.worker!.id}\n`);
        socket.resume();
      },
    );
    server.on('tlsClientError', () => {});
    // In a cluster, listen(0) gives every worker the same port; the primary hands out connections.
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      process.send!({ listening: port });
    });
  });
  // An ESM worker starts listening for messages only once loaded: ask for the setup now.
  process.send!({ ready: true });
}

/** Primary: start `workers` workers, then connect `connections` times reusing the first session. */
export async function runCluster(workers = 2, connections = 4): Promise<ClusterConnection[]> {
  const root = createRoot({ commonName: 'cluster example root' });
  const issuer = { certificate: root.certificate, key: root.key };
  const server = issueCertificate({ issuer, commonName: 'localhost', usage: 'server' });
  const client = issueCertificate({ issuer, commonName: 'cluster-client', usage: 'client' });
  const setup: WorkerSetup = {
    ca: root.certificatePem,
    cert: server.certificatePem,
    key: server.keyPem,
    ticketKey: randomBytes(48).toString('base64'), // one key for the whole fleet
  };
  cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: ['--worker'] });
  const forked = Array.from({ length: workers }, () => cluster.fork());
  try {
    const ports = await Promise.all(
      forked.map(async (worker) => {
        await once(worker, 'message'); // { ready: true }
        worker.send(setup);
        const [message] = (await once(worker, 'message')) as [{ listening: number }];
        return message.listening;
      }),
    );
    const port = ports[0]!;
    const results: ClusterConnection[] = [];
    let session: Uint8Array | undefined;
    for (let i = 0; i < connections; i++) {
      const socket = connect({
        host: '127.0.0.1',
        port,
        serverName: 'localhost',
        ca: root.certificatePem,
        cert: client.certificatePem,
        key: client.keyPem,
        ...(session ? { session } : {}),
      });
      socket.on('session', (s: Uint8Array) => {
        session ??= s; // keep the first session: every later connection offers it
      });
      let reply = '';
      socket.on('data', (d: Buffer) => {
        reply += d.toString();
      });
      await once(socket, 'end');
      results.push({ worker: Number(reply.trim()), resumed: socket.isSessionReused() });
      socket.end();
      await once(socket, 'close');
    }
    return results;
  } finally {
    for (const worker of forked) worker.kill();
  }
}

if (cluster.isWorker) runWorker();
else if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const [workers, connections] = process.argv.slice(2).map(Number);
  const results = await runCluster(workers || 2, connections || 4);
  for (const r of results) console.log(`worker ${r.worker}: ${r.resumed ? 'resumed' : 'new session'}`);
  console.log(JSON.stringify(results));
}
