/** The pure half of control: configuration → targets, names, plans (no processes here). */
import { parseRules } from '../../src/config/loadRules';
import { checkName } from '../../src/control/names';
import { planStop, planWorkers } from '../../src/control/plan';
import { sameTrader, type FoundProcess } from '../../src/control/finder';
import { controlTargets } from '../../src/control/targets';
import { traderEnvironment } from '../../src/control/start';

function parse(control: string) {
  return parseRules(`workspace: /w\ncontrol:\n${control}\n`, 'rules.yaml', {});
}

function config(control: string) {
  const result = parse(control);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.control;
}

const ARGV = '["python", "-u", "scripts/deployment/paper_trader_alpaca_polling.py", "--model-dir", "deployments/trial_250_live", "--log-file", "paper_trades/trial250_session.csv"]';

function found(argv: string[], extra: Partial<FoundProcess> = {}): FoundProcess {
  return { pid: 4121, startTicks: 100, startedAtMs: Date.parse('2026-02-06T10:00:00Z'), state: 'S', class: 'trader', argv, cwd: '/w', ...extra };
}

describe('control configuration', () => {
  it('names the single control.trader as its events name it and applies the defaults: SIGINT, 90 s grace, no escalation', () => {
    const targets = controlTargets(config(`  trader:\n    start: { argv: ["python", "-u", "scripts/deployment/paper_trader_alpaca_polling.py", "--model-dir", "deployments/model_0"], log: logs/paper_trader.log }`), '/w');
    expect([...targets.traders.keys()]).toEqual(['alpaca']);
    const t = targets.traders.get('alpaca')!;
    expect(t).toMatchObject({ cwd: '/w', log: '/w/logs/paper_trader.log', settleMs: 5000, banner: null, passEnv: [], stop: { signal: 'SIGINT', graceMs: 90_000, then: null, waitMs: 65 * 60_000 } });
    expect(t.identity).toEqual({ script: 'paper_trader_alpaca_polling.py', modelDir: '/w/deployments/model_0', logFile: '/w/paper_trades/alpaca_session.csv' });
    expect(targets.traderClass).toBe('trader');
    const named = controlTargets(config(`  trader:\n    start: { argv: ${ARGV}, log: logs/paper_trader_trial250.log }`), '/w');
    expect([...named.traders.keys()]).toEqual(['trial250']);
    expect(targets.trainingClass).toBe('training');
  });

  it('takes control.traders by name, with escalation only where then: is written', () => {
    const targets = controlTargets(config(`  traders:\n    trial250:\n      start: { argv: ${ARGV} }\n      stop: { then: SIGTERM, grace: 2m }\n    model_0:\n      start: { argv: ["python", "x.py"], cwd: sub }`), '/w');
    expect([...targets.traders.keys()]).toEqual(['trial250', 'model_0']);
    expect(targets.traders.get('trial250')!.stop).toEqual({ signal: 'SIGINT', graceMs: 120_000, then: 'SIGTERM', waitMs: 65 * 60_000 });
    expect(targets.traders.get('model_0')!.cwd).toBe('/w/sub');
    expect(targets.traders.get('model_0')!.stop.then).toBeNull();
  });

  it('refuses both forms at once, a banner without a log, a bad banner regex, bad names', () => {
    const both = parse(`  trader:\n    start: { argv: ["a"] }\n  traders:\n    x:\n      start: { argv: ["a"] }`);
    expect(both.ok).toBe(false);
    expect(!both.ok && both.problems.map((p) => p.message)).toContain('control.trader: use either control.trader (one trader) or control.traders (several by name), not both');
    const banner = parse(`  traders:\n    x:\n      start: { argv: ["a"], banner: "(" }`);
    expect(!banner.ok && banner.problems.map((p) => p.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^control\.traders\.x\.start\.banner: invalid regular expression/), 'control.traders.x.start.banner: a banner is looked for in the log: set start.log too']));
    expect(parse(`  traders:\n    "../x":\n      start: { argv: ["a"] }`).ok).toBe(false);
    expect(parse(`  traders:\n    x:\n      start: { argv: ["a"], pass_env: ["A;B"] }`).ok).toBe(false);
  });
});

describe('names', () => {
  it('accepts only known names, a sole trader when none is given, and says why otherwise', () => {
    expect(checkName('trial250', ['trial250', 'model_0'])).toEqual({ ok: true, name: 'trial250' });
    expect(checkName(undefined, ['trial250'])).toEqual({ ok: true, name: 'trial250' });
    expect(checkName(undefined, [])).toEqual({ ok: false, reason: 'no trader is configured' });
    expect(checkName('../../etc', ['trial250'])).toEqual({ ok: false, reason: 'not a trader name: a name is not a path' });
    expect(checkName('; rm -rf ~', ['trial250'])).toEqual({ ok: false, reason: 'not a trader name: a name has no shell characters or spaces' });
    expect(checkName('$(id)', ['trial250'])).toEqual({ ok: false, reason: 'not a trader name: a name has no shell characters or spaces' });
    expect(checkName('<@&123>', ['trial250'])).toEqual({ ok: false, reason: 'not a trader name: a mention is not a name' });
    expect(checkName('x'.repeat(10240), ['trial250'])).toEqual({ ok: false, reason: 'not a trader name: a name is at most 64 characters (got 10240)' });
  });
});

describe('plans', () => {
  const targets = controlTargets(config(`  traders:\n    trial250:\n      start: { argv: ${ARGV}, log: logs/trial250.log }\n      stop: { then: SIGTERM }`), '/w');
  const trial250 = targets.traders.get('trial250')!;
  const argv = ['python3', '-u', 'scripts/deployment/paper_trader_alpaca_polling.py', '--model-dir', 'deployments/trial_250_live', '--log-file', 'paper_trades/trial250_session.csv'];

  it('matches its processes by script, model dir and CSV, not by a substring', () => {
    expect(sameTrader(found(argv), trial250)).toBe(true);
    expect(sameTrader(found(argv, { cwd: '/elsewhere' }), trial250)).toBe(false);
    expect(sameTrader(found(argv.map((a) => (a === 'deployments/trial_250_live' ? 'deployments/model_0' : a))), trial250)).toBe(false);
    expect(sameTrader(found(['less', 'scripts/deployment/paper_trader_alpaca_polling.py']), trial250)).toBe(false);
  });

  it('says what a stop will do, with the next poll from the heartbeat', () => {
    const plan = planStop(trial250, [found(argv)], { nowMs: Date.parse('2026-02-09T13:20:00Z'), nextPollDueMs: Date.parse('2026-02-09T14:00:00Z') });
    expect(plan).toEqual({
      refused: false,
      action: 'stop',
      trader: 'trial250',
      pid: 4121,
      startTicks: 100,
      startedAt: '2026-02-06T10:00:00.000Z',
      signal: 'SIGINT',
      graceMs: 90_000,
      then: 'SIGTERM',
      waitMs: 3_900_000,
      log: '/w/logs/trial250.log',
      text: 'Send SIGINT to trial250 (pid 4121, up 3 d 3 h)',
      expectation: 'trial250 finishes its current poll; next poll due 14:00 UTC; if it still runs after 90 s, barista sends SIGTERM',
    });
  });

  it('pauses only the workers not paused yet', () => {
    const workers = [found(['python', '1_optimize_unified.py'], { pid: 1, class: 'training' }), found(['python', '1_optimize_unified.py'], { pid: 2, class: 'training', state: 'T' })].map((w) => ({ ...w, study: null }));
    expect(planWorkers('pause', workers, 0)).toMatchObject({ signal: 'SIGSTOP', unchanged: [2], workers: [{ pid: 1 }], text: 'Send SIGSTOP to training worker 1' });
    expect(planWorkers('resume', workers, 0)).toMatchObject({ signal: 'SIGCONT', unchanged: [1], workers: [{ pid: 2 }] });
    expect(planWorkers('pause', [], 0)).toMatchObject({ refused: true, code: 'no workers' });
  });

  it("builds the trader's environment from PATH, HOME, LANG, pass_env and env only", () => {
    expect(traderEnvironment({ env: { A: '1', PATH: '/opt' }, passEnv: ['KEY', 'MISSING'] }, { PATH: '/bin', HOME: '/h', KEY: 'k', DISCORD_BOT_TOKEN: 't', OTHER: 'o' })).toEqual({ PATH: '/opt', HOME: '/h', KEY: 'k', A: '1' });
  });
});
