// Requests to a child process over its IPC channel, each answered by its id ({ id, result } or
// { id, error }) within a time limit: shared by the adapters bench's server child
// (bench/adapters-workloads.ts) and the soak's server process (bench/soak/index.ts).

import type { ChildProcess } from 'node:child_process';

export type ChildReply = { id: number; result: unknown } | { id: number; error: string };

export class ChildRequests<Command extends { command: string }> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  /** Set once the child has exited; every request still waiting was rejected then. */
  exited = false;

  /** `name` begins every error message, e.g. 'soak server'. */
  constructor(
    readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on('message', (reply: ChildReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) w.reject(new Error(`${name}: ${reply.error}`));
      else w.resolve(reply.result);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  request<T>(command: Command, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name} did not answer '${command.command}' in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ ...command, id });
    });
  }
}
