// Start `openssl s_server -rev` (answers each line reversed) with mutual TLS 1.2, on a free port, with
// any further options a test needs.

import { type ChildProcess, spawn } from 'node:child_process';

export interface OpensslServer {
  port: number;
  /** Everything s_server printed (for failure messages). */
  output(): string;
  stop(): void;
}

export async function startOpensslRevServer(
  files: {
    ca: string;
    cert: string;
    key: string;
  },
  /** More s_server options (e.g. -no_ticket). */
  extra: readonly string[] = [],
): Promise<OpensslServer> {
  const child: ChildProcess = spawn(
    'openssl',
    [
      's_server',
      '-accept',
      '0',
      '-tls1_2',
      '-Verify',
      '1',
      '-CAfile',
      files.ca,
      '-cert',
      files.cert,
      '-key',
      files.key,
      '-rev',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`openssl s_server did not start:\n${output}`)), 10_000);
      const check = () => {
        const match = /ACCEPT .*:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on('data', check);
      child.on('exit', (code) => reject(new Error(`openssl s_server exited (${code}):\n${output}`)));
    });
    return { port, output: () => output, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
