/** What a rules.yaml reload changed, for the log line and for restarting only what changed. */
import type { RulesFile } from './schema';

export interface IdChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface RulesChange {
  sources: IdChanges;
  rules: IdChanges;
  /** Top-level sections other than sources and rules whose content changed. */
  sections: string[];
  empty: boolean;
}

function diffById<T extends { id: string }>(before: T[], after: T[]): IdChanges {
  const old = new Map(before.map((item) => [item.id, JSON.stringify(item)]));
  const now = new Map(after.map((item) => [item.id, JSON.stringify(item)]));
  return {
    added: [...now.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !now.has(id)),
    changed: [...now.keys()].filter((id) => old.has(id) && old.get(id) !== now.get(id)),
  };
}

const count = (c: IdChanges): number => c.added.length + c.removed.length + c.changed.length;

export function diffRules(before: RulesFile, after: RulesFile): RulesChange {
  const sources = diffById(before.sources, after.sources);
  const rules = diffById(before.rules, after.rules);
  const sections = (['workspace', 'notify', 'commands', 'control', 'state'] as const).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
  return { sources, rules, sections, empty: count(sources) + count(rules) + sections.length === 0 };
}

export function describeRulesChange(change: RulesChange): string {
  if (change.empty) return 'no effective change';
  const parts: string[] = [];
  const describe = (label: string, c: IdChanges) => {
    if (c.added.length) parts.push(`${label} added: ${c.added.join(', ')}`);
    if (c.removed.length) parts.push(`${label} removed: ${c.removed.join(', ')}`);
    if (c.changed.length) parts.push(`${label} changed: ${c.changed.join(', ')}`);
  };
  describe('sources', change.sources);
  describe('rules', change.rules);
  if (change.sections.length) parts.push(`sections changed: ${change.sections.join(', ')}`);
  return parts.join('; ');
}
