/**
 * 🧾 /trades: the last trades, newest first, one line each (a phone wraps lines, not tables),
 * with the realised P&L where a sell closed a known position, and "showing n of N".
 */
import type { TradesAnswer, TradeView } from '../../../readModel/answers';
import type { DiscordMessage } from '../../DiscordMessage';
import { COLORS, traderName } from '../eventStyle';
import { finiteNumber, formatCount, formatMoney, formatQuantity, plural } from '../formatValues';
import { markdownText } from '../sanitizeText';
import { fitOneMessage, linesWithin, pnlText, relativeTime, safeName, timestampOf } from './answerParts';

/** Room for the trade lines in the description (a message holds 6000 characters in all). */
const LINES_BUDGET = 4000;
const MAX_LINES = 25;

/** 📈 BUY 0.012345 **BTC/USD** @ $43,210.50 = $533.43 · 5 min ago (· trial250) (· P&L 🟢 +$12.00) */
export function tradeLine(trade: TradeView, showTrader: boolean): string {
  const emoji = trade.side === 'BUY' ? '📈' : trade.side === 'SELL' ? '📉' : '🔁';
  const parts = [
    `${emoji} ${trade.side === 'BUY' || trade.side === 'SELL' ? trade.side : safeName(trade.side, 8)} ${markdownText(formatQuantity(trade.quantity))} **${safeName(trade.symbol, 24)}** @ ${markdownText(formatMoney(trade.price))} = ${markdownText(formatMoney(trade.value))}`,
    relativeTime(trade.at, 'time unknown'),
    showTrader ? safeName(traderName(trade.trader), 40) : null,
    trade.realisedPnl === null ? null : `P&L ${pnlText({ amount: trade.realisedPnl, percent: null })}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

export function renderTrades(answer: TradesAnswer): DiscordMessage {
  const { trades } = answer;
  const who = answer.trader === null ? 'all traders' : safeName(traderName(answer.trader), 60);
  const several = answer.trader === null && new Set(trades.map((t) => t.trader)).size > 1;
  const total = Math.max(finiteNumber(answer.totalKnown) ?? 0, trades.length);
  const lines = trades.map((trade) => tradeLine(trade, several));
  const realised = trades.map((t) => finiteNumber(t.realisedPnl)).filter((p): p is number => p !== null);
  const summary = realised.length === 0 ? null : `Realised P&L of these: ${pnlText({ amount: realised.reduce((sum, p) => sum + p, 0), percent: null })}`;
  const description = trades.length === 0 ? 'No trade recorded yet.' : [linesWithin(lines, LINES_BUDGET, MAX_LINES, 'trades'), summary].filter(Boolean).join('\n\n');
  return fitOneMessage({
    embeds: [
      {
        title: `🧾 ${trades.length === 0 ? 'Trades' : `Last ${plural(trades.length, 'trade')}`} · ${who}`,
        description,
        color: COLORS.portfolio,
        footer: { text: `showing ${formatCount(trades.length)} of ${plural(total, 'trade')}` },
        ...timestampOf(answer.now),
      },
    ],
  });
}
