/**
 * What control says: the confirmation (exactly what will happen, with Confirm / Cancel), the
 * pick of one pid among several, what happens once confirmed, the final outcome, why a button
 * did nothing, and the audit log. Through the limits module like every reply; never pings.
 */
import type { Candidate, Outcome, Plan, Refusal } from '../../control';
import type { StartOutcome } from '../../control';
import type { StopOutcome } from '../../control';
import { formatDuration } from '../../streams/processLifecycle';
import type { AuditRow } from '../../state/AuditLog';
import type { DiscordActionRow, DiscordButton, DiscordMessage } from '../DiscordMessage';
import { fitOneMessage } from './answers/answerParts';
import { codeBlock, cutText } from './discordLimits';
import { codeText, markdownText, sanitizeText } from './sanitizeText';

const AMBER = 0xf1c40f;
const RED = 0xe74c3c;
const GREEN = 0x2ecc71;
const BLUE = 0x3498db;
const GREY = 0x95a5a6;

/** `ctl:<pending id>:ok|no|pid<n>`: the only custom_ids barista makes for control. */
export const controlCustomId = (id: string, verb: 'ok' | 'no' | `pid${number}`) => `ctl:${id}:${verb}`;
export const CONTROL_CUSTOM_ID = /^ctl:([0-9a-f]{24}):(ok|no|pid(\d{1,10}))$/;

const md = (text: string, max = 1000) => markdownText(cutText(sanitizeText(text), max));
const seconds = (ms: number) => formatDuration(Math.max(0, Math.round(ms / 1000)));

function button(style: DiscordButton['style'], label: string, customId: string, disabled = false): DiscordButton {
  return { type: 2, style, label, custom_id: customId, ...(disabled ? { disabled: true } : {}) };
}

function message(description: string, color: number, title: string | undefined, components?: DiscordActionRow[]): DiscordMessage {
  return fitOneMessage({ embeds: [{ ...(title ? { title: cutText(title, 256) } : {}), description: cutText(description, 4000), color }], ...(components ? { components } : {}) });
}

const confirmStyle = (plan: Plan): DiscordButton['style'] => (plan.action === 'stop' || plan.action === 'restart' ? 4 : plan.action === 'start' ? 3 : 1);

/** The question: what will happen, what to expect, until when, and who may answer. */
export function renderConfirm(command: string, plan: Plan, id: string, expiresAt: number, requester: string): DiscordMessage {
  const lines = [`**${md(plan.text, 1500)}**`, `What to expect: ${md(plan.expectation, 1200)}.`, `Only ${md(requester, 80)} can confirm; this expires <t:${Math.floor(expiresAt / 1000)}:R>.`];
  return message(lines.join('\n\n'), AMBER, `Confirm: ${command}`, [
    { type: 1, components: [button(confirmStyle(plan), 'Confirm', controlCustomId(id, 'ok')), button(2, 'Cancel', controlCustomId(id, 'no'))] },
  ]);
}

/** Several processes match one trader: one button per pid, and Cancel. */
export function renderPick(command: string, refusal: Refusal, id: string, expiresAt: number, requester: string): DiscordMessage {
  const candidates = (refusal.candidates ?? []).slice(0, 20);
  const list = candidates.map((c) => `• pid ${c.pid}, ${c.up}: \`${codeText(cutText(c.command, 300))}\``).join('\n');
  const rows: DiscordActionRow[] = [];
  for (let i = 0; i < candidates.length; i += 5) rows.push({ type: 1, components: candidates.slice(i, i + 5).map((c) => button(1, `pid ${c.pid}`, controlCustomId(id, `pid${c.pid}`))) });
  rows.push({ type: 1, components: [button(2, 'Cancel', controlCustomId(id, 'no'))] });
  return message(`${md(refusal.reason)}. Which one?\n${list}\n\nOnly ${md(requester, 80)} can choose; this expires <t:${Math.floor(expiresAt / 1000)}:R>.`, AMBER, `Pick a process: ${command}`, rows.slice(0, 5));
}

/** A plan that cannot be made: why not (with the processes when that helps). */
export function renderRefusal(refusal: Refusal): DiscordMessage {
  const candidates = (refusal.candidates ?? []).slice(0, 10).map((c: Candidate) => `• pid ${c.pid}, ${c.up}`);
  return message([`Not done: ${md(refusal.reason)}.`, ...candidates].join('\n'), AMBER, undefined);
}

/** The message once answered: the question without its buttons, and what came of it. */
export function renderSettled(title: string, text: string, color: 'ok' | 'wait' | 'off'): DiscordMessage {
  return fitOneMessage({ embeds: [{ title: cutText(title, 256), description: cutText(text, 4000), color: color === 'ok' ? GREEN : color === 'wait' ? BLUE : GREY }], components: [] });
}

/**
 * An expired question: what it asked stays readable, its buttons stay in place but disabled (a
 * stale client that still sends a press is refused: the action is expired server-side).
 */
export function renderExpired(command: string, id: string, kind: 'confirm' | 'pick', text: string): DiscordMessage {
  const disabled = kind === 'confirm' ? [button(2, 'Confirm', controlCustomId(id, 'ok'), true), button(2, 'Cancel', controlCustomId(id, 'no'), true)] : [button(2, 'Expired', controlCustomId(id, 'no'), true)];
  return fitOneMessage({ embeds: [{ title: cutText(`Expired: ${command}`, 256), description: cutText(text, 4000), color: GREY }], components: [{ type: 1, components: disabled }] });
}

export function confirmedText(plan: Plan, by: string): string {
  return `Confirmed by ${md(by, 80)}: ${md(plan.text, 1500)}.\nWhat to expect: ${md(plan.expectation, 1200)}.\nThe outcome follows when it is known.`;
}

/** A button that did nothing, and why (only its presser sees it). */
export function renderButtonRefused(reason: string): DiscordMessage {
  return message(`Nothing was done: ${md(reason, 500)}.`, RED, undefined);
}

function tail(lines: readonly string[]): string {
  return lines.length ? `\n${codeBlock(codeText(lines.slice(-20).join('\n')), { maxLength: 1500, keep: 'tail' })}` : '';
}

/** Where a trader started as its own systemd unit can be looked at. */
const unitNote = (unit: string | undefined) => (unit ? ` It runs as the systemd unit ${md(unit)}.` : '');

function startText(outcome: StartOutcome): { ok: boolean; text: string } {
  switch (outcome.kind) {
    case 'started':
      return { ok: true, text: `✅ ${md(outcome.trader)} started: pid ${outcome.pid}, alive after ${seconds(outcome.afterMs)}${outcome.banner ? ', start banner seen' : ''}.${unitNote(outcome.unit)}` };
    case 'unconfirmed':
      return { ok: false, text: `⚠️ ${md(outcome.trader)} runs (pid ${outcome.pid}) but its start is not confirmed: ${md(outcome.reason)}.${unitNote(outcome.unit)}` };
    case 'exited': {
      const how = outcome.signal ? ` (signal ${outcome.signal})` : outcome.code !== null ? ` (exit code ${outcome.code})` : outcome.unit ? ' (its exit code is gone with its unit)' : '';
      return { ok: false, text: `❌ ${md(outcome.trader)} exited ${seconds(outcome.afterMs)} after its start${how}.${tail(outcome.logTail)}` };
    }
    case 'spawn_failed':
      return { ok: false, text: `❌ ${md(outcome.trader)} could not be started: ${md(outcome.error)}.` };
    case 'abandoned':
      return { ok: false, text: `⚠️ barista shut down while ${md(outcome.trader)} was starting; it was left running (pid ${outcome.pid}).` };
  }
}

function stopText(outcome: StopOutcome): { ok: boolean; text: string } {
  switch (outcome.kind) {
    case 'exited': {
      const exit = outcome.exit ? (outcome.exit.signal ? `, signal ${outcome.exit.signal}` : `, exit code ${outcome.exit.code ?? '?'}`) : '';
      return { ok: true, text: `✅ ${md(outcome.trader)} (pid ${outcome.pid}) exited ${seconds(outcome.afterMs)} after ${outcome.signals.join(' then ')}${exit}${outcome.escalated ? ' (escalated)' : ''}.${tail(outcome.logTail)}` };
    }
    case 'still_running':
      return { ok: false, text: `⚠️ ${md(outcome.trader)} (pid ${outcome.pid}) still runs after ${seconds(outcome.afterMs)} (sent ${outcome.signals.join(', ')}): ${md(outcome.reason)}.` };
    case 'not_running':
      return { ok: false, text: `${md(outcome.trader)} (pid ${outcome.pid}) was not running any more; nothing was sent: ${md(outcome.reason)}.` };
    case 'signal_failed':
      return { ok: false, text: `❌ ${outcome.signal} could not be sent to ${md(outcome.trader)} (pid ${outcome.pid}): ${md(outcome.reason)}.` };
    case 'abandoned':
      return { ok: false, text: `⚠️ barista shut down while watching ${md(outcome.trader)} (pid ${outcome.pid}) exit; it was left as it was.` };
  }
}

/** The final outcome in words, and one line for the audit. */
export function outcomeText(outcome: Outcome): { ok: boolean; text: string; audit: string } {
  if (outcome.refused) return { ok: false, text: `Not done: ${md(outcome.reason)}.`, audit: `refused: ${outcome.reason}` };
  switch (outcome.action) {
    case 'start': {
      const start = startText(outcome.outcome);
      return { ...start, audit: `start ${outcome.outcome.kind}` };
    }
    case 'stop': {
      const stop = stopText(outcome.outcome);
      return { ...stop, audit: `stop ${outcome.outcome.kind}` };
    }
    case 'restart': {
      const stop = stopText(outcome.stop);
      const start = outcome.start ? startText(outcome.start) : { ok: false, text: `${md(outcome.startSkipped ?? 'not started')}.` };
      return { ok: stop.ok && start.ok, text: `${stop.text}\n${start.text}`, audit: `stop ${outcome.stop.kind}, start ${outcome.start?.kind ?? 'skipped'}` };
    }
    case 'pause':
    case 'resume': {
      const lines = outcome.results.map((r) => `${r.ok ? '✅' : '❌'} pid ${r.pid}: ${r.ok ? (outcome.action === 'pause' ? 'paused' : 'resumed') : md(r.reason ?? 'failed')}`);
      const ok = outcome.results.every((r) => r.ok);
      return { ok, text: lines.join('\n') || 'No worker was signalled.', audit: `${outcome.action}: ${outcome.results.filter((r) => r.ok).length}/${outcome.results.length} ok` };
    }
  }
}

export function renderOutcome(command: string, outcome: Outcome): DiscordMessage {
  const { ok, text } = outcomeText(outcome);
  return message(text, ok ? GREEN : AMBER, `Outcome: ${command}`);
}

/** /audit: newest first, one line each. */
export function renderAudit(rows: readonly AuditRow[]): DiscordMessage {
  if (!rows.length) return message('The audit log is empty.', BLUE, '📜 Audit');
  const lines = rows.map((r) => {
    const args = r.args && r.args !== '{}' && r.args !== '[]' ? ` \`${codeText(cutText(r.args, 60))}\`` : '';
    return `\`#${r.id}\` <t:${Math.floor(r.at / 1000)}:f> **${md(r.userTag || r.userId, 40)}** ${md(r.command, 40)}${args} — ${r.decision}${r.outcome ? `: ${md(r.outcome, 160)}` : ''} (${md(r.place, 60)})`;
  });
  return message(lines.join('\n'), BLUE, '📜 Audit');
}
