// The shape of a memtls subcommand and the I/O it gets, so main.ts dispatches through one table and
// tests can run commands in-process with captured output.

import { readFileSync } from 'node:fs';
import { localError } from '../index.js';

/** Where a command writes: stdout for its results, stderr for diagnostics. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  readonly name: string;
  /** One line for the command overview. */
  readonly summary: string;
  /** Full usage text, printed for --help and after a usage error. */
  readonly usage: string;
  /** Runs the command; resolves to the exit code. Throws UsageError (exit 2) or TlsError (exit 1). */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/** A file's bytes, or a local `file_not_found`/`file_unreadable` error naming it. */
export function readInputFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw localError('file_not_found', `${what} '${path}' does not exist`);
    if (code === 'EISDIR') {
      throw localError('file_unreadable', `${what} '${path}' is a directory, not a file`);
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw localError('file_unreadable', `cannot read ${what} '${path}': ${detail}`);
  }
}
