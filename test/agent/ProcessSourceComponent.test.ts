/**
 * The process source against real child processes: a fake trader and a fake training worker
 * (Python scripts named like the real ones, in a temp folder) among decoys whose command lines
 * contain the same words. The classes match by path suffix inside the temp folder, so monitored
 * processes other tests run at the same time on this host are not counted here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { SchedulerLike } from 'rxjs';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ComponentContext } from '../../src/agent/Component';
import { ProcessSourceComponent, type ProbeLike } from '../../src/agent/sources/ProcessSourceComponent';
import { parseRules } from '../../src/config/loadRules';
import type { ProcessSourceConfig } from '../../src/config/schema';
import { silentLogger } from '../../src/logging/logger';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { compileLogRules } from '../../src/streams/logRules';
import type { TrackedProcess } from '../../src/streams/processLifecycle';
import { ProcessProbe, type ProbeSample } from '../../src/watchers/ProcessProbe';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const PYTHON = '/usr/bin/python3';
const TRADER_SCRIPT = 'paper_trader_alpaca_polling.py';
const WORKER_SCRIPT = '1_optimize_unified.py';
const SLEEPER = `import sys, time
print("Starting Alpaca paper trading (REST API polling)...")
print("ready " + " ".join(sys.argv[1:]))
sys.stdout.flush()
time.sleep(600)
`;

const tempDir = useTempDir();
let children: ChildProcess[] = [];
let state: StateStore;
let published: BaristaEvent[];
let components: ProcessSourceComponent[];

const ws = () => path.join(tempDir(), 'ws');
const scripts = () => path.join(tempDir(), 'scripts');

function sourceConfig(extra = ''): ProcessSourceConfig {
  const suffix = (script: string) => `${path.basename(tempDir())}/scripts/${script}`;
  const yaml = `workspace: /w\nsources:\n  - id: processes\n    type: process\n    match: { trader: "${suffix(TRADER_SCRIPT)}", training: "${suffix(WORKER_SCRIPT)}" }\n    interval: 100ms\n${extra}`;
  const result = parseRules(yaml, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as ProcessSourceConfig;
}

function startComponent(config: ProcessSourceConfig): ProcessSourceComponent {
  const context: ComponentContext = { workspace: ws(), state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: (events) => published.push(...events) };
  // The real probe, with no GPU query (the host's GPUs are not this test's).
  const component = new ProcessSourceComponent(config, context, { probe: new ProcessProbe({ diskPath: ws(), graphics: async () => [] }) });
  components.push(component);
  component.start();
  return component;
}

/** Starts a command in the workspace, stdout+stderr into `log` (a workspace-relative file) or nowhere. */
async function run(command: string, args: string[], log?: string): Promise<ChildProcess> {
  const out = log ? openSync(path.join(ws(), log), 'a') : 'ignore';
  // Its own process group, so that the cleanup also ends what it forked (bash's sleep).
  const child = spawn(command, args, { cwd: ws(), stdio: ['ignore', out, out], detached: true });
  if (typeof out === 'number') closeSync(out);
  children.push(child);
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  return child;
}

const trader = (name: string, log?: string) => run(PYTHON, ['-u', path.join(scripts(), TRADER_SCRIPT), '--model-dir', `deployments/${name}`, '--log-file', `paper_trades/${name}_session.csv`, '--timeframe=1h'], log);

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', group = false): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (group) process.kill(-child.pid!, signal);
  else child.kill(signal);
  await exited;
}

const of = (type: string, pid?: number) => published.filter((e) => e.type === type && (pid === undefined || e.fields.pid === pid));
const cachedProcesses = () => state.getCache<TrackedProcess[]>('processes')?.value ?? null;
const logHas = (file: string, text: string) => () => readFileSync(path.join(ws(), file), 'utf8').includes(text);

beforeEach(() => {
  for (const dir of ['logs', 'paper_trades', 'deployments']) mkdirSync(path.join(ws(), dir), { recursive: true });
  mkdirSync(scripts(), { recursive: true });
  for (const script of [TRADER_SCRIPT, WORKER_SCRIPT, 'helper.py']) writeFileSync(path.join(scripts(), script), SLEEPER);
  writeFileSync(path.join(ws(), 'logs', 'paper_trader.log'), 'old lines\n');
  state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  published = [];
  components = [];
  children = [];
});

afterEach(async () => {
  for (const component of components) component.stop();
  await Promise.all(children.map((child) => stopChild(child, 'SIGKILL', true)));
  state.close();
});

describe('ProcessSourceComponent with real processes', () => {
  it('tells the trader from decoys, and reports pause, resume, exit with its log tail, and worker counts', async () => {
    const traderScript = path.join(scripts(), TRADER_SCRIPT);
    const decoys = await Promise.all([
      run('tail', ['-f', path.join(ws(), 'logs', 'paper_trader.log')]),
      run(PYTHON, ['-c', 'import time; time.sleep(600)', traderScript]),
      run(PYTHON, [path.join(scripts(), 'helper.py'), traderScript, '--model-dir', 'deployments/model_0']),
      run('bash', ['-c', `sleep 600; : ${traderScript}`]),
      run('sleep', ['600']),
    ]);
    const decoyPids = new Set(decoys.map((d) => d.pid));
    const alive = await trader('trial7', 'logs/paper_trader_trial7.log');

    startComponent(sourceConfig('    expected: { training: 1 }\n'));
    const first = await waitFor(() => cachedProcesses(), { what: 'the first probe commit' });
    expect(first.map((p) => [p.pid, p.class, p.subject, p.model_dir, p.timeframe])).toEqual([[alive.pid, 'trader', 'trial7', 'deployments/trial7', '1h']]);
    expect(first[0].log_path).toBe(path.join(ws(), 'logs', 'paper_trader_trial7.log')); // where its stdout goes
    // Running before barista looked: state, not an event. No worker yet: below expected, once.
    expect(of('trader.started')).toEqual([]);
    expect(of('training.workers_below_expected').map((e) => e.fields)).toEqual([{ class: 'training', expected: 1, running: 0, paused: 0, pids: [] }]);

    const worker = await run(PYTHON, ['-u', path.join(scripts(), WORKER_SCRIPT), '--n-trials', '500', '--study-name', 'study_a']);
    const started = await waitFor(() => of('training.worker_started', worker.pid)[0], { what: 'training.worker_started' });
    expect(started).toMatchObject({ subject: 'study_a', fields: { study_name: 'study_a', args: { n_trials: '500', study_name: 'study_a' } } });
    await waitFor(() => of('training.workers_expected_ok').length === 1, { what: 'training.workers_expected_ok' });

    alive.kill('SIGSTOP');
    await waitFor(() => of('trader.paused', alive.pid).length === 1, { what: 'trader.paused' });
    expect(cachedProcesses()?.find((p) => p.pid === alive.pid)).toMatchObject({ state: 'T', paused: true });
    alive.kill('SIGCONT');
    await waitFor(() => of('trader.resumed', alive.pid).length === 1, { what: 'trader.resumed' });

    await waitFor(logHas('logs/paper_trader_trial7.log', 'ready'), { what: 'the trader to print' });
    await stopChild(alive);
    const exited = await waitFor(() => of('trader.exited', alive.pid)[0], { what: 'trader.exited' });
    expect(exited.subject).toBe('trial7');
    expect(exited.fields.log_tail).toEqual(['Starting Alpaca paper trading (REST API polling)...', 'ready --model-dir deployments/trial7 --log-file paper_trades/trial7_session.csv --timeframe=1h']);
    expect(exited.fields).toMatchObject({ runtime_s: expect.any(Number), zombie: false, model_dir: 'deployments/trial7' });

    await stopChild(worker, 'SIGKILL');
    await waitFor(() => of('training.workers_below_expected').length === 2, { what: 'the second below-expected' });

    expect(published.map((e) => [e.type, e.fields.pid ?? e.fields.running])).toEqual([
      ['training.workers_below_expected', 0],
      ['training.worker_started', worker.pid],
      ['training.workers_expected_ok', 1],
      ['trader.paused', alive.pid],
      ['trader.resumed', alive.pid],
      ['trader.exited', alive.pid],
      ['training.worker_exited', worker.pid],
      ['training.workers_below_expected', 0],
    ]);
    expect(published.filter((e) => decoyPids.has(e.fields.pid as number))).toEqual([]);
    expect(new Set(published.map((e) => e.id)).size).toBe(published.length);
    const host = state.getCache<{ memory: { used_percent: number }; disk: { path: string } }>('host')?.value;
    expect(host?.memory.used_percent).toBeGreaterThan(0);
    expect(host?.disk.path).toBe(ws());
  }, 30_000);

  it('carries on across a restart: no second start, an exit while it was away is reported once', async () => {
    const first = await trader('trial1', 'logs/trial1.log');
    // Keyed by the CSV stem (the trader's name before it had one name): still its log.
    const config = sourceConfig('    logs: { trial2_session: logs/trial2_by_config.log }\n');
    const before = startComponent(config);
    await waitFor(() => cachedProcesses()?.length === 1, { what: 'the first trader in the cache' });
    const second = await trader('trial2'); // stdout nowhere: its log comes from the config
    await waitFor(() => of('trader.started', second.pid).length === 1, { what: 'trader.started' });
    before.stop();

    await waitFor(logHas('logs/trial1.log', 'ready'), { what: 'the first trader to print' });
    await stopChild(first);
    writeFileSync(path.join(ws(), 'logs', 'trial2_by_config.log'), 'line 1\n\x1b[92mline 2\x1b[0m\n');

    startComponent(config);
    const away = await waitFor(() => of('trader.exited', first.pid)[0], { what: 'the exit that happened while away' });
    expect(away.fields.log_tail).toEqual(expect.arrayContaining([expect.stringMatching(/^ready --model-dir deployments\/trial1/)]));
    await waitFor(() => cachedProcesses()?.length === 1, { what: 'the cache after the restart' });

    await stopChild(second);
    const exited = await waitFor(() => of('trader.exited', second.pid)[0], { what: 'the second exit' });
    expect(exited.fields).toMatchObject({ log_path: path.join(ws(), 'logs', 'trial2_by_config.log'), log_tail: ['line 1', 'line 2'] });
    expect(published.map((e) => [e.type, e.fields.pid])).toEqual([
      ['trader.started', second.pid],
      ['trader.exited', first.pid],
      ['trader.exited', second.pid],
    ]);
  }, 30_000);
});

describe('ProcessSourceComponent host alarms', () => {
  /** A probe the test drives, one sample at a time, on a clock the test sets. */
  class DrivenProbe implements ProbeLike {
    private onSample: ((sample: ProbeSample) => void) | null = null;
    start(_intervalMs: number, onSample: (sample: ProbeSample) => void): void {
      this.onSample = onSample;
    }
    stop(): void {
      this.onSample = null;
    }
    details() {
      return { cwd: null, stdout: null };
    }
    feed(atMs: number, cpuPercent: number): void {
      clock.ms = atMs;
      this.onSample!({ at: atMs, bootId: 'boot', processes: [], host: { cpuPercent, cpuCount: 2, memory: null, disk: null, gpus: null } });
    }
  }
  const clock = { ms: 0 };
  const scheduler = { now: () => clock.ms } as SchedulerLike;

  function start(probe: DrivenProbe): ProcessSourceComponent {
    const config = sourceConfig('    host: { cpu: { raise: 90, clear: 80, for: 10s } }\n');
    const context: ComponentContext = { workspace: ws(), state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: (events) => published.push(...events) };
    const component = new ProcessSourceComponent(config, context, { probe, scheduler });
    components.push(component);
    component.start();
    return component;
  }

  it('commits an alarm once, keeps it raised across a restart, and clears it once', () => {
    const T = Date.parse('2026-02-09T07:00:00Z');
    const first = new DrivenProbe();
    const before = start(first);
    [95, 97, 99].forEach((cpu, i) => first.feed(T + i * 10_000, cpu));
    expect(published.map((e) => [e.type, e.subject, e.at, e.fields.value])).toEqual([['host.cpu_high', 'host', new Date(T + 10_000).toISOString(), 97]]);
    expect(state.getCache<{ alarms: string[]; cpu_percent: number }>('host')?.value).toMatchObject({ alarms: ['cpu'], cpu_percent: 99 });
    before.stop();

    const second = new DrivenProbe();
    start(second);
    [99, 99, 70, 75, 72].forEach((cpu, i) => second.feed(T + (3 + i) * 10_000, cpu));
    expect(published.map((e) => [e.type, e.fields.value])).toEqual([
      ['host.cpu_high', 97],
      ['host.cpu_ok', 75],
    ]);
    expect(state.getCache<{ alarms: string[] }>('host')?.value.alarms).toEqual([]);
  });
});

describe('the process source counts only the workspace’s processes (issue 12 item 9)', () => {
  /** The same command line, started in `cwd` with the script copied there. */
  async function traderIn(cwd: string, script = TRADER_SCRIPT): Promise<ChildProcess> {
    mkdirSync(cwd, { recursive: true });
    writeFileSync(path.join(cwd, TRADER_SCRIPT), SLEEPER);
    const child = spawn(PYTHON, ['-u', script, '--model-dir', 'deployments/trial7', '--log-file', 'paper_trades/trial7_session.csv'], { cwd, stdio: 'ignore', detached: true });
    children.push(child);
    await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    return child;
  }

  const plainConfig = (extra = '') => {
    const result = parseRules(`workspace: /w\nsources:\n  - id: processes\n    type: process\n    match: { trader: "${TRADER_SCRIPT}" }\n    interval: 100ms\n${extra}`, 'rules.yaml', {});
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return result.rules.config.sources[0] as ProcessSourceConfig;
  };

  it('by working directory or by a path argument inside the workspace; the same argv in another folder is not counted unless only_workspace is false', async () => {
    const own = await traderIn(ws());
    const foreign = await traderIn(path.join(tempDir(), 'other-system'));
    // Started from elsewhere, but running the workspace's script by its absolute path.
    const byPath = await traderIn(path.join(tempDir(), 'elsewhere'), path.join(ws(), TRADER_SCRIPT));

    const component = startComponent(plainConfig('    expected: { trader: 2 }\n'));
    const pids = () => (cachedProcesses() ?? []).map((p) => p.pid);
    await waitFor(() => pids().includes(own.pid!) && pids().includes(byPath.pid!), { what: 'the workspace traders tracked' });
    expect(pids()).not.toContain(foreign.pid);
    expect(pids()).toHaveLength(2);

    // The foreign one exiting is not this workspace's trader exiting.
    await stopChild(foreign, 'SIGKILL');
    await stopChild(own);
    await waitFor(() => of('trader.exited', own.pid).length === 1, { what: 'the own trader exited' });
    expect(of('trader.exited', foreign.pid)).toEqual([]);
    expect(of('trader.below_expected')).toHaveLength(1);
    component.stop();

    const again = await traderIn(path.join(tempDir(), 'other-system'));
    startComponent(plainConfig('    only_workspace: false\n'));
    await waitFor(() => pids().includes(again.pid!) && pids().includes(byPath.pid!), { what: 'every matching process, opted out' });
  });
});
