// `--starttls line|smtp`: the plaintext exchange before TLS starts on the same socket. smtp is RFC 3207
// (220 greeting, EHLO, 250 lines naming STARTTLS, STARTTLS, 220); line is a one-line protocol:
// a greeting line, `STARTTLS`, a reply line. Bounded in lines, line length and time.

import type * as net from 'node:net';

export type StartTlsMode = 'line' | 'smtp';
export const STARTTLS_MODES: readonly StartTlsMode[] = ['line', 'smtp'];

const MAX_LINE = 4096;
const MAX_LINES = 64;
const TIMEOUT_MS = 10_000;

/** The plaintext exchange failed; printed as `starttls_failed: message` like a network error. */
export class StartTlsError extends Error {
  override readonly name = 'StartTlsError';
  readonly code = 'starttls_failed';
}

function refused(message: string): StartTlsError {
  return new StartTlsError(message);
}

/** Reads CRLF/LF lines from a socket until stopped; what is left after the last line is `rest()`. */
class LineReader {
  private buffered = Buffer.alloc(0);
  private lines = 0;
  private waiting: ((line: string | Error) => void) | undefined;
  private ended = false;
  private readonly onData = (chunk: Buffer) => {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.deliver();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.deliver();
  };

  constructor(private readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onEnd);
  }

  private deliver(): void {
    if (!this.waiting) return;
    const nl = this.buffered.indexOf(10);
    if (nl < 0) {
      if (this.buffered.length > MAX_LINE)
        this.settle(refused(`STARTTLS: a line longer than ${MAX_LINE} bytes`));
      else if (this.ended) this.settle(refused('STARTTLS: the peer closed the connection'));
      return;
    }
    const line = this.buffered.subarray(0, nl).toString('latin1').replace(/\r$/, '');
    this.buffered = this.buffered.subarray(nl + 1);
    if (++this.lines > MAX_LINES) this.settle(refused(`STARTTLS: more than ${MAX_LINES} lines`));
    else this.settle(line);
  }

  private settle(value: string | Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(value);
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settle(refused('STARTTLS: no answer within 10 s')), TIMEOUT_MS);
      this.waiting = (value) => {
        clearTimeout(timer);
        if (value instanceof Error) reject(value);
        else resolve(value);
      };
      this.deliver();
    });
  }

  /** Stop reading; the bytes after the last line (maybe the start of the TLS handshake). */
  stop(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('error', this.onEnd);
    return this.buffered;
  }
}

/** An SMTP reply: lines `NNN-text` until `NNN text` (RFC 5321 §4.2.1). */
async function smtpReply(reader: LineReader): Promise<{ code: string; lines: string[] }> {
  const lines: string[] = [];
  for (;;) {
    const line = await reader.next();
    lines.push(line);
    if (!/^\d{3}[ -]?/.test(line)) throw refused(`STARTTLS: not an SMTP reply: '${line.slice(0, 80)}'`);
    if (line[3] !== '-') return { code: line.slice(0, 3), lines };
  }
}

/** Client side: run the exchange; resolves once TLS may start, with bytes read past it (normally none). */
export async function startTlsAsClient(
  socket: net.Socket,
  mode: StartTlsMode,
  log: (line: string) => void,
): Promise<Buffer> {
  const reader = new LineReader(socket);
  try {
    if (mode === 'line') {
      log(`STARTTLS: greeting '${await reader.next()}'`);
      socket.write('STARTTLS\n');
      log(`STARTTLS: reply '${await reader.next()}'`);
      return reader.stop();
    }
    const greeting = await smtpReply(reader);
    if (greeting.code !== '220') throw refused(`STARTTLS: SMTP greeting '${greeting.lines.join(' | ')}'`);
    socket.write('EHLO memtls.invalid\r\n');
    const ehlo = await smtpReply(reader);
    if (ehlo.code !== '250') throw refused(`STARTTLS: EHLO answered '${ehlo.lines.join(' | ')}'`);
    if (!ehlo.lines.some((l) => /^250[ -]STARTTLS\b/i.test(l))) {
      throw refused('STARTTLS: the SMTP server does not offer STARTTLS in its EHLO reply');
    }
    socket.write('STARTTLS\r\n');
    const ready = await smtpReply(reader);
    if (ready.code !== '220') throw refused(`STARTTLS: the server answered '${ready.lines.join(' | ')}'`);
    log(`STARTTLS: ${ready.lines.join(' | ')}`);
    return reader.stop();
  } catch (error) {
    reader.stop();
    throw error;
  }
}

/** Server side: greet, wait for STARTTLS, answer; resolves with bytes read past the command (TLS). */
export async function startTlsAsServer(socket: net.Socket, mode: StartTlsMode): Promise<Buffer> {
  const reader = new LineReader(socket);
  try {
    if (mode === 'line') {
      socket.write('memtls: send STARTTLS\n');
      const line = await reader.next();
      if (line.trim().toUpperCase() !== 'STARTTLS') {
        socket.end('ERROR expected STARTTLS\n');
        throw refused(`STARTTLS: the client sent '${line.slice(0, 80)}'`);
      }
      socket.write('READY\n');
      return reader.stop();
    }
    socket.write('220 memtls ESMTP ready\r\n');
    for (;;) {
      const command = (await reader.next()).trim();
      const verb = command.split(' ')[0]!.toUpperCase();
      if (verb === 'EHLO' || verb === 'HELO') socket.write('250-memtls\r\n250 STARTTLS\r\n');
      else if (verb === 'NOOP') socket.write('250 OK\r\n');
      else if (verb === 'STARTTLS') {
        socket.write('220 2.0.0 Ready to start TLS\r\n');
        return reader.stop();
      } else if (verb === 'QUIT') {
        socket.end('221 2.0.0 Bye\r\n');
        throw refused('STARTTLS: the client quit before STARTTLS');
      } else socket.write('530 5.7.0 Must issue a STARTTLS command first\r\n');
    }
  } catch (error) {
    reader.stop();
    throw error;
  }
}
