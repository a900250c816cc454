/**
 * Running a short program (nvidia-smi, systemd-run, systemctl) without letting it hold barista: no shell, a
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

/** How a bounded run ended. */
export interface ProgramRun {
  /** Exit code; null when a signal ended it or it never ran to an exit. */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** Its first 8 KiB. */
  stderr: string;
  /** Why it did not run to an exit of its own: spawn error, deadline, too much output, abort. */
  failure: string | null;
}

const STDERR_KEPT = 8192;

/** Runs `file` to its end or to its bounds, whichever comes first; never rejects. */
export function runProgram(file: string, args: string[], options: RunBoundedOptions): Promise<ProgramRun> {
  const name = path.basename(file);
  return new Promise((resolve) => {
    const run: ProgramRun = { status: null, signal: null, stdout: '', stderr: '', failure: null };
    if (options.signal?.aborted) return resolve({ ...run, failure: `${name}: aborted` });
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env, shell: false });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (failure: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      run.stdout = Buffer.concat(chunks).toString('utf8');
      if (failure) {
        run.failure = failure;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        child.stdout.destroy();
        child.stderr.destroy();
        child.unref(); // a child that cannot die must not keep barista's event loop alive
      }
      resolve(run);
    };
    const onAbort = () => finish(`${name}: aborted`);
    const timer = setTimeout(() => finish(`${name} did not answer within ${options.timeoutMs / 1000} s (killed)`), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxOutputBytes) return finish(`${name} printed more than ${options.maxOutputBytes} bytes (killed)`);
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (run.stderr.length < STDERR_KEPT) run.stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => finish(`${name}: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    child.on('close', (code, signal) => {
      run.status = code;
      run.signal = signal;
      finish(null);
    });
  });
}

/** Its stdout when it exits 0; otherwise one error naming the program and what went wrong. */
export async function runBounded(file: string, args: string[], options: RunBoundedOptions): Promise<string> {
  const run = await runProgram(file, args, options);
  if (run.failure) throw new Error(run.failure);
  if (run.status === 0) return run.stdout;
  // nvidia-smi says why on stdout ("NVIDIA-SMI has failed because…"), other programs on stderr.
  const said = firstLine(run.stderr) ?? firstLine(run.stdout);
  throw new Error(`${path.basename(file)} exited with ${run.status === null ? `signal ${run.signal}` : `code ${run.status}`}${said ? `: ${said}` : ''}`);
}

function firstLine(text: string): string | null {
  const line = text.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? null : line.trim().slice(0, 200);
}
