/**
 * Group keys (Alertmanager's group_by): events of one route with equal values of the route's
 * labels form one group and go out together. Labels: type, severity, source, subject, or
 * fields.<name> (a field of the event; missing is ""). A route without group_by has one group.
 */
import { FIELD_PREFIX } from '../../config/groupLabels';
import type { BaristaEvent } from '../../model/BaristaEvent';

/** The event's value of one label, as text. */
export function labelValue(event: BaristaEvent, label: string): string {
  switch (label) {
    case 'type':
      return event.type;
    case 'severity':
      return event.severity;
    case 'source':
      return event.source;
    case 'subject':
      return event.subject;
    default: {
      const value = event.fields[label.slice(FIELD_PREFIX.length)];
      if (value === undefined || value === null) return '';
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
}

export function groupLabelsOf(event: BaristaEvent, groupBy: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const label of groupBy) labels[label] = labelValue(event, label);
  return labels;
}

/** Only the characters that delimit a key are escaped, so keys stay readable. */
const escapeKeyPart = (text: string) => text.replace(/[%|=]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Route index and the labels in group_by order, e.g. `1|subject=trial250_session`; the same
 * event and rules give the same key on every run.
 */
export function groupKeyOf(route: number, labels: Record<string, string>, groupBy: readonly string[]): string {
  let key = String(route);
  for (const label of groupBy) key += `|${escapeKeyPart(label)}=${escapeKeyPart(labels[label] ?? '')}`;
  return key;
}
