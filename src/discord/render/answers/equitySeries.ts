/**
 * 📈 /chart equity: the embed that goes with the equity chart (drawn elsewhere and attached as a
 * PNG): the period, the last value, the change over the period, high and low, the trades in it.
 */
import type { EquitySeriesAnswer } from '../../../readModel/answers';
import type { DiscordEmbedField, DiscordMessage } from '../../DiscordMessage';
import { COLORS, traderName } from '../eventStyle';
import { discordTime, finiteNumber, formatMoney, plural } from '../formatValues';
import { markdownText } from '../sanitizeText';
import { fitOneMessage, pnlText, relativeTime, safeName, timestampOf } from './answerParts';
import { chartFileName, periodText } from './chartParts';

export function renderEquitySeries(answer: EquitySeriesAnswer): DiscordMessage {
  const points = answer.points.filter((p) => finiteNumber(p.total) !== null && finiteNumber(p.at) !== null);
  const file = chartFileName(answer);
  const fields: DiscordEmbedField[] = [];
  let color: number = COLORS.portfolio;
  const first = points[0];
  const last = points[points.length - 1];
  if (last !== undefined) {
    fields.push({ name: '💰 Last value', value: `${markdownText(formatMoney(last.total))} (${relativeTime(last.at)})`, inline: true });
    if (points.length > 1) {
      const change = last.total - first.total;
      fields.push({ name: '🔄 Change', value: pnlText({ amount: change, percent: first.total !== 0 ? (change / Math.abs(first.total)) * 100 : null }), inline: true });
      color = change >= 0 ? COLORS.good : COLORS.bad;
      // A loop, not Math.max(...): a long series would overflow the call stack.
      let high = -Infinity;
      let low = Infinity;
      for (const p of points) {
        high = Math.max(high, p.total);
        low = Math.min(low, p.total);
      }
      fields.push({ name: '↕️ High / low', value: markdownText(`${formatMoney(high)} / ${formatMoney(low)}`), inline: true });
    }
  }
  if (answer.trades.length > 0) {
    const buys = answer.trades.filter((t) => t.side === 'BUY').length;
    fields.push({ name: '🧾 Trades', value: `${plural(answer.trades.length, 'trade')} (${plural(buys, 'buy')}, ${plural(answer.trades.length - buys, 'sell')})`, inline: true });
  }
  const span = first !== undefined && last !== undefined && last.at > first.at ? ` · ${discordTime(first.at, 'f')} → ${discordTime(last.at, 'f')}` : '';
  const lines = [`${periodText(answer.periodMs)[0].toUpperCase()}${periodText(answer.periodMs).slice(1)}${span}`, points.length === 0 ? 'No portfolio value recorded in this period yet.' : null];
  return fitOneMessage({
    embeds: [
      {
        title: `📈 Equity · ${safeName(traderName(answer.trader), 80)}`,
        description: lines.filter(Boolean).join('\n'),
        color,
        fields,
        ...(file !== null ? { image: { url: `attachment://${file}` }, footer: { text: `chart attached (${file})` } } : {}),
        ...timestampOf(answer.now),
      },
    ],
  });
}
