/**
 * `npm run demo`: a simulated Cappuccino writes a live workspace in a temp folder and barista
 * runs on it with the shipped rules. Console output unless .env (or the environment) has a
 * Discord webhook or bot token, then real Discord. It stops by itself after `--for` (so a
 * README line run as written ends), or at Ctrl+C, and removes the folder.
 *
 *   node dist/scripts/demo.js [--for 90s|0] [--traders N] [--workers N] [--bars-per-second N] [--keep]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../src/config/duration';

const ROOT = path.resolve(__dirname, '..', '..');

function main(): void {
  const { values } = parseArgs({
    options: {
      traders: { type: 'string', default: '2' },
      workers: { type: 'string', default: '2' },
      'bars-per-second': { type: 'string', default: '1' },
      for: { type: 'string', default: '90s' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: node dist/scripts/demo.js [--for DURATION (90s; 0 = until Ctrl+C)] [--traders N (2)] [--workers N (2)] [--bars-per-second N (1)] [--keep]\n');
    return;
  }
  let runForMs: number;
  try {
    runForMs = values.for === '0' ? 0 : parseDuration(values.for);
  } catch (error) {
    process.stderr.write(`demo: --for: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'barista-demo-'));
  const workspace = path.join(home, 'cappuccino');
  mkdirSync(workspace);
  const env = { ...process.env, CAPPUCCINO_WORKSPACE: workspace };
  const until = runForMs > 0 ? `stops by itself after ${formatDuration(runForMs)} (--for 0: until Ctrl+C)` : 'Ctrl+C to stop';
  process.stdout.write(`demo: workspace ${workspace}; barista state ${path.join(home, 'barista.db')}; ${until}\n`);

  // barista first: files the simulator creates afterwards are read from their beginning.
  const barista = spawn(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli.js'), 'run', '--config', path.join(ROOT, 'config', 'rules.yaml'), '--state', path.join(home, 'barista.db')], { env, stdio: 'inherit' });
  let simulator: ChildProcess | undefined;
  const startSimulator = setTimeout(() => {
    simulator = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'simulate.js'), '--workspace', workspace, '--traders', values.traders, '--workers', values.workers, '--bars-per-second', values['bars-per-second'], '--quiet'], { env, stdio: 'inherit' });
  }, 1500);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    clearTimeout(startSimulator);
    simulator?.kill('SIGINT');
    barista.kill('SIGINT');
  };
  if (runForMs > 0) setTimeout(stop, runForMs).unref();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  barista.on('exit', (code) => {
    stop();
    const finish = (): void => {
      if (!values.keep) rmSync(home, { recursive: true, force: true });
      process.exitCode = code ?? 0;
    };
    if (simulator && simulator.exitCode === null) simulator.once('exit', finish);
    else finish();
  });
}

main();
