// MQTT with client certificates against a real Mosquitto broker: an mqtt.js client whose stream is a
// memtls/node connection (MQTT 3.1.1 over TLS 1.2, mutual TLS). Mosquitto is started with
// `require_certificate true` and `use_identity_as_username true`, and an ACL pattern keyed on the
// user name (%u), so the client may only use topics under its certificate's Common Name.
// Needs /usr/sbin/mosquitto (Debian package `mosquitto`).
// Run: npx esbuild examples/mqtt-mosquitto.ts --bundle --platform=node --format=esm --packages=external \
//        --outfile=dist-examples/mqtt-mosquitto.mjs && node dist-examples/mqtt-mosquitto.mjs

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MqttClient } from 'mqtt';
import { connect, type TlsSocket } from '../src/adapters/node.js';
import { type Credentials, ecosystemPki } from './ecosystem-pki.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface MosquittoResult {
  /** SUBACK return code for sensors/+/temperature (0: granted; delivery is filtered by the ACL). */
  granted: number;
  /**
   * Messages delivered back to us after publishing to another device's topic and then to our own:
   * only our own arrives, as the ACL allows the user name, which is the certificate's CN.
   */
  messages: { topic: string; payload: string }[];
  /** What a client without a certificate got: the handshake error's code. */
  withoutCertificate: string;
}

/** A port free right now on 127.0.0.1 (mosquitto cannot listen on port 0 and report it). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Start mosquitto with `config` and wait until its port accepts TCP connections (at most 10 s). */
async function startMosquitto(configPath: string, port: number): Promise<ChildProcess> {
  const child = spawn(MOSQUITTO, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  let exited = false;
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!exited && Date.now() < deadline) {
    if (await accepts(port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGTERM');
  throw new Error(`mosquitto did not start listening on ${port}:\n${log}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ host: '127.0.0.1', port });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function mqttOverMemtls(
  port: number,
  ca: string,
  credentials: Partial<Credentials>,
  clientId: string,
): MqttClient {
  return new MqttClient(
    () => connect({ host: '127.0.0.1', port, serverName: 'localhost', ca, ...credentials }),
    { clientId, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, keepalive: 30 },
  );
}

function connected(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
}

export async function runMosquitto(): Promise<MosquittoResult> {
  const pki = ecosystemPki();
  const dir = mkdtempSync(join(tmpdir(), 'memtls-mosquitto-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const port = await freePort();
  const config = file(
    'mosquitto.conf',
    [
      'user root', // started as root (CI containers): do not switch to the mosquitto user
      'per_listener_settings true',
      `listener ${port} 127.0.0.1`,
      `cafile ${file('ca.pem', pki.ca)}`,
      `certfile ${file('server.pem', pki.server.cert)}`,
      `keyfile ${file('server.key', pki.server.key)}`,
      'require_certificate true',
      'use_identity_as_username true',
      'allow_anonymous false',
      `acl_file ${file('acl', 'pattern readwrite sensors/%u/#\n')}`,
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      '',
    ].join('\n'),
  );
  const broker = await startMosquitto(config, port);
  try {
    const client = mqttOverMemtls(port, pki.ca, pki.client('sensor-1'), 'sensor-1-board');
    await connected(client);
    // No user name is sent: with allow_anonymous false only use_identity_as_username lets us in.
    const [grant] = await client.subscribeAsync('sensors/+/temperature', { qos: 1 });
    const messages: { topic: string; payload: string }[] = [];
    const ownArrived = new Promise<void>((resolve) =>
      client.on('message', (topic, payload) => {
        messages.push({ topic, payload: payload.toString() });
        if (topic === 'sensors/sensor-1/temperature') resolve();
      }),
    );
    // In order on one connection: were the first publish allowed, it would be delivered first.
    await client.publishAsync('sensors/sensor-2/temperature', '99', { qos: 1 });
    await client.publishAsync('sensors/sensor-1/temperature', '21.5', { qos: 1 });
    await ownArrived;
    const result = { granted: grant?.qos ?? -1, messages };
    await client.endAsync();

    // Without a client certificate mosquitto refuses the handshake (require_certificate true).
    let socket: TlsSocket | undefined;
    const withoutCertificate = await new Promise<string>((resolve) => {
      socket = connect({ host: '127.0.0.1', port, serverName: 'localhost', ca: pki.ca });
      socket.once('secureConnect', () => socket?.once('close', () => resolve('closed after the handshake')));
      socket.once('error', (e: Error & { code?: string }) => resolve(String(e.code)));
      socket.resume();
    });
    socket?.destroy();
    return { ...result, withoutCertificate };
  } finally {
    broker.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href && /mqtt-mosquitto[^/]*$/.test(entry)) {
  runMosquitto().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(`mqtt-mosquitto: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
