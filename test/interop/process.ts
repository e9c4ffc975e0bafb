// Child processes, free ports and cleanup scopes for the interop matrix: every case stops what it started.

import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** Cleanup actions run in reverse order, each at most once, never throwing. */
export class Scope {
  private readonly actions: Array<() => void | Promise<void>> = [];

  add(action: () => void | Promise<void>): void {
    this.actions.push(action);
  }

  async close(): Promise<void> {
    for (const action of this.actions.splice(0).reverse()) {
      try {
        await action();
      } catch {
        // Cleanup is best effort; a failing step must not hide the case's own result.
      }
    }
  }
}

/** A spawned program with its output captured. */
export class Child {
  private readonly process: ChildProcess;
  private stdoutText = '';
  private stderrText = '';
  private readonly listeners: Array<() => void> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly command: string,
    readonly args: string[],
    scope: Scope,
    options: { stdin?: string | Uint8Array; cwd?: string } = {},
  ) {
    this.process = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONWARNINGS: 'ignore' },
    });
    scope.add(() => this.kill());
    this.exited = new Promise((resolve) => {
      this.process.on('close', (code, signal) => {
        resolve({ code, signal });
        this.notify();
      });
      this.process.on('error', (e) => {
        this.stderrText += `spawn failed: ${e.message}\n`;
        resolve({ code: -1, signal: null });
        this.notify();
      });
    });
    this.process.stdout?.on('data', (chunk: Buffer) => {
      this.stdoutText += chunk.toString('latin1');
      this.notify();
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('latin1');
      this.notify();
    });
    const stdin = this.process.stdin;
    stdin?.on('error', () => {}); // the program may exit before reading all of stdin
    if (options.stdin !== undefined) stdin?.end(options.stdin);
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** stdout then stderr, for failure messages and pattern checks. */
  output(): string {
    return `${this.stdoutText}${this.stderrText}`;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Write to the program's stdin (and optionally end it). */
  send(data: string | Uint8Array, end = false): void {
    const stdin = this.process.stdin;
    if (!stdin || stdin.destroyed) return;
    if (end) stdin.end(data);
    else stdin.write(data);
  }

  /** Resolves with the first match of `pattern` in stdout+stderr; rejects if the program exits first. */
  waitFor(pattern: RegExp, what: string): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(this.output());
        if (match) {
          resolve(match);
          return true;
        }
        if (!this.running) {
          reject(new Error(`${this.command} exited before ${what}:\n${tail(this.output())}`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const listener = () => {
        if (check()) this.listeners.splice(this.listeners.indexOf(listener), 1);
      };
      this.listeners.push(listener);
    });
  }

  kill(): void {
    if (this.running) this.process.kill('SIGKILL');
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A port that was free a moment ago on 127.0.0.1 (the caller retries if someone else takes it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The last lines of a program's output, for error messages. */
export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Rejects after `ms` with a timeout error naming `what`. */
export function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
