/**
 * Stand-ins for the demo's trader and training processes: real child processes the process
 * probe sees, with the real scripts' command lines (`python3 …/paper_trader_alpaca_polling.py
 * --log-file …`), run in the demo workspace from a script file inside it. They are node under
 * the name python3 (argv0), so the demo needs no Python: the file holds a few lines of
 * JavaScript that wait. They ignore SIGINT (a Ctrl+C reaches the whole process group; the demo
 * stops barista first, so barista never reports them exited), end on SIGTERM, and end by
 * themselves when the demo is gone (even SIGKILLed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const DECOY_SOURCE = `// barista demo: a stand-in for the real script. The demo runs this file with node under the
// name python3, so that the process probe sees the command line the real script has.
const parent = process.ppid;
process.on('SIGINT', () => {});
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500);
`;

export interface DecoySpec {
  /** Workspace-relative path of the script, as the real launchers name it. */
  script: string;
  args: readonly string[];
  /** Workspace-relative file its stdout and stderr go to (`>> log 2>&1`); none: /dev/null. */
  output?: string;
}

export class Decoys {
  private readonly children: ChildProcess[] = [];

  constructor(private readonly workspace: string) {}

  /** Starts one, in the workspace, and returns its pid. */
  start(spec: DecoySpec): number {
    const script = path.join(this.workspace, spec.script);
    mkdirSync(path.dirname(script), { recursive: true });
    writeFileSync(script, DECOY_SOURCE);
    const output = spec.output === undefined ? 'ignore' : openSync(path.join(this.workspace, spec.output), 'a');
    const child = spawn(process.execPath, [script, ...spec.args], { argv0: 'python3', cwd: this.workspace, stdio: ['ignore', output, output], env: {} });
    if (typeof output === 'number') closeSync(output);
    child.on('error', () => {}); // reported by pid === undefined below
    if (child.pid === undefined) throw new Error(`could not start the decoy for ${spec.script}`);
    this.children.push(child);
    return child.pid;
  }

  /** SIGTERM to one (its pid), as `pkill -f` would. */
  kill(pid: number): void {
    this.children.find((child) => child.pid === pid)?.kill('SIGTERM');
  }

  /** Ends every decoy still running and resolves once all are gone. */
  async stopAll(): Promise<void> {
    await Promise.all(this.children.map((child) => ended(child)));
  }

  /** Synchronous last resort (process 'exit'): SIGKILL whatever still runs. */
  killAllNow(): void {
    for (const child of this.children) if (running(child)) child.kill('SIGKILL');
  }
}

const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

function ended(child: ChildProcess): Promise<void> {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
