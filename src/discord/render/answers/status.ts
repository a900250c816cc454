/**
 * 📊 /status: every trader (state, process, polls, portfolio), training, the host, and barista's
 * own health in the footer — the whole system at a glance on a phone.
 */
import type { HostView, PortfolioTotals, StatusAnswer, TraderProcessView } from '../../../readModel/answers';
import type { DiscordEmbedField, DiscordMessage } from '../../DiscordMessage';
import { DISCORD_LIMITS } from '../discordLimits';
import { COLORS, traderName } from '../eventStyle';
import { finiteNumber, formatDuration, formatMoney, formatNumber } from '../formatValues';
import { markdownText } from '../sanitizeText';
import { fitOneMessage, formatBytes, linesWithin, percentText, pnlText, relativeTime, safeName, timestampOf, traderStateEmoji, WARN_COLOR } from './answerParts';
import { bestText, progressText, runningCount, workersLine, workersShort } from './studyParts';

/** Traders shown one field each; more are counted in a last field. */
const MAX_TRADER_FIELDS = 8;
/** Host readings older than this get their age shown. */
const HOST_FRESH_MS = 120_000;

export type StatusLevel = 'ok' | 'warning' | 'down';

/**
 * Red when a trader is down (stopped, or stale: its heartbeat is overdue); amber when anything
 * else needs a look (a paused or unknown trader, none known, fewer workers than expected, a
 * source of barista's failing); green otherwise.
 */
export function statusLevel(answer: StatusAnswer): StatusLevel {
  const states = answer.traders.map((t) => t.process.state);
  if (states.some((state) => state === 'stopped' || state === 'stale')) return 'down';
  const problem =
    states.length === 0 ||
    states.some((state) => state !== 'running') ||
    workersShort(answer.training.workers) ||
    answer.barista.sourcesOk < answer.barista.sourcesTotal;
  return problem ? 'warning' : 'ok';
}

const LEVEL_COLOR: Record<StatusLevel, number> = { ok: COLORS.good, warning: WARN_COLOR, down: COLORS.bad };

/** pid 4242 · up 3 h 05 min · CPU 1.5% · 350 MB */
export function processLine(process: TraderProcessView, now: number): string | null {
  const parts: string[] = [];
  if (finiteNumber(process.pid) !== null) parts.push(`pid ${process.pid}`);
  const started = finiteNumber(process.startedAt);
  if (started !== null) parts.push(`up ${formatDuration(Math.max(0, Math.round((now - started) / 1000)))}`);
  const cpu = percentText(process.cpuPercent);
  if (cpu !== null) parts.push(`CPU ${cpu}`);
  const rss = formatBytes(process.rssBytes);
  if (rss !== null) parts.push(rss);
  return parts.length === 0 ? null : markdownText(parts.join(' · '));
}

/** polled 5 min ago · next in 55 min (⚠️ when the next poll is past due). */
export function pollLine(process: TraderProcessView, now: number): string | null {
  const parts: string[] = [];
  if (finiteNumber(process.lastPollAt) !== null) parts.push(`polled ${relativeTime(process.lastPollAt)}`);
  const next = finiteNumber(process.nextPollAt);
  if (next !== null) parts.push(next < now ? `⚠️ next poll was due ${relativeTime(next)}` : `next ${relativeTime(next)}`);
  return parts.length === 0 ? null : parts.join(' · ');
}

/** 💰 $1,234.56 · 24 h 🟢 +$12.00 (+0.98%) */
function portfolioLine(portfolio: PortfolioTotals | null): string | null {
  if (portfolio === null) return null;
  const change = portfolio.pnl24h !== null ? `24 h ${pnlText(portfolio.pnl24h)}` : portfolio.pnlSinceStart !== null ? `since start ${pnlText(portfolio.pnlSinceStart)}` : null;
  return [`💰 ${markdownText(formatMoney(portfolio.total))}`, change].filter(Boolean).join(' · ');
}

function traderField(entry: StatusAnswer['traders'][number], now: number): DiscordEmbedField {
  const { process, portfolio } = entry;
  const stateWord = process.state === 'running' ? '' : ` · ${process.state}`;
  const reason = process.stateReason === null || process.stateReason.trim() === '' ? null : safeName(process.stateReason, 120);
  const lines = [reason, processLine(process, now), pollLine(process, now), portfolioLine(portfolio)].filter((line): line is string => line !== null);
  return { name: `${traderStateEmoji(process.state)} ${safeName(traderName(process.trader), 60)}${stateWord}`, value: lines.join('\n') || 'nothing known yet', inline: false };
}

function trainingField(training: StatusAnswer['training']): DiscordEmbedField | null {
  if (training.studies.length === 0 && training.workers.running === 0 && training.workers.expected === null) return null;
  const studies = training.studies.map((study) => {
    const running = runningCount(study);
    return [`**${safeName(study.study, 60)}**`, `best ${bestText(study.bestValue, study.bestNumber)}`, running > 0 ? `${running} running` : null, progressText(study)].filter(Boolean).join(' · ');
  });
  const value = [workersLine(training.workers), linesWithin(studies, DISCORD_LIMITS.fieldValue - 80, 8, 'studies')].filter((part) => part !== '').join('\n');
  return { name: '🧠 Training', value, inline: false };
}

/** CPU 12% of 16 cores · RAM 71% of 32 GB · disk 63% (120 GB free), then a line per GPU. */
export function hostLines(host: HostView, now: number): string[] {
  const parts: string[] = [];
  const cpu = percentText(host.cpuPercent);
  const cores = finiteNumber(host.cpuCount);
  if (cpu !== null) parts.push(`CPU ${cpu}${cores !== null ? ` of ${cores} cores` : ''}`);
  if (host.memory !== null) {
    const used = percentText(host.memory.usedPercent);
    const total = formatBytes(host.memory.totalBytes);
    if (used !== null || total !== null) parts.push(`RAM ${used ?? '?'}${total !== null ? ` of ${total}` : ''}`);
  }
  if (host.disk !== null) {
    const used = percentText(host.disk.usedPercent);
    const free = formatBytes(host.disk.freeBytes);
    if (used !== null || free !== null) parts.push(`disk ${used ?? '?'}${free !== null ? ` (${free} free)` : ''}`);
  }
  const lines = parts.length > 0 ? [markdownText(parts.join(' · '))] : [];
  for (const gpu of host.gpus.slice(0, 4)) {
    const bits = [
      percentText(gpu.utilizationPercent) === null ? null : `${percentText(gpu.utilizationPercent)} busy`,
      finiteNumber(gpu.temperatureC) === null ? null : `${formatNumber(gpu.temperatureC, 0)} °C`,
      finiteNumber(gpu.memoryUsedMb) !== null && finiteNumber(gpu.memoryTotalMb) !== null ? `${formatNumber((gpu.memoryUsedMb ?? 0) / 1024, 1)}/${formatNumber((gpu.memoryTotalMb ?? 0) / 1024, 1)} GB` : null,
    ].filter(Boolean);
    if (bits.length > 0) lines.push(`GPU ${finiteNumber(gpu.index) ?? '?'}${gpu.model ? ` ${safeName(gpu.model, 40)}` : ''}: ${markdownText(bits.join(' · '))}`);
  }
  if (host.gpus.length > 4) lines.push(`… and ${host.gpus.length - 4} more GPUs`);
  const at = finiteNumber(host.at);
  if (lines.length > 0 && at !== null && now - at > HOST_FRESH_MS) lines.push(`read ${relativeTime(at)}`);
  return lines;
}

/** sources 6/6 OK · outbox 0 pending (· oldest 5 min) */
export function baristaLine(barista: StatusAnswer['barista']): string {
  const oldest = barista.outboxPending > 0 && finiteNumber(barista.oldestPendingS) !== null ? ` (oldest ${formatDuration(barista.oldestPendingS)})` : '';
  const refused = (barista.refused ?? []).map((r) => r.channels.join(', ') || r.destination);
  return `barista: sources ${barista.sourcesOk}/${barista.sourcesTotal} OK · outbox ${barista.outboxPending} pending${oldest}${refused.length ? ` · ⛔ Discord refuses ${refused.join(', ')}: messages kept` : ''}`;
}

export function renderStatus(answer: StatusAnswer): DiscordMessage {
  const fields: DiscordEmbedField[] = answer.traders.slice(0, MAX_TRADER_FIELDS).map((entry) => traderField(entry, answer.now));
  if (answer.traders.length > MAX_TRADER_FIELDS) {
    const rest = answer.traders.slice(MAX_TRADER_FIELDS).map((t) => `${traderStateEmoji(t.process.state)} ${safeName(traderName(t.process.trader), 40)}`);
    fields.push({ name: `… and ${answer.traders.length - MAX_TRADER_FIELDS} more traders`, value: linesWithin(rest, 600, 20, 'traders'), inline: false });
  }
  const training = trainingField(answer.training);
  if (training) fields.push(training);
  const host = answer.host === null ? [] : hostLines(answer.host, answer.now);
  if (host.length > 0) fields.push({ name: '🖥️ Host', value: host.join('\n'), inline: false });
  const level = statusLevel(answer);
  return fitOneMessage({
    embeds: [
      {
        title: '📊 System Status',
        ...(answer.traders.length === 0 ? { description: 'No trader seen yet.' } : {}),
        color: LEVEL_COLOR[level],
        fields,
        footer: { text: baristaLine(answer.barista) },
        ...timestampOf(answer.now),
      },
    ],
  });
}
