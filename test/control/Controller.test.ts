/**
 * Control against real child processes: a decoy trader (test/support/decoys, a Python script
 * named like the real one and copied into a temp folder) that handles SIGINT the way the real
 * one does — a line, then the current sleep runs to its end, then exit 0 — and dies on SIGTERM;
 * a decoy training worker; a node stand-in for barista that is SIGKILLed. The process classes
 * match by path suffix inside the temp folder, so processes of other tests are never touched.
 */
import { killRunningFrom } from '../support/decoys/killRunningFrom';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseRules } from '../../src/config/loadRules';
import { Controller, procFinder, type Outcome, type Progress, type StartPlan, type StopPlan } from '../../src/control';
import type { Refusal, WorkersPlan } from '../../src/control/plan';
import { liveness, readStat } from '../../src/control/procfs';
import { installSystemdStub } from '../support/systemdStub';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const PYTHON = '/usr/bin/python3';
const DECOYS = path.resolve(__dirname, '..', 'support', 'decoys');
const TRADER = 'paper_trader_alpaca_polling.py';
const WORKER = '1_optimize_unified.py';
const WEBHOOK_TOKEN = 'abcdefghijklmnopqrstuvwxyz0123456789ABCD';
const BANNER = '^Starting Alpaca (paper|live) trading';

const tempDir = useTempDir('barista-control-');
let rootDir = '';
const root = () => rootDir;
const ws = () => path.join(root(), 'ws');
const script = (name: string) => path.join(root(), 'scripts', name);
const logOf = (name = 'trial250') => path.join(ws(), 'logs', `${name}.log`);

/** Processes to end after each test, by identity (a pid alone could be reused). */
let owned: { pid: number; startTicks: number }[] = [];
let controllers: Controller[] = [];
let nodeChildren: ChildProcess[] = [];

function own(pid: number): void {
  const stat = readStat(pid);
  if (stat) owned.push({ pid, startTicks: stat.startTicks });
}

beforeEach(() => {
  rootDir = realpathSync(tempDir());
  for (const dir of ['logs', 'paper_trades', 'deployments/trial_250_live', 'deployments/model_0']) mkdirSync(path.join(ws(), dir), { recursive: true });
  mkdirSync(path.join(root(), 'scripts'));
  for (const name of [TRADER, WORKER]) copyFileSync(path.join(DECOYS, name), script(name));
});

afterEach(async () => {
  for (const controller of controllers) controller.close();
  for (const child of nodeChildren) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const { pid, startTicks } of owned) {
    if (liveness(pid, startTicks) === 'alive') process.kill(pid, 'SIGKILL');
    await waitFor(() => liveness(pid, startTicks) !== 'alive', { what: `pid ${pid} to end` });
  }
  // Anything still running from this test's scripts folder (a test that failed before it could
  // record a pid): found by its argv naming this temp folder, which no other test uses.
  await killRunningFrom(path.join(root(), 'scripts'));
  owned = [];
  controllers = [];
  nodeChildren = [];
});

interface TraderYaml {
  args?: string[];
  log?: string | null;
  settle?: string;
  banner?: string | null;
  stop?: string;
  extraStart?: string;
}

function traderYaml(name: string, options: TraderYaml = {}): string {
  const argv = [PYTHON, '-u', script(TRADER), '--model-dir', `deployments/trial_250_live`, '--log-file', `paper_trades/${name}_session.csv`, ...(options.args ?? ['--decoy-sleep', '0.5'])];
  const log = options.log === undefined ? `logs/${name}.log` : options.log;
  const banner = options.banner === undefined ? BANNER : options.banner;
  return [
    `    ${name}:`,
    `      start:`,
    `        argv: ${JSON.stringify(argv)}`,
    `        cwd: "."`,
    ...(log ? [`        log: ${log}`] : []),
    `        settle: ${options.settle ?? '300ms'}`,
    ...(banner ? [`        banner: '${banner}'`, '        banner_timeout: 10s'] : []),
    ...(options.extraStart ? [options.extraStart] : []),
    `      stop: ${options.stop ?? '{ signal: SIGINT, grace: 5s, wait: 5s }'}`,
  ].join('\n');
}

function rulesYaml(control: string): string {
  const suffix = (name: string) => `${path.basename(root())}/scripts/${name}`;
  return `workspace: ${ws()}\nsources:\n  - id: processes\n    type: process\n    match: { trader: "${suffix(TRADER)}", training: "${suffix(WORKER)}" }\ncontrol:\n${control}\n`;
}

function configOf(control: string) {
  const result = parseRules(rulesYaml(control), path.join(root(), 'rules.yaml'), {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config;
}

function makeController(control: string, options: { env?: NodeJS.ProcessEnv; nextPollDue?: (t: string) => number | null; envFileDir?: string } = {}): Controller {
  const config = configOf(control);
  const match = (config.sources[0] as { match: Record<string, string> }).match;
  const controller = new Controller({
    control: config.control,
    workspace: ws(),
    finder: procFinder({ classes: Object.entries(match) }),
    env: options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME },
    nextPollDue: options.nextPollDue,
    envFileDir: options.envFileDir,
    afterEscalationMs: 5000,
    pollMs: 20,
  });
  controllers.push(controller);
  return controller;
}

const traders = (...entries: string[]) => `  traders:\n${entries.join('\n')}`;

/** The names the decoy printed with --decoy-env. */
const envNamesLogged = () => readFileSync(logOf(), 'utf8').split('\n').find((line) => line.startsWith('env: '))!.slice(5).split(' ');

function planned<T extends { refused: false }>(plan: T | Refusal): T {
  if (plan.refused) throw new Error(`refused: ${plan.reason}`);
  return plan;
}

async function started(controller: Controller, name = 'trial250') {
  const outcome = await controller.execute(planned<StartPlan>(controller.planStart(name)));
  if (outcome.refused || outcome.action !== 'start') throw new Error(JSON.stringify(outcome));
  if (outcome.outcome.kind === 'started' || outcome.outcome.kind === 'unconfirmed' || outcome.outcome.kind === 'abandoned') own(outcome.outcome.pid);
  return outcome.outcome;
}

/** A decoy trader started by the test itself (not by control), in the workspace. */
async function spawnTrader(args: string[]): Promise<ChildProcess> {
  const child = spawn(PYTHON, ['-u', script(TRADER), ...args], { cwd: ws(), stdio: 'ignore', detached: true });
  await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
  own(child.pid!);
  child.unref();
  return child;
}

describe('start', () => {
  it('reports started after settle with its pid and the banner, appends to the log, and refuses a second copy', async () => {
    writeFileSync(logOf(), 'an older run\n');
    const controller = makeController(traders(traderYaml('trial250')));
    const plan = planned<StartPlan>(controller.planStart('trial250'));
    expect(plan.text).toContain(`Start trial250: ${PYTHON} -u ${script(TRADER)}`);
    expect(plan.text).toContain(`output appended to ${logOf()}`);

    const progress: Progress[] = [];
    const before = Date.now();
    const outcome = await controller.execute(plan, { onProgress: (p) => progress.push(p) });
    if (outcome.refused || outcome.action !== 'start') throw new Error(JSON.stringify(outcome));
    const result = outcome.outcome;
    if (result.kind !== 'started') throw new Error(JSON.stringify(result));
    own(result.pid);
    expect(Date.now() - before).toBeGreaterThanOrEqual(300);
    expect(result.afterMs).toBeGreaterThanOrEqual(300);
    expect(result.banner).toBe('Starting Alpaca paper trading (REST API polling)...');
    expect(progress).toEqual([{ kind: 'spawned', trader: 'trial250', pid: result.pid }]);
    expect(liveness(result.pid, result.startTicks)).toBe('alive');

    // Its own session (setsid): it is the leader of a session that is not barista's.
    const stat = readFileSync(`/proc/${result.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect(Number(fields[3])).toBe(result.pid); // session id
    expect(Number(fields[3])).not.toBe(Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[3]));

    // The log was appended to: the old content is kept, the decoy's stdout follows it.
    await waitFor(() => readFileSync(logOf(), 'utf8').includes('Polling for new bars'), { what: 'a poll line' });
    expect(readFileSync(logOf(), 'utf8')).toMatch(/^an older run\n\nStarting Alpaca paper trading/);

    const again = controller.planStart('trial250');
    expect(again).toMatchObject({ refused: true, code: 'already running', reason: `trial250 is already running (pid ${result.pid})` });
    // Executing an old start plan re-checks too.
    expect(await controller.execute(plan)).toMatchObject({ refused: true, code: 'already running' });
  });

  it('reports a script that exits at once with its exit code and the redacted tail of its log', async () => {
    const controller = makeController(traders(traderYaml('trial250', { args: ['--decoy-exit', '3'], settle: '5s' })));
    const before = Date.now();
    const result = await started(controller);
    expect(result.kind).toBe('exited');
    if (result.kind !== 'exited') return;
    expect(result.code).toBe(3);
    expect(result.signal).toBeNull();
    expect(Date.now() - before).toBeLessThan(5000); // told at the exit, not after settle
    expect(result.logTail).toEqual([
      'Loading model from deployments/trial_250_live',
      'Traceback (most recent call last):',
      '  posting to https://discord.com/api/webhooks/123456789012345678/[REDACTED]',
      'FileNotFoundError: no checkpoint in deployments/trial_250_live',
    ]);
    expect(JSON.stringify(result)).not.toContain(WEBHOOK_TOKEN);
  });

  it('reports a command that cannot be executed as failed to spawn', async () => {
    const control = traders(traderYaml('trial250')).replace(JSON.stringify(PYTHON), JSON.stringify(path.join(root(), 'no-such-python')));
    const result = await started(makeController(control));
    expect(result).toEqual({ kind: 'spawn_failed', trader: 'trial250', error: `${path.join(root(), 'no-such-python')}: ENOENT` });
  });

  it("passes PATH, HOME, LANG, env: and pass_env names only: barista's own secrets stay home", async () => {
    const extra = '        env: { PYTHONUNBUFFERED: "1" }\n        pass_env: [ALPACA_API_KEY]';
    const controller = makeController(traders(traderYaml('trial250', { args: ['--decoy-env', '--decoy-sleep', '0.5'], extraStart: extra })), {
      env: { PATH: process.env.PATH, HOME: '/home/someone', LANG: 'C.UTF-8', ALPACA_API_KEY: 'key', DISCORD_BOT_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef.ghijklmnopqrstuvwxyz0123456789', DISCORD_WEBHOOK_URL: 'https://x', OTHER: 'x' },
    });
    expect((await started(controller)).kind).toBe('started');
    const names = envNamesLogged();
    expect(names).toEqual(expect.arrayContaining(['ALPACA_API_KEY', 'HOME', 'LANG', 'PATH', 'PYTHONUNBUFFERED']));
    expect(names.filter((n) => n.startsWith('DISCORD') || n === 'OTHER')).toEqual([]);
  });

  it('says unconfirmed when the process lives but its banner never shows', async () => {
    const controller = makeController(traders(traderYaml('trial250', { banner: '^never printed$' }).replace('banner_timeout: 10s', 'banner_timeout: 600ms')));
    const result = await started(controller);
    expect(result).toMatchObject({ kind: 'unconfirmed', trader: 'trial250' });
    expect(result.kind === 'unconfirmed' && result.afterMs).toBeGreaterThanOrEqual(600);
  });
});

describe('stop', () => {
  it('sends SIGINT, says what to expect at once, and reports the exit after the current sleep', async () => {
    const controller = makeController(traders(traderYaml('trial250', { args: ['--decoy-sleep', '1.5'] })), { nextPollDue: () => Date.parse('2026-02-09T14:00:00Z') });
    const start = await started(controller);
    if (start.kind !== 'started') throw new Error(JSON.stringify(start));
    // Wait for the decoy to be inside its sleep (after a poll line), as the real one usually is.
    await waitFor(() => readFileSync(logOf(), 'utf8').includes('Polling for new bars'));

    const plan = planned<StopPlan>(controller.planStop('trial250'));
    expect(plan).toMatchObject({ action: 'stop', trader: 'trial250', pid: start.pid, startTicks: start.startTicks, signal: 'SIGINT', then: null });
    expect(plan.text).toMatch(new RegExp(`^Send SIGINT to trial250 \\(pid ${start.pid}, up \\d+ s\\)$`));
    expect(plan.expectation).toBe('trial250 finishes its current poll; next poll due 14:00 UTC; no escalation is configured: barista watches for its exit up to 10 s');

    const progress: { p: Progress; at: number }[] = [];
    const t0 = Date.now();
    const outcome = await controller.execute(plan, { onProgress: (p) => progress.push({ p, at: Date.now() }) });
    expect(progress.map((e) => e.p)).toEqual([{ kind: 'signalled', trader: 'trial250', pid: start.pid, signal: 'SIGINT' }]);
    expect(progress[0].at - t0).toBeLessThan(500); // answered at once
    if (outcome.refused || outcome.action !== 'stop') throw new Error(JSON.stringify(outcome));
    expect(outcome.outcome).toMatchObject({ kind: 'exited', pid: start.pid, escalated: false, signals: ['SIGINT'], exit: { code: 0, signal: null } });
    // It finished its sleep (up to 1.5 s) after the interrupt line, then its loop.
    expect(outcome.outcome.kind === 'exited' && outcome.outcome.logTail).toEqual(['Received interrupt, stopping...', 'decoy: loop ended']);
    expect(liveness(start.pid, start.startTicks)).toBe('gone');
    expect(controller.planStop('trial250')).toMatchObject({ refused: true, code: 'not running' });
  });

  it('escalates to then: only after grace, and says so', async () => {
    const stop = '{ signal: SIGINT, grace: 1s, then: SIGTERM }';
    const controller = makeController(traders(traderYaml('trial250', { args: ['--decoy-ignore-sigint', '--decoy-sleep', '0.2'], stop })));
    const start = await started(controller);
    const plan = planned<StopPlan>(controller.planStop('trial250'));
    expect(plan.expectation).toContain('if it still runs after 1 s, barista sends SIGTERM');

    const progress: { p: Progress; at: number }[] = [];
    const t0 = Date.now();
    const outcome = await controller.execute(plan, { onProgress: (p) => progress.push({ p, at: Date.now() }) });
    if (outcome.refused || outcome.action !== 'stop' || start.kind !== 'started') throw new Error(JSON.stringify(outcome));
    expect(progress.map((e) => e.p.kind)).toEqual(['signalled', 'grace_passed', 'escalated']);
    expect(progress[1].p).toMatchObject({ next: { escalating: 'SIGTERM' } });
    expect(progress[2].p).toEqual({ kind: 'escalated', trader: 'trial250', pid: start.pid, signal: 'SIGTERM' });
    expect(progress[2].at - t0).toBeGreaterThanOrEqual(1000);
    expect(outcome.outcome).toMatchObject({ kind: 'exited', escalated: true, signals: ['SIGINT', 'SIGTERM'], exit: { code: null, signal: 'SIGTERM' } });
  });

  it('never escalates without then: it reports the process still running, and leaves it running', async () => {
    const stop = '{ signal: SIGINT, grace: 500ms, wait: 700ms }';
    const controller = makeController(traders(traderYaml('trial250', { args: ['--decoy-ignore-sigint', '--decoy-sleep', '0.2'], stop })));
    const start = await started(controller);
    if (start.kind !== 'started') throw new Error(JSON.stringify(start));
    const progress: Progress[] = [];
    const outcome = await controller.execute(planned<StopPlan>(controller.planStop('trial250')), { onProgress: (p) => progress.push(p) });
    expect(progress.map((p) => p.kind)).toEqual(['signalled', 'grace_passed']);
    expect(progress[1]).toMatchObject({ next: { waitingMs: 700 } });
    expect(outcome).toMatchObject({ action: 'stop', outcome: { kind: 'still_running', escalated: false, signals: ['SIGINT'] } });
    expect(outcome.refused === false && outcome.action === 'stop' && outcome.outcome.kind === 'still_running' && outcome.outcome.afterMs).toBeGreaterThanOrEqual(1200);
    expect(liveness(start.pid, start.startTicks)).toBe('alive');
  });

  it('asks which one when two processes match one trader, and stops the one picked', async () => {
    const controller = makeController(traders(traderYaml('trial250')));
    const args = ['--model-dir', 'deployments/trial_250_live', '--log-file', 'paper_trades/trial250_session.csv', '--decoy-sleep', '0.3'];
    const a = await spawnTrader(args);
    const b = await spawnTrader(args);
    // Another trader (other model, other CSV) is not a candidate.
    await spawnTrader(['--model-dir', 'deployments/model_0', '--log-file', 'paper_trades/model_0_session.csv']);
    const refusal = controller.planStop('trial250');
    expect(refusal).toMatchObject({ refused: true, code: 'ambiguous', reason: '2 processes match trial250: pick one' });
    expect(refusal.refused && refusal.candidates!.map((c) => c.pid).sort()).toEqual([a.pid, b.pid].sort());
    expect(controller.planStart('trial250')).toMatchObject({ refused: true, code: 'already running' });
    expect(controller.planStop('trial250', 1)).toMatchObject({ refused: true, code: 'not running' });

    const plan = planned<StopPlan>(controller.planStop('trial250', String(b.pid)));
    expect(plan.pid).toBe(b.pid);
    const outcome = await controller.execute(plan);
    expect(outcome).toMatchObject({ action: 'stop', outcome: { kind: 'exited', pid: b.pid, escalated: false, exit: null } });
    expect(readStat(a.pid!)).not.toBeNull();
  });

  it('does not signal a planned pid that now names another process', async () => {
    const controller = makeController(traders(traderYaml('trial250')));
    const child = await spawnTrader(['--model-dir', 'deployments/trial_250_live', '--log-file', 'paper_trades/trial250_session.csv']);
    const plan = planned<StopPlan>(controller.planStop('trial250'));
    const outcome = await controller.execute({ ...plan, startTicks: plan.startTicks - 1 });
    expect(outcome).toMatchObject({ action: 'stop', outcome: { kind: 'not_running', reason: 'its pid now belongs to another process' } });
    expect(readStat(child.pid!)?.state).not.toBe('Z');
    expect(readFileSync(`/proc/${child.pid}/status`, 'utf8')).toMatch(/^SigPnd:\s+0+$/m);
  });

  it('ends its wait at once when barista shuts down, leaving the trader running', async () => {
    const stop = '{ signal: SIGINT, grace: 60s }';
    const controller = makeController(traders(traderYaml('trial250', { args: ['--decoy-ignore-sigint'], stop })));
    const start = await started(controller);
    if (start.kind !== 'started') throw new Error(JSON.stringify(start));
    const signalled = new Promise<void>((resolve) => void controller.execute(planned<StopPlan>(controller.planStop('trial250')), { onProgress: () => resolve() }).then((o) => (result = o)));
    let result: Outcome | null = null;
    await signalled;
    const t0 = Date.now();
    controller.close();
    await waitFor(() => result, { timeoutMs: 1000, what: 'the stop to end' });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(result).toMatchObject({ action: 'stop', outcome: { kind: 'abandoned', signals: ['SIGINT'] } });
    expect(liveness(start.pid, start.startTicks)).toBe('alive');
  });

  it('once replaced after a rules edit (retire), finishes the stop it runs and reports it, then closes', async () => {
    const controller = makeController(traders(traderYaml('trial250', { args: ['--decoy-sleep', '1'] })));
    const start = await started(controller);
    if (start.kind !== 'started') throw new Error(JSON.stringify(start));
    let result: Outcome | null = null;
    await new Promise<void>((resolve) => void controller.execute(planned<StopPlan>(controller.planStop('trial250')), { onProgress: () => resolve() }).then((o) => (result = o)));
    controller.retire();
    expect(controller.closed).toBe(false);
    await waitFor(() => result, { timeoutMs: 10_000, what: 'the stop to end' });
    expect(result).toMatchObject({ action: 'stop', outcome: { kind: 'exited', pid: start.pid, exit: { code: 0 } } });
    expect(controller.closed).toBe(true);
    // An idle one closes at once.
    const idle = makeController(traders(traderYaml('trial250')));
    idle.retire();
    expect(idle.closed).toBe(true);
  });
});

describe('restart', () => {
  it('stops, then starts, reporting both; refuses a second action while one runs', async () => {
    const controller = makeController(traders(traderYaml('trial250')));
    const first = await started(controller);
    if (first.kind !== 'started') throw new Error(JSON.stringify(first));
    const plan = controller.planRestart('trial250');
    if (plan.refused) throw new Error(plan.reason);
    const running = controller.execute(plan);
    expect(controller.planStop('trial250')).toMatchObject({ refused: true, code: 'busy' });
    const outcome = await running;
    if (outcome.refused || outcome.action !== 'restart') throw new Error(JSON.stringify(outcome));
    expect(outcome.stop).toMatchObject({ kind: 'exited', pid: first.pid, exit: { code: 0 } });
    expect(outcome.start).toMatchObject({ kind: 'started', trader: 'trial250' });
    if (outcome.start?.kind === 'started') own(outcome.start.pid);
    expect(outcome.start?.kind === 'started' && outcome.start.pid).not.toBe(first.pid);
  });
});

describe('a trader started by barista outlives barista', () => {
  function baristaLike(action: 'start' | 'stop'): { child: ChildProcess; lines: () => Record<string, unknown>[] } {
    const rules = path.join(root(), 'rules.yaml');
    writeFileSync(rules, rulesYaml(traders(traderYaml('trial250', { args: ['--decoy-sleep', '0.5'] }))));
    const child = spawn(process.execPath, [path.join(DECOYS, 'baristaLike.js'), action, rules], { cwd: root(), env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    nodeChildren.push(child);
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const lines = () => {
      if (err) throw new Error(err);
      return out
        .split('\n')
        .filter((l) => l.endsWith('}'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    return { child, lines };
  }

  it('is still running after barista is SIGKILLed, and a new barista stops it', async () => {
    const first = baristaLike('start');
    const said = await waitFor(() => first.lines().find((l) => 'outcome' in l), { timeoutMs: 15_000, what: 'the start outcome' });
    const outcome = (said as { outcome: { outcome: { kind: string; pid: number; startTicks: number } } }).outcome.outcome;
    expect(outcome.kind).toBe('started');
    own(outcome.pid);
    expect(readStat(outcome.pid)!.ppid).toBe(first.child.pid);
    expect(first.child.spawnargs.join(' ')).not.toMatch(/paper_trader|watchdog|1_optimize_unified/);

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    // Reparented, alive, not a zombie, and still polling into its log.
    await waitFor(() => readStat(outcome.pid)?.ppid !== first.child.pid, { what: 'reparenting' });
    const stat = readStat(outcome.pid)!;
    expect(stat.startTicks).toBe(outcome.startTicks);
    expect(['S', 'R']).toContain(stat.state);
    const size = readFileSync(logOf()).length;
    await waitFor(() => readFileSync(logOf()).length > size, { what: 'the orphaned trader to keep writing' });

    // barista again: it finds the trader by its class match (not its child any more) and stops it.
    const second = baristaLike('stop');
    const stopped = await waitFor(() => second.lines().find((l) => 'outcome' in l), { timeoutMs: 15_000, what: 'the stop outcome' });
    expect(stopped).toMatchObject({ outcome: { action: 'stop', outcome: { kind: 'exited', pid: outcome.pid, exit: null, escalated: false } } });
    expect(liveness(outcome.pid, outcome.startTicks)).toBe('gone');
  });
});

describe('as its own systemd unit (control.launcher)', () => {
  const SECRET = 'alpaca-secret-value-0123456789';
  const UNIT_ARGS = ['--decoy-env', '--decoy-sleep', '0.3', '--note=$HOME costs $$5'];
  /** barista as a user service: what systemd gives it, and the systemd-run / systemctl stand-ins first on PATH. */
  function underSystemd(extra: NodeJS.ProcessEnv = {}) {
    const stub = installSystemdStub(path.join(root(), 'systemd'));
    const env = { PATH: `${stub.bin}:${process.env.PATH}`, HOME: process.env.HOME, LANG: 'C.UTF-8', INVOCATION_ID: 'f00d', MANAGERPID: '4242', XDG_RUNTIME_DIR: path.join(root(), 'run'), ALPACA_API_SECRET: SECRET, DISCORD_BOT_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.abcdef.ghijklmnopqrstuvwxyz0123456789', ...extra };
    return { stub, env, stateDir: path.join(root(), 'var') };
  }
  const withSecret = (args: string[]) => traderYaml('trial250', { args, extraStart: '        env: { PYTHONUNBUFFERED: "1" }\n        pass_env: [ALPACA_API_SECRET]' });

  it('under systemd, starts the trader through systemd-run: its own unit, its cwd and log, exactly its environment, no secret on a command line; stop still works', async () => {
    const { stub, env, stateDir } = underSystemd();
    const controller = makeController(traders(withSecret(UNIT_ARGS)), { env, envFileDir: stateDir });
    writeFileSync(logOf(), 'an older run\n');
    expect(planned<StartPlan>(controller.planStart('trial250')).text).toMatch(/output appended to .*trial250\.log\), as its own systemd unit \(systemd-run --user\)$/);
    const result = await started(controller);
    if (result.kind !== 'started') throw new Error(JSON.stringify(result));
    // Its command line as configured: a `$` is not the service manager's to expand.
    expect(readFileSync(`/proc/${result.pid}/cmdline`, 'utf8').split('\0').slice(0, -1)).toEqual(configOf(traders(withSecret(UNIT_ARGS))).control.traders!.trial250.start.argv);
    expect(result.unit).toMatch(/^barista-trader-trial250-[0-9a-z]+\.service$/);
    expect(result.banner).toBe('Starting Alpaca paper trading (REST API polling)...');
    // Started by the service manager, not by barista; in its working directory; appending to its log.
    expect(readStat(result.pid)!.ppid).not.toBe(process.pid);
    expect(readlinkSync(`/proc/${result.pid}/cwd`)).toBe(ws());
    expect(readFileSync(logOf(), 'utf8')).toMatch(/^an older run\n/);
    // Its environment: PATH, HOME, LANG, env:, pass_env, and what systemd adds to every service.
    expect(envNamesLogged().sort()).toEqual(['ALPACA_API_SECRET', 'HOME', 'INVOCATION_ID', 'LANG', 'MANAGERPID', 'PATH', 'PYTHONUNBUFFERED']);

    const [call] = stub.calls();
    expect(call.argv.slice(0, 2)).toEqual(['--user', `--unit=${result.unit}`]);
    expect(call.argv).toEqual(expect.arrayContaining(['--collect', '--quiet', '--service-type=exec', `--property=WorkingDirectory=${ws()}`, `--property=StandardOutput=append:${logOf()}`, `--property=StandardError=append:${logOf()}`]));
    expect(call.argv.slice(call.argv.indexOf('--') + 1)).toEqual(configOf(traders(withSecret(UNIT_ARGS))).control.traders!.trial250.start.argv.map((arg, i) => (i === 0 ? arg : arg.replace(/\$/g, '$$$$'))));
    expect(JSON.stringify(call)).not.toContain(SECRET);
    // systemd-run itself sees only what finds the user manager; the environment file is gone.
    expect(call.envNames).toEqual(['LANG', 'PATH', 'XDG_RUNTIME_DIR']);
    expect(readdirSync(path.join(stateDir, 'launch'))).toEqual([]);
    expect(statSync(path.join(stateDir, 'launch')).mode & 0o777).toBe(0o700);

    const stopped = await controller.execute(planned<StopPlan>(controller.planStop('trial250')));
    expect(stopped).toMatchObject({ action: 'stop', outcome: { kind: 'exited', pid: result.pid, exit: null, signals: ['SIGINT'] } });
    expect(stopped.refused === false && stopped.action === 'stop' && stopped.outcome.kind === 'exited' && stopped.outcome.logTail).toEqual(['Received interrupt, stopping...', 'decoy: loop ended']);
  });

  it('reports a unit whose trader exits at once, with its log tail (the exit code went with the unit)', async () => {
    const { env, stateDir } = underSystemd();
    const controller = makeController(traders(traderYaml('trial250', { args: ['--decoy-exit', '3'], settle: '5s' })), { env, envFileDir: stateDir });
    const result = await started(controller);
    expect(result).toMatchObject({ kind: 'exited', trader: 'trial250', code: null, signal: null, unit: expect.stringMatching(/^barista-trader-trial250-/) });
    expect(result.kind === 'exited' && result.logTail).toEqual(expect.arrayContaining(['FileNotFoundError: no checkpoint in deployments/trial_250_live']));
  });

  it('says why and what to do when systemd-run fails (no user manager to talk to)', async () => {
    const { env, stateDir } = underSystemd({ XDG_RUNTIME_DIR: undefined });
    const result = await started(makeController(traders(withSecret(['--decoy-sleep', '0.3'])), { env, envFileDir: stateDir }));
    expect(result).toEqual({ kind: 'spawn_failed', trader: 'trial250', error: "systemd-run failed: Failed to connect to bus: No medium found; set control.launcher: direct to start it as barista's child" });
    expect(readdirSync(path.join(stateDir, 'launch'))).toEqual([]);
  });

  it('finds the pid through the process finder when systemctl cannot answer', async () => {
    const { stub, env, stateDir } = underSystemd();
    writeFileSync(path.join(stub.bin, 'systemctl'), '#!/bin/sh\necho "Failed to connect to bus: Connection refused" >&2\nexit 1\n');
    const result = await started(makeController(traders(traderYaml('trial250')), { env, envFileDir: stateDir }));
    expect(result).toMatchObject({ kind: 'started', unit: expect.stringMatching(/^barista-trader-trial250-/) });
    expect(result.kind === 'started' && readFileSync(`/proc/${result.pid}/cmdline`, 'utf8')).toContain(script(TRADER));
  });

  it('says where to look when the unit cannot execute the command', async () => {
    const { env, stateDir } = underSystemd();
    const control = traders(traderYaml('trial250')).replace(JSON.stringify(PYTHON), JSON.stringify(path.join(root(), 'no-such-python')));
    const result = await started(makeController(control, { env, envFileDir: stateDir }));
    expect(result).toMatchObject({ kind: 'spawn_failed', error: expect.stringMatching(/^systemd-run failed: Job for barista-trader-trial250-\w+\.service failed\. See "systemctl --user status \S+" and "journalctl --user -xeu \S+" for details\.$/) });
    const noFolder = traders(traderYaml('trial250', { log: 'nowhere/trial250.log' }));
    expect(await started(makeController(noFolder, { env, envFileDir: stateDir }))).toEqual({ kind: 'spawn_failed', trader: 'trial250', error: `cannot open log ${path.join(ws(), 'nowhere', 'trial250.log')}: ENOENT` });
  });

  it('starts it as a child when barista does not run under systemd (auto), or when told to (direct)', async () => {
    const { stub, env, stateDir } = underSystemd({ INVOCATION_ID: undefined, MANAGERPID: undefined });
    const result = await started(makeController(traders(traderYaml('trial250')), { env, envFileDir: stateDir }));
    expect(result).toMatchObject({ kind: 'started' });
    expect(result.kind === 'started' && [readStat(result.pid)!.ppid, result.unit]).toEqual([process.pid, undefined]);
    const direct = underSystemd();
    const control = `  launcher: direct\n${traders(traderYaml('model_0'))}`;
    expect(await started(makeController(control, { env: direct.env, envFileDir: stateDir }), 'model_0')).toMatchObject({ kind: 'started' });
    expect(stub.calls()).toEqual([]);
    // Asked for by name where there is none: said before anyone confirms.
    const nowhere = makeController(`  launcher: systemd-run\n${traders(traderYaml('other'))}`, { env: { ...env, PATH: '/nonexistent' } });
    expect(nowhere.planStart('other')).toMatchObject({ refused: true, code: 'not configured', reason: expect.stringMatching(/^control\.launcher is systemd-run, but no systemd-run was found on PATH/) });
  });
});

describe('training workers', () => {
  it('pauses (state T) and resumes, verifying each pid', async () => {
    const controller = makeController(traders(traderYaml('trial250')));
    const spawnWorker = async (study: string) => {
      const child = spawn(PYTHON, ['-u', script(WORKER), '--study-name', study], { cwd: ws(), stdio: 'ignore', detached: true });
      await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
      own(child.pid!);
      child.unref();
      return child.pid!;
    };
    const a = await spawnWorker('cappuccino_5m');
    const b = await spawnWorker('cappuccino_1h');
    await waitFor(() => controller.workers().length === 2, { what: 'both workers' });

    const one = controller.planWorkers('pause', 'cappuccino_5m') as WorkersPlan;
    expect(one).toMatchObject({ refused: false, signal: 'SIGSTOP', workers: [{ pid: a, study: 'cappuccino_5m' }] });
    const paused = await controller.execute(one);
    expect(paused).toEqual({ refused: false, action: 'pause', results: [{ pid: a, ok: true, state: 'T' }] });
    expect(readFileSync(`/proc/${a}/status`, 'utf8')).toMatch(/^State:\s+T/m);
    expect(readStat(b)!.state).not.toBe('T');

    const all = controller.planWorkers('pause') as WorkersPlan;
    expect(all.workers.map((w) => w.pid)).toEqual([b]);
    expect(all.unchanged).toEqual([a]);
    await controller.execute(all);
    expect(controller.planWorkers('pause', 'all')).toMatchObject({ refused: true, code: 'nothing to do' });

    const resume = controller.planWorkers('resume', String(a)) as WorkersPlan;
    expect(await controller.execute(resume)).toEqual({ refused: false, action: 'resume', results: [{ pid: a, ok: true, state: expect.stringMatching(/^[RS]$/) }] });
    expect(await controller.execute(controller.planWorkers('resume') as WorkersPlan)).toMatchObject({ results: [{ pid: b, ok: true }] });
    expect(readStat(a)!.state).not.toBe('T');
    expect(readStat(b)!.state).not.toBe('T');
  });
});

describe('input is never trusted', () => {
  const hostile = ['; rm -rf ~', '../../etc', '$(touch pwned)', '`id`', '<@123456789012345678>', '@everyone', 'trial250; ls', 'trial250\n', 'x'.repeat(10 * 1024), '/etc/passwd', 'a b'];

  it('refuses hostile trader and worker names without running anything', async () => {
    const controller = makeController(traders(traderYaml('trial250'), traderYaml('model_0')));
    for (const name of hostile) {
      for (const plan of [controller.planStart(name), controller.planStop(name), controller.planRestart(name), controller.planWorkers('pause', name)]) {
        expect(plan).toMatchObject({ refused: true, code: 'invalid name' });
        expect((plan as Refusal).reason.length).toBeLessThan(200);
        expect((plan as Refusal).reason).not.toContain('<@');
      }
    }
    expect(controller.planStop('trial250', '1; kill -9 1')).toMatchObject({ refused: true, reason: 'a pid is a number' });
    expect(controller.planStart('nobody')).toMatchObject({ refused: true, reason: 'no trader "nobody" (traders: trial250, model_0)' });
    expect(controller.planStart()).toMatchObject({ refused: true, reason: 'say which trader: trial250, model_0' });
    expect(existsSync(path.join(ws(), 'pwned'))).toBe(false);
    expect(controller.planStart('TRIAL250')).toMatchObject({ refused: false, trader: 'trial250' });
  });
});
