// The config `trace` hook: every handshake message, ChangeCipherSpec and alert, both directions, in
// order, with decoded key fields; nothing when unset; a throwing hook does not change the handshake.

import { describe, expect, it } from 'vitest';
import { TlsClient, TlsError, TlsServer, type TraceEvent } from '../src/index.js';
import { errorOf, runPair } from './helpers/pair.js';
import { p256Configs, testPki } from './helpers/pki.js';

const pki = testPki();

function line(e: TraceEvent): string {
  const arrow = e.direction === 'sent' ? '>>>' : '<<<';
  if (e.kind === 'alert') return `${arrow} alert ${e.level} ${e.description}`;
  if (e.kind === 'changeCipherSpec') return `${arrow} ChangeCipherSpec`;
  return `${arrow} ${e.summary.message}`;
}

describe('trace hook', () => {
  it('reports a full mutual-TLS handshake on both sides, in order, with key fields', () => {
    const { client, server } = p256Configs(pki);
    const clientEvents: TraceEvent[] = [];
    const serverEvents: TraceEvent[] = [];
    const c = new TlsClient({ ...client, alpn: ['h2'], trace: (e) => clientEvents.push(e) });
    const s = new TlsServer({ ...server, alpn: ['h2'], trace: (e) => serverEvents.push(e) });
    const log = runPair(c, s);
    expect(errorOf(log.client)).toBeUndefined();
    expect(clientEvents.map(line)).toEqual([
      '>>> ClientHello',
      '<<< ServerHello',
      '<<< Certificate',
      '<<< ServerKeyExchange',
      '<<< CertificateRequest',
      '<<< ServerHelloDone',
      '>>> Certificate',
      '>>> ClientKeyExchange',
      '>>> CertificateVerify',
      '>>> ChangeCipherSpec',
      '>>> Finished',
      '<<< NewSessionTicket',
      '<<< ChangeCipherSpec',
      '<<< Finished',
    ]);
    const ticket = clientEvents[11]!;
    expect(ticket.kind === 'handshake' && ticket.summary).toMatchObject({ message: 'NewSessionTicket' });
    if (ticket.kind === 'handshake' && ticket.summary.message === 'NewSessionTicket') {
      expect(ticket.summary.lifetimeHint).toBeGreaterThan(0);
      expect(ticket.summary.ticketLength).toBeGreaterThan(0);
    }
    // The server sees the same messages, mirrored.
    expect(serverEvents.map(line)).toEqual(
      clientEvents.map((e) => line({ ...e, direction: e.direction === 'sent' ? 'received' : 'sent' })),
    );
    const hello = clientEvents[0]!;
    expect(hello.kind === 'handshake' && hello.summary).toMatchObject({
      message: 'ClientHello',
      serverName: 'server.test',
      alpn: ['h2'],
      extendedMasterSecret: true,
      groups: ['x25519', 'secp256r1', 'secp384r1'],
    });
    const serverHello = clientEvents[1]!;
    expect(serverHello.kind === 'handshake' && serverHello.summary).toMatchObject({
      message: 'ServerHello',
      cipherSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      extendedMasterSecret: true,
      alpn: 'h2',
    });
    const certificate = clientEvents[2]!;
    expect(certificate.kind === 'handshake' && certificate.summary.message === 'Certificate').toBe(true);
    if (certificate.kind === 'handshake' && certificate.summary.message === 'Certificate') {
      expect(certificate.summary.certificates.length).toBeGreaterThanOrEqual(1);
    }
    c.close();
    runPair(c, s);
    expect(clientEvents.map(line).at(-1)).toBe('>>> alert warning close_notify');
    expect(serverEvents.map(line).at(-1)).toBe('<<< alert warning close_notify');
  });

  it('reports the fatal alert a refusal sends and the one the peer receives', () => {
    const { client, server } = p256Configs(pki);
    const clientEvents: TraceEvent[] = [];
    const serverEvents: TraceEvent[] = [];
    const c = new TlsClient({ ...client, serverName: 'other.test', trace: (e) => clientEvents.push(e) });
    const s = new TlsServer({ ...server, trace: (e) => serverEvents.push(e) });
    runPair(c, s);
    expect(clientEvents.map(line).at(-1)).toMatch(/^>>> alert fatal /);
    expect(serverEvents.map(line).at(-1)).toBe(clientEvents.map(line).at(-1)!.replace('>>>', '<<<'));
  });

  it('a throwing hook changes nothing', () => {
    const { client, server } = p256Configs(pki);
    const c = new TlsClient({
      ...client,
      trace: () => {
        throw new Error('boom');
      },
    });
    const log = runPair(c, new TlsServer(server));
    expect(errorOf(log.client)).toBeUndefined();
    expect(c.state).toBe('open');
  });

  it('a trace that is not a function is a local bad_config error', () => {
    const { client } = p256Configs(pki);
    const bad = { ...client, trace: 'yes' } as unknown as typeof client;
    expect(() => new TlsClient(bad)).toThrow(TlsError);
    expect(() => new TlsClient(bad)).toThrow(/trace must be a function/);
  });
});
