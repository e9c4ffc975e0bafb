// Each example program runs and does what its header says.

import { describe, expect, it } from 'vitest';
import { runAlpn } from '../../examples/alpn.js';
import { runPythonEcho } from '../../examples/python-echo.js';
import { runStartTls } from '../../examples/starttls.js';

describe('examples', () => {
  it('python-echo: mutual TLS both ways with Python ssl configured as aiomas does', async () => {
    const r = await runPythonEcho();
    expect(r.memtlsClient.reply).toBe('hello from memtls');
    expect(r.memtlsClient.suite).toMatch(/^TLS_ECDHE_ECDSA_WITH_AES_(128|256)_GCM_SHA(256|384)$/);
    expect(r.memtlsClient.pythonLog).toMatch(/agent-1/);
    expect(r.pythonClient.reply).toBe('hello from python');
    expect(r.pythonClient.cipher).toMatch(/^ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384) TLSv1\.2$/);
    expect(r.pythonClient.peer).toBe('agent-1');
  }, 60_000);

  it('alpn: server preference wins, both directions against node:tls', async () => {
    const r = await runAlpn();
    expect(r.memtlsClient).toEqual({ memtls: 'h2', node: 'h2' });
    expect(r.nodeClient).toEqual({ memtls: 'http/1.1', node: 'http/1.1' });
  }, 60_000);

  it('starttls: a line protocol upgraded in place', async () => {
    const r = await runStartTls();
    expect(r.greeting).toMatch(/^220/);
    expect(r.reply).toBe('you said: ohai');
    expect(r.serverSawClient).toBe('relay-7');
    expect(r.suite).toBeDefined();
  }, 60_000);
});
