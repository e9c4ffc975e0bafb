// Child processes for CLI tests: spawn with captured output, wait for a pattern on a stream (bounded),
// kill every child a test started by its PID, a free 127.0.0.1 port, and `openssl s_server` on one.

import { type ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';

export interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves when the stream contains the pattern (rejects after `ms` with what was seen). */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** The exit code; rejects after `ms`. */
  exit(ms?: number): Promise<number | null>;
}

const running: ChildProcess[] = [];

/** Kill (SIGKILL, by PID) every child started since the last call that is still running. */
export function killAll(): void {
  for (const child of running.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export function run(command: string, args: string[], env?: NodeJS.ProcessEnv, extraFds = 0): Proc {
  const stdio: ('pipe' | 'ignore')[] = ['pipe', 'pipe', 'pipe', ...new Array<'pipe'>(extraFds).fill('pipe')];
  const child = spawn(command, args, { stdio, env: env ?? process.env });
  running.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const proc: Proc = {
    child,
    stdout: '',
    stderr: '',
    waitFor(stream, pattern, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = proc[stream].match(pattern);
          if (match) {
            clearTimeout(timer);
            child[stream]!.off('data', check);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          child[stream]!.off('data', check);
          reject(
            new Error(
              `timed out waiting for ${pattern} on ${stream}; stdout: ${proc.stdout}\nstderr: ${proc.stderr}`,
            ),
          );
        }, ms);
        child[stream]!.on('data', check);
        check();
      });
    },
    exit(ms = 10_000) {
      return Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(
            () =>
              reject(new Error(`timed out waiting for exit; stdout: ${proc.stdout}\nstderr: ${proc.stderr}`)),
            ms,
          ),
        ),
      ]);
    },
  };
  child.stdout!.on('data', (d: Buffer) => {
    proc.stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    proc.stderr += d.toString();
  });
  return proc;
}

export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** openssl s_server (TLS 1.2) on a free 127.0.0.1 port for one connection, ready to accept. */
export async function sServer(args: string[]): Promise<{ server: Proc; port: number }> {
  const port = await freePort();
  const server = run('openssl', [
    's_server',
    '-accept',
    `127.0.0.1:${port}`,
    '-tls1_2',
    '-naccept',
    '1',
    ...args,
  ]);
  await server.waitFor('stdout', /ACCEPT/);
  return { server, port };
}
