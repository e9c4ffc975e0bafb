// An aedes MQTT broker served over memtls/node that takes the client certificate's Common Name as
// the MQTT identity (mutual TLS, MQTT 3.1.1): preConnect reads the verified peer certificate from the
// TlsSocket as it would from node:tls, authenticate refuses a user name that is not that CN, and each
// device may only use topics under devices/<CN>/. The client is mqtt.js over a memtls connection.
// Run: npx esbuild examples/mqtt-aedes.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/mqtt-aedes.mjs && node dist-examples/mqtt-aedes.mjs

import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { MqttClient } from 'mqtt';
import { connect, createServer, type TlsSocket } from '../src/adapters/node.js';
import { type Credentials, ecosystemPki } from './ecosystem-pki.js';

export interface AedesResult {
  /** SUBACK codes: devices/device-7/# (ours: 0), devices/device-8/# (another device's: 128). */
  granted: { own: number; other: number };
  /** Our own publish, as we received it back. */
  received: { topic: string; payload: string };
  /** The identity the broker attached to that publish: the client certificate's CN. */
  publishedBy: string | undefined;
  /** CONNACK return code for the same certificate with the user name 'admin' (5: not authorized). */
  impostorReturnCode: number | undefined;
}

/** The verified client certificate's Common Name, or undefined (no certificate, not verified). */
function commonNameOf(client: Client): string | undefined {
  const socket = client.conn as TlsSocket;
  const certificate = socket.authorized ? socket.getPeerCertificate() : null;
  const cn = certificate && 'subject' in certificate ? certificate.subject.CN : undefined;
  return typeof cn === 'string' ? cn : undefined;
}

/** A broker whose MQTT identities are client certificate CNs. */
export async function certificateBroker(): Promise<{
  broker: Aedes;
  identityOf: (c: Client) => string | undefined;
}> {
  const identities = new WeakMap<Client, string>();
  const underIdentity = (client: Client | null, topic: string) => {
    const identity = client ? identities.get(client) : undefined;
    return identity !== undefined && topic.startsWith(`devices/${identity}/`);
  };
  const broker = await Aedes.createBroker({
    preConnect(client, _packet, callback) {
      const cn = commonNameOf(client);
      if (cn === undefined) return callback(new Error('no verified client certificate'), false);
      identities.set(client, cn);
      callback(null, true);
    },
    authenticate(client, username, _password, done) {
      // As mosquitto's use_identity_as_username: the CN is the user name; any other name is refused.
      if (username === undefined || username === identities.get(client)) return done(null, true);
      const error = new Error(`user name '${username}' is not this certificate's CN`) as AuthenticateError;
      error.returnCode = 5;
      done(error, false);
    },
    authorizeSubscribe(client, subscription, callback) {
      callback(null, underIdentity(client, subscription.topic) ? subscription : null);
    },
    authorizePublish(client, packet, callback) {
      callback(
        underIdentity(client, packet.topic) ? null : new Error(`${packet.topic}: not this device's topic`),
      );
    },
  });
  return { broker, identityOf: (c) => identities.get(c) };
}

function mqttOverMemtls(port: number, ca: string, credentials: Credentials, username?: string): MqttClient {
  return new MqttClient(
    () => connect({ host: '127.0.0.1', port, serverName: 'localhost', ca, ...credentials }),
    { clientId: 'board-17', username, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 },
  );
}

export async function runAedes(): Promise<AedesResult> {
  const pki = ecosystemPki();
  const device = pki.client('device-7');
  const { broker, identityOf } = await certificateBroker();
  let publishedBy: string | undefined;
  broker.on('publish', (packet, client) => {
    if (client && packet.topic === 'devices/device-7/status') publishedBy = identityOf(client);
  });
  const server = createServer({ ca: pki.ca, ...pki.server }, (socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const client = mqttOverMemtls(port, pki.ca, device);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const [own] = await client.subscribeAsync('devices/device-7/#');
    // mqtt.js rejects a refused subscription; the SUBACK (granted: [128]) comes with the error.
    const other = await client.subscribeAsync('devices/device-8/#').then(
      ([granted]) => granted,
      (e: Error & { packet?: { granted?: number[] } }) => ({ qos: e.packet?.granted?.[0] }),
    );
    const received = new Promise<{ topic: string; payload: string }>((resolve) =>
      client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })),
    );
    await client.publishAsync('devices/device-7/status', 'online', { qos: 1 });
    const result = { granted: { own: own?.qos ?? -1, other: other?.qos ?? -1 }, received: await received };
    await client.endAsync();

    const impostor = mqttOverMemtls(port, pki.ca, device, 'admin');
    const impostorReturnCode = await new Promise<number | undefined>((resolve) => {
      impostor.once('connect', () => resolve(0));
      impostor.once('error', (e: Error & { code?: number }) => resolve(e.code));
    });
    await impostor.endAsync(true);
    return { ...result, publishedBy, impostorReturnCode };
  } finally {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href && /mqtt-aedes[^/]*$/.test(entry)) {
  runAedes().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(`mqtt-aedes: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
