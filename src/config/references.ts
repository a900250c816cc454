/**
 * Checks that need the whole file: unique ids, rules naming existing sources, routes and digests
 * naming existing channels, group_by labels that exist, regexes that compile. Works on the raw
 * parsed YAML so it can report alongside schema errors; anything malformed here is the schema's
 * to report.
 */
import { groupLabelProblem } from './groupLabels';
import { USER_REGEX_FLAGS_PATTERN, userRegexProblem } from './linearRegex';

export interface PathIssue {
  path: (string | number)[];
  message: string;
  /** Point at the key rather than its value (an unknown field). */
  atKey?: boolean;
}

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : list(v).filter((x): x is string => typeof x === 'string'));

function uniqueIds(items: unknown[], section: string[], issues: PathIssue[]): Set<string> {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    if (!isRecord(item) || typeof item.id !== 'string') return;
    const first = seen.get(item.id);
    if (first !== undefined) issues.push({ path: [...section, index, 'id'], message: `duplicate id "${item.id}" (also ${section.join('.')}[${first}])` });
    else seen.set(item.id, index);
  });
  return new Set(seen.keys());
}

export function checkReferences(raw: unknown): PathIssue[] {
  if (!isRecord(raw)) return [];
  const issues: PathIssue[] = [];
  const sources = list(raw.sources);
  const rules = list(raw.rules);
  const sourceIds = uniqueIds(sources, ['sources'], issues);
  uniqueIds(rules, ['rules'], issues);

  sources.forEach((source, index) => {
    if (isRecord(source) && typeof source.traceback_lead === 'string') {
      const problem = userRegexProblem(source.traceback_lead);
      if (problem) issues.push({ path: ['sources', index, 'traceback_lead'], message: problem });
    }
  });

  rules.forEach((rule, index) => {
    if (!isRecord(rule)) return;
    if (typeof rule.source === 'string' && !sourceIds.has(rule.source)) {
      issues.push({ path: ['rules', index, 'source'], message: `unknown source "${rule.source}" (sources: ${[...sourceIds].join(', ') || 'none'})` });
    }
    const flags = typeof rule.flags === 'string' ? rule.flags : '';
    // Flags the schema refuses are its one problem, not the pattern's too.
    if (typeof rule.match === 'string' && USER_REGEX_FLAGS_PATTERN.test(flags)) {
      const problem = userRegexProblem(rule.match, flags);
      if (problem) issues.push({ path: ['rules', index, 'match'], message: problem });
    }
  });

  const notify = isRecord(raw.notify) ? raw.notify : {};
  const channels = new Set(isRecord(notify.channels) ? Object.keys(notify.channels) : []);
  list(notify.routes).forEach((route, index) => {
    if (!isRecord(route)) return;
    for (const name of strings(route.to)) {
      if (!channels.has(name)) issues.push({ path: ['notify', 'routes', index, 'to'], message: `unknown channel "${name}" (channels: ${[...channels].join(', ') || 'none'})` });
    }
    if (route.to === undefined && route.mode !== 'off') issues.push({ path: ['notify', 'routes', index], message: 'a route needs "to" (a channel) unless its mode is off' });
    list(route.group_by).forEach((label, labelIndex) => {
      const problem = typeof label === 'string' ? groupLabelProblem(label) : null;
      if (problem) issues.push({ path: ['notify', 'routes', index, 'group_by', labelIndex], message: problem });
    });
  });
  const digests = list(notify.digests);
  uniqueIds(digests, ['notify', 'digests'], issues);
  digests.forEach((digest, index) => {
    if (isRecord(digest) && typeof digest.to === 'string' && !channels.has(digest.to)) {
      issues.push({ path: ['notify', 'digests', index, 'to'], message: `unknown channel "${digest.to}" (channels: ${[...channels].join(', ') || 'none'})` });
    }
  });
  const control = isRecord(raw.control) ? raw.control : {};
  if (control.trader !== undefined && control.traders !== undefined) {
    issues.push({ path: ['control', 'trader'], message: 'use either control.trader (one trader) or control.traders (several by name), not both', atKey: true });
  }
  const traders: [string[], unknown][] = [[['control', 'trader'], control.trader]];
  if (isRecord(control.traders)) for (const [name, entry] of Object.entries(control.traders)) traders.push([['control', 'traders', name], entry]);
  for (const [at, entry] of traders) {
    const start = isRecord(entry) && isRecord(entry.start) ? entry.start : null;
    if (!start || typeof start.banner !== 'string') continue;
    const problem = userRegexProblem(start.banner);
    if (problem) issues.push({ path: [...at, 'start', 'banner'], message: problem });
    if (start.log === undefined) issues.push({ path: [...at, 'start', 'banner'], message: 'a banner is looked for in the log: set start.log too' });
  }
  return issues;
}
