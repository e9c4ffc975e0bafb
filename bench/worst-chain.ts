// The cost of one hostile client flight (RFC 5246 §7.4.2 Certificate) to a server's synchronous
// receive(), next to a normal client flight, with the pure provider and nodeCryptoProvider.
// Run: npx esbuild bench/worst-chain.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-bench/worst-chain.mjs --log-level=warning && node dist-bench/worst-chain.mjs
// It uses only APIs older than the chain budget, so the same file measures a checkout from before.

import { nodeCryptoProvider } from '../src/adapters/node.js';
import { type CryptoProvider, nobleProvider, TlsClient, TlsServer } from '../src/index.js';
import {
  branchingChain,
  type HostilePki,
  hostilePki,
  rawCertificate,
  rootClaimingChain,
  rsaKeyWithExponent,
  serverAwaitingFlight,
} from '../test/helpers/hostile-chain.js';

interface Shape {
  name: string;
  chain: Uint8Array[];
}

function shapes(pki: HostilePki): Shape[] {
  const huge3072 = rsaKeyWithExponent(3072, 'huge');
  const normal3072 = rsaKeyWithExponent(3072, 65537n);
  const max32 = rsaKeyWithExponent(4096, 'max32');
  const max32big = rsaKeyWithExponent(8192, 'max32');
  // One certificate whose RSA modulus is 30,000 bytes (the signature short): its parse cost.
  const wide = { n: (1n << 240_000n) - 1n, e: 65537n };
  const wideLeaf = rawCertificate({
    subject: 'wide',
    issuer: pki.rootName,
    subjectKey: wide,
    signer: max32,
    ca: false,
  });
  return [
    { name: 'one cert with a 30,000-byte RSA modulus', chain: [wideLeaf] },
    {
      name: 'issue: 17 certs, 8 levels × 2, RSA-3072, ~3070-bit e',
      chain: branchingChain(pki.rootName, huge3072, 8),
    },
    { name: 'issue shape, RSA-3072, e = 65537', chain: branchingChain(pki.rootName, normal3072, 8) },
    { name: '11 certs, 5 levels × 2, RSA-4096, e = 2^32 − 5', chain: branchingChain(pki.rootName, max32, 5) },
    {
      name: '12 certs all naming the root, RSA-8192, e = 2^32 − 5',
      chain: rootClaimingChain(pki.rootName, max32big, 12),
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** ms of the server's receive() of the client's second flight carrying `chain` (undefined: the real one). */
function timeFlight(
  pki: HostilePki,
  chain: Uint8Array[] | undefined,
  crypto: CryptoProvider,
  runs: number,
): { ms: number; outcome: string } {
  const times: number[] = [];
  let outcome = '';
  for (let i = 0; i < runs; i++) {
    let server: TlsServer;
    let flight: Uint8Array;
    if (chain) {
      ({ server, flight } = serverAwaitingFlight(pki, chain, { crypto }));
    } else {
      const client = new TlsClient(pki.client);
      server = new TlsServer({ ...pki.server, crypto });
      server.receive(client.takeOutgoing());
      client.receive(server.takeOutgoing());
      flight = client.takeOutgoing();
    }
    const t0 = performance.now();
    const events = server.receive(flight);
    times.push(performance.now() - t0);
    const error = events.find((e) => e.type === 'error');
    outcome = error?.type === 'error' ? `${error.error.kind}/${error.error.code}` : 'accepted';
  }
  return { ms: median(times), outcome };
}

/** ms of a whole in-memory mutual handshake (both sides), for scale. */
function timeHandshake(pki: HostilePki, crypto: CryptoProvider, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const client = new TlsClient({ ...pki.client, crypto });
    const server = new TlsServer({ ...pki.server, crypto });
    for (let round = 0; round < 10; round++) {
      const a = client.takeOutgoing();
      const b = server.takeOutgoing();
      if (a.length === 0 && b.length === 0) break;
      if (a.length > 0) server.receive(a);
      if (b.length > 0) client.receive(b);
    }
    times.push(performance.now() - t0);
  }
  return median(times);
}

const pki = hostilePki(4096);
const providers: [string, CryptoProvider][] = [
  ['pure', nobleProvider],
  ['node', nodeCryptoProvider],
];
console.log('root: RSA-4096 (e = 65537); server and client leaves: P-256; times are medians in ms\n');
for (const [providerName, crypto] of providers) {
  console.log(`${providerName}: full mutual handshake ${timeHandshake(pki, crypto, 5).toFixed(1)} ms`);
  const normal = timeFlight(pki, undefined, crypto, 5);
  console.log(`${providerName}: normal client flight ${normal.ms.toFixed(1)} ms (${normal.outcome})`);
}
for (const shape of shapes(pki)) {
  const bytes = shape.chain.reduce((n, c) => n + c.length, 0);
  for (const [providerName, crypto] of providers) {
    const { ms, outcome } = timeFlight(pki, shape.chain, crypto, 3);
    console.log(`${providerName}: ${shape.name} (${bytes} bytes): ${ms.toFixed(1)} ms → ${outcome}`);
  }
}
