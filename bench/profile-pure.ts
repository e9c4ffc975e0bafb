// Profiling driver (issue 15): reconnecting-device P-256 mutual-TLS handshakes with the pure provider,
// both ends in memory, for `node --cpu-prof`:
//   npx esbuild bench/profile-pure.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist-bench/profile-pure.mjs && node --cpu-prof dist-bench/profile-pure.mjs [count]

import {
  createClientContext,
  createRoot,
  createServerContext,
  issueCertificate,
  TlsClient,
  TlsServer,
} from '../src/index.js';

const count = Number(process.argv[2] ?? 300);
const root = createRoot({ commonName: 'profile root' });
const issuer = { certificate: root.certificate, key: root.key };
const serverLeaf = issueCertificate({ commonName: 'server.test', issuer });
const deviceLeaf = issueCertificate({ commonName: 'device.test', usage: 'client', issuer });
const clientCtx = createClientContext({
  ca: root.certificatePem,
  serverName: 'server.test',
  cert: deviceLeaf.certificatePem,
  key: deviceLeaf.keyPem,
});
const serverCtx = createServerContext({
  ca: root.certificatePem,
  cert: serverLeaf.certificatePem,
  key: serverLeaf.keyPem,
});

let info = '';
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  const client = new TlsClient(clientCtx);
  const server = new TlsServer(serverCtx);
  for (let round = 0; round < 6 && client.state !== 'open'; round++) {
    server.receive(client.takeOutgoing());
    client.receive(server.takeOutgoing());
  }
  if (client.state !== 'open' || server.state !== 'open') throw new Error('handshake did not complete');
  info = `${client.info?.cipherSuite} ${client.info?.group ?? ''}`;
}
const cpu = process.cpuUsage(cpu0);
console.log(
  `${count} handshakes (${info}): ${((performance.now() - t0) / count).toFixed(2)} ms wall, ` +
    `${((cpu.user + cpu.system) / 1000 / count).toFixed(2)} ms CPU each`,
);
