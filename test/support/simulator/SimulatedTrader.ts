/**
 * One paper-trader process (and its restarts): start-up banner, the poll loop, signals. It writes
 * through the world's files exactly what scripts/deployment/paper_trader_alpaca_polling.py writes:
 * text log (stdout+stderr), session CSV, heartbeat, positions_state.json, profit_protection.log.
 */
import { existsSync } from 'node:fs';
import { PriceWalk, DEFAULT_REQUESTED_TICKERS, TRAINING_TICKERS } from './market';
import { ProcessOutput, type StdoutBuffering } from './ProcessOutput';
import { formatFixed, pyRound } from './python';
import { deriveSeed, SeededRandom } from './random';
import type { RewrittenFile } from './RewrittenFile';
import { csvHeader, csvRow, heartbeatDocument, heartbeatPathFor, positionsStateDocument, type PositionState } from './sessionFiles';
import { barOpen, isoUtc, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, type SimClock } from './time';
import type { Redirect, TrackedFile } from './TrackedFile';
import {
  ALPACA_NOT_INSTALLED_LINE,
  argparseErrorLines,
  cantOpenFileLine,
  crashTraceback,
  fatalTraceback,
  processingError,
  type FatalStartup,
  type ProcessingErrorKind,
  type PythonError,
} from './tracebacks';
import {
  DEFAULT_RISK,
  DUMMY_SENTIMENT_LINE,
  INTERRUPT_LINES,
  NO_NEW_BARS_LINE,
  NO_SAVED_STATE_LINE,
  dataQualityLines,
  discordFailureLine,
  discordLines,
  ensembleLoadingLine,
  episodeReportLines,
  err,
  errorProcessingLine,
  fetchedLine,
  foundBarsLine,
  historyLines,
  lookbackVerifiedLine,
  nextPollLine,
  noDataLines,
  out,
  pollingLine,
  processingLine,
  protectionLogLine,
  restoredStateLines,
  riskSummaryLines,
  runBannerLines,
  sleepingLine,
  snapshotLine,
  staleStateLine,
  tickerBarsLine,
  tickerConfigLines,
  tickerFetchErrorLine,
  tiburtinaLines,
  warmedUpLine,
  type DataQualityFailure,
  type DiscordMode,
  type Printed,
  type RestoredPosition,
  type RiskSettings,
  type TiburtinaMode,
} from './traderLog';
import { processBar, TradingBook, type BarOutcome, type Position } from './tradingEngine';
import type { GroundTruth, LifecycleKind } from './truth';

/** `5s` is the demo's pace (a session in a minute); the real traders run 1h or 5m. */
export type Timeframe = '1h' | '5m' | '5s';

export interface TraderSpec {
  /** Identifies the trader in the simulator's API and in ground truth (e.g. "trial250"). */
  name: string;
  /** Text log (stdout+stderr); default `logs/paper_trader_<name>.log`. */
  logFile?: string;
  /** `--log-file`; default `paper_trades/<name>_session.csv`. Traders may share one. */
  csvFile?: string;
  /** `--model-dir`; a path containing "ensemble" prints the ensemble start-up lines. */
  modelDir?: string;
  /** What the model trades (default: the 7 training tickers). */
  tickers?: readonly string[];
  /** `--tickers` (default BTC ETH LTC; a count mismatch prints the auto-configure warnings). */
  requestedTickers?: readonly string[];
  timeframe?: Timeframe;
  /** `--poll-interval`; default 3600 for 1h, 60 otherwise. */
  pollIntervalSeconds?: number;
  historyHours?: number;
  initialCapital?: number;
  /** `python -u` (unbuffered, the default) or `python3` (block-buffered stdout). */
  stdout?: StdoutBuffering;
  /** The launcher's redirect of the text log: `>>` (default) or `>` (truncates on start). */
  redirect?: Redirect;
  tiburtina?: TiburtinaMode;
  discord?: DiscordMode;
  risk?: Partial<RiskSettings>;
  /** Die during start-up this way instead of trading. */
  fatal?: FatalStartup;
  /** Interpreter name in `can't open file` (default "python"). */
  interpreter?: string;
  /** Seconds from the launch to the first poll (default 20–45, drawn). */
  firstPollAfterSeconds?: number;
  /** The process id written to the heartbeat (default drawn): a real process's when one stands in for it. */
  pid?: number;
}

/** Events scripted for a trader's next poll (or, for bar-level ones, its next processed bar). */
export interface PollScript {
  /** run()'s `except`: "Error processing bars: …" + traceback. */
  error?: ProcessingErrorKind;
  /** This ticker's fetch fails; its bars are missing, so the new timestamps are silently skipped. */
  fetchError?: string;
  /** No ticker returns data. */
  noData?: boolean;
  /** The new bars fail the data-quality check (skipped, retried next poll). */
  dataQuality?: DataQualityFailure;
  /** The next bar's price of `symbol` drops by `pct` (0.12 = −12%), e.g. to trip a stop-loss. */
  crash?: { symbol: string; pct: number };
  /** Policy outputs for the next processed bar, by ticker (±1 ≈ a trade of 35% of capital). */
  actions?: Record<string, number>;
  /** The Discord notifier fails and logs the webhook URL with its token (needs discord "enabled"). */
  discordFailure?: boolean;
  /** Write this poll's last CSV row only half (rest on the next write or finishPartialLine). */
  splitCsvRow?: boolean;
  /** Write this poll's last log line ("Next poll at …") only half. */
  splitLogLine?: boolean;
}

/** Chances per poll (or per bar) of unscripted events. */
export interface EventRates {
  processingError: number;
  fetchError: number;
  crash: number;
  discordFailure: number;
  news: number;
}

interface SavedPosition {
  ticker: string;
  micros: number;
  entryPrice: number;
  highWaterMark: number;
  stopLossTriggered: boolean;
  lastTradeTime: number | undefined;
}

/** The last positions_state.json written (the file is shared: last writer wins). */
export interface SavedState {
  bar: number;
  cash: number;
  positions: SavedPosition[];
  initialValue: number | undefined;
  highWaterMark: number;
  inCashMode: boolean;
  profitTaken: boolean;
}

/** What a trader needs from the simulator: clock, shared files, ground truth. */
export interface TraderWorld {
  readonly clock: SimClock;
  readonly truth: GroundTruth;
  readonly rates: EventRates;
  readonly seed: number;
  logFile(relativePath: string): TrackedFile;
  csvFile(relativePath: string): TrackedFile;
  protectionLog(): TrackedFile;
  document(relativePath: string): RewrittenFile;
  positionsState(): RewrittenFile;
  savedState: SavedState | undefined;
  /** Last bar written to each CSV file since it was (re)created. */
  readonly csvLastBar: Map<string, number>;
  /** CSV files created by a trader of this launch batch (lets simultaneous starts both write a header). */
  readonly csvHeaderRace: Set<string>;
}

export type TraderStatus = 'running' | 'hung' | 'stopping' | 'exited';

export interface PollResult {
  trader: string;
  at: string;
  bars: number;
  exited: boolean;
}

const TIMEFRAME_MICROS: Record<Timeframe, number> = { '1h': MICROS_PER_HOUR, '5m': 5 * MICROS_PER_MINUTE, '5s': 5 * MICROS_PER_SECOND };
const ALPACA_TIMEFRAME: Record<Timeframe, string> = { '1h': '1Hour', '5m': '5Min', '5s': '5Sec' };
/** A bar shows up in Alpaca's API about a minute after it opens (the trader trades it then);
 * a bar shorter than 5 minutes, a fifth of its length after. */
const barAvailableAfter = (barMicros: number): number => Math.min(MICROS_PER_MINUTE, barMicros / 5);
const LOOKBACK = 5;

export class SimulatedTrader {
  readonly name: string;
  readonly logPath: string;
  readonly csvPath: string;
  readonly heartbeatPath: string;
  readonly tickers: readonly string[];
  readonly timeframe: Timeframe;
  readonly pollIntervalSeconds: number;
  readonly risk: RiskSettings;
  private readonly spec: TraderSpec;
  private readonly random: SeededRandom;
  private readonly market: PriceWalk;
  private readonly barMicros: number;
  private book: TradingBook;
  private output: ProcessOutput | undefined;
  private status: TraderStatus = 'exited';
  private currentPid = 0;
  private pollCount = 0;
  private barsThisProcess = 0;
  private lastBar = 0;
  private nextPollAt = 0;
  private readonly pollScripts: PollScript[] = [];
  private pendingActions = new Map<string, number>();
  private readonly webhookUrl: string;

  constructor(
    spec: TraderSpec,
    private readonly world: TraderWorld,
  ) {
    this.spec = spec;
    this.name = spec.name;
    this.logPath = spec.logFile ?? `logs/paper_trader_${spec.name}.log`;
    this.csvPath = spec.csvFile ?? `paper_trades/${spec.name}_session.csv`;
    this.heartbeatPath = heartbeatPathFor(this.csvPath);
    this.tickers = spec.tickers ?? TRAINING_TICKERS;
    this.timeframe = spec.timeframe ?? '1h';
    this.pollIntervalSeconds = spec.pollIntervalSeconds ?? (this.timeframe === '1h' ? 3600 : 60);
    this.risk = { ...DEFAULT_RISK, ...spec.risk };
    this.barMicros = TIMEFRAME_MICROS[this.timeframe];
    this.random = new SeededRandom(deriveSeed(world.seed, `trader:${spec.name}`));
    const firstBar = barOpen(world.clock.now(), this.barMicros) - (spec.historyHours ?? 120) * MICROS_PER_HOUR;
    this.market = new PriceWalk(this.tickers, this.barMicros, new SeededRandom(deriveSeed(world.seed, `market:${spec.name}`)), firstBar);
    this.book = new TradingBook(this.tickers.length, spec.initialCapital ?? 500);
    const token = Array.from({ length: 68 }, () => this.random.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'])).join('');
    this.webhookUrl = `https://discord.com/api/webhooks/${this.random.int(100_000_000, 999_999_999)}${this.random.int(100_000_000, 999_999_999)}/${token}`;
  }

  get pid(): number {
    return this.currentPid;
  }

  get state(): TraderStatus {
    return this.status;
  }

  /** When this trader next does something (poll, or finish its sleep and exit after SIGINT). */
  get dueAt(): number | undefined {
    return this.status === 'running' || this.status === 'stopping' ? this.nextPollAt : undefined;
  }

  script(script: PollScript): void {
    this.pollScripts.push(script);
  }

  /** Starts a process: banner, restore, CSV header; the first poll follows 20–45 s later. */
  launch(redirect: Redirect = this.spec.redirect ?? '>>'): void {
    const now = this.world.clock.now();
    const log = this.world.logFile(this.logPath);
    log.open(redirect);
    this.output = new ProcessOutput(log, this.spec.stdout ?? 'unbuffered');
    const drawnPid = this.random.int(100_000, 299_999);
    this.currentPid = this.spec.pid ?? drawnPid;
    this.pollCount = 0;
    this.barsThisProcess = 0;
    // A new process starts from capital unless it restores positions_state.json.
    this.book = new TradingBook(this.tickers.length, this.book.initialCapital);
    this.status = 'running';
    const fatal = this.spec.fatal;
    if (fatal === 'cant-open-file') return this.die(err(cantOpenFileLine(this.spec.interpreter ?? 'python')), 'cant-open-file');
    if (fatal === 'argparse') return this.die(err(...argparseErrorLines()), 'argparse');
    if (fatal === 'alpaca-not-installed') return this.die(out(ALPACA_NOT_INSTALLED_LINE), 'alpaca-not-installed');

    const modelDir = this.spec.modelDir ?? `deployments/${this.name.replace(/^trial_?(\d+)$/, 'trial_$1_live')}`;
    const ensemble = modelDir.toLowerCase().includes('ensemble');
    const banner: Printed[] = [...out(...riskSummaryLines(this.risk)), ...tiburtinaLines(this.spec.tiburtina ?? 'helper-import-failed'), ...out(...discordLines(this.spec.discord ?? 'disabled'))];
    banner.push(...out(...tickerConfigLines(this.tickers, this.spec.requestedTickers ?? defaultRequested(this.tickers))));
    if (fatal === 'missing-credentials') return this.die([...banner, ...this.traceback(fatalTraceback('missing-credentials', ''))], fatal);
    if (!ensemble) {
      if (fatal === 'missing-best-trial') return this.die([...banner, ...this.traceback(fatalTraceback('missing-best-trial', modelDir))], fatal);
      banner.push(...out(lookbackVerifiedLine(LOOKBACK)));
    }
    const historyHours = this.spec.historyHours ?? 120;
    const [downloading = '', ...loaded] = historyLines(historyHours, (historyHours * MICROS_PER_HOUR) / this.barMicros, this.tickers.length, this.latestAvailableBar(now));
    banner.push(...out(downloading));
    if (fatal === 'no-history') return this.die([...banner, ...this.traceback(fatalTraceback('no-history', this.tickers[1] ?? 'BTC/USD'))], fatal);
    banner.push(...out(...loaded, DUMMY_SENTIMENT_LINE));
    if (ensemble) {
      const adaptive = modelDir.toLowerCase().includes('adaptive');
      banner.push(...out(ensembleLoadingLine(adaptive)));
      if (fatal === 'no-archive-module') return this.die([...banner, ...this.traceback(fatalTraceback('no-archive-module', ''))], fatal);
      banner.push(...out(`✓ Using ensemble hyperparameters: lookback=${LOOKBACK}`));
    }
    const warmupSteps = (historyHours * MICROS_PER_HOUR) / this.barMicros - LOOKBACK - 1;
    banner.push(...out(...this.warmupReport(), warmedUpLine(warmupSteps, warmupSteps)));
    this.lastBar = this.latestAvailableBar(now);
    banner.push(...this.restoreSavedState(now));
    this.output.print(banner);
    this.writeCsvHeaderIfMissing();
    this.output.print(out(...runBannerLines(this.tickers, this.pollIntervalSeconds, this.risk)));
    const firstPoll = this.random.int(20, 45) * MICROS_PER_SECOND + this.random.int(0, 999_999);
    this.nextPollAt = now + (this.spec.firstPollAfterSeconds === undefined ? firstPoll : this.spec.firstPollAfterSeconds * MICROS_PER_SECOND);
    this.record('started', now, modelDir);
  }

  /** One poll cycle at its scheduled time (or the exit after a SIGINT). */
  poll(): PollResult {
    const output = this.requireOutput();
    const start = this.world.clock.advanceTo(this.nextPollAt);
    if (this.status === 'stopping') {
      output.flush();
      this.status = 'exited';
      this.record('exited', start, 'SIGINT');
      return { trader: this.name, at: isoUtc(start), bars: 0, exited: true };
    }
    const script: PollScript = this.pollScripts.shift() ?? {};
    for (const [ticker, action] of Object.entries(script.actions ?? {})) this.pendingActions.set(ticker, action);
    if (script.crash !== undefined) this.market.shock(script.crash.symbol, script.crash.pct);
    else if (this.random.chance(this.world.rates.crash)) this.market.shock(this.random.pick(this.tickers), this.random.between(0.11, 0.16));

    output.print(out(pollingLine(start)));
    const errorKind = script.error ?? (this.random.chance(this.world.rates.processingError) ? this.random.pick(['key-error', 'index-error', 'read-timeout'] as const) : undefined);
    const bars = errorKind === undefined ? this.fetchAndProcess(start, script) : this.failPoll(errorKind, start);
    const finished = start + this.random.int(200_000, 1_500_000) + bars * 400_000;
    this.world.clock.advanceTo(finished);
    const next = this.timeframe === '1h' ? nextAlignedPoll(finished) : finished + this.pollIntervalSeconds * MICROS_PER_SECOND;
    const lastLine = this.timeframe === '1h' ? nextPollLine(next, finished) : sleepingLine(this.pollIntervalSeconds);
    if (script.splitLogLine === true && (this.spec.stdout ?? 'unbuffered') === 'unbuffered') this.world.logFile(this.logPath).writePartialLine(lastLine);
    else output.print(out(lastLine));
    this.pollCount += 1;
    this.world.document(this.heartbeatPath).write(
      heartbeatDocument({ now: finished, nextPoll: next, pollCount: this.pollCount, pollIntervalSeconds: this.pollIntervalSeconds, timeframe: this.timeframe, tickers: this.tickers, pid: this.currentPid }),
    );
    this.nextPollAt = next;
    return { trader: this.name, at: isoUtc(start), bars, exited: false };
  }

  /** SIGINT: prints at once, exits after the current sleep (at its next poll time). */
  interrupt(): void {
    if (this.status !== 'running') return;
    this.requireOutput().print(out(...INTERRUPT_LINES));
    this.status = 'stopping';
    this.record('interrupted', this.world.clock.now());
  }

  /** SIGTERM/SIGKILL: no last line; buffered stdout is lost; the heartbeat stays "running". */
  kill(): void {
    if (this.status === 'exited') return;
    this.output?.discard();
    this.status = 'exited';
    this.record('killed', this.world.clock.now());
  }

  /** An exception outside run()'s `try`: the uncaught traceback on stderr, and the process is gone
   * (its heartbeat still says "running"). */
  crash(): void {
    if (this.status === 'exited') return;
    this.die(this.traceback(crashTraceback()), 'crash');
  }

  /** SIGSTOP: no polls, no heartbeat, until resume(). */
  hang(): void {
    if (this.status !== 'running') return;
    this.status = 'hung';
    this.record('hung', this.world.clock.now());
  }

  /** SIGCONT: a sleep that ran out meanwhile ends at once. */
  resume(): void {
    if (this.status !== 'hung') return;
    this.status = 'running';
    const now = this.world.clock.now();
    this.nextPollAt = Math.max(this.nextPollAt, now);
    this.record('resumed', now);
  }

  /** Flushes a block-buffered stdout (for inspection in tests). */
  flushOutput(): void {
    this.output?.flush();
  }

  private fetchAndProcess(start: number, script: PollScript): number {
    const output = this.requireOutput();
    const { latest, fetchFrom, rowsPerTicker } = this.fetchWindow(start);
    if (script.noData === true) {
      output.print(out(...this.tickers.map((ticker) => tickerFetchErrorLine(ticker, rateLimitedMessage(ticker, this.timeframe))), ...noDataLines(fetchFrom, start)));
      this.recordError('fetch', start, rateLimitedMessage(this.tickers[0] ?? '', this.timeframe), []);
      return 0;
    }
    const failedTicker = script.fetchError ?? (this.random.chance(this.world.rates.fetchError) ? this.random.pick(this.tickers) : undefined);
    const fetchLines = this.tickers.map((ticker) => (ticker === failedTicker ? tickerFetchErrorLine(ticker, rateLimitedMessage(ticker, this.timeframe)) : tickerBarsLine(ticker, rowsPerTicker)));
    const fetchedTickers = failedTicker === undefined ? this.tickers.length : this.tickers.length - 1;
    output.print(out(...fetchLines, fetchedLine(rowsPerTicker * fetchedTickers), processingLine(this.lastBar)));
    if (failedTicker !== undefined) this.recordError('fetch', start, rateLimitedMessage(failedTicker, this.timeframe), [fetchLines[this.tickers.indexOf(failedTicker)] ?? '']);
    const newBars: number[] = [];
    for (let bar = this.lastBar + this.barMicros; bar <= latest; bar += this.barMicros) newBars.push(bar);
    if (newBars.length === 0) {
      output.print(out(NO_NEW_BARS_LINE));
      return 0;
    }
    if (script.dataQuality !== undefined) {
      output.print(out(...dataQualityLines(script.dataQuality, script.dataQuality === 'nan' ? ['macd', 'rsi'] : [this.tickers[0] ?? ''])));
      return 0;
    }
    output.print(out(foundBarsLine(newBars.length * fetchedTickers)));
    // A timestamp without a row for every ticker is skipped without a word (and retried later).
    if (failedTicker !== undefined) return 0;
    newBars.forEach((bar, index) => this.processOneBar(bar, script, index === newBars.length - 1));
    return newBars.length;
  }

  private processOneBar(bar: number, script: PollScript, lastOfPoll: boolean): void {
    const output = this.requireOutput();
    const prices = this.market.pricesAt(bar);
    const outcome = processBar({
      bar,
      tickers: this.tickers,
      prices,
      book: this.book,
      risk: this.risk,
      random: this.random,
      tiburtina: this.spec.tiburtina ?? 'helper-import-failed',
      firstBarOfProcess: this.barsThisProcess === 0,
      forcedActions: this.pendingActions,
      newsRate: this.world.rates.news,
    });
    this.pendingActions = new Map();
    this.barsThisProcess += 1;
    this.lastBar = bar;
    output.print(out(...outcome.lines));
    const protectionLog = this.world.protectionLog();
    protectionLog.appendLines(outcome.protectionMessages.map((message) => protectionLogLine(bar, message)));

    const holdings = this.book.positions.map((position) => position.micros / 1_000_000);
    const row = csvRow({ bar, cash: outcome.cash, total: outcome.total, reward: outcome.reward, holdings, prices, actions: outcome.actions });
    const csv = this.world.csvFile(this.csvPath);
    if (script.splitCsvRow === true && lastOfPoll) csv.writePartialLine(row);
    else csv.appendLine(row);
    this.world.csvLastBar.set(this.csvPath, bar);
    this.writePositionsState(bar, outcome.total, prices);
    output.print(out(snapshotLine(bar, outcome.cash, outcome.total, outcome.reward, outcome.actions)));
    this.recordBar(bar, outcome, prices);
    if ((this.spec.discord ?? 'disabled') === 'enabled' && (script.discordFailure === true || this.random.chance(this.world.rates.discordFailure))) {
      const line = discordFailureLine(this.webhookUrl);
      output.print(err(line));
      this.world.truth.leaks.push({ file: this.logPath, secret: this.webhookUrl.split('/').pop() ?? '', line });
      this.recordError('discord', bar, line.slice('Failed to send Discord notification: '.length), [line]);
    }
  }

  /** An exception reaches run()'s `except`. A bar whose timestamp was taken before env.step
   * failed is lost (never traded, no CSV row); other failures leave the bars for the next poll. */
  private failPoll(kind: ProcessingErrorKind, start: number): number {
    const output = this.requireOutput();
    const error = processingError(kind, this.tickers.length);
    if (kind !== 'read-timeout') {
      const { latest, rowsPerTicker } = this.fetchWindow(start);
      output.print(out(...this.tickers.map((ticker) => tickerBarsLine(ticker, rowsPerTicker)), fetchedLine(rowsPerTicker * this.tickers.length), processingLine(this.lastBar)));
      const newBars = Math.max(0, Math.round((latest - this.lastBar) / this.barMicros));
      if (kind !== 'key-error' && newBars > 0) {
        output.print(out(foundBarsLine(newBars * this.tickers.length)));
        this.lastBar += this.barMicros;
      }
    }
    const lines = [errorProcessingLine(error.message), ...error.traceback];
    output.print([...out(errorProcessingLine(error.message)), ...err(...error.traceback)]);
    this.recordError('processing', start, error.message, lines);
    return 0;
  }

  /** `_fetch_latest_bars` asks for the last 4 hours of bars of every ticker. */
  private fetchWindow(start: number): { latest: number; fetchFrom: number; rowsPerTicker: number } {
    const latest = this.latestAvailableBar(start);
    const fetchFrom = start - 4 * MICROS_PER_HOUR;
    let rowsPerTicker = 0;
    for (let bar = barOpen(fetchFrom, this.barMicros); bar <= latest; bar += this.barMicros) if (bar >= fetchFrom) rowsPerTicker += 1;
    return { latest, fetchFrom, rowsPerTicker };
  }

  private restoreSavedState(now: number): Printed[] {
    const file = this.world.positionsState();
    const saved = this.world.savedState;
    if (!existsSync(file.absolutePath) || saved === undefined) return out(NO_SAVED_STATE_LINE);
    const torn = file.tornText();
    if (torn !== undefined) return this.savedStateUnreadable(now, torn);
    const ageHours = (now - saved.bar) / MICROS_PER_HOUR;
    if (ageHours > 24) return out(staleStateLine(ageHours));
    const prices = this.market.pricesAt(this.lastBar);
    const restored: RestoredPosition[] = [];
    const skipped: string[] = [];
    for (const position of saved.positions) {
      const index = this.tickers.indexOf(position.ticker);
      if (index < 0) {
        skipped.push(position.ticker);
        continue;
      }
      if (position.micros <= 0) continue;
      const target = this.book.positions[index] as Position;
      Object.assign(target, { micros: position.micros, entryPrice: position.entryPrice, highWaterMark: position.highWaterMark, stopLossTriggered: position.stopLossTriggered });
      target.lastBuyAt = position.lastTradeTime ?? saved.bar;
      restored.push({ ticker: position.ticker, holdings: position.micros / 1_000_000, entryPrice: position.entryPrice });
    }
    this.book.cash = saved.cash;
    if (saved.initialValue !== undefined && saved.initialValue !== 0) this.book.initialValue = saved.initialValue;
    this.book.portfolioHigh = saved.highWaterMark;
    this.book.inCashMode = saved.inCashMode;
    this.book.profitTaken = saved.profitTaken;
    const portfolioValue = this.book.total(prices);
    this.book.previousTotal = portfolioValue;
    const csvLastBar = existsSync(this.world.csvFile(this.csvPath).absolutePath) ? this.world.csvLastBar.get(this.csvPath) : undefined;
    const historyLatestBar = this.lastBar;
    if (csvLastBar !== undefined) this.lastBar = csvLastBar;
    this.record('restored-state', now, `${restored.length} positions from ${isoUtc(saved.bar)}`);
    return out(
      ...restoredStateLines({
        ageHours,
        positions: restored,
        skippedTickers: skipped,
        cash: saved.cash,
        portfolioValue,
        inCashMode: saved.inCashMode,
        ...(csvLastBar === undefined ? {} : { csvLastBar, historyLatestBar }),
      }),
    );
  }

  /** json.load on an empty or half-written positions_state.json (another trader mid-write). */
  private savedStateUnreadable(now: number, onDisk: string): Printed[] {
    const lines = onDisk.split('\n');
    const column = (lines[lines.length - 1] ?? '').length + 1;
    const message = onDisk.trim() === '' ? 'Expecting value: line 1 column 1 (char 0)' : `Expecting ',' delimiter: line ${lines.length} column ${column} (char ${onDisk.length})`;
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/opt/user-data/experiment/cappuccino/scripts/deployment/paper_trader_alpaca_polling.py", line 768, in _load_saved_state',
      '    saved_state = json.load(f)',
      '                  ^^^^^^^^^^^^',
      '  File "/home/mrc/.pyenv/versions/3.11.9/lib/python3.11/json/__init__.py", line 293, in load',
      '    return loads(fp.read(),',
      '           ^^^^^^^^^^^^^^^^',
      '  File "/home/mrc/.pyenv/versions/3.11.9/lib/python3.11/json/decoder.py", line 353, in raw_decode',
      '    obj, end = self.scan_once(s, idx)',
      '               ^^^^^^^^^^^^^^^^^^^^^^',
      `json.decoder.JSONDecodeError: ${message}`,
    ];
    const first = `⚠️  Failed to load saved state: ${message}`;
    this.recordError('saved-state', now, message, [first, ...traceback]);
    return [...out(first), ...err(...traceback)];
  }

  private writeCsvHeaderIfMissing(): void {
    const csv = this.world.csvFile(this.csvPath);
    const race = this.world.csvHeaderRace.has(this.csvPath);
    if (csv.exists() && !race) return;
    if (!csv.exists()) this.world.csvHeaderRace.add(this.csvPath);
    csv.appendLine(csvHeader(this.tickers));
    this.world.csvLastBar.delete(this.csvPath);
  }

  private writePositionsState(bar: number, total: number, prices: readonly number[]): void {
    const positions: PositionState[] = [];
    const saved: SavedPosition[] = [];
    this.book.positions.forEach((position, index) => {
      if (position.micros <= 0) return;
      const ticker = this.tickers[index] as string;
      const price = prices[index] as number;
      const entryPrice = position.entryPrice ?? price;
      const highWaterMark = position.highWaterMark ?? price;
      positions.push({
        ticker,
        holdings: position.micros / 1_000_000,
        currentPrice: price,
        entryPrice,
        highWaterMark,
        stopLossPct: this.risk.stopLossPct,
        trailingStopPct: this.risk.trailingStopPct,
        stopLossTriggered: position.stopLossTriggered,
        lastTradeTime: position.lastBuyAt,
      });
      saved.push({ ticker, micros: position.micros, entryPrice, highWaterMark, stopLossTriggered: position.stopLossTriggered, lastTradeTime: position.lastBuyAt });
    });
    const protection = { initialValue: this.book.initialValue, highWaterMark: this.book.portfolioHigh, inCashMode: this.book.inCashMode, profitTaken: this.book.profitTaken };
    this.world.positionsState().write(positionsStateDocument(bar, total, this.book.cash, positions, protection));
    this.world.savedState = { bar, cash: this.book.cash, positions: saved, ...protection };
  }

  private warmupReport(): string[] {
    const capital = this.book.initialCapital;
    return episodeReportLines({
      initialCapital: capital,
      finalPortfolio: capital,
      feesPaid: 0,
      buyFees: 0,
      sellFees: 0,
      buyTrades: 0,
      sellTrades: 0,
      equalWeightReturn: this.random.gaussian() * 0.03,
      equalWeightFee: capital * 0.0025,
    });
  }

  private latestAvailableBar(now: number): number {
    return barOpen(now - barAvailableAfter(this.barMicros), this.barMicros);
  }

  private die(lines: readonly Printed[], reason: string): void {
    const output = this.requireOutput();
    output.print(lines);
    output.flush();
    this.status = 'exited';
    const now = this.world.clock.now();
    const traceback = lines.filter((line) => line.stream === 'stderr').map((line) => line.text);
    const last = lines[lines.length - 1]?.text ?? '';
    this.world.truth.errors.push({ actor: this.name, at: isoUtc(now), kind: 'fatal', message: last, lines: traceback.length > 0 ? traceback : [last] });
    this.record('fatal', now, reason);
  }

  private traceback(error: PythonError): Printed[] {
    return err(...error.traceback);
  }

  private requireOutput(): ProcessOutput {
    if (this.output === undefined) throw new Error(`trader ${this.name} was never launched`);
    return this.output;
  }

  private record(kind: LifecycleKind, at: number, detail?: string): void {
    this.world.truth.lifecycle.push({ actor: this.name, pid: this.currentPid, kind, at: isoUtc(at), ...(detail === undefined ? {} : { detail }) });
  }

  private recordError(kind: 'processing' | 'fetch' | 'discord' | 'saved-state', at: number, message: string, lines: string[]): void {
    this.world.truth.errors.push({ actor: this.name, at: isoUtc(at), kind, message, lines });
  }

  private recordBar(bar: number, outcome: BarOutcome, prices: readonly number[]): void {
    const truth = this.world.truth;
    const barIso = isoUtc(bar);
    const csvPrice = (price: number): number => Number(formatFixed(price, 6));
    for (const trade of outcome.trades) {
      const qtyMicros = Math.abs(trade.afterMicros - trade.beforeMicros);
      truth.trades.push({
        trader: this.name,
        pid: this.currentPid,
        csvPath: this.csvPath,
        bar: barIso,
        symbol: trade.ticker,
        side: trade.side,
        qty: qtyMicros / 1_000_000,
        price: csvPrice(trade.price),
        value: pyRound((qtyMicros / 1_000_000) * trade.price, 6),
        holdingsBefore: trade.beforeMicros / 1_000_000,
        holdingsAfter: trade.afterMicros / 1_000_000,
        reason: trade.reason,
      });
    }
    for (const note of outcome.risk) truth.risk.push({ trader: this.name, bar: barIso, kind: note.kind, line: note.line, ...(note.ticker === undefined ? {} : { symbol: note.ticker }) });
    const byTicker = (values: readonly number[]): Record<string, number> => Object.fromEntries(this.tickers.map((ticker, index) => [ticker, values[index] as number]));
    truth.snapshots.push({
      trader: this.name,
      csvPath: this.csvPath,
      bar: barIso,
      cash: outcome.cash,
      total: outcome.total,
      reward: outcome.reward,
      holdings: byTicker(this.book.positions.map((position) => position.micros / 1_000_000)),
      prices: byTicker(prices.map(csvPrice)),
    });
  }
}

function defaultRequested(tickers: readonly string[]): readonly string[] {
  const sameAsTraining = tickers.length === TRAINING_TICKERS.length && tickers.every((ticker, index) => ticker === TRAINING_TICKERS[index]);
  return sameAsTraining ? DEFAULT_REQUESTED_TICKERS : tickers;
}

/** run()'s 1h scheduling: next hour + 2 min, skipping to the following hour if under 60 s away. */
function nextAlignedPoll(now: number): number {
  let next = barOpen(now + MICROS_PER_HOUR, MICROS_PER_HOUR) + 2 * MICROS_PER_MINUTE;
  if (next - now < MICROS_PER_MINUTE) next += MICROS_PER_HOUR;
  return next;
}

function rateLimitedMessage(ticker: string, timeframe: Timeframe): string {
  return `429 Client Error: Too Many Requests for url: https://data.alpaca.markets/v1beta3/crypto/us/bars?symbols=${encodeURIComponent(ticker)}&timeframe=${ALPACA_TIMEFRAME[timeframe]}`;
}
