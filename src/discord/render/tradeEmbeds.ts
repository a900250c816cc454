/** Single trade and closed-position embeds (the old 📈 BUY / 📉 SELL design, with the trader and position added). */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { fieldsOf, type EventDesign } from './eventEmbed';
import { COLORS, strong, subjectOf } from './eventStyle';
import { money, quantity, signedPercent } from './fieldFormats';
import { discordTimeWithRelative, finiteNumber, formatMoney, formatQuantity, textOf } from './formatValues';
import { markdownText } from './sanitizeText';

export type Side = 'BUY' | 'SELL' | null;

export function sideOf(event: BaristaEvent): Side {
  const side = textOf(fieldsOf(event).side ?? '', 10).toUpperCase();
  return side === 'BUY' || side === 'SELL' ? side : null;
}

function symbolOf(event: BaristaEvent): string {
  const symbol = fieldsOf(event).symbol;
  return markdownText(typeof symbol === 'string' && symbol.trim() !== '' ? symbol : typeof symbol === 'number' ? String(symbol) : '?');
}

function when(event: BaristaEvent): string {
  return discordTimeWithRelative(event.at) ?? '';
}

export const tradeExecutedDesign: EventDesign = {
  title(event) {
    const side = sideOf(event);
    const symbol = symbolOf(event);
    if (side === 'BUY') return `📈 BUY ${symbol}`;
    if (side === 'SELL') return `📉 SELL ${symbol}`;
    return `🔁 TRADE ${symbol}`;
  },
  color: (event) => (sideOf(event) === 'BUY' ? COLORS.buy : sideOf(event) === 'SELL' ? COLORS.sell : undefined),
  lead(event) {
    const fields = fieldsOf(event);
    const side = sideOf(event);
    const verb = side === 'BUY' ? 'bought' : side === 'SELL' ? 'sold' : 'traded';
    const closed = fields.closed === true ? ', closing the position' : '';
    const action = `${strong(subjectOf(event))} ${verb} ${markdownText(formatQuantity(fields.qty))} ${symbolOf(event)} at ${markdownText(formatMoney(fields.price))}${closed}`;
    const at = when(event);
    return at ? `${action}\n${at}` : action;
  },
  fields: [
    { key: 'qty', label: 'Quantity', format: quantity },
    { key: 'price', label: 'Price', format: money },
    { key: 'value', label: 'Total', format: money },
    {
      key: 'position',
      label: 'Position',
      format: (value, event) => {
        const before = finiteNumber(fieldsOf(event).position_before);
        const after = markdownText(formatQuantity(value));
        return before === null ? after : `${markdownText(formatQuantity(before))} → ${after}`;
      },
    },
    { key: ['total', 'portfolio_value', 'portfolio'], label: 'Portfolio Value', format: money },
  ],
  hidden: ['trader', 'symbol', 'side', 'closed', 'position_before'],
};

export const positionClosedDesign: EventDesign = {
  title(event) {
    const pnl = finiteNumber(fieldsOf(event).pnl_pct);
    const pnlText = pnl === null ? '' : ` ${signedPercent(pnl)}`;
    return `${pnl !== null && pnl < 0 ? '🔻' : '✅'} Closed ${symbolOf(event)}${pnlText}`;
  },
  color(event) {
    const pnl = finiteNumber(fieldsOf(event).pnl_pct);
    return pnl === null ? undefined : pnl < 0 ? COLORS.bad : COLORS.good;
  },
  lead: (event) => [`${strong(subjectOf(event))} closed its ${symbolOf(event)} position`, when(event)].filter(Boolean).join('\n'),
  fields: [
    { key: 'entry', label: 'Entry', format: money },
    { key: 'exit', label: 'Exit', format: money },
    { key: 'pnl_pct', label: 'P&L', format: signedPercent },
  ],
  hidden: ['trader', 'symbol'],
};
