/**
 * Writes a live simulated Cappuccino workspace (paper traders, optional training workers) in
 * the real formats, until N bars or Ctrl+C. For demos and manual testing of barista:
 *
 *   node dist/scripts/simulate.js --workspace /tmp/sim1 --traders 2 --bars-per-second 2
 */
import { parseArgs } from 'node:util';
import { PAPER_TRADING_TICKERS, TRAINING_TICKERS, TraderSimulator, type RotationMode, type TraderSpec } from '../test/support/simulator';

const USAGE = `usage: node dist/scripts/simulate.js --workspace DIR [options]
  --traders N            paper traders (default 2)
  --bars-per-second N    real-time pace, 0 = as fast as possible (default 2)
  --bars N               stop after N bars in all (default: until Ctrl+C)
  --seed N               same seed, same files (default 1)
  --rotate-every N       rotate every trader's log and CSV every N bars (default 0 = never)
  --rotate-mode M        rename | copytruncate | delete | cycle (default rename)
  --timeframe T          1h | 5m (default 1h)
  --workers N            training workers writing logs/worker_safe_<i>.log (default 0)
  --shared-csv           all traders append to paper_trades/alpaca_session.csv
  --start ISO            simulated start time (default 2026-02-09T06:10:00Z)
  --quiet                no progress lines`;

const ROTATION_MODES: readonly RotationMode[] = ['rename', 'copytruncate', 'delete'];
const TRADER_NAMES = ['trial250', 'trial91', 'trial100', 'trial861', 'trial965', 'trial13', 'trial57', 'trial727'];

interface CliOptions {
  workspace: string;
  traders: number;
  barsPerSecond: number;
  bars: number;
  seed: number;
  rotateEvery: number;
  rotateMode: RotationMode | 'cycle';
  timeframe: '1h' | '5m';
  workers: number;
  sharedCsv: boolean;
  start: string;
  quiet: boolean;
}

function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string' },
      traders: { type: 'string', default: '2' },
      'bars-per-second': { type: 'string', default: '2' },
      bars: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'rotate-every': { type: 'string', default: '0' },
      'rotate-mode': { type: 'string', default: 'rename' },
      timeframe: { type: 'string', default: '1h' },
      workers: { type: 'string', default: '0' },
      'shared-csv': { type: 'boolean', default: false },
      start: { type: 'string', default: '2026-02-09T06:10:00Z' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help === true) throw new UsageError('');
  if (values.workspace === undefined) throw new UsageError('--workspace is required');
  const count = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`--${name} must be a number ≥ 0, not "${text}"`);
    return value;
  };
  const rotateMode = values['rotate-mode'];
  if (rotateMode !== 'cycle' && !ROTATION_MODES.includes(rotateMode as RotationMode)) throw new UsageError(`--rotate-mode must be rename, copytruncate, delete or cycle`);
  const timeframe = values.timeframe;
  if (timeframe !== '1h' && timeframe !== '5m') throw new UsageError('--timeframe must be 1h or 5m');
  if (Number.isNaN(Date.parse(values.start))) throw new UsageError(`--start must be an ISO time, not "${values.start}"`);
  return {
    workspace: values.workspace,
    traders: Math.max(1, Math.floor(count('traders', values.traders, 2))),
    barsPerSecond: count('bars-per-second', values['bars-per-second'], 2),
    bars: count('bars', values.bars, Number.POSITIVE_INFINITY),
    seed: Math.floor(count('seed', values.seed, 1)),
    rotateEvery: Math.floor(count('rotate-every', values['rotate-every'], 0)),
    rotateMode: rotateMode as RotationMode | 'cycle',
    timeframe,
    workers: Math.floor(count('workers', values.workers, 0)),
    sharedCsv: values['shared-csv'] === true,
    start: values.start,
    quiet: values.quiet === true,
  };
}

class UsageError extends Error {}

function traderSpecs(options: CliOptions): TraderSpec[] {
  return Array.from({ length: options.traders }, (_, index) => {
    const base = TRADER_NAMES[index % TRADER_NAMES.length] as string;
    const name = index < TRADER_NAMES.length ? base : `${base}_${Math.floor(index / TRADER_NAMES.length)}`;
    const spec: TraderSpec = { name, timeframe: options.timeframe };
    // Sharing the default CSV: alternate ticker orders, as the real traders did.
    if (options.sharedCsv) return { ...spec, csvFile: 'paper_trades/alpaca_session.csv', tickers: index % 2 === 0 ? TRAINING_TICKERS : PAPER_TRADING_TICKERS };
    return spec;
  });
}

async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message === '' ? '' : `simulate: ${message}\n`}${USAGE}\n`);
    return error instanceof UsageError && message === '' ? 0 : 2;
  }
  const simulator = new TraderSimulator({
    workspace: options.workspace,
    seed: options.seed,
    start: options.start,
    traders: traderSpecs(options),
    workers: options.workers,
    csvHeaderRace: options.sharedCsv,
    // Long runs would keep every line in memory only to compare it; nobody compares here.
    track: false,
  });
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const say = (line: string): void => {
    if (!options.quiet) process.stdout.write(`${line}\n`);
  };
  say(`simulating ${options.traders} trader(s)${options.workers > 0 ? ` and ${options.workers} worker(s)` : ''} into ${simulator.workspace} (seed ${options.seed}); Ctrl+C to stop`);

  let barsSinceRotation = 0;
  let rotations = 0;
  const rotateAll = (): void => {
    const mode = options.rotateMode === 'cycle' ? (ROTATION_MODES[rotations % ROTATION_MODES.length] as RotationMode) : options.rotateMode;
    rotations += 1;
    const files = new Set(simulator.traders().flatMap((trader) => [trader.logPath, trader.csvPath]));
    for (const file of files) simulator.rotate(file, mode);
    say(`rotated ${[...files].join(', ')} (${mode})`);
  };
  simulator.start();
  const summary = await simulator.run({
    barsPerSecond: options.barsPerSecond,
    bars: options.bars,
    signal: controller.signal,
    onStep: (result) => {
      if (result.bars === 0) return;
      say(`${result.at} ${result.actor}: ${result.bars} bar(s)`);
      barsSinceRotation += result.bars;
      if (options.rotateEvery > 0 && barsSinceRotation >= options.rotateEvery) {
        barsSinceRotation = 0;
        rotateAll();
      }
    },
  });
  if (controller.signal.aborted) {
    // The traders get their SIGINT: "Received interrupt, stopping..." and exit after the sleep.
    simulator.stopAll();
    for (let guard = 0; guard < 1000 && simulator.traders().some((trader) => trader.status !== 'exited'); guard += 1) {
      if (simulator.step() === undefined) break;
    }
  }
  simulator.close();
  say(`done: ${summary.bars} bar(s) in ${summary.steps} step(s); simulated time ${simulator.now()}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`simulate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
