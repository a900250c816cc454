/**
 * `npm run demo`: a simulated Cappuccino runs in a temp folder and barista watches it with the
 * shipped rules. Traders and training workers are real processes the probe sees (stand-ins
 * with the real command lines, scripts/demo/decoys.ts); the simulator writes their files on the
 * real clock; a short story (scripts/demo/scenario.ts) stages what barista is for. Console
 * output unless .env (or the environment) has a Discord webhook or bot token, then real
 * Discord. It stops by itself after `--for`, or at Ctrl+C, and removes the folder and the
 * stand-ins on every way out.
 *
 *   node dist/scripts/demo.js [--for 60s|0] [--keep]
 */
import { NODE_FLAGS } from '../src/cli/nodeFlags';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../src/config/duration';
import { NO_RANDOM_EVENTS, TraderSimulator } from '../test/support/simulator';
import { Decoys } from './demo/decoys';
import { PROBE_INTERVAL, STAGES, STALE_GRACE, TRADERS, TRAINING_WORKERS, traderArgs, WORKER_ARGS, type DemoWorld } from './demo/scenario';
import { demoRules, DemoStudy, writeModelMetadata } from './demo/workspace';

const ROOT = path.resolve(__dirname, '..', '..');
const USAGE = 'usage: node dist/scripts/demo.js [--for DURATION (60s; 0 = until Ctrl+C)] [--keep (the temp folder stays)]\n';
/** How long barista may take to say it heard a Ctrl+C itself before the demo forwards one. */
const OWN_SIGNAL_WAIT_MS = 1000;

function main(): void {
  const { values } = parseArgs({ options: { for: { type: 'string', default: '60s' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) return void process.stdout.write(USAGE);
  let runForMs: number;
  try {
    runForMs = values.for === '0' ? 0 : parseDuration(values.for);
  } catch (error) {
    process.stderr.write(`demo: --for: ${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  // Listening before anything exists: without a listener a signal kills node at once, even
  // in the middle of this synchronous set-up, and the 'exit' clean-up below would not run.
  const onSignal = { handle: (): void => process.exit(130) };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal.handle());
  const home = mkdtempSync(path.join(os.tmpdir(), 'barista-demo-'));
  const workspace = path.join(home, 'cappuccino');
  mkdirSync(workspace);
  const say = (line: string): boolean => process.stdout.write(`demo ▶ ${line}\n`);
  const decoys = new Decoys(workspace);
  const started: { barista?: ChildProcess } = {};
  // Every way out, including an exception: no stand-in left running, no folder left behind.
  process.on('exit', () => {
    decoys.killAllNow();
    const { barista } = started;
    if (barista && barista.exitCode === null && barista.signalCode === null) barista.kill('SIGKILL');
    if (!values.keep) rmSync(home, { recursive: true, force: true });
  });

  // Before barista: what it finds at its first look is state, not news.
  const rulesFile = path.join(home, 'rules.yaml');
  writeFileSync(rulesFile, demoRules(path.join(ROOT, 'config', 'rules.yaml'), { staleGrace: STALE_GRACE, probeInterval: PROBE_INTERVAL }));
  const study = new DemoStudy(workspace, TRAINING_WORKERS);
  writeModelMetadata(workspace, 0, study.best.number, study.best.value);
  for (let index = 0; index < TRAINING_WORKERS; index++) decoys.start({ script: 'scripts/training/1_optimize_unified.py', args: WORKER_ARGS(index) });
  mkdirSync(path.join(workspace, 'logs'));
  const pids: Record<string, number> = {};
  for (const spec of TRADERS) pids[spec.name] = decoys.start({ script: 'scripts/deployment/paper_trader_alpaca_polling.py', args: traderArgs(spec), output: `logs/paper_trader_${spec.name}.log` });
  // The simulator writes the stand-ins' files, with their pids, on the real clock.
  const sim = new TraderSimulator({ workspace, start: new Date(), rates: NO_RANDOM_EVENTS, track: false, traders: TRADERS.map((spec) => ({ ...spec, pid: pids[spec.name] })) });
  const world: DemoWorld = { sim, study, decoys, workspace, pids };

  const until = runForMs > 0 ? `stops by itself after ${formatDuration(runForMs)} (--for 0: until Ctrl+C)` : 'Ctrl+C to stop';
  say(`workspace ${workspace}; barista state ${path.join(home, 'barista.db')}; ${until}`);
  say(`rules: config/rules.yaml with the heartbeat grace ${STALE_GRACE} and the process probe every ${PROBE_INTERVAL} (${rulesFile}); notifications wait 10 s (group_wait) to gather what belongs together`);
  say(`running: 2 paper traders (trial250, trial91) and ${TRAINING_WORKERS} Optuna workers (stand-in processes with the real command lines)`);
  const barista = spawn(process.execPath, [...NODE_FLAGS, path.join(ROOT, 'dist', 'src', 'cli.js'), 'run', '--config', rulesFile, '--state', path.join(home, 'barista.db')], {
    env: { ...process.env, CAPPUCCINO_WORKSPACE: workspace },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.barista = barista;
  const heard = watchOutput(barista, { ready: 'barista running', stopping: 'stopping' });

  let story: NodeJS.Timeout | undefined;
  heard.ready.then(() => {
    const started = Date.now();
    const pending = [...STAGES];
    const tick = (): void => {
      const now = Date.now();
      sim.stepUntil(new Date(now));
      while (pending.length > 0 && now >= started + (pending[0]?.after ?? 0) * 1000) {
        const stage = pending.shift();
        if (stage === undefined) break;
        say(`+${stage.after}s ${stage.say}`);
        stage.run(world);
      }
    };
    story = setInterval(() => {
      try {
        tick();
      } catch (error) {
        process.stderr.write(`demo: the simulation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        stop(false);
      }
    }, 250);
    tick();
  }, () => undefined);

  let stopping = false;
  /** Ends the story and barista; `signalled`: a Ctrl+C may have reached barista already. */
  const stop = (signalled: boolean): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(story);
    if (barista.exitCode !== null || barista.signalCode !== null) return;
    // One signal stops barista cleanly; a second one makes it exit at once.
    if (!signalled) barista.kill('SIGINT');
    else void Promise.race([heard.stopping, delay(OWN_SIGNAL_WAIT_MS)]).then((heardIt) => heardIt === true || barista.kill('SIGINT'));
  };
  if (runForMs > 0) setTimeout(() => stop(false), runForMs).unref();
  onSignal.handle = () => stop(true);
  barista.on('exit', (code, signal) => {
    stop(false);
    sim.close();
    study.close();
    void decoys.stopAll().then(() => {
      process.exitCode = code ?? (signal === null ? 0 : 128 + os.constants.signals[signal]);
      say(values.keep ? `stopped; the folder stays: ${home}` : 'stopped; temp folder and stand-in processes removed');
      process.exit();
    });
  });
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/** barista's JSON log line as one short line for a person (other lines unchanged); its `msg` too. */
function readableLogLine(line: string): { text: string; msg?: string } {
  if (!line.startsWith('{')) return { text: line };
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: unknown };
    if (typeof entry.msg !== 'string') return { text: line };
    return { text: `barista ${LEVELS[entry.level ?? 30] ?? 'log'}: ${entry.msg}`, msg: entry.msg };
  } catch {
    return { text: line };
  }
}

/** Passes barista's output through, its log lines made readable; resolves `ready` and
 * `stopping` (true) when its log says so. */
function watchOutput(child: ChildProcess, marks: { ready: string; stopping: string }): { ready: Promise<void>; stopping: Promise<true> } {
  let onReady: () => void = () => undefined;
  let onStopping: (value: true) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.once('exit', () => reject(new Error('barista exited')));
  });
  const stopping = new Promise<true>((resolve) => (onStopping = resolve));
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const { text, msg } = readableLogLine(line);
      process.stdout.write(`${text}\n`);
      if (msg === marks.ready) onReady();
      if (msg === marks.stopping) onStopping(true);
    }
  });
  child.stdout?.on('end', () => partial && process.stdout.write(`${partial}\n`));
  return { ready, stopping };
}

const delay = (ms: number): Promise<false> => new Promise((resolve) => setTimeout(() => resolve(false), ms));

main();
