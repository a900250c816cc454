/**
 * 📊 System status: trader, training workers and host resources at a glance (the old
 * send_system_status, with the numbers the process probe and host checks have).
 */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { SUPPRESS_NOTIFICATIONS, type DiscordEmbed, type DiscordEmbedField, type DiscordMessage } from '../DiscordMessage';
import { cutText, fitToDiscordLimits } from './discordLimits';
import { fieldsOf } from './eventEmbed';
import { COLORS, footerOf, strong } from './eventStyle';
import { discordTimeWithRelative, finiteNumber, formatDuration, formatNumber } from './formatValues';
import { markdownText } from './sanitizeText';

export interface ProcessStatus {
  name?: string;
  running?: boolean;
  pid?: number | null;
  cpu_pct?: number | null;
  rss_mb?: number | null;
  uptime_s?: number | null;
  /** "running" | "stopped" (SIGSTOP) | "zombie". */
  state?: string | null;
}

export interface SystemStatus {
  /** One entry per trader process (empty or missing: none running). */
  traders?: readonly ProcessStatus[];
  training?: { workers?: number | null; expected?: number | null; rss_mb?: number | null } | null;
  cpu?: { used_pct?: number | null } | null;
  memory?: { used_pct?: number | null; used_gb?: number | null; total_gb?: number | null } | null;
  disk?: { used_pct?: number | null; mount?: string | null } | null;
  gpu?: { utilization_pct?: number | null; temperature_c?: number | null; memory_pct?: number | null } | null;
  /** ISO time of the reading. */
  at?: string;
}

export interface SystemStatusOptions {
  source?: string;
  silent?: boolean;
}

const WARN = 0xffaa00;

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function pct(value: unknown): string | null {
  const number = finiteNumber(value);
  return number === null ? null : `${formatNumber(number, 1)}%`;
}

function traderLine(process: Record<string, unknown>): string {
  const state = typeof process.state === 'string' ? process.state : process.running === false ? 'stopped' : 'running';
  const icon = state === 'running' ? '🟢' : state === 'stopped' ? '⏸️' : '🔴';
  const name = typeof process.name === 'string' && process.name !== '' ? `${strong(process.name, 60)} ` : '';
  const parts = [
    `${icon} ${name}${markdownText(cutText(state, 20))}`,
    finiteNumber(process.pid) !== null ? `pid ${finiteNumber(process.pid)}` : null,
    pct(process.cpu_pct) ? `${pct(process.cpu_pct)} CPU` : null,
    finiteNumber(process.rss_mb) !== null ? `${formatNumber(process.rss_mb, 0)} MB` : null,
    finiteNumber(process.uptime_s) !== null ? `up ${formatDuration(process.uptime_s)}` : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

export function systemStatusEmbed(status: SystemStatus, options: SystemStatusOptions = {}): DiscordEmbed {
  const data = record(status);
  const traders = Array.isArray(data.traders) ? data.traders.map(record) : [];
  const training = record(data.training);
  const fields: DiscordEmbedField[] = [];
  const running = traders.filter((t) => t.running !== false && t.state !== 'stopped' && t.state !== 'zombie');
  fields.push({ name: '📈 Paper Trader', value: traders.length === 0 ? '🔴 not running' : traders.slice(0, 8).map(traderLine).join('\n') + (traders.length > 8 ? `\n… and ${traders.length - 8} more` : ''), inline: false });

  const workers = finiteNumber(training.workers);
  const expected = finiteNumber(training.expected);
  if (workers !== null) {
    const memory = finiteNumber(training.rss_mb);
    const ok = expected === null ? workers > 0 : workers >= expected;
    fields.push({ name: '🧠 Training', value: `${ok ? '🟢' : '🟠'} ${workers}${expected !== null ? `/${expected}` : ''} workers${memory !== null ? ` · ${formatNumber(memory / 1024, 1)} GB` : ''}`, inline: true });
  }
  const cpu = pct(record(data.cpu).used_pct);
  if (cpu) fields.push({ name: '🖥️ CPU', value: cpu, inline: true });
  const memory = record(data.memory);
  const memoryPct = pct(memory.used_pct);
  if (memoryPct) {
    const used = finiteNumber(memory.used_gb);
    const total = finiteNumber(memory.total_gb);
    fields.push({ name: '💾 Memory', value: `${memoryPct}${used !== null && total !== null ? ` (${formatNumber(used, 1)}/${formatNumber(total, 1)} GB)` : ''}`, inline: true });
  }
  const disk = record(data.disk);
  const diskPct = pct(disk.used_pct);
  if (diskPct) fields.push({ name: '🗄️ Disk', value: `${diskPct}${typeof disk.mount === 'string' && disk.mount !== '' ? ` of ${markdownText(cutText(disk.mount, 80))}` : ''}`, inline: true });
  const gpu = record(data.gpu);
  const gpuParts = [pct(gpu.utilization_pct) ? `${pct(gpu.utilization_pct)} busy` : null, finiteNumber(gpu.temperature_c) !== null ? `${formatNumber(gpu.temperature_c, 0)} °C` : null, pct(gpu.memory_pct) ? `${pct(gpu.memory_pct)} memory` : null].filter(Boolean);
  if (gpuParts.length > 0) fields.push({ name: '🎮 GPU', value: gpuParts.join(' · '), inline: true });

  const healthy = running.length > 0 && (workers === null || expected === null || workers >= expected);
  const at = typeof data.at === 'string' ? data.at : undefined;
  const asOf = discordTimeWithRelative(at);
  return {
    title: '📊 System Status',
    ...(asOf ? { description: `As of ${asOf}` } : {}),
    color: healthy ? COLORS.good : WARN,
    fields,
    ...(at ? { timestamp: at } : {}),
    footer: { text: footerOf([], options.source ? [options.source] : [], 'system status') },
  };
}

/** System status as ready-to-send messages (a command reply or a digest). */
export function renderSystemStatus(status: SystemStatus, options: SystemStatusOptions = {}): DiscordMessage[] {
  return fitToDiscordLimits({ embeds: [systemStatusEmbed(status, options)], ...(options.silent ? { flags: SUPPRESS_NOTIFICATIONS } : {}) });
}

/** A `system.status` event (fields shaped as SystemStatus). */
export function systemStatusEventEmbed(event: BaristaEvent): DiscordEmbed {
  const embed = systemStatusEmbed({ ...(fieldsOf(event) as SystemStatus), at: event.at }, { source: event.source });
  embed.footer = { text: footerOf([String(event.subject ?? '')], [String(event.source ?? '')]) };
  return embed;
}
