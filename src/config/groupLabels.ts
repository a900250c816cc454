/**
 * The labels a route's group_by may name (Alertmanager's group_by): checked when rules.yaml is
 * loaded, used by the notify grouping.
 */
const PLAIN_LABELS = new Set(['type', 'severity', 'source', 'subject']);
export const FIELD_PREFIX = 'fields.';

/** Why a group_by label is not usable, or null when it is. */
export function groupLabelProblem(label: string): string | null {
  if (PLAIN_LABELS.has(label)) return null;
  if (label.startsWith(FIELD_PREFIX) && label.length > FIELD_PREFIX.length) return null;
  return `unknown label "${label}" (use type, severity, source, subject or fields.<name>)`;
}

