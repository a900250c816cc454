/**
 * 💼 Portfolio summary of one trader: totals, then a holdings table. Used for a
 * `portfolio.snapshot` event and by scheduled digests (from the cached snapshot).
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { SUPPRESS_NOTIFICATIONS, type DiscordEmbed, type DiscordEmbedField, type DiscordMessage } from '../DiscordMessage';
import { codeBlock, DISCORD_LIMITS, fitToDiscordLimits } from './discordLimits';
import { fieldsOf } from './eventEmbed';
import { COLORS, footerOf, traderName } from './eventStyle';
import { discordTimeWithRelative, finiteNumber, formatAny, formatMoney, formatQuantity, formatSignedPercent } from './formatValues';
import { codeText, markdownText } from './sanitizeText';
import { tableCell, textTable } from './textTable';

/** A trader's portfolio as the CSV snapshot (or the cache) has it. Values may be missing or odd. */
export interface PortfolioSnapshot {
  cash?: unknown;
  total?: unknown;
  /** Quantity per symbol. */
  holdings?: unknown;
  /** Price per symbol. */
  prices?: unknown;
  /** ISO time of the bar. */
  at?: unknown;
  reward?: unknown;
}

/** One open position from positions_state.json (entry and P&L for the table). */
export interface PortfolioPosition {
  symbol: string;
  entry_price?: number | null;
  pnl_pct?: number | null;
}

export interface PortfolioSummaryOptions {
  /** Time the summary is about (default: the snapshot's). */
  at?: string;
  /** Source id, for the footer. */
  source?: string;
  /** Starting capital: adds the return since the start. */
  initialValue?: number;
  /** An earlier total (the previous digest, 24 h ago): adds the change. */
  previousTotal?: number;
  /** What the earlier total was, e.g. "24h" (default "since last summary"). */
  previousLabel?: string;
  /** Open positions with entry prices and P&L, from positions_state.json. */
  positions?: readonly PortfolioPosition[];
  /** Replaces the default title "💼 Portfolio Summary · <trader>" (markdown-safe). */
  title?: string;
  /** A line under the title (markdown-safe), e.g. "Daily digest". */
  note?: string;
  /** Send without a notification sound (Discord's suppress-notifications flag). */
  silent?: boolean;
}

interface HoldingRow {
  symbol: string;
  qty: number;
  price: number | null;
  value: number | null;
  entry: number | null;
  pnl: number | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function holdingRows(snapshot: PortfolioSnapshot, positions: readonly PortfolioPosition[]): HoldingRow[] | null {
  const holdings = record(snapshot.holdings);
  if (holdings === null) return null;
  const prices = record(snapshot.prices) ?? {};
  const bySymbol = new Map(positions.filter((p) => typeof p?.symbol === 'string').map((p) => [p.symbol, p]));
  const rows: HoldingRow[] = [];
  for (const [symbol, raw] of Object.entries(holdings)) {
    const qty = finiteNumber(raw);
    // The trader keeps sub-micro dust after a sell; 6 decimals is what it writes.
    if (qty === null || Math.abs(qty) < 5e-7) continue;
    const price = finiteNumber(prices[symbol]);
    const position = bySymbol.get(symbol);
    rows.push({ symbol, qty, price, value: price === null ? null : qty * price, entry: finiteNumber(position?.entry_price), pnl: finiteNumber(position?.pnl_pct) });
  }
  return rows.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
}

/** The holdings table in a code block of at most 1024 characters; "… and N more" when it is longer. */
function holdingsTable(rows: HoldingRow[], total: number | null): string {
  const withPnl = rows.some((row) => row.pnl !== null || row.entry !== null);
  const header = ['Symbol', 'Qty', 'Price', 'Value', '%', ...(withPnl ? ['Entry', 'P&L'] : [])];
  const cells = rows.map((row) => [
    tableCell(row.symbol, 12),
    formatQuantity(row.qty),
    row.price === null ? '—' : formatMoney(row.price),
    row.value === null ? '—' : formatMoney(row.value),
    row.value === null || total === null || total === 0 ? '—' : `${((row.value / total) * 100).toFixed(1)}`,
    ...(withPnl ? [row.entry === null ? '—' : formatMoney(row.entry), row.pnl === null ? '—' : formatSignedPercent(row.pnl)] : []),
  ]);
  const right = header.map((_, column) => column > 0);
  const room = DISCORD_LIMITS.fieldValue - 8 - 30;
  for (let shown = cells.length; shown >= 0; shown--) {
    const lines = textTable(header, cells.slice(0, shown), right);
    if (shown < cells.length) lines.push(`… and ${cells.length - shown} more`);
    const text = lines.join('\n');
    if (text.length <= room) return codeBlock(codeText(text), { maxLength: DISCORD_LIMITS.fieldValue });
  }
  return codeBlock(codeText(`${rows.length} positions`), { maxLength: DISCORD_LIMITS.fieldValue });
}

function changeText(current: number, before: number): string {
  const change = current - before;
  const percent = before !== 0 ? ` (${formatSignedPercent((change / Math.abs(before)) * 100)})` : '';
  return `${change >= 0 ? '+' : '-'}${formatMoney(Math.abs(change))}${percent}`;
}

/** The summary as one embed (for digests, and for `portfolio.snapshot` events). */
export function portfolioSummaryEmbed(trader: string, snapshot: PortfolioSnapshot, options: PortfolioSummaryOptions = {}): DiscordEmbed {
  const snap = record(snapshot) ?? {};
  const total = finiteNumber(snap.total);
  const cash = finiteNumber(snap.cash);
  const fields: DiscordEmbedField[] = [];
  const add = (name: string, value: string | null, inline = true) => {
    if (value !== null) fields.push({ name, value, inline });
  };
  add('💰 Total Value', snap.total === undefined ? null : markdownText(formatMoney(snap.total)));
  add('💵 Cash', snap.cash === undefined ? null : markdownText(formatMoney(snap.cash)) + (cash !== null && total ? ` (${((cash / total) * 100).toFixed(1)}%)` : ''));
  add('📦 Invested', total !== null && cash !== null ? markdownText(formatMoney(total - cash)) : null);
  const initial = finiteNumber(options.initialValue);
  add('📊 Return', total !== null && initial !== null && initial !== 0 ? markdownText(`${formatSignedPercent(((total - initial) / Math.abs(initial)) * 100)} since start (${formatMoney(initial)})`) : null);
  const previous = finiteNumber(options.previousTotal);
  add(`🔄 Change${options.previousLabel ? ` (${markdownText(options.previousLabel)})` : ''}`, total !== null && previous !== null ? markdownText(changeText(total, previous)) : null);
  if (snap.reward !== undefined && snap.reward !== null) add('💎 Reward', markdownText(formatAny(snap.reward, 100)));

  const rows = holdingRows(snap, options.positions ?? []);
  if (rows !== null) add('💼 Positions', rows.length === 0 ? '100% cash (no open positions)' : holdingsTable(rows, total), false);

  const at = options.at ?? (typeof snap.at === 'string' ? snap.at : undefined);
  const asOf = discordTimeWithRelative(at);
  const lines = [options.note, asOf === null ? undefined : `As of ${asOf}`].filter((line): line is string => typeof line === 'string' && line !== '');
  const trend = previous !== null && total !== null ? total - previous : initial !== null && total !== null ? total - initial : null;
  return {
    title: options.title ?? `💼 Portfolio Summary · ${markdownText(traderName(trader))}`,
    ...(lines.length > 0 ? { description: lines.join('\n') } : {}),
    color: trend === null ? COLORS.portfolio : trend >= 0 ? COLORS.good : COLORS.bad,
    fields,
    ...(at !== undefined ? { timestamp: at } : {}),
    footer: { text: footerOf([trader], options.source ? [options.source] : []) },
  };
}

/** A portfolio summary as ready-to-send messages (scheduled digests). */
export function renderPortfolioSummary(trader: string, snapshot: PortfolioSnapshot, options: PortfolioSummaryOptions = {}): DiscordMessage[] {
  return fitToDiscordLimits({ embeds: [portfolioSummaryEmbed(trader, snapshot, options)], ...(options.silent ? { flags: SUPPRESS_NOTIFICATIONS } : {}) });
}

/** A `portfolio.snapshot` (or `portfolio.snapshot_line`) event as a summary. */
export function snapshotEventEmbed(event: BaristaEvent): DiscordEmbed {
  const fields = fieldsOf(event);
  const trader = typeof fields.trader === 'string' && fields.trader !== '' ? fields.trader : String(event.subject ?? '');
  const embed = portfolioSummaryEmbed(trader, fields, { at: event.at, source: event.source });
  embed.footer = { text: footerOf([String(event.subject ?? '')], [String(event.source ?? '')]) };
  return embed;
}
