/**
 * The log rule engine: rules.yaml `rules` compiled to regexes, and one observation text
 * (a line, or a grouped Python traceback) turned into an event draft by the first rule of
 * its source that matches. Pure: no I/O, no clock.
 */
import type { RuleConfig } from '../config/schema';
import { compileUserRegex, escapePayloadLength, isLinear } from '../config/linearRegex';
import { redactSecrets } from '../logging/redactSecrets';
import type { EventDraft } from '../model/BaristaEvent';
import { fillFactKey, type EventFact } from '../model/fact';

export interface CompiledLogRule {
  id: string;
  source: string;
  pattern: RegExp;
  /** Every named group of the pattern, matched or not (a template may name an optional one). */
  groups: readonly string[];
  /** Text every match contains (null: none known): a line without it is not tried. */
  literal: string | null;
  emit: RuleConfig['emit'];
}

export interface CompiledLogRules {
  /** Enabled rules per source id, in file order. */
  bySource: ReadonlyMap<string, readonly CompiledLogRule[]>;
  /**
   * Per source, one regex that matches wherever any of its rules would: most lines match no
   * rule, and one alternation rejects them far faster than trying each rule in turn.
   */
  anyRule: ReadonlyMap<string, RegExp>;
}


export interface RuleMatch {
  ruleId: string;
  draft: EventDraft;
  /** The rule's `emit.fact`, its key still a template: the source fills it in (factOfMatch). */
  fact?: EventFact;
}

/** What a fact key template may name besides the event's fields. */
export interface FactContext {
  subject: string;
  /** `process.<name>`: the running process that writes this log, when known. */
  process?: (name: string) => unknown;
}

/**
 * The match's fact with its key filled in: `{name}` from the event's fields, else `subject`,
 * else `process.<name>`; what none of them gives becomes `*` (matches any).
 */
export function factOfMatch(match: RuleMatch, context: FactContext): EventFact | undefined {
  if (!match.fact) return undefined;
  const { fields } = match.draft;
  const key = fillFactKey(match.fact.key, (name) => {
    if (name in fields) return fields[name];
    if (name === 'subject') return context.subject;
    return name.startsWith('process.') ? context.process?.(name.slice('process.'.length)) : undefined;
  });
  return { ...match.fact, key };
}

type FieldValue = string | number | boolean;

/** Compiles the enabled rules. Throws on an invalid regex (the config loader rejects those first). */
export function compileLogRules(rules: readonly RuleConfig[]): CompiledLogRules {
  const bySource = new Map<string, CompiledLogRule[]>();
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const flags = rule.flags ?? '';
    const compiled: CompiledLogRule = {
      id: rule.id,
      source: rule.source,
      pattern: compileUserRegex(rule.match, flags),
      groups: groupNamesOf(rule.match, flags),
      literal: flags.includes('i') ? null : requiredLiteral(rule.match),
      // Static fields are redacted once here; matched text is redacted before matching.
      emit: { ...rule.emit, ...(rule.emit.fields ? { fields: redactedFields(rule.emit.fields) } : {}) },
    };
    bySource.set(rule.source, [...(bySource.get(rule.source) ?? []), compiled]);
  }
  const anyRule = new Map<string, RegExp>();
  for (const [source, compiled] of bySource) {
    const combined = alternationOf(compiled, rules);
    if (combined) anyRule.set(source, combined);
  }
  return { bySource, anyRule };
}

/**
 * The rules' patterns as alternations, named groups made plain. Only when that keeps the
 * meaning: no flags (they would differ per rule) and no backreferences (numbering changes).
 */
function alternationOf(compiled: readonly CompiledLogRule[], rules: readonly RuleConfig[]): RegExp | null {
  const sources = compiled.map((rule) => rules.find((r) => r.id === rule.id && r.source === rule.source));
  if (sources.some((rule) => !rule || (rule.flags ?? '') !== '' || /\\[1-9k]/.test(rule.match))) return null;
  const plain = (pattern: string) => `(?:${pattern.replace(/\(\?<(?![=!])[A-Za-z_$][\w$]*>/g, '(?:')})`;
  // "^…" without any "|" is anchored as a whole (a "|" might be top-level: then it is not).
  const isAnchored = (pattern: string) => pattern.startsWith('^') && !pattern.includes('|');
  const anchored = sources.filter((rule) => isAnchored(rule!.match)).map((rule) => plain(rule!.match.slice(1)));
  const floating = sources.filter((rule) => !isAnchored(rule!.match)).map((rule) => plain(rule!.match));
  try {
    // One regex, one call per line: the anchored branch fails at once past position 0.
    const sieve = new RegExp([...(anchored.length ? [`^(?:${anchored.join('|')})`] : []), ...floating].join('|'));
    // Each rule runs in linear time; their union must too, or it could freeze on one line.
    return isLinear(sieve) ? sieve : null;
  } catch {
    return null;
  }
}

/** The first rule of `sourceId` (in file order) whose regex matches `text`, as an event draft. */
export function matchLogRules(compiled: CompiledLogRules, sourceId: string, text: string): RuleMatch | null {
  const sieve = compiled.anyRule.get(sourceId);
  if (sieve && !sieve.test(text)) return null;
  // Redacted once, before matching: every field captured from it and the text are then clean.
  const clean = redactSecrets(text);
  for (const rule of compiled.bySource.get(sourceId) ?? []) {
    // includes() is far cheaper than a failing exec, and most rules fail on any given line.
    if (rule.literal !== null && !clean.includes(rule.literal)) continue;
    const match = rule.pattern.exec(clean);
    if (match) {
      const fact = rule.emit.fact;
      return { ruleId: rule.id, draft: draftOf(rule, match, clean), ...(fact ? { fact: { key: fact.key, rank: fact.rank, holdMs: fact.hold } } : {}) };
    }
  }
  return null;
}

/** `text` is already redacted. Built in one pass: this runs for every line that makes an event. */
function draftOf(rule: CompiledLogRule, match: RegExpExecArray, text: string): EventDraft {
  const fields: Record<string, FieldValue> = {};
  const groups: Record<string, string | undefined> = match.groups ?? {};
  for (const name in groups) {
    const value = groups[name];
    if (value !== undefined) fields[name] = fieldValueOf(value);
  }
  if (rule.emit.fields) Object.assign(fields, rule.emit.fields);

  const draft: EventDraft = {
    type: rule.emit.type,
    severity: rule.emit.severity,
    fields,
    text: rule.emit.text === undefined ? text : fillTemplate(rule.emit.text, rule, groups),
  };
  // Only a timestamp with its zone becomes the event time: naive ones (Python logging, bash
  // `date`) are the host's local time, which barista does not guess. They stay a field.
  const at = groups.at === undefined ? undefined : awareIsoToUtc(groups.at);
  if (at !== undefined) draft.at = at;
  return draft;
}

function redactedFields(fields: Record<string, FieldValue>): Record<string, FieldValue> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, typeof value === 'string' ? redactSecrets(value) : value]));
}

// A decimal as Python prints floats: "250", "-3.56", "+4.5", "1.5e-05" (Optuna values).
const DECIMAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Numbers become numbers; anything else (and integers too long to be exact, e.g. Discord ids) stays text. */
function fieldValueOf(value: string): FieldValue {
  if (!DECIMAL.test(value)) return value;
  const number = Number(value);
  if (!Number.isFinite(number)) return value;
  if (Number.isInteger(number) && !/[.eE]/.test(value) && !Number.isSafeInteger(number)) return value;
  return number === 0 ? 0 : number; // "-0.0" (a rounded P&L) is plain 0
}

/**
 * `{name}`: a static field, else the group's text as written (so "2712.50" keeps its zeros),
 * else "" for a group that did not take part. Unknown names stay as written so a typo shows.
 */
function fillTemplate(template: string, rule: CompiledLogRule, captured: Record<string, string | undefined>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (placeholder, name: string) => {
    const fixed = rule.emit.fields?.[name];
    if (fixed !== undefined) return String(fixed);
    const value = captured[name];
    if (value !== undefined) return value;
    return rule.groups.includes(name) ? '' : placeholder;
  });
}

/** Every named group, matched or not: an empty alternative makes any regex match "". */
function groupNamesOf(source: string, flags: string): string[] {
  const everything = new RegExp(`${source}|`, flags).exec('');
  return Object.keys(everything?.groups ?? {});
}

// ISO 8601 date-time WITH a zone (T or space separator, Python's microseconds allowed).
const AWARE_ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})$/i;

function awareIsoToUtc(text: string): string | undefined {
  const parts = AWARE_ISO.exec(text.trim());
  if (!parts) return undefined;
  const [, date, clock, fraction, zone] = parts;
  const millis = fraction === undefined ? '' : `.${fraction.slice(0, 3).padEnd(3, '0')}`;
  const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone.toUpperCase();
  const ms = Date.parse(`${date}T${clock}${millis}${offset}`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * The longest run of plain characters a pattern requires at its top level (outside groups,
 * classes and quantified atoms), or null when it has no such run of 3+ characters or has a
 * top-level alternation. Conservative: when unsure, a character ends the run.
 */
export function requiredLiteral(source: string): string | null {
  let best = '';
  let run = '';
  let depth = 0;
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i] as string;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      i += 1;
      i += escapePayloadLength(source, i);
      if (depth > 0) continue;
      // An escaped punctuation character is itself; \d, \s, \b, \n, \u… are classes or codes.
      if (/[^A-Za-z0-9]/.test(next) && !isQuantifier(source, i + 1)) run += next;
      else end();
      continue;
    }
    if (c === '[') {
      // Skip the class (a ] right after [ or [^ is literal).
      let j = i + 1;
      if (source[j] === '^') j += 1;
      if (source[j] === ']') j += 1;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = j;
      if (depth === 0) end();
      continue;
    }
    if (c === '(') {
      depth += 1;
      if (depth === 1) end();
      continue;
    }
    if (c === ')') {
      depth -= 1;
      continue;
    }
    if (depth > 0) continue;
    if (c === '|') return null;
    if ('^$.*+?{}'.includes(c)) {
      end();
      continue;
    }
    if (isQuantifier(source, i + 1)) end();
    else run += c;
  }
  end();
  return best.length >= 3 ? best : null;
}

/** Whether the atom ending before `i` is quantified (then it may be absent or repeated). */
function isQuantifier(source: string, i: number): boolean {
  const q = source[i];
  return q === '*' || q === '+' || q === '?' || (q === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i)));
}
