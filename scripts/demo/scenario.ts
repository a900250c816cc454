/**
 * The demo's story: what happens when, and which events barista must report for it, once
 * each. The simulator runs on the real clock (its files carry real times); the traders trade
 * 5-second bars so that a minute shows a session.
 */
import type { TraderSimulator, TraderSpec } from '../../test/support/simulator';
import type { Decoys } from './decoys';
import { writeModelMetadata, type DemoStudy } from './workspace';

/** An event barista must report exactly once for a stage. */
export interface ExpectedEvent {
  type: string;
  subject?: string;
}

export interface DemoWorld {
  sim: TraderSimulator;
  study: DemoStudy;
  decoys: Decoys;
  workspace: string;
  /** Pid of each trader's stand-in process. */
  pids: Record<string, number>;
}

export interface Stage {
  /** Seconds after the traders start. */
  after: number;
  /** What the console says is happening. */
  say: string;
  run(world: DemoWorld): void;
  expect: readonly ExpectedEvent[];
}

/** Heartbeat grace of the demo's rules: a missed 5 s poll is stale this long after it was due. */
export const STALE_GRACE = '15s';
/** The demo's process probe interval (the shipped one is 10s). */
export const PROBE_INTERVAL = '2s';
export const TRAINING_WORKERS = 3;

const BAR_SECONDS = 5;
const trader = (name: string, firstPollAfterSeconds: number): TraderSpec => ({
  name,
  timeframe: '5s',
  pollIntervalSeconds: BAR_SECONDS,
  historyHours: 1,
  firstPollAfterSeconds,
  // Off, as --portfolio-trailing-stop-pct 0: it repeats on every bar of a drawdown.
  risk: { portfolioTrailingStopPct: 0 },
});
export const TRADERS: readonly TraderSpec[] = [trader('trial250', 2), trader('trial91', 3)];

/** The trader's command line as a launcher writes it (`--log-file` is the CSV). */
export function traderArgs(spec: TraderSpec): string[] {
  return ['--model-dir', `deployments/trial_${spec.name.replace(/^trial/, '')}_live`, '--timeframe', spec.timeframe ?? '1h', '--poll-interval', String(spec.pollIntervalSeconds), '--history-hours', String(spec.historyHours), '--portfolio-trailing-stop-pct', '0', '--log-file', `paper_trades/${spec.name}_session.csv`];
}

export const WORKER_ARGS = (index: number): string[] => ['--n-trials', '500', '--gpu', String(index), '--n-envs', '8', '--study-name', 'cappuccino_demo', '--timeframe', '1h'];

const NEW_BEST = 0.0262;

export const STAGES: readonly Stage[] = [
  {
    after: 0,
    say: 'trial250 and trial91 start; trial250 buys BTC, ETH and LTC on its first bar (a trade burst)',
    run: ({ sim }) => {
      sim.start();
      sim.script('trial250', { actions: { 'BTC/USD': 0.9, 'ETH/USD': 0.9, 'LTC/USD': 0.8 } });
    },
    expect: [
      { type: 'trader.started', subject: 'trial250' },
      { type: 'trader.started', subject: 'trial91' },
    ],
  },
  {
    after: 6,
    say: `trial91 hangs: no more polls, no heartbeat (barista calls it stale ${STALE_GRACE} after the poll it misses)`,
    run: ({ sim }) => sim.hangTrader('trial91'),
    expect: [{ type: 'trader.stale', subject: 'trial91' }],
  },
  {
    after: 8,
    say: 'an Optuna worker finishes a trial (0.0151, not better than the best)',
    run: ({ study }) => void study.finish([0.0151, 2.2e-4, 1, 0.96]),
    expect: [],
  },
  {
    after: 12,
    say: "BTC/USD falls 15 % on trial250's next bar: its stop-loss sells",
    run: ({ sim }) => sim.script('trial250', { crash: { symbol: 'BTC/USD', pct: 0.15 } }),
    expect: [{ type: 'risk.stop_loss', subject: 'trial250' }],
  },
  {
    after: 16,
    say: `an Optuna worker finishes a trial with ${NEW_BEST}: a new best`,
    run: ({ study }) => void study.finish([NEW_BEST, 9.1e-5, 2, 0.993]),
    expect: [{ type: 'training.best_improved' }],
  },
  {
    after: 20,
    say: 'the deployer puts that trial into deployments/model_1',
    run: ({ workspace, study }) => writeModelMetadata(workspace, 1, study.lastFinished, NEW_BEST),
    expect: [{ type: 'deployment.model_deployed' }],
  },
  {
    after: 30,
    say: 'trial91 crashes: an uncaught ConnectionError (its traceback in its log), and its process is gone',
    run: ({ sim, decoys, pids }) => {
      sim.crashTrader('trial91');
      decoys.kill(pids.trial91 as number);
    },
    expect: [
      { type: 'trader.error', subject: 'trial91' },
      { type: 'trader.exited', subject: 'trial91' },
    ],
  },
];

/** Every event the story must cause exactly once. */
export const EXPECTED: readonly ExpectedEvent[] = STAGES.flatMap((stage) => stage.expect);
