/**
 * 💼 /portfolio, and the scheduled portfolio digest: totals, P&L since the start and over 24 h,
 * then the positions as a compact table that ends with "… and N more" when they do not fit.
 */
import type { PortfolioAnswer, PositionView } from '../../../readModel/answers';
import type { DiscordEmbed, DiscordEmbedField, DiscordMessage } from '../../DiscordMessage';
import { DISCORD_LIMITS } from '../discordLimits';
import { COLORS, traderName } from '../eventStyle';
import { discordTime, discordTimeWithRelative, finiteNumber, formatMoney, formatNumber, formatQuantity, formatSignedPercent } from '../formatValues';
import { codeTable } from '../groupParts';
import { markdownText } from '../sanitizeText';
import { tableCell } from '../textTable';
import { cell, fitOneMessage, pnlText, safeName, timestampOf } from './answerParts';

export interface PortfolioEmbedOptions {
  /** Replaces the title "💼 Portfolio Summary · <trader>" (markdown-safe). */
  title?: string;
  /** A line above the "As of" line (markdown-safe), e.g. "Scheduled summary (daily-portfolio)". */
  note?: string;
}

/** Most position rows tried before "… and N more" (a phone shows about this many anyway). */
const MAX_POSITION_ROWS = 30;

function byValue(a: PositionView, b: PositionView): number {
  return (finiteNumber(b.value) ?? -Infinity) - (finiteNumber(a.value) ?? -Infinity);
}

/** Symbol, qty, price, value, share %, entry, unrealised P&L % — in a code block of at most 1024 characters. */
function positionsTable(positions: readonly PositionView[]): string {
  const withEntry = positions.some((p) => p.entryPrice !== null || p.unrealisedPnl !== null);
  const rows = [...positions].sort(byValue).map((p) => [
    cell(p.symbol, 12),
    tableCell(formatQuantity(p.quantity), 14),
    p.price === null ? '—' : tableCell(formatMoney(p.price), 14),
    p.value === null ? '—' : tableCell(formatMoney(p.value), 14),
    p.sharePercent === null ? '—' : tableCell(formatNumber(p.sharePercent, 1), 8),
    ...(withEntry ? [p.entryPrice === null ? '—' : tableCell(formatMoney(p.entryPrice), 14), p.unrealisedPnl === null ? '—' : tableCell(formatSignedPercent(p.unrealisedPnl.percent), 10)] : []),
  ]);
  const header = ['Symbol', 'Qty', 'Price', 'Value', '%', ...(withEntry ? ['Entry', 'P&L'] : [])];
  return codeTable(
    header,
    rows,
    header.map((_, column) => column > 0),
    { budget: DISCORD_LIMITS.fieldValue, maxRows: MAX_POSITION_ROWS },
  );
}

/** The sum of the unrealised P&L that is known, or null when none is. */
function unrealisedTotal(positions: readonly PositionView[]): number | null {
  const amounts = positions.map((p) => finiteNumber(p.unrealisedPnl?.amount)).filter((a): a is number => a !== null);
  return amounts.length === 0 ? null : amounts.reduce((sum, a) => sum + a, 0);
}

/** One trader's portfolio as one embed (a /portfolio reply, or one trader of a digest). */
export function portfolioEmbed(answer: PortfolioAnswer, options: PortfolioEmbedOptions = {}): DiscordEmbed {
  const { totals, positions } = answer;
  const total = finiteNumber(totals.total);
  const cash = finiteNumber(totals.cash);
  const fields: DiscordEmbedField[] = [
    { name: '💰 Total Value', value: markdownText(formatMoney(totals.total)), inline: true },
    { name: '💵 Cash', value: markdownText(formatMoney(totals.cash)) + (cash !== null && total !== null && total > 0 ? ` (${((cash / total) * 100).toFixed(1)}%)` : ''), inline: true },
    { name: '📦 Invested', value: markdownText(formatMoney(totals.invested)), inline: true },
  ];
  if (totals.pnlSinceStart !== null) {
    const since = discordTime(totals.pnlSinceStart.since, 'd');
    fields.push({ name: '📊 Since start', value: pnlText(totals.pnlSinceStart) + (since === null ? '' : ` since ${since}`), inline: true });
  }
  if (totals.pnl24h !== null) fields.push({ name: '🔄 24 h', value: pnlText(totals.pnl24h), inline: true });
  const unrealised = unrealisedTotal(positions);
  if (unrealised !== null) fields.push({ name: '📈 Unrealised', value: pnlText({ amount: unrealised, percent: null }), inline: true });
  fields.push(
    positions.length === 0
      ? { name: '💼 Positions', value: '100% cash (no open positions)', inline: false }
      : { name: '💼 Positions', value: positionsTable(positions), inline: false },
  );

  const asOf = discordTimeWithRelative(totals.at);
  const lines = [options.note, asOf === null ? undefined : `As of ${asOf}`].filter((line): line is string => typeof line === 'string' && line !== '');
  const trend = finiteNumber(totals.pnl24h?.amount) ?? finiteNumber(totals.pnlSinceStart?.amount);
  return {
    title: options.title ?? `💼 Portfolio Summary · ${safeName(traderName(totals.trader))}`,
    ...(lines.length > 0 ? { description: lines.join('\n') } : {}),
    color: trend === null ? COLORS.portfolio : trend >= 0 ? COLORS.good : COLORS.bad,
    fields,
    ...timestampOf(totals.at),
  };
}

/** Most other traders named under a /portfolio reply. */
const MAX_OTHERS = 10;

/** /portfolio: one trader's portfolio as one reply, naming the other traders one could ask for. */
export function renderPortfolio(answer: PortfolioAnswer): DiscordMessage {
  const embed = portfolioEmbed(answer);
  const others = answer.otherTraders.slice(0, MAX_OTHERS).map((name) => safeName(name));
  if (others.length > 0) {
    const more = answer.otherTraders.length > MAX_OTHERS ? ` and ${answer.otherTraders.length - MAX_OTHERS} more` : '';
    embed.footer = { text: `Also: ${others.join(', ')}${more} — /portfolio <trader>` };
  }
  return fitOneMessage({ embeds: [embed] });
}
