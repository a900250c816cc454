/**
 * Running a short query program (nvidia-smi) without letting it hold barista: no shell, a
 * deadline, a cap on what it may print, and an abort signal. On the deadline the child is
 * SIGKILLed and the promise settles at once — a program stuck in the kernel (nvidia-smi with
 * a GPU fallen off the bus) may not die, and waiting for its exit would wait forever.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export interface RunBoundedOptions {
  timeoutMs: number;
  /** More stdout than this fails the run (and kills the child). */
  maxOutputBytes: number;
  env: Record<string, string>;
  signal?: AbortSignal;
}

/** The first executable regular file called `name` in the PATH's folders, like `command -v`. */
export function findOnPath(name: string, pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue; // '' or '.' would mean the cwd: never trusted here
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // absent or not executable: the next folder
    }
  }
  return null;
}

/** Its stdout when it exits 0; otherwise one error naming the program and what went wrong. */
export function runBounded(file: string, args: string[], options: RunBoundedOptions): Promise<string> {
  const name = path.basename(file);
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new Error(`${name}: aborted`));
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env, shell: false });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        child.stdout.destroy();
        child.stderr.destroy();
        child.unref(); // a child that cannot die must not keep barista's event loop alive
        reject(error);
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    };
    const onAbort = () => finish(new Error(`${name}: aborted`));
    const timer = setTimeout(() => finish(new Error(`${name} did not answer within ${options.timeoutMs / 1000} s (killed)`)), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxOutputBytes) return finish(new Error(`${name} printed more than ${options.maxOutputBytes} bytes (killed)`));
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 1024) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => finish(new Error(`${name}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) return finish(null);
      // nvidia-smi says why on stdout ("NVIDIA-SMI has failed because…"), other programs on stderr.
      const said = firstLine(stderr) ?? firstLine(Buffer.concat(chunks).toString('utf8'));
      finish(new Error(`${name} exited with ${code === null ? `signal ${signal}` : `code ${code}`}${said ? `: ${said}` : ''}`));
    });
  });
}

function firstLine(text: string): string | null {
  const line = text.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? null : line.trim().slice(0, 200);
}
