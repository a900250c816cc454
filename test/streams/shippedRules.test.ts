/**
 * The shipped config/rules.yaml against lines in the real system's formats
 * (test/fixtures/logs/*.cases.yaml): each line gives exactly the expected event, or none.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadRulesFile, type LoadedRules } from '../../src/config/loadRules';
import { formatProblem } from '../../src/config/problems';
import { compileLogRules, matchLogRules } from '../../src/streams/logRules';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'logs');

interface ExpectedEvent {
  text: string;
  rule: string;
  type: string;
  severity: string;
  fields: Record<string, unknown>;
  at?: string;
  draft_text?: string;
}
type FixtureCase = string | { silent_lines: string } | ExpectedEvent;
interface FixtureFile {
  source: string;
  cases: FixtureCase[];
}
interface LineCase {
  name: string;
  source: string;
  text: string;
  expected: ExpectedEvent | null;
}

function loadShipped(): LoadedRules {
  const result = loadRulesFile(path.join(ROOT, 'config', 'rules.yaml'), {});
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.rules;
}

function loadCases(): LineCase[] {
  const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.cases.yaml'));
  return files.flatMap((file) => {
    const fixture = parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as FixtureFile;
    return fixture.cases.flatMap((entry, index): LineCase[] => {
      const at = (text: string, line?: number) => ({
        name: `${file} #${index}${line === undefined ? '' : ` line ${line}`}: ${JSON.stringify(text.split('\n')[0])}`,
        source: fixture.source,
        text,
      });
      if (typeof entry === 'string') return [{ ...at(entry), expected: null }];
      if ('silent_lines' in entry) return entry.silent_lines.split('\n').map((text, line) => ({ ...at(text, line), expected: null }));
      return [{ ...at(entry.text), expected: entry }];
    });
  });
}

const rules = loadShipped();
const compiled = compileLogRules(rules.config.rules);
const cases = loadCases();
// What the tailer hands over is NFC; the fixtures are written that way, keep it so.
const matchOf = (c: LineCase) => matchLogRules(compiled, c.source, c.text.normalize('NFC'));

describe('shipped rules on real-format lines', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const match = matchOf(c);
    if (c.expected === null) {
      expect(match && { rule: match.ruleId, draft: match.draft }).toBeNull();
      return;
    }
    expect(match).not.toBeNull();
    const { ruleId, draft } = match!;
    expect({ rule: ruleId, type: draft.type, severity: draft.severity, fields: draft.fields, at: draft.at }).toEqual({
      rule: c.expected.rule,
      type: c.expected.type,
      severity: c.expected.severity,
      fields: c.expected.fields,
      at: c.expected.at,
    });
    expect(draft.text).toBe(c.expected.draft_text ?? c.text);
  });

  it('covers every enabled shipped rule with a fixture line that triggers it', () => {
    const triggered = new Set(cases.map((c) => matchOf(c)?.ruleId).filter((id) => id !== undefined));
    const untested = rules.config.rules.filter((rule) => rule.enabled && !triggered.has(rule.id)).map((rule) => rule.id);
    expect(untested).toEqual([]);
  });

  it('only uses sources of the shipped file', () => {
    const sourceIds = new Set(rules.config.sources.map((s) => s.id));
    expect([...new Set(cases.map((c) => c.source))].filter((id) => !sourceIds.has(id))).toEqual([]);
  });

  it('tests lines with emoji carrying U+FE0F, and the same events without any emoji', () => {
    const withSelector = cases.filter((c) => c.expected && c.text.includes('\uFE0F'));
    const bareRiskLines = cases.filter((c) => c.expected?.type.startsWith('risk.') && /^[\x20-\x7e]*$/.test(c.text));
    expect(withSelector.length).toBeGreaterThan(10);
    expect(bareRiskLines.length).toBeGreaterThan(0);
  });

  it('ships the min-hold rule disabled (it fires on almost every bar)', () => {
    expect(rules.config.rules.find((rule) => rule.id === 'min-hold')?.enabled).toBe(false);
  });

  it('emits only event types of the public catalogue, or the few added for lines none fits', () => {
    const catalogue = [
      'position.closed',
      'risk.stop_loss',
      'risk.trailing_stop',
      'risk.concentration',
      'risk.position_limit',
      'risk.portfolio_protection',
      'trader.started',
      'trader.error',
      'trader.interrupted',
      'training.trial_completed',
      'training.trial_pruned',
      'training.trial_failed',
      'watchdog.alert',
    ];
    const added = ['portfolio.snapshot_line', 'risk.min_hold', 'risk.news', 'risk.macro_regime', 'training.worker_exited', 'monitor.alert'];
    const used = [...new Set(rules.config.rules.map((rule) => rule.emit.type))].sort();
    expect(used).toEqual([...catalogue, ...added].sort());
  });
});
