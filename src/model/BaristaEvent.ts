/**
 * The event model (public: routes in users' rules and Discord rendering use these names).
 * `id` is deterministic from where the event came from, so the same input never makes two
 * events, even across restarts.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../config/schema';
import type { EventFact } from './fact';

export type { Severity } from '../config/schema';

export interface BaristaEvent {
  id: string;
  /** Dotted type, e.g. trade.executed, risk.stop_loss, trader.stale. */
  type: string;
  severity: Severity;
  /** When it happened, ISO 8601 UTC (the line's own time if it has one, else when read). */
  at: string;
  /** Id of the rules.yaml source it came from. */
  source: string;
  /** What it is about: the trader (its one name, e.g. trial250: streams/traderIdentity.ts), study, … */
  subject: string;
  fields: Record<string, unknown>;
  /** Human text (already redacted of secrets), e.g. the log line. */
  text?: string;
  /** The fact it reports, when another source may report it too (fact.ts): one message per fact. */
  fact?: EventFact;
}

/** An event before it has an id, a source and a subject. */
export interface EventDraft {
  type: string;
  severity: Severity;
  fields: Record<string, unknown>;
  text?: string;
  /** ISO time from the data itself, when it carries one. */
  at?: string;
  fact?: EventFact;
}

/** Deterministic 20-hex-char id from the parts that locate an event's origin. */
export function eventId(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20);
}

/**
 * A draft made into an event: the caller knows where it came from (`idParts` locate it, so the
 * id is the same on every replay) and what it is about. Without a time of its own, now.
 */
export function eventFromDraft(draft: EventDraft, origin: { source: string; subject: string; idParts: (string | number)[] }): BaristaEvent {
  return {
    id: eventId(origin.source, ...origin.idParts),
    type: draft.type,
    severity: draft.severity,
    at: draft.at ?? new Date().toISOString(),
    source: origin.source,
    subject: origin.subject,
    fields: draft.fields,
    ...(draft.text !== undefined ? { text: draft.text } : {}),
    ...(draft.fact !== undefined ? { fact: draft.fact } : {}),
  };
}

/** What a file that is no trader's is about (a worker's log, alerts.log): its name without folder and extension(s). */
export function subjectOfPath(filePath: string): string {
  const base = filePath.split('/').pop() ?? filePath;
  return base.replace(/\.(log|csv|json|txt)(_\d{8}_\d{6})?$/i, '');
}
