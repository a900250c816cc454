/**
 * Runs the compiled barista CLI as a child process, as a user would, and reads its
 * JSON-lines log so tests can wait for what it said.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './waitFor';

// The checkout, from test/support under ts-jest and from dist/test/support when compiled (the soak).
export const ROOT = path.resolve(__dirname, '..', '..', ...(path.basename(path.resolve(__dirname, '..', '..')) === 'dist' ? ['..'] : []));
export const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no Discord settings from the developer's shell leak into tests. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, BARISTA_LOG_FORMAT: 'json', ...extra };
  return env;
}

export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: testEnv(options.env), encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export class BaristaProcess {
  /** stdout parsed as JSON lines: logs with `run`, events with `events`. */
  readonly logs: LogLine[] = [];
  private readonly rawLines: string[] = [];
  stderr = '';
  private buffered = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffered += chunk;
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        this.rawLines.push(line);
        this.logs.push(JSON.parse(line) as LogLine);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    child.on('exit', (code, signal) => (this.exit = { code, signal }));
  }

  /** `wrap` runs the CLI through a launcher (`setpriv …`, `bash -c 'ulimit -n 1024; exec "$@"' bash`) that ends in an exec. */
  static start(args: string[], options: { cwd?: string; env?: Record<string, string>; wrap?: string[] } = {}): BaristaProcess {
    const [command, ...prefix] = [...(options.wrap ?? []), process.execPath, CLI, ...args];
    return new BaristaProcess(spawn(command, prefix, { cwd: options.cwd ?? ROOT, env: testEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** Complete stdout lines so far. */
  stdoutLines(): string[] {
    return [...this.rawLines];
  }

  /** Waits for a log line matching the predicate, among lines logged after index `from`. */
  waitForLog(predicate: (line: LogLine) => boolean, options: { from?: number; timeoutMs?: number; what?: string } = {}): Promise<LogLine> {
    return waitFor(
      () => {
        if (this.exit) throw new Error(`barista exited (${JSON.stringify(this.exit)}) before logging ${options.what ?? 'the expected line'}; stderr: ${this.stderr}`);
        return this.logs.slice(options.from ?? 0).find(predicate);
      },
      { timeoutMs: options.timeoutMs ?? 10_000, what: options.what },
    );
  }

  waitForExit(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return waitFor(() => this.exit, { timeoutMs, what: 'barista to exit' });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exit) this.child.kill(signal);
  }
}

/** runCli without blocking the test's event loop: for a CLI that talks to a server the test runs (the fake Discord). */
export function runCliAsync(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: testEnv(options.env), timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
