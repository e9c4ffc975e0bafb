// Judging one interop observation against its scenario: what both ends must have seen.

import { alertPattern } from './names.js';
import type { InteropCase, Observation } from './scenario.js';

/** Every way the observation differs from what the case expects; empty when the case passed. */
export function problems(c: InteropCase, o: Observation): string[] {
  return c.scenario.failure ? failureProblems(c, o) : successProblems(c, o);
}

function successProblems(c: InteropCase, o: Observation): string[] {
  const s = c.scenario;
  const out: string[] = [];
  const m = o.memtls;
  const p = o.peer;
  if (m.error) out.push(`memtls failed: ${m.error.code}: ${m.error.message}`);
  if (p.error) out.push(`${c.peer} failed: ${p.error}`);
  if (out.length > 0) return out;
  const info = m.info;
  if (!info) return [`memtls saw no handshake (${m.transportError ?? 'no error'})`];
  if (s.suite && info.cipherSuite !== s.suite)
    out.push(`memtls negotiated ${info.cipherSuite}, expected ${s.suite}`);
  if (s.suite && p.cipher !== undefined && p.cipher !== s.suite) {
    out.push(`${c.peer} negotiated ${p.cipher}, expected ${s.suite}`);
  }
  if (p.cipher !== undefined && p.cipher !== info.cipherSuite) {
    out.push(`suite differs: memtls ${info.cipherSuite}, ${c.peer} ${p.cipher}`);
  }
  if (s.group && info.group !== s.group) out.push(`memtls used group ${info.group}, expected ${s.group}`);
  if (p.group !== undefined && p.group !== info.group) {
    out.push(`group differs: memtls ${info.group}, ${c.peer} ${p.group}`);
  }
  if (s.alpn) {
    if (info.alpn !== s.alpn.expect) out.push(`memtls ALPN ${info.alpn}, expected ${s.alpn.expect}`);
    if (p.alpn !== undefined && p.alpn !== s.alpn.expect)
      out.push(`${c.peer} ALPN ${p.alpn}, expected ${s.alpn.expect}`);
  }
  if (s.peerSignature && !s.peerSignature.test(info.signatureScheme)) {
    out.push(`the peer signed with ${info.signatureScheme}, expected ${s.peerSignature}`);
  }
  const name = s.serverName ?? 'server.test';
  if (s.checkSni) {
    const seen = c.role === 'server' ? info.serverName : p.sni;
    if (seen !== name) out.push(`the server saw SNI ${String(seen)}, expected ${name}`);
  }
  // Certificates: each side saw the other's identity.
  if (c.role === 'client') {
    if (!info.peerIdentity) out.push(`memtls client verified no server identity for ${name}`);
    if (s.client && p.peerCertificateCn !== undefined && p.peerCertificateCn === null) {
      out.push(`${c.peer} server saw no client certificate`);
    }
  } else {
    if (s.client && !info.peerIdentity) out.push('memtls server verified no client identity');
    if (!s.client && info.peerIdentity) out.push('memtls server has a client identity though none was sent');
    if (p.peerCertificateCn !== undefined && p.peerCertificateCn === null) {
      out.push(`${c.peer} client saw no server certificate`);
    }
  }
  // Data, then a clean close: both ends exchange close_notify.
  const t = s.transfer;
  if (t.kind !== 'none') {
    if (!m.peerClosed)
      out.push(`memtls got no close_notify from ${c.peer} (${m.transportError ?? 'no transport error'})`);
    if (c.role === 'client') {
      if (m.echoMatched !== true)
        out.push(`memtls client: the echo did not match (${m.receivedBytes} bytes back)`);
      if (t.kind === 'large' && p.receivedSha256 !== undefined && p.receivedSha256 !== m.sentSha256) {
        out.push(`${c.peer} received SHA-256 ${p.receivedSha256}, memtls sent ${m.sentSha256}`);
      }
      if (t.kind === 'large' && p.receivedBytes !== undefined && p.receivedBytes !== t.bytes) {
        out.push(`${c.peer} received ${p.receivedBytes} bytes, expected ${t.bytes}`);
      }
    } else {
      if (p.echoMatched !== true) out.push(`${c.peer} client: the echo did not match`);
      if (t.kind === 'large') {
        if (m.receivedBytes !== t.bytes)
          out.push(`memtls server received ${m.receivedBytes} bytes, expected ${t.bytes}`);
        if (p.receivedSha256 !== undefined && p.receivedSha256 !== m.receivedSha256) {
          out.push(`memtls received SHA-256 ${m.receivedSha256}, ${c.peer} got back ${p.receivedSha256}`);
        }
      }
    }
  }
  return out;
}

function failureProblems(c: InteropCase, o: Observation): string[] {
  const f = c.scenario.failure!;
  const out: string[] = [];
  const e = o.memtls.error;
  if (f.kind === 'transport') {
    if (e) out.push(`memtls failed with ${e.kind}/${e.code} (${e.message}), expected the peer to hang up`);
    else if (o.memtls.peerClosed || !o.memtls.transportError)
      out.push('the peer closed cleanly, expected it to hang up');
  } else if (!e) {
    out.push(
      `memtls did not fail (expected ${f.kind}/${f.code}; ${o.memtls.info ? 'handshake completed' : (o.memtls.transportError ?? 'no error')})`,
    );
  } else {
    if (e.code !== f.code || e.kind !== f.kind) {
      out.push(`memtls failed with ${e.kind}/${e.code} (${e.message}), expected ${f.kind}/${f.code}`);
    }
    for (const part of f.messageIncludes ?? []) {
      if (!e.message.includes(part)) out.push(`memtls message lacks '${part}': ${e.message}`);
    }
  }
  const p = o.peer;
  const text = `${p.error ?? ''}\n${p.output}`;
  if (!p.error) out.push(`${c.peer} reported no error`);
  if ('alert' in f.peer) {
    if (!alertPattern(f.peer.alert).test(text)) {
      out.push(
        `${c.peer} did not report the ${f.peer.alert} alert; it said: ${p.error ?? lastLines(p.output)}`,
      );
    }
  } else if (!f.peer.error.test(text)) {
    out.push(`${c.peer} error does not match ${f.peer.error}: ${p.error ?? lastLines(p.output)}`);
  }
  return out;
}

function lastLines(text: string): string {
  return text.trimEnd().split('\n').slice(-5).join(' | ');
}
