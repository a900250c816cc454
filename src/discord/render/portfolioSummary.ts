/**
 * 💼 Portfolio summaries from outside the commands: the scheduled digest (one embed per trader,
 * drawn from the same `PortfolioAnswer` as /portfolio) and a `portfolio.snapshot` event.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { PortfolioAnswer, PositionView } from '../../readModel/answers';
import { SUPPRESS_NOTIFICATIONS, type DiscordEmbed, type DiscordMessage } from '../DiscordMessage';
import { portfolioEmbed } from './answers/portfolio';
import { fitToDiscordLimits } from './discordLimits';
import { fieldsOf } from './eventEmbed';
import { footerOf } from './eventStyle';
import { finiteNumber, timeOf } from './formatValues';

export interface PortfolioSummaryOptions {
  /** A line under the title (markdown-safe), e.g. "Scheduled summary (daily-portfolio)". */
  note?: string;
  /** Send without a notification sound (Discord's suppress-notifications flag). */
  silent?: boolean;
}

/** The digest: one embed per trader, packed into as few messages as Discord allows. */
export function renderPortfolioSummary(answers: readonly PortfolioAnswer[], options: PortfolioSummaryOptions = {}): DiscordMessage[] {
  const note = options.note;
  const embeds = answers.map((answer) => portfolioEmbed(answer, note === undefined ? {} : { note }));
  return fitToDiscordLimits({ embeds, ...(options.silent ? { flags: SUPPRESS_NOTIFICATIONS } : {}) });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * A CSV session's snapshot fields ({ at, cash, total, holdings, prices }) as the answer the
 * digest draws: positions valued at the bar's prices; nothing known about entries or history.
 */
export function portfolioAnswerFromSnapshot(trader: string, snapshot: Record<string, unknown>, now: number): PortfolioAnswer {
  const snap = record(snapshot);
  const total = finiteNumber(snap.total);
  const cash = finiteNumber(snap.cash);
  const prices = record(snap.prices);
  const positions: PositionView[] = [];
  for (const [symbol, raw] of Object.entries(record(snap.holdings))) {
    const quantity = finiteNumber(raw);
    // The trader keeps sub-micro dust after a sell; 6 decimals is what it writes.
    if (quantity === null || Math.abs(quantity) < 5e-7) continue;
    const price = finiteNumber(prices[symbol]);
    const value = price === null ? null : quantity * price;
    positions.push({ symbol, quantity, price, value, sharePercent: value !== null && total !== null && total > 0 ? (value / total) * 100 : null, entryPrice: null, unrealisedPnl: null });
  }
  const invested = total !== null && cash !== null ? total - cash : positions.reduce((sum, p) => sum + (p.value ?? 0), 0);
  return {
    kind: 'portfolio',
    now,
    totals: { trader, at: timeOf(snap.at) ?? now, total: total ?? NaN, cash: cash ?? NaN, invested, pnlSinceStart: null, pnl24h: null },
    positions,
    otherTraders: [],
  };
}

/** A `portfolio.snapshot` (or `portfolio.snapshot_line`) event as a summary. */
export function snapshotEventEmbed(event: BaristaEvent): DiscordEmbed {
  const fields = fieldsOf(event);
  const trader = typeof fields.trader === 'string' && fields.trader !== '' ? fields.trader : String(event.subject ?? '');
  const at = timeOf(event.at) ?? timeOf(fields.at) ?? NaN;
  const embed = portfolioEmbed(portfolioAnswerFromSnapshot(trader, { ...fields, at: fields.at ?? event.at }, at));
  embed.footer = { text: footerOf([String(event.subject ?? '')], [String(event.source ?? '')]) };
  return embed;
}
