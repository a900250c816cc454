/**
 * 📈 /trader status: one trader's process and heartbeat, its portfolio in a line, and the files
 * it was recognised by (log, CSV, heartbeat, model dir).
 */
import type { TraderState, TraderStatusAnswer } from '../../../readModel/answers';
import type { DiscordEmbedField, DiscordMessage } from '../../DiscordMessage';
import { codeBlock } from '../discordLimits';
import { COLORS, humanize, ownValue, traderName } from '../eventStyle';
import { discordTime, finiteNumber, formatCount, formatDuration, formatMoney } from '../formatValues';
import { codeText, markdownText } from '../sanitizeText';
import { cell, fitOneMessage, formatBytes, pathTail, percentText, pnlText, relativeTime, safeName, timestampOf, traderStateEmoji, WARN_COLOR } from './answerParts';

const STATE_COLOR: Record<TraderState, number> = { running: COLORS.good, paused: WARN_COLOR, stopped: COLORS.bad, stale: COLORS.bad, unknown: COLORS.neutral };

/** Files in a code block, one per line, each cut from its start (the file name matters most). */
function filesBlock(files: TraderStatusAnswer['trader']['files']): string | null {
  const all: Array<[string, string | null]> = [
    ['log', files.log],
    ['csv', files.csv],
    ['heartbeat', files.heartbeat],
    ['model', files.modelDir],
  ];
  const rows = all.filter((row): row is [string, string] => typeof row[1] === 'string' && row[1].trim() !== '');
  if (rows.length === 0) return null;
  return codeBlock(codeText(rows.map(([label, path]) => `${label.padEnd(9)} ${pathTail(path, 200)}`).join('\n')), { maxLength: 1024 });
}

export function renderTraderStatus(answer: TraderStatusAnswer): DiscordMessage {
  const { trader, portfolio, now } = answer;
  const fields: DiscordEmbedField[] = [];
  const add = (name: string, value: string | null) => {
    if (value !== null && value !== '') fields.push({ name, value, inline: true });
  };
  add('PID', finiteNumber(trader.pid) === null ? null : String(trader.pid));
  const started = finiteNumber(trader.startedAt);
  add('Uptime', started === null ? null : `${markdownText(formatDuration(Math.max(0, Math.round((now - started) / 1000))))} (since ${discordTime(started, 'f') ?? '?'})`);
  add('CPU', percentText(trader.cpuPercent));
  add('Memory', formatBytes(trader.rssBytes));
  add('Last poll', finiteNumber(trader.lastPollAt) === null ? null : relativeTime(trader.lastPollAt));
  const next = finiteNumber(trader.nextPollAt);
  add('Next poll', next === null ? null : next < now ? `⚠️ was due ${relativeTime(next)}` : relativeTime(next));
  add('Polls', finiteNumber(trader.pollCount) === null ? null : formatCount(trader.pollCount ?? 0));
  add('Timeframe', trader.timeframe === null ? null : safeName(trader.timeframe, 20));
  if (trader.tickers.length > 0) {
    const shown = trader.tickers.slice(0, 20).map((t) => cell(t, 16));
    add('Tickers', markdownText(shown.join(', ')) + (trader.tickers.length > 20 ? ` … and ${trader.tickers.length - 20} more` : ''));
  }
  if (portfolio !== null) {
    add('💰 Total Value', markdownText(formatMoney(portfolio.total)));
    if (portfolio.pnl24h !== null) add('🔄 24 h', pnlText(portfolio.pnl24h));
    else if (portfolio.pnlSinceStart !== null) add('📊 Since start', pnlText(portfolio.pnlSinceStart));
  }
  const files = filesBlock(trader.files);
  if (files !== null) fields.push({ name: '📁 Files', value: files, inline: false });

  const state = ownValue(STATE_COLOR, trader.state) === undefined ? 'unknown' : trader.state;
  const reason = trader.stateReason === null || trader.stateReason.trim() === '' ? null : safeName(trader.stateReason, 200);
  return fitOneMessage({
    embeds: [
      {
        title: `${traderStateEmoji(state)} Trader ${safeName(traderName(trader.trader), 80)} · ${humanize(state).toLowerCase()}`,
        ...(reason !== null ? { description: reason } : {}),
        color: STATE_COLOR[state],
        fields,
        ...timestampOf(now),
      },
    ],
  });
}
