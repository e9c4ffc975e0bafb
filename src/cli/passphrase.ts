// `--pass`: a private key's passphrase in OpenSSL's pass-phrase argument forms (openssl-passphrase-options(1)):
// pass:TEXT, env:VAR, file:PATH (its first line), fd:N (the first line read from descriptor N) and stdin.

import { closeSync, openSync, readSync } from 'node:fs';
import { localError } from '../index.js';
import { UsageError } from './args.js';

/** The most bytes read looking for the end of the first line. */
const MAX_LINE = 4096;

/** The first line from a file descriptor, read a byte at a time so nothing after it is consumed. */
function firstLine(fd: number, what: string): string {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  let waits = 0;
  while (bytes.length < MAX_LINE) {
    let n: number;
    try {
      n = readSync(fd, one, 0, 1, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' && ++waits <= 500) {
        // A non-blocking pipe with nothing in it yet: wait 10 ms (at most 5 s in all).
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw localError('file_unreadable', `cannot read the passphrase from ${what}: ${String(error)}`);
    }
    if (n === 0 || one[0] === 0x0a) break;
    bytes.push(one[0]!);
  }
  if (bytes.at(-1) === 0x0d) bytes.pop();
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** The passphrase an OpenSSL-style pass-phrase argument names. */
export function readPassphrase(spec: string, env: NodeJS.ProcessEnv = process.env): string {
  if (spec.startsWith('pass:')) return spec.slice(5);
  if (spec.startsWith('env:')) {
    const value = env[spec.slice(4)];
    if (value === undefined) {
      throw new UsageError(`--pass ${spec}: the environment variable ${spec.slice(4)} is not set`);
    }
    return value;
  }
  if (spec.startsWith('file:')) {
    const path = spec.slice(5);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw localError(
        code === 'ENOENT' ? 'file_not_found' : 'file_unreadable',
        `passphrase file '${path}' cannot be read (${code ?? String(error)})`,
      );
    }
    try {
      return firstLine(fd, `'${path}'`);
    } finally {
      closeSync(fd);
    }
  }
  if (spec.startsWith('fd:') && /^\d+$/.test(spec.slice(3))) return firstLine(Number(spec.slice(3)), spec);
  if (spec === 'stdin') return firstLine(0, 'stdin');
  throw new UsageError(
    // The value is not repeated: it may be the passphrase itself, typed without its pass: prefix.
    "--pass takes pass:TEXT, env:VAR, file:PATH, fd:N or stdin (OpenSSL's forms)",
  );
}
