/**
 * Grouped trades ("12 trades in 2 min on trial250") and closed positions: a compact table of as
 * many rows as fit, and counts and totals computed over every event of the group, so a group of
 * 10,000 trades is still one message that accounts for all of them.
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { DiscordEmbed, DiscordEmbedField } from '../DiscordMessage';
import { DISCORD_LIMITS } from './discordLimits';
import { fieldsOf } from './eventEmbed';
import { COLORS, subjectOf } from './eventStyle';
import { finiteNumber, formatCount, formatMoney, formatQuantity, formatSignedPercent, plural, textOf } from './formatValues';
import { codeTable, DEFAULT_TABLE_ROWS, distinctSubjects, GROUP_TEXT_BUDGET, groupFooter, groupSubject, latestAt, spanLine, spanPhrase, tableClock, timeRange, type GroupOptions } from './groupParts';
import { sideOf } from './tradeEmbeds';
import { tableCell } from './textTable';

interface SymbolTotals {
  buys: number;
  sells: number;
  /** In micro-units (the trader's 6 decimals): integer sums, no float noise such as -3.47e-18. */
  netMicros: number;
  bought: number;
  sold: number;
}

/** Counts and totals over every trade of a group. */
interface TradeTotals {
  count: number;
  buys: number;
  sells: number;
  /** Neither BUY nor SELL. */
  others: number;
  /** Sum of `value` of buys / sells (finite values only). */
  bought: number;
  sold: number;
  /** Trades whose value is missing or not a finite number (counted, not summed). */
  unvalued: number;
  symbols: Map<string, SymbolTotals>;
}

function tradeTotals(events: readonly BaristaEvent[]): TradeTotals {
  const totals: TradeTotals = { count: events.length, buys: 0, sells: 0, others: 0, bought: 0, sold: 0, unvalued: 0, symbols: new Map() };
  for (const event of events) {
    const fields = fieldsOf(event);
    const side = sideOf(event);
    const value = finiteNumber(fields.value);
    const qty = finiteNumber(fields.qty);
    const micros = qty === null ? 0 : Math.round(qty * 1e6);
    if (value === null) totals.unvalued++;
    const symbolName = typeof fields.symbol === 'string' && fields.symbol.trim() !== '' ? fields.symbol : '?';
    let symbol = totals.symbols.get(symbolName);
    if (!symbol) {
      symbol = { buys: 0, sells: 0, netMicros: 0, bought: 0, sold: 0 };
      totals.symbols.set(symbolName, symbol);
    }
    if (side === 'BUY') {
      totals.buys++;
      symbol.buys++;
      totals.bought += value ?? 0;
      symbol.bought += value ?? 0;
      symbol.netMicros += micros;
    } else if (side === 'SELL') {
      totals.sells++;
      symbol.sells++;
      totals.sold += value ?? 0;
      symbol.sold += value ?? 0;
      symbol.netMicros -= micros;
    } else {
      totals.others++;
    }
  }
  return totals;
}

function signedMoney(value: number): string {
  return `${value >= 0 ? '+' : '-'}${formatMoney(Math.abs(value))}`;
}

/** Per-symbol totals, biggest turnover first, in a code block field. */
function symbolsField(totals: TradeTotals, maxRows: number): DiscordEmbedField | null {
  if (totals.symbols.size < 2) return null;
  const rows = [...totals.symbols.entries()]
    .sort((a, b) => b[1].bought + b[1].sold - (a[1].bought + a[1].sold))
    .map(([symbol, s]) => [tableCell(symbol, 12), formatCount(s.buys), formatCount(s.sells), tableCell(formatQuantity(s.netMicros / 1e6), 14), tableCell(signedMoney(s.sold - s.bought), 16)]);
  const value = codeTable(['Symbol', 'Buys', 'Sells', 'Net qty', 'Net cash'], rows, [false, true, true, true, true], { budget: DISCORD_LIMITS.fieldValue, maxRows });
  return { name: 'By symbol', value, inline: false };
}

export function groupedTradesEmbed(events: readonly BaristaEvent[], labels: Record<string, string>, options: GroupOptions = {}): DiscordEmbed {
  const maxRows = options.maxTableRows ?? DEFAULT_TABLE_ROWS;
  const totals = tradeTotals(events);
  const range = timeRange(events);
  const several = distinctSubjects(events) > 1;
  const clock = tableClock(range);
  const emoji = totals.sells === 0 && totals.others === 0 ? '📈' : totals.buys === 0 && totals.others === 0 ? '📉' : '🔁';

  // Rows only for what can be shown: a group may hold thousands of trades.
  const rows = events.slice(0, maxRows).map((event) => {
    const fields = fieldsOf(event);
    return [
      clock(event.at),
      ...(several ? [tableCell(subjectOf(event), 16)] : []),
      sideOf(event) ?? tableCell(textOf(fields.side ?? '?', 20), 5),
      tableCell(textOf(fields.symbol ?? '?', 20), 12),
      tableCell(formatQuantity(fields.qty), 16),
      tableCell(formatMoney(fields.price), 14),
      tableCell(formatMoney(fields.value), 14),
    ];
  });
  const header = ['Time', ...(several ? ['Trader'] : []), 'Side', 'Symbol', 'Qty', 'Price', 'Value'];
  const right = header.map((name) => ['Qty', 'Price', 'Value'].includes(name));
  const table = codeTable(header, rows, right, { budget: GROUP_TEXT_BUDGET, maxRows, totalRows: events.length });

  const net = totals.sold - totals.bought;
  const fields: DiscordEmbedField[] = [
    { name: '📈 Bought', value: `${plural(totals.buys, 'buy')} · ${formatMoney(totals.bought)}`, inline: true },
    { name: '📉 Sold', value: `${plural(totals.sells, 'sell')} · ${formatMoney(totals.sold)}`, inline: true },
    { name: '💵 Net cash flow', value: `${signedMoney(net)}${net > 0 ? ' (cash in)' : net < 0 ? ' (cash out)' : ''}`, inline: true },
  ];
  if (totals.others > 0) fields.push({ name: 'Other side', value: plural(totals.others, 'trade'), inline: true });
  if (totals.unvalued > 0) fields.push({ name: 'Without a value', value: `${plural(totals.unvalued, 'trade')} (not in the totals)`, inline: true });
  const bySymbol = symbolsField(totals, 12);
  if (bySymbol) fields.push(bySymbol);

  const description = [spanLine(range), table].filter(Boolean).join('\n');
  return {
    title: `${emoji} ${plural(events.length, 'trade')}${spanPhrase(range)} on ${groupSubject(events, labels, 'traders')}`,
    description,
    color: totals.bought > totals.sold ? COLORS.buy : totals.sold > totals.bought ? COLORS.sell : COLORS.portfolio,
    fields,
    ...(latestAt(events) ? { timestamp: latestAt(events) } : {}),
    footer: { text: groupFooter(events) },
  };
}

export function groupedClosedPositionsEmbed(events: readonly BaristaEvent[], labels: Record<string, string>, options: GroupOptions = {}): DiscordEmbed {
  const maxRows = options.maxTableRows ?? DEFAULT_TABLE_ROWS;
  const range = timeRange(events);
  const clock = tableClock(range);
  const several = distinctSubjects(events) > 1;
  let wins = 0;
  let losses = 0;
  let unknown = 0;
  let sum = 0;
  let best: number | null = null;
  let worst: number | null = null;
  for (const event of events) {
    const pnl = finiteNumber(fieldsOf(event).pnl_pct);
    if (pnl === null) {
      unknown++;
      continue;
    }
    if (pnl >= 0) wins++;
    else losses++;
    sum += pnl;
    best = best === null ? pnl : Math.max(best, pnl);
    worst = worst === null ? pnl : Math.min(worst, pnl);
  }
  const known = wins + losses;
  const average = known > 0 ? sum / known : null;
  const rows = events.slice(0, maxRows).map((event) => {
    const fields = fieldsOf(event);
    return [
      clock(event.at),
      ...(several ? [tableCell(subjectOf(event), 16)] : []),
      tableCell(textOf(fields.symbol ?? '?', 20), 12),
      tableCell(formatMoney(fields.entry), 14),
      tableCell(formatMoney(fields.exit), 14),
      tableCell(formatSignedPercent(fields.pnl_pct), 10),
    ];
  });
  const header = ['Time', ...(several ? ['Trader'] : []), 'Symbol', 'Entry', 'Exit', 'P&L'];
  const right = header.map((name) => ['Entry', 'Exit', 'P&L'].includes(name));
  const fields: DiscordEmbedField[] = [
    { name: '✅ Wins', value: String(wins), inline: true },
    { name: '🔻 Losses', value: String(losses), inline: true },
    { name: 'Average P&L', value: average === null ? '—' : formatSignedPercent(average), inline: true },
  ];
  if (best !== null && worst !== null) fields.push({ name: 'Best / worst', value: `${formatSignedPercent(best)} / ${formatSignedPercent(worst)}`, inline: true });
  if (unknown > 0) fields.push({ name: 'Without a P&L', value: plural(unknown, 'position'), inline: true });
  return {
    title: `${average !== null && average < 0 ? '🔻' : '✅'} ${plural(events.length, 'position')} closed${spanPhrase(range)} on ${groupSubject(events, labels, 'traders')}${average !== null ? ` · average ${formatSignedPercent(average)}` : ''}`,
    description: [spanLine(range), codeTable(header, rows, right, { budget: GROUP_TEXT_BUDGET, maxRows, totalRows: events.length })].filter(Boolean).join('\n'),
    color: average === null ? COLORS.portfolio : average >= 0 ? COLORS.good : COLORS.bad,
    fields,
    ...(latestAt(events) ? { timestamp: latestAt(events) } : {}),
    footer: { text: groupFooter(events) },
  };
}

