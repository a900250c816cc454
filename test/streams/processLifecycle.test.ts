import { applyProcessSample, formatDuration, processesCache, resolveLogPath, type LifecycleOptions, type ProcessView } from '../../src/streams/processLifecycle';
import type { ProcessReading } from '../../src/watchers/ProcessProbe';

const T0 = Date.parse('2026-02-09T07:00:00Z');
const BOOT = 'boot-1';
const CLASSES = [
  ['trader', 'paper_trader_alpaca_polling.py'],
  ['training', '1_optimize_unified.py'],
] as const;

function proc(pid: number, line: string, extra: Partial<ProcessReading> = {}): ProcessReading {
  return { pid, ppid: 1, comm: 'python3', argv: line.split(' '), startTicks: pid * 100, startedAtMs: T0 - 3_600_000 + pid, state: 'S', cpuPercent: 1.5, rssBytes: 200e6, ...extra };
}

const trader = (pid: number, extra: Partial<ProcessReading> = {}) =>
  proc(pid, `python -u scripts/deployment/paper_trader_alpaca_polling.py --model-dir deployments/trial_250_live --timeframe 1h --log-file paper_trades/trial250_session.csv`, extra);
const worker = (pid: number, extra: Partial<ProcessReading> = {}) => proc(pid, `python -u scripts/training/1_optimize_unified.py --n-trials 500 --study-name study_a`, extra);
const decoy = (pid: number) => proc(pid, 'less logs/paper_trader.log', { comm: 'less' });

/** Feeds samples one after another; returns every draft with the view after each. */
function run(samples: ProcessReading[][], options: Partial<LifecycleOptions> = {}, start: ProcessView | null = null) {
  let view = start;
  const all: { type: string; subject: string; fields: Record<string, unknown>; id: string; text?: string; at?: string }[] = [];
  samples.forEach((processes, i) => {
    const result = applyProcessSample(view, { at: T0 + i * 10_000, bootId: BOOT, processes }, { classes: CLASSES, ...options });
    view = result.view;
    all.push(...result.drafts.map((d) => ({ type: d.draft.type, subject: d.subject, fields: d.draft.fields, id: d.idParts.join('|'), text: d.draft.text, at: d.draft.at })));
  });
  return { events: all, view: view as ProcessView | null };
}

describe('process lifecycle', () => {
  it('takes what runs at the first sample as state, then reports starts and exits', () => {
    const { events, view } = run([[trader(100), worker(200), decoy(300)], [trader(100), worker(200), worker(201), decoy(301)], [worker(201)]]);
    expect(events.map((e) => [e.type, e.subject, e.fields.pid])).toEqual([
      ['training.worker_started', 'study_a', 201],
      ['trader.exited', 'trial250', 100],
      ['training.worker_exited', 'study_a', 200],
    ]);
    const exited = events[1];
    expect(exited.fields).toMatchObject({ model_dir: 'deployments/trial_250_live', timeframe: '1h', trial: 250, runtime_s: 3620, zombie: false, log_path: null, log_tail: null });
    expect(exited.text).toBe('Trader trial250 (pid 100, model deployments/trial_250_live, 1h) exited after 1 h 0 min.');
    expect(events[0].at).toBe(new Date(T0 - 3_600_000 + 201).toISOString()); // when it started, not when seen
    expect(processesCache(view!).map((p) => [p.pid, p.class])).toEqual([[201, 'training']]);
  });

  it('reads the log tail at exit, redacted, when the log is known', () => {
    const tails: string[] = [];
    const { events } = run([[trader(100)], []], {
      logPathOf: () => '/ws/logs/paper_trader.log',
      readLogTail: (file) => {
        tails.push(file);
        return ['Error processing bars: POST https://discord.com/api/webhooks/123456789012/abcdefghijklmnopqrstuvwxyz0123 failed'];
      },
    });
    expect(tails).toEqual(['/ws/logs/paper_trader.log']);
    expect(events[0].fields.log_tail).toEqual(['Error processing bars: POST https://discord.com/api/webhooks/123456789012/[REDACTED] failed']);
    expect(events[0].text).toContain('Last lines of /ws/logs/paper_trader.log:\nError processing bars:');
    expect(events[0].text).not.toContain('abcdefghijklmnopqrstuvwxyz0123');
  });

  it('reports a pause (state T) and the resume once each, numbered per pause', () => {
    const { events } = run([[trader(100)], [trader(100, { state: 'T' })], [trader(100, { state: 'T' })], [trader(100, { state: 'R' })], [trader(100, { state: 'T' })], [trader(100)]]);
    expect(events.map((e) => e.type)).toEqual(['trader.paused', 'trader.resumed', 'trader.paused', 'trader.resumed']);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    expect(events[0].text).toMatch(/is paused/);
  });

  it('reports a zombie as exited once, and never as started', () => {
    const { events } = run([[trader(100)], [trader(100, { state: 'Z' })], [trader(100, { state: 'Z' })], [], [trader(101, { state: 'Z' })]]);
    expect(events.map((e) => [e.type, e.fields.pid, e.fields.zombie])).toEqual([['trader.exited', 100, true]]);
  });

  it('tells a reused pid from the same process by its start time', () => {
    const { events } = run([[trader(100)], [trader(100, { startTicks: 99_999, startedAtMs: T0 + 5_000 })]]);
    expect(events.map((e) => e.type).sort()).toEqual(['trader.exited', 'trader.started']);
  });

  it('raises below-expected once per episode, and says when the count is back', () => {
    const options = { expected: { training: 2 } };
    const { events } = run([[worker(200)], [worker(200)], [], [worker(200), worker(201)], [worker(200), worker(201)], [worker(201)]], options);
    const counts = events.filter((e) => e.type.startsWith('training.workers_'));
    expect(counts.map((e) => [e.type, e.fields.running])).toEqual([
      ['training.workers_below_expected', 1],
      ['training.workers_expected_ok', 2],
      ['training.workers_below_expected', 1],
    ]);
    expect(counts[0].text).toBe('1 of 2 expected training workers running (pid 200).');
    expect(counts[0].id).not.toBe(counts[2].id);
  });

  it('is idempotent: the same sample again changes nothing, and a restart from the view repeats nothing', () => {
    const first = run([[trader(100)], [trader(100), worker(200)]], { expected: { trader: 1 } });
    expect(first.events.map((e) => e.type)).toEqual(['training.worker_started']);
    const again = applyProcessSample(first.view, { at: T0 + 20_000, bootId: BOOT, processes: [trader(100), worker(200)] }, { classes: CLASSES, expected: { trader: 1 } });
    expect(again.drafts).toEqual([]);
    // The view round-trips through JSON (the checkpoint).
    const restored = JSON.parse(JSON.stringify(first.view)) as ProcessView;
    expect(applyProcessSample(restored, { at: T0 + 30_000, bootId: BOOT, processes: [trader(100), worker(200)] }, { classes: CLASSES, expected: { trader: 1 } }).drafts).toEqual([]);
  });

  it('takes processes of a newly configured class as state, and drops a class no longer watched silently', () => {
    const onlyTraders = [['trader', 'paper_trader_alpaca_polling.py']] as const;
    const first = applyProcessSample(null, { at: T0, bootId: BOOT, processes: [trader(100), worker(200)] }, { classes: onlyTraders });
    const second = applyProcessSample(first.view, { at: T0 + 10_000, bootId: BOOT, processes: [trader(100), worker(200)] }, { classes: CLASSES });
    expect(second.drafts).toEqual([]);
    const third = applyProcessSample(second.view, { at: T0 + 20_000, bootId: BOOT, processes: [trader(100)] }, { classes: [['training', '1_optimize_unified.py']] });
    expect(third.drafts.map((d) => d.draft.type)).toEqual(['training.worker_exited']);
  });

  it('reports every process of the previous boot as exited after a reboot', () => {
    const first = run([[trader(100)]]);
    const after = applyProcessSample(first.view, { at: T0 + 60_000, bootId: 'boot-2', processes: [trader(100)] }, { classes: CLASSES });
    expect(after.drafts.map((d) => [d.draft.type, d.idParts[1]])).toEqual([
      ['trader.started', 'boot-2'],
      ['trader.exited', BOOT],
    ]);
  });

  it('applies the trader defaults (CSV alpaca_session, 5m) and names other classes process.*', () => {
    const { events } = run([[], [proc(100, 'python3 paper_trader_alpaca_polling.py --model-dir deployments/model_0'), proc(101, 'python3 ollama_autonomous_advisor.py')]], {
      classes: [...CLASSES, ['advisor', 'ollama_autonomous_advisor.py']],
    });
    expect(events.map((e) => [e.type, e.subject])).toEqual([
      ['trader.started', 'alpaca'],
      ['process.started', 'advisor'],
    ]);
    expect(events[0].fields).toMatchObject({ log_file: 'paper_trades/alpaca_session.csv', timeframe: '5m', trial: null, args: { model_dir: 'deployments/model_0' } });
  });

  it('names a trader by its files (streams/traderIdentity.ts) and keeps them in the view and its events', () => {
    const asked: number[] = [];
    const traderFilesOf: LifecycleOptions['traderFilesOf'] = (matched, known) => {
      asked.push(matched.reading.pid);
      return { csv: known.log_file!, log: 'logs/paper_trader_trial91.log', heartbeat: 'paper_trades/alpaca_heartbeat.json', model_dir: known.model_dir };
    };
    // On the default CSV (which traders share), the trader is named by its log.
    const { events, view } = run([[], [proc(100, 'python3 paper_trader_alpaca_polling.py --model-dir deployments/model_0')], []], { traderFilesOf });
    expect(asked).toEqual([100]); // once per process
    expect(events.map((e) => [e.type, e.subject, e.fields.trader, e.fields.csv_file, e.fields.log])).toEqual([
      ['trader.started', 'trial91', 'trial91', 'paper_trades/alpaca_session.csv', 'logs/paper_trader_trial91.log'],
      ['trader.exited', 'trial91', 'trial91', 'paper_trades/alpaca_session.csv', 'logs/paper_trader_trial91.log'],
    ]);
    const running = run([[trader(100)]], { traderFilesOf: (_m, known) => ({ csv: known.log_file!, log: 'logs/paper_trader.log', heartbeat: 'paper_trades/trial250_heartbeat.json', model_dir: known.model_dir }) }).view;
    expect(processesCache(running!)[0]).toMatchObject({
      subject: 'trial250',
      trader: { name: 'trial250', csv: 'paper_trades/trial250_session.csv', log: 'logs/paper_trader.log', heartbeat: 'paper_trades/trial250_heartbeat.json', model_dir: 'deployments/trial_250_live' },
    });
    expect(view!.processes).toEqual({});
  });

  it('names again, once, a trader tracked by a barista that named traders by their CSV stem', () => {
    const first = run([[trader(100)]]).view!;
    const old = JSON.parse(JSON.stringify(first)) as ProcessView;
    for (const p of Object.values(old.processes)) {
      p.subject = 'trial250_session';
      delete (p as Partial<typeof p>).trader;
    }
    const next = applyProcessSample(old, { at: T0 + 10_000, bootId: BOOT, processes: [] }, { classes: CLASSES });
    expect(next.drafts.map((d) => [d.draft.type, d.subject])).toEqual([['trader.exited', 'trial250_session']]);
    const renamed = applyProcessSample(old, { at: T0 + 10_000, bootId: BOOT, processes: [trader(100)] }, { classes: CLASSES });
    expect(Object.values(renamed.view.processes).map((p) => [p.subject, p.trader?.name])).toEqual([['trial250', 'trial250']]);
    expect(renamed.drafts).toEqual([]);
  });

  it('resolves the log: configured file, else stdout, else --log-file against the cwd', () => {
    expect(resolveLogPath({ configured: 'logs/a.log', stdout: '/x/b.log', logFile: 'c.csv', cwd: '/cwd', workspace: '/ws' })).toBe('/ws/logs/a.log');
    expect(resolveLogPath({ configured: null, stdout: '/x/b.log', logFile: 'c.csv', cwd: '/cwd', workspace: '/ws' })).toBe('/x/b.log');
    expect(resolveLogPath({ configured: null, stdout: null, logFile: './paper_trades/c.csv', cwd: '/cwd/', workspace: '/ws' })).toBe('/cwd/paper_trades/c.csv');
    expect(resolveLogPath({ configured: null, stdout: null, logFile: 'c.csv', cwd: null, workspace: '/ws' })).toBe('/ws/c.csv');
    expect(resolveLogPath({ configured: null, stdout: null, logFile: null, cwd: '/cwd', workspace: '/ws' })).toBeNull();
  });

  it('formats durations', () => {
    expect([45, 600, 3 * 3600 + 720, 3 * 86400 + 4 * 3600].map(formatDuration)).toEqual(['45 s', '10 min', '3 h 12 min', '3 d 4 h']);
  });
});
