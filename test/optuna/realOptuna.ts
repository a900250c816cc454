/**
 * Real Optuna for the interop tests: Debian's python3-optuna under /usr/bin/python3 (which
 * .ci/run installs) running test/optuna/interop_study.py, the way the real workers write.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { OptunaDump } from './support';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'interop_study.py');
const probe = spawnSync(PYTHON, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8' });
export const optunaVersion = probe.status === 0 ? probe.stdout.trim() : null;

/** `describe` when real Optuna is there, else skipped with one warning saying why. */
export const withRealOptuna: jest.Describe = optunaVersion ? describe : describe.skip;
if (!optunaVersion) {
  console.warn(`SKIPPED the Optuna interop tests: ${PYTHON} cannot import optuna (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}). .ci/run installs Debian's python3-optuna; run it as root.`);
}

export interface StudyResult {
  trials: OptunaDump;
  locked: number;
  errors: string[];
  victim_exit: number | null;
}

/** Runs interop_study.py; resolves with its result once it exits (deadline: `timeoutMs`). `onReady` runs at its READY. */
export function runStudy(args: string[], onReady: () => Promise<void>, timeoutMs: number): Promise<{ result: StudyResult; stderr: string }> {
  const out = args[args.indexOf('--out') + 1];
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Optuna study did not finish in ${timeoutMs} ms; stderr:\n${stderr.slice(-3000)}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!ready && stdout.includes('READY\n')) {
        ready = true;
        onReady().catch((error: unknown) => {
          child.kill('SIGKILL');
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 || !existsSync(out)) reject(new Error(`the Optuna study exited with ${code}; stderr:\n${stderr.slice(-3000)}`));
      else resolve({ result: JSON.parse(readFileSync(out, 'utf8')) as StudyResult, stderr });
    });
  });
}
