// The ecosystem examples run and do what their headers say: node:http server and client, ws, and
// MQTT (mqtt.js to a real mosquitto, and an aedes broker) over memtls/node with client certificates.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFetch, runHttps } from '../../examples/https-over-memtls.js';
import { runAedes } from '../../examples/mqtt-aedes.js';
import { MOSQUITTO, runMosquitto } from '../../examples/mqtt-mosquitto.js';
import { runWss } from '../../examples/wss-over-memtls.js';

describe('ecosystem examples', () => {
  it('https-over-memtls: node:http server fed memtls sockets, http.request through a keep-alive memtls agent', async () => {
    const r = await runHttps();
    expect(r.bodies).toEqual([
      'hello web-client-1, you asked for /first',
      'hello web-client-1, you asked for /second',
    ]);
    expect(r.connections).toBe(1);
    expect(r.seenByHandler).toEqual({
      encrypted: true,
      authorized: true,
      clientCN: 'web-client-1',
      protocol: 'TLSv1.2',
    });
  }, 30_000);

  it('https-over-memtls: undici fetch() through an Agent({ connect }) returning memtls connections', async () => {
    const r = await runFetch();
    expect(r.bodies).toEqual([
      'hello fetch-client-1, you asked for /first',
      'hello fetch-client-1, you asked for /second',
    ]);
    expect(r.connections).toBe(1);
    expect(r.seenByHandler).toEqual({
      encrypted: true,
      authorized: true,
      clientCN: 'fetch-client-1',
      protocol: 'TLSv1.2',
    });
  }, 30_000);

  it('wss-over-memtls: ws client with createConnection, WebSocketServer({ noServer }) on memtls', async () => {
    const r = await runWss();
    expect(r.received).toEqual(['hello ws-client-1', 'echo: ping over memtls']);
    expect(r.clientCN).toBe('ws-client-1');
    expect(r.closeCode).toBe(1000);
  }, 30_000);

  it('mqtt-mosquitto: mqtt.js over memtls to mosquitto with require_certificate and use_identity_as_username', async () => {
    expect(existsSync(MOSQUITTO), `${MOSQUITTO} is needed (apt-get install mosquitto)`).toBe(true);
    const r = await runMosquitto();
    expect(r.granted).toBe(1);
    // The publish to sensor-2's topic was dropped by the ACL for user sensor-1 (the certificate's CN).
    expect(r.messages).toEqual([{ topic: 'sensors/sensor-1/temperature', payload: '21.5' }]);
    expect(r.withoutCertificate).toBe('handshake_failure');
  }, 30_000);

  it('mqtt-aedes: aedes over memtls/node takes the client certificate CN as the MQTT identity', async () => {
    const r = await runAedes();
    expect(r.granted).toEqual({ own: 0, other: 128 });
    expect(r.received).toEqual({ topic: 'devices/device-7/status', payload: 'online' });
    expect(r.publishedBy).toBe('device-7');
    expect(r.impostorReturnCode).toBe(5);
  }, 30_000);
});
