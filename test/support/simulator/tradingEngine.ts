/**
 * One bar of trading, following `_process_new_bar` in order: portfolio protection, per-position
 * risk management, the environment step (concentration cap, sells, 5% rebalancing, buys), position
 * tracking ("Closed" lines). Returns the lines it printed and what changed; writes nothing.
 *
 * Holdings are kept in whole micro-units so the CSV's `%.6f` values differ by exactly the
 * traded quantity (trades are derived from those differences).
 */
import { formatFixed } from './python';
import type { SeededRandom } from './random';
import { MICROS_PER_HOUR } from './time';
import {
  clearingStopFlagLine,
  closedLine,
  concentrationBlockedLine,
  concentrationCappedLines,
  episodeReportLines,
  macroLine,
  minHoldLine,
  newsBullishLine,
  newsReduceLines,
  newsSkipLines,
  positionLimitLine,
  protectionLine,
  protectionMessages,
  stopLossLine,
  trailingStopLine,
  cashModeLine,
  type RiskSettings,
  type TiburtinaMode,
} from './traderLog';
import type { RiskKind, TradeReason, TradeSide } from './truth';

const MICRO = 1_000_000;
const BUY_FEE = 0.0025;
const SELL_FEE = 0.0025;
const MIN_CASH_RESERVE = 0.1;
const SAFETY_FACTOR = 0.95;
/** Below this a trade is not executed (Alpaca's minimum quantities, roughly). */
const MIN_TRADE_VALUE = 1;
/** Bars held without a sell before the environment sells 5%. */
const REBALANCE_AFTER_BARS = 48;

export interface Position {
  micros: number;
  entryPrice?: number;
  highWaterMark?: number;
  lastBuyAt?: number;
  stopLossTriggered: boolean;
  barsSinceSell: number;
}

/** What the trader keeps in memory between bars (and restores from positions_state.json). */
export class TradingBook {
  cash: number;
  readonly positions: Position[];
  initialValue: number | undefined;
  portfolioHigh = 0;
  profitTaken = false;
  inCashMode = false;
  cashModeStartedAt: number | undefined;
  previousTotal: number;
  readonly fees = { buy: 0, sell: 0, buyTrades: 0, sellTrades: 0 };

  constructor(
    tickerCount: number,
    readonly initialCapital: number,
  ) {
    this.cash = initialCapital;
    this.previousTotal = initialCapital;
    this.positions = Array.from({ length: tickerCount }, () => ({ micros: 0, stopLossTriggered: false, barsSinceSell: 0 }));
  }

  shares(index: number): number {
    return (this.positions[index] as Position).micros / MICRO;
  }

  total(prices: readonly number[]): number {
    return this.positions.reduce((sum, position, index) => sum + (position.micros / MICRO) * (prices[index] as number), this.cash);
  }
}

export interface ExecutedTrade {
  ticker: string;
  side: TradeSide;
  beforeMicros: number;
  afterMicros: number;
  price: number;
  reason: TradeReason;
}

export interface RiskNote {
  kind: RiskKind;
  ticker?: string;
  line: string;
}

export interface BarInput {
  bar: number;
  tickers: readonly string[];
  prices: readonly number[];
  book: TradingBook;
  risk: RiskSettings;
  random: SeededRandom;
  tiburtina: TiburtinaMode;
  /** environment_Alpaca.py prints its fee report when the first bar of a process ends an episode. */
  firstBarOfProcess: boolean;
  /** Policy outputs to use instead of random ones, per ticker. */
  forcedActions: ReadonlyMap<string, number>;
  /** Chance per buy that the news check fires (skip / reduce / bullish). */
  newsRate: number;
}

export interface BarOutcome {
  /** stdout lines in print order, up to (not including) the snapshot line. */
  lines: string[];
  /** Messages also appended to profit_protection.log. */
  protectionMessages: string[];
  trades: ExecutedTrade[];
  risk: RiskNote[];
  cash: number;
  total: number;
  reward: number;
  /** The action array after risk management, as logged (float32). */
  actions: number[];
}

/** Policy output in "action units": ±1 ≈ a trade of 35% of the initial capital. */
function policyActions(input: BarInput): number[] {
  const { book, random, tickers, forcedActions } = input;
  return tickers.map((ticker, index) => {
    const forced = forcedActions.get(ticker);
    if (forced !== undefined) return Math.fround(forced);
    const held = (book.positions[index] as Position).micros > 0;
    const roll = random.next();
    // Strong signals: mostly buys of what is not held, sells of what is; otherwise noise.
    const [buyChance, sellChance] = held ? [0.03, 0.12] : [0.08, 0.02];
    let action = random.gaussian() * 0.005;
    if (roll < buyChance) action = random.between(0.3, 1.0);
    else if (roll < buyChance + sellChance) action = -random.between(0.3, 1.0);
    return Math.fround(action);
  });
}

export function processBar(input: BarInput): BarOutcome {
  const { bar, tickers, prices, book, risk, random } = input;
  const lines: string[] = [];
  const protection: string[] = [];
  const notes: RiskNote[] = [];
  const unitValue = book.initialCapital * 0.35;
  const note = (kind: RiskKind, line: string, ticker?: string): void => {
    lines.push(line);
    notes.push(ticker === undefined ? { kind, line } : { kind, ticker, line });
  };
  const logProtection = (kind: RiskKind, message: string): void => {
    protection.push(message);
    note(kind, protectionLine(message));
  };

  const raw = policyActions(input);
  const actions = [...raw];
  const forcedReason: (TradeReason | undefined)[] = tickers.map(() => undefined);
  const totalBefore = book.total(prices);

  // 1. Portfolio-level profit protection (runs first, as in the trader).
  const sellAll = (reason: TradeReason): void => {
    book.positions.forEach((position, index) => {
      if (position.micros > 0) {
        actions[index] = Math.fround(-book.shares(index) * 1.1);
        forcedReason[index] = reason;
      }
    });
  };
  if (book.initialValue === undefined) {
    book.initialValue = totalBefore;
    book.portfolioHigh = totalBefore;
    logProtection('portfolio_initial', protectionMessages.initial(totalBefore));
  }
  if (totalBefore > book.portfolioHigh) {
    book.portfolioHigh = totalBefore;
    const gainPct = (totalBefore / book.initialValue - 1) * 100;
    if (gainPct >= 1) logProtection('portfolio_new_high', protectionMessages.newHigh(totalBefore, gainPct));
  }
  const gainFromStart = book.initialValue > 0 ? totalBefore / book.initialValue - 1 : 0;
  const drawdown = book.portfolioHigh > 0 ? (book.portfolioHigh - totalBefore) / book.portfolioHigh : 0;
  let protectionDone = false;
  if (book.inCashMode && book.cashModeStartedAt !== undefined) {
    const hoursInCash = (bar - book.cashModeStartedAt) / MICROS_PER_HOUR;
    if (hoursInCash < risk.cooldownAfterCashHours) {
      actions.forEach((action, index) => {
        if (action > 0) actions[index] = 0;
      });
      if (Math.trunc(hoursInCash) % 4 === 0) note('cash_mode', cashModeLine(risk.cooldownAfterCashHours - hoursInCash));
      protectionDone = true;
    } else {
      logProtection('cash_cooldown_expired', protectionMessages.cooldownExpired(hoursInCash));
      book.inCashMode = false;
      book.cashModeStartedAt = undefined;
      book.profitTaken = false;
      book.initialValue = totalBefore;
      book.portfolioHigh = totalBefore;
    }
  }
  if (!protectionDone && risk.portfolioTrailingStopPct > 0 && drawdown >= risk.portfolioTrailingStopPct) {
    // The high-water mark is never reset, so this repeats on every bar of a drawdown.
    logProtection('portfolio_trailing_stop', protectionMessages.trailingStop(drawdown * 100, book.portfolioHigh, totalBefore));
    sellAll('portfolio_trailing_stop');
    protectionDone = true;
  }
  if (!protectionDone && risk.moveToCashThresholdPct > 0 && gainFromStart >= risk.moveToCashThresholdPct && !book.inCashMode) {
    logProtection('move_to_cash', protectionMessages.moveToCash(gainFromStart * 100, risk.moveToCashThresholdPct * 100));
    sellAll('move_to_cash');
    book.inCashMode = true;
    book.cashModeStartedAt = bar;
    protectionDone = true;
  }
  if (!protectionDone && risk.profitTakeThresholdPct > 0 && gainFromStart >= risk.profitTakeThresholdPct && !book.profitTaken) {
    logProtection('profit_taking', protectionMessages.profitTaking(gainFromStart * 100, risk.profitTakeAmountPct * 100, risk.profitTakeThresholdPct * 100));
    book.positions.forEach((position, index) => {
      if (position.micros > 0) {
        actions[index] = Math.fround(-book.shares(index) * risk.profitTakeAmountPct);
        forcedReason[index] = 'profit_taking';
      }
    });
    book.profitTaken = true;
  }

  // 2. Per-position risk management.
  const afterProtection = [...actions];
  tickers.forEach((ticker, index) => {
    const position = book.positions[index] as Position;
    const price = prices[index] as number;
    const shares = book.shares(index);
    const positionValue = shares * price;
    const positionPct = totalBefore > 0 ? positionValue / totalBefore : 0;
    if (position.entryPrice !== undefined && shares > 0 && (position.highWaterMark === undefined || price > position.highWaterMark)) {
      position.highWaterMark = price;
    }
    if ((actions[index] as number) < 0 && shares > 0 && risk.minHoldHours > 0 && position.lastBuyAt !== undefined) {
      const heldHours = (bar - position.lastBuyAt) / MICROS_PER_HOUR;
      if (heldHours < risk.minHoldHours) {
        actions[index] = 0;
        forcedReason[index] = undefined;
        if (index === 0 || Math.abs(afterProtection[index] as number) > 0.01) {
          note('min_hold_blocked', minHoldLine(ticker, heldHours, risk.minHoldHours), ticker);
        }
      }
    }
    if (shares > 0 && position.entryPrice !== undefined && risk.stopLossPct > 0) {
      const loss = (position.entryPrice - price) / position.entryPrice;
      if (loss >= risk.stopLossPct) {
        actions[index] = Math.fround(-shares * 1.1);
        forcedReason[index] = 'stop_loss';
        position.stopLossTriggered = true;
        note('stop_loss', stopLossLine(ticker, loss * 100, position.entryPrice), ticker);
        return;
      }
      if (risk.trailingStopPct > 0 && position.highWaterMark !== undefined) {
        const trail = (position.highWaterMark - price) / position.highWaterMark;
        if (trail >= risk.trailingStopPct) {
          actions[index] = Math.fround(-shares * 1.1);
          forcedReason[index] = 'trailing_stop';
          position.stopLossTriggered = true;
          note('trailing_stop', trailingStopLine(ticker, trail * 100, position.highWaterMark), ticker);
          return;
        }
      }
    }
    // The pre-check caps additions to a held position; new positions and full ones are left to
    // the environment's authoritative check (which prints the "Concentration limit" lines).
    if ((actions[index] as number) > 0 && risk.maxPositionPct > 0 && shares > 0) {
      const newPct = (positionValue + (actions[index] as number) * unitValue) / totalBefore;
      const maxAdditional = risk.maxPositionPct * totalBefore - positionValue;
      if (newPct > risk.maxPositionPct && maxAdditional > 0) {
        const before = actions[index] as number;
        actions[index] = Math.fround(Math.min(before, maxAdditional / unitValue));
        if ((actions[index] as number) < before * 0.5) {
          note('position_limit', positionLimitLine(ticker, before, actions[index] as number, positionPct * 100), ticker);
        }
      }
    }
    if ((actions[index] as number) > 0 && position.stopLossTriggered) {
      note('stop_flag_cleared', clearingStopFlagLine(ticker), ticker);
      position.stopLossTriggered = false;
    }
  });
  if (risk.actionDampening !== 1) actions.forEach((action, index) => (actions[index] = Math.fround(action * risk.actionDampening)));
  if (input.tiburtina === 'active') {
    const multiplier = 0.75;
    actions.forEach((action, index) => (actions[index] = Math.fround(action * multiplier)));
    if (actions.some((action) => Math.abs(action) > 0.01)) note('macro', macroLine('normal', multiplier, `moderate_vix_${formatFixed(20 + random.between(0, 5), 1)}`));
  }
  tickers.forEach((ticker, index) => {
    if ((actions[index] as number) <= 0 || !random.chance(input.newsRate)) return;
    const verdict = random.int(0, 2);
    if (verdict === 0) {
      const [first, ...rest] = newsSkipLines(ticker, 'Bearish news detected', `${ticker.replace('/USD', '')} faces regulatory scrutiny`);
      note('news_skip', first as string, ticker);
      lines.push(...rest);
      actions[index] = 0;
    } else if (verdict === 1) {
      const [first, ...rest] = newsReduceLines(ticker, 'Mixed news sentiment');
      note('news_reduce', first as string, ticker);
      lines.push(...rest);
      actions[index] = Math.fround((actions[index] as number) * 0.5);
    } else {
      note('news_bullish', newsBullishLine(ticker, 'Positive institutional flows'), ticker);
    }
  });

  // 3. The environment step.
  const beforeMicros = book.positions.map((position) => position.micros);
  const tradeReason: (TradeReason | undefined)[] = tickers.map(() => undefined);
  book.positions.forEach((position) => {
    if (position.micros > 0) position.barsSinceSell += 1;
  });
  const desiredShares = tickers.map((_, index) => {
    const action = actions[index] as number;
    const reason = forcedReason[index];
    if (reason !== undefined && reason !== 'profit_taking' && action < 0) return -book.shares(index);
    if (reason === 'profit_taking') return action;
    return (action * unitValue) / (prices[index] as number);
  });
  const envTotal = book.total(prices);
  tickers.forEach((ticker, index) => {
    const desired = desiredShares[index] as number;
    if (desired <= 0 || risk.maxPositionPct <= 0) return;
    const price = prices[index] as number;
    const current = book.shares(index) * price;
    const newPct = (current + desired * price) / envTotal;
    if (newPct <= risk.maxPositionPct) return;
    const maxAdditional = risk.maxPositionPct * envTotal - current;
    const currentPct = envTotal > 0 ? (current / envTotal) * 100 : 0;
    if (maxAdditional > 0) {
      const capped = Math.min(desired, maxAdditional / price);
      if (capped < desired * 0.8) {
        const [first, ...rest] = concentrationCappedLines(ticker, desired, capped, currentPct, newPct * 100, risk.maxPositionPct * 100);
        note('concentration_capped', first as string, ticker);
        lines.push(...rest);
      }
      desiredShares[index] = capped;
    } else {
      if (desired > 0.01) note('concentration_blocked', concentrationBlockedLine(ticker, currentPct, risk.maxPositionPct * 100), ticker);
      desiredShares[index] = 0;
    }
  });
  const sell = (index: number, micros: number, reason: TradeReason): void => {
    const position = book.positions[index] as Position;
    const amount = Math.min(position.micros, micros);
    if (amount <= 0) return;
    const value = (amount / MICRO) * (prices[index] as number);
    position.micros -= amount;
    position.barsSinceSell = 0;
    book.cash += value * (1 - SELL_FEE);
    book.fees.sell += value * SELL_FEE;
    book.fees.sellTrades += 1;
    tradeReason[index] ??= reason;
  };
  desiredShares.forEach((desired, index) => {
    const reason = forcedReason[index];
    const forcedSell = reason !== undefined && desired < 0;
    if (desired >= 0 || (!forcedSell && -desired * (prices[index] as number) < MIN_TRADE_VALUE)) return;
    sell(index, Math.round(-desired * MICRO), reason ?? 'policy');
  });
  book.positions.forEach((position, index) => {
    if (position.micros > 0 && position.barsSinceSell >= REBALANCE_AFTER_BARS) sell(index, Math.floor(position.micros * 0.05), 'forced_rebalance');
  });
  desiredShares.forEach((desired, index) => {
    const price = prices[index] as number;
    if (desired <= 0 || desired * price < MIN_TRADE_VALUE) return;
    const available = Math.max(0, book.cash - book.initialCapital * MIN_CASH_RESERVE);
    const shares = Math.min(((available / (1 + BUY_FEE)) / price) * SAFETY_FACTOR, desired);
    const micros = Math.floor(shares * MICRO);
    if ((micros / MICRO) * price < MIN_TRADE_VALUE) return;
    const value = (micros / MICRO) * price;
    (book.positions[index] as Position).micros += micros;
    book.cash -= value * (1 + BUY_FEE);
    book.fees.buy += value * BUY_FEE;
    book.fees.buyTrades += 1;
    tradeReason[index] ??= 'policy';
  });
  const total = book.total(prices);
  if (input.firstBarOfProcess) {
    lines.push(
      ...episodeReportLines({
        initialCapital: book.initialCapital,
        finalPortfolio: total,
        feesPaid: book.fees.buy + book.fees.sell,
        buyFees: book.fees.buy,
        sellFees: book.fees.sell,
        buyTrades: book.fees.buyTrades,
        sellTrades: book.fees.sellTrades,
        equalWeightReturn: random.gaussian() * 0.01,
        equalWeightFee: book.initialCapital * BUY_FEE,
      }),
    );
  }

  // 4. Position tracking after the step.
  const trades: ExecutedTrade[] = [];
  tickers.forEach((ticker, index) => {
    const position = book.positions[index] as Position;
    const before = beforeMicros[index] as number;
    const price = prices[index] as number;
    if (position.micros !== before) {
      trades.push({ ticker, side: position.micros > before ? 'BUY' : 'SELL', beforeMicros: before, afterMicros: position.micros, price, reason: tradeReason[index] ?? 'policy' });
    }
    if (position.micros > before) {
      position.entryPrice = before <= 0 || position.entryPrice === undefined ? price : (before * position.entryPrice + (position.micros - before) * price) / position.micros;
      if (before <= 0) position.highWaterMark = price;
      position.lastBuyAt = bar;
    } else if (position.micros <= 0 && before > 0) {
      if (position.entryPrice !== undefined) {
        note('position_closed', closedLine(ticker, position.entryPrice, price, ((price - position.entryPrice) / position.entryPrice) * 100), ticker);
      }
      position.entryPrice = undefined;
      position.highWaterMark = undefined;
      position.lastBuyAt = undefined;
      position.barsSinceSell = 0;
    }
  });
  const reward = (total - book.previousTotal) / book.initialCapital;
  book.previousTotal = total;
  return { lines, protectionMessages: protection, trades, risk: notes, cash: book.cash, total, reward, actions };
}
