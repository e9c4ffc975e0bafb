// Files for session resumption in the CLI (RFC 5077, RFC 5246 §7.4.1.2): a client's saved session
// (--sess-out/--sess-in, PEM "MEMTLS SESSION", mode 0600: it holds the master secret) and a
// server's ticket key file (--ticket-keys, `memtls pki ticket-key`: 48 random bytes per key, the raw
// form node:tls's ticketKeys and nginx's ssl_session_ticket_key take; first key issues).

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { localError } from '../index.js';
import { readInputFile } from './command.js';

const LABEL = 'MEMTLS SESSION';
const TICKET_KEY_LENGTH = 48;

/** Save a session, readable by its owner only (it is a secret). */
export function writeSessionFile(path: string, session: Uint8Array): void {
  const b64 = Buffer.from(session)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  writeFileSync(path, `-----BEGIN ${LABEL}-----\n${b64}-----END ${LABEL}-----\n`, { mode: 0o600 });
}

/** A session saved by writeSessionFile. */
export function readSessionFile(path: string): Uint8Array {
  const text = Buffer.from(readInputFile(path, 'session file')).toString('latin1');
  const match = new RegExp(`-----BEGIN ${LABEL}-----([A-Za-z0-9+/=\\s]*)-----END ${LABEL}-----`).exec(text);
  if (!match) {
    throw localError(
      'bad_config',
      `session file '${path}' holds no ${LABEL} block (write one with --sess-out)`,
    );
  }
  return new Uint8Array(Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'));
}

/** Ticket keys from a file of 48·n raw bytes (first key issues, all open tickets). */
export function readTicketKeyFile(path: string): Uint8Array {
  const keys = readInputFile(path, 'ticket key file');
  if (keys.length === 0 || keys.length % TICKET_KEY_LENGTH !== 0) {
    throw localError(
      'bad_config',
      `ticket key file '${path}' must hold ${TICKET_KEY_LENGTH}-byte keys (${keys.length} bytes found); ` +
        "make one with 'memtls pki ticket-key FILE'",
    );
  }
  return keys;
}

/** Write a new 48-byte ticket key to a file that must not exist yet, mode 0600. */
export function writeTicketKeyFile(path: string): void {
  try {
    writeFileSync(path, randomBytes(TICKET_KEY_LENGTH), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw localError('file_exists', `'${path}' already exists; remove it first to make a new ticket key`);
    }
    throw localError('file_unwritable', `cannot write '${path}': ${(error as Error).message}`);
  }
}
