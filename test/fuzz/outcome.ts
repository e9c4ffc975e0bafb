// Pair-fuzzing outcome rules: how a case may end (RFC 5246 §7.2: a fatal error sends its alert and
// closes; a received fatal alert closes without one) and which alert RFC 5246 §6, §6.2.3.3, §7.4 pick
// for the wire changes whose answer is fixed.

import { AlertDescription, alertForFailure, alertName } from '../../src/errors.js';
import type { CaseResult, PairCase, Side } from './pair-case.js';
import { type Applied, concat, type Direction, type Injection, parseRecords } from './wire.js';

export interface CaseWatch {
  client: Side;
  server: Side;
  applied: Applied[];
  violations: string[];
}

const receiverOf = (w: CaseWatch, d: Direction) => (d === 'toServer' ? w.server : w.client);
function fullData(s: Side, peer: Side): boolean {
  const a = concat(s.delivered);
  const b = concat(peer.written);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A record holding whole handshake messages only (not a fragment of one). */
function wholeMessages(r: Applied['target']): boolean {
  if (!r || r.protected || r.type !== 22) return false;
  const body = r.bytes.subarray(5);
  let o = 0;
  while (o + 4 <= body.length) o += 4 + ((body[o + 1]! << 16) | (body[o + 2]! << 8) | body[o + 3]!);
  return o === body.length && body.length > 0;
}

export function checkOutcome(w: CaseWatch, c: PairCase): CaseResult {
  const v = w.violations;
  const hostile = w.applied.some((a) => a.mutation.kind !== 'split');
  const closes = c.clientCloses || c.serverCloses;
  const done = (s: Side) =>
    closes ? s.conn.state === 'closing' || s.conn.state === 'closed' : s.conn.state === 'open';
  const sides = [w.client, w.server];
  const failed = sides.filter((s) => s.conn.state === 'failed');

  if (!hostile) {
    for (const s of sides) {
      const peer = s === w.client ? w.server : w.client;
      if (!done(s))
        v.push(
          `${s.role} ended ${s.conn.state} (${s.conn.error?.message ?? 'no error'}) with only benign wire changes`,
        );
      else if (!fullData(s, peer)) v.push(`${s.role} did not get exactly the data its peer wrote`);
    }
  }

  for (const s of failed) {
    const peer = s === w.client ? w.server : w.client;
    const e = s.conn.error!;
    if (e.kind === 'alertReceived') {
      // A fatal alert must really have come: from a failing peer, or from the mutated wire.
      const toward: Direction = s.role === 'server' ? 'toServer' : 'toClient';
      const fromPeer = peer.conn.state === 'failed' && alertForFailure(peer.conn.error) !== undefined;
      if (!fromPeer && !w.applied.some((a) => a.direction === toward && a.mutation.kind !== 'split')) {
        v.push(`${s.role} failed on a fatal alert nobody sent: ${e.message}`);
      }
      if (lastRecordIsPlainFatalAlert(s)) {
        v.push(`${s.role} answered a fatal alert with an alert (RFC 5246 §7.2.2: close without one)`);
      }
      continue;
    }
    const records = parseRecords(concat(s.outgoing), false);
    const last = records.at(-1);
    if (last?.type !== 21) {
      v.push(`${s.role} failed (${e.code}) without queueing an alert`);
      continue;
    }
    const body = last.bytes.subarray(5);
    const plain = records.filter((r) => r.type === 20).length === 0;
    if (plain) {
      const want = AlertDescription[e.alertSent as keyof typeof AlertDescription];
      if (body.length !== 2 || body[0] !== 2 || body[1] !== want) {
        v.push(`${s.role} failed with ${e.alertSent} but its last alert record is [${[...body]}]`);
      }
    } else if (body.length !== 18 && body.length !== 26) {
      v.push(`${s.role}: an encrypted alert of ${body.length} bytes (AEAD: 2 + tag [+ explicit nonce])`);
    }
  }

  const bothDone = done(w.client) && done(w.server);
  if (failed.length === 0 && !bothDone && !hostile) v.push('the pair stalled with no wire changes');
  return { violations: v, outcome: failed.length > 0 ? 'failed' : bothDone ? 'open' : 'stalled', hostile };
}

/** A side that failed on a received alert never sent a fatal alert of its own (it would have failed first). */
function lastRecordIsPlainFatalAlert(s: Side): boolean {
  const last = parseRecords(concat(s.outgoing), false).at(-1);
  return last !== undefined && last.type === 21 && last.bytes.length === 7 && last.bytes[5] === 2;
}

/**
 * Single hostile changes whose alert the RFCs fix, checked at the receiver:
 * - a genuine plaintext handshake message out of order (replayed, or swapped with the next record):
 *   unexpected_message (RFC 5246 §7.4: messages MUST be sent in the order given; §7.2.2);
 * - a ChangeCipherSpec where a handshake message is due: unexpected_message (RFC 5246 §7.1, §7.4);
 * - a warning alert, ChangeCipherSpec or empty application data record between two fragments of one
 *   handshake message: unexpected_message (RFC 8446 §5.1 says so outright); a fatal alert there is
 *   the peer's word and ends the receiver as an alertReceived error;
 * - a record of an unknown content type in the plaintext stream: unexpected_message (RFC 5246 §6);
 * - a fatal alert in the plaintext stream: the receiver fails on it and sends nothing (§7.2);
 * - a plaintext record, or a flipped byte of a protected one, after the ChangeCipherSpec:
 *   bad_record_mac (RFC 5246 §6.2.3.3, RFC 5288 §3, RFC 7905);
 * - a flipped byte in a plaintext handshake body never lets both sides open (Finished, §7.4.9).
 */
export function checkRfcChoice(w: CaseWatch): void {
  const hostile = w.applied.filter((a) => a.mutation.kind !== 'split');
  if (hostile.length !== 1) return;
  const a = hostile[0]!;
  const m = a.mutation;
  const to = receiverOf(w, a.direction);
  const got = to.conn.error;
  const expect = (alert: string, why: string) => {
    if (got?.alertSent !== alert || got.kind === 'alertReceived') {
      w.violations.push(
        `${to.role} should fail with ${alert} (${why}); it ended ${to.conn.state}${got ? ` with ${got.kind}/${got.alertSent ?? got.alertReceived}: ${got.message}` : ''}`,
      );
    }
  };
  if (m.kind === 'duplicate' && wholeMessages(a.target)) {
    expect('unexpected_message', 'a replayed handshake message');
  } else if (
    m.kind === 'swap' &&
    wholeMessages(a.target) &&
    (wholeMessages(a.next) || (a.next?.type === 20 && !a.next.protected))
  ) {
    expect('unexpected_message', 'handshake messages out of order');
  } else if (m.kind === 'inject') {
    const i = m.injection;
    const slot = a.next;
    const atProtected = slot ? slot.protected : lastProtected(w, a);
    if (!atProtected && slot?.fragmentTail && wellFormedNonFatal(i)) {
      // Between two fragments of one handshake message: no other record may come (RFC 8446 §5.1
      // states it; RFC 5246 §7.4 cannot deliver a ChangeCipherSpec or alert mid-message either).
      expect('unexpected_message', `a ${i.what} record between fragments of a handshake message`);
    } else if (!atProtected) {
      if (i.what === 'ccs' && i.body.length === 1 && i.body[0] === 1 && slot?.type === 22) {
        expect('unexpected_message', 'ChangeCipherSpec where a handshake message is due');
      } else if (i.what === 'unknownType' && (i.type < 20 || i.type > 23)) {
        expect('unexpected_message', `a record of unknown content type ${i.type}`);
      } else if (i.what === 'alert' && i.level === 2) {
        if (got?.kind !== 'alertReceived' || got.alertReceived !== alertName(i.description)) {
          w.violations.push(
            `${to.role} should fail on the injected fatal ${alertName(i.description)}; it ended ${to.conn.state} ${got ? `${got.kind}/${got.alertSent ?? got.alertReceived}` : ''}`,
          );
        }
      }
    } else if (!to.peerClosedAfterHandshake) {
      // (After an authenticated close_notify nothing more is read, so the injection may go unseen.)
      if (i.what !== 'unknownType') expect('bad_record_mac', 'a plaintext record after ChangeCipherSpec');
    }
  } else if (m.kind === 'flip' && a.target) {
    const offset = m.offset % a.target.bytes.length;
    if (a.target.protected && offset >= 5 && !to.peerClosedAfterHandshake) {
      expect('bad_record_mac', 'a flipped byte in a protected record');
    } else if (!a.target.protected && a.target.type === 22 && offset >= 5) {
      if (w.client.conn.state === 'open' && w.server.conn.state === 'open') {
        w.violations.push('both sides opened after a byte of a handshake message was changed');
      }
    }
  }
}

/** Records whose only fault is where they are: a warning alert, a valid ChangeCipherSpec, empty data. */
function wellFormedNonFatal(i: Injection): boolean {
  if (i.what === 'alert') return i.level === 1;
  if (i.what === 'ccs') return i.body.length === 1 && i.body[0] === 1;
  return i.what === 'empty' ? i.type === 23 : false;
}

/** Whether an injection after the flight's last record sits in the protected stream. */
function lastProtected(w: CaseWatch, a: Applied): boolean {
  const from = a.direction === 'toServer' ? w.client : w.server;
  const flight = from.outgoing[a.flight];
  if (!flight) return false;
  const earlier = concat(from.outgoing.slice(0, a.flight + 1));
  return parseRecords(earlier, false).some((r) => r.type === 20);
}
