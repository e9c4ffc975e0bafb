// The `memtls` command: dispatches through one table of subcommands; usage errors exit 2, failures print
// `memtls: error: CODE: message` and exit 1. bin/memtls calls main(argv).

import { readFileSync } from 'node:fs';
import { printable, TlsError } from '../index.js';
import { UsageError } from './args.js';
import { benchCommand } from './bench.js';
import { clientCommand } from './client.js';
import type { CliIo, Command } from './command.js';
import { withFlagNames } from './flag-names.js';
import { inspectCommand } from './inspect.js';
import { pkiCommand } from './pki.js';
import { serverCommand } from './server.js';
import { verifyCommand } from './verify.js';

/** Placeholder for a command that is specified but not written yet (exit 2). */
export function notImplemented(name: string, summary: string, usage: string): Command {
  return {
    name,
    summary,
    usage,
    async run(_argv: readonly string[], io: CliIo): Promise<number> {
      io.err(`memtls: ${name}: not implemented yet\n`);
      return 2;
    },
  };
}

/** Every subcommand, in the order the overview lists them. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  client: clientCommand,
  server: serverCommand,
  verify: verifyCommand,
  inspect: inspectCommand,
  pki: pkiCommand,
  bench: benchCommand,
};

/** The commands whose flags FLAG_FOR_OPTION (flag-names.ts) describes. */
const TLS_COMMANDS = new Set(['client', 'server']);

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.values(COMMANDS).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: memtls COMMAND [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'memtls COMMAND --help' for a command's options.\n`;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Run the command line with the given I/O; resolves to the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    io.out(topic ? `${topic.usage}\n` : overview());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`memtls ${version()}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.err(`memtls: unknown command '${name}'\n\n${overview()}`);
    return 2;
  }
  if (wantsHelp(rest)) {
    io.out(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`memtls ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    if (error instanceof TlsError) {
      // client and server name their flags where the engine names config options.
      const message = TLS_COMMANDS.has(command.name) ? withFlagNames(error.message) : error.message;
      io.err(`memtls: error: ${printable(`${error.code}: ${message}`)}\n`);
      return 1;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.err(`memtls: error: internal_error: ${detail}\n`);
    return 1;
  }
}

/** Entry point for bin/memtls: runs and sets process.exitCode (never calls process.exit). */
export async function main(argv: string[]): Promise<void> {
  const io: CliIo = {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
  };
  process.exitCode = await runCli(argv, io);
}
