import path from 'node:path';
import { loadRulesFile, parseRules, resolveWorkspace } from '../../src/config/loadRules';
import { formatProblem, type ConfigProblem } from '../../src/config/problems';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'rules', name);
const SHIPPED = path.join(__dirname, '..', '..', 'config', 'rules.yaml');

function problemsOf(text: string, env: Record<string, string> = {}): ConfigProblem[] {
  const result = parseRules(text, 'rules.yaml', env);
  if (result.ok) throw new Error('expected problems, got a valid config');
  return result.problems;
}

describe('loadRulesFile', () => {
  it('accepts the shipped config/rules.yaml with an empty environment', () => {
    const result = loadRulesFile(SHIPPED, {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { config } = result.rules;
    expect(config.sources.map((s) => s.type)).toEqual(expect.arrayContaining(['log', 'csv', 'json', 'optuna', 'files', 'process']));
    expect(config.notify.channels.alerts.channel).toBe('');
    expect(config.notify.discord.api_base).toBe('https://discord.com/api');
  });

  it('reports a YAML syntax error with its line and column', () => {
    const result = loadRulesFile(fixture('syntax-error.yaml'), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    // The unclosed [ of line 5 is noticed where the next item starts.
    expect(result.problems[0]).toMatchObject({ file: fixture('syntax-error.yaml'), line: 6, column: 3 });
    expect(result.problems[0].message).toMatch(/^YAML syntax: Flow sequence .* end with a \] \(and 4 more syntax errors after it/);
  });

  it('reports every schema error at the offending value', () => {
    const result = loadRulesFile(fixture('two-schema-errors.yaml'), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatProblem)).toEqual([
      `${fixture('two-schema-errors.yaml')}:6:15: sources[0].start_at: Invalid option: expected one of "end"|"beginning"`,
      `${fixture('two-schema-errors.yaml')}:10:19: sources[1].min_notional: expected number, received string`,
    ]);
  });

  it('names a missing ${VAR} and where it is used', () => {
    const result = loadRulesFile(fixture('missing-var.yaml'), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // Only the variable is reported, not the empty value's schema error that follows from it.
    expect(result.problems).toEqual([
      { file: fixture('missing-var.yaml'), line: 4, column: 25, message: expect.stringContaining('environment variable BARISTA_TEST_UNSET_WEBHOOK is not set') },
    ]);
  });

  it('says when the file does not exist', () => {
    const result = loadRulesFile(fixture('nope.yaml'), {});
    expect(result.ok || result.problems.map(formatProblem)).toEqual([`${fixture('nope.yaml')}:1:1: cannot read rules: file not found`]);
  });

  it('resolves a relative workspace against the rules file, not the working directory', () => {
    const result = loadRulesFile(fixture('minimal.yaml'), {});
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(resolveWorkspace(result.rules)).toBe(path.join(path.dirname(fixture('minimal.yaml')), 'workspace'));
  });
});

describe('interpolation', () => {
  const base = 'workspace: /w\n';

  it('uses the environment, then the default, and types a plain ${VAR}', () => {
    const text = `${base}sources:\n  - id: s\n    type: csv\n    paths: ["\${DIR:-paper_trades}/*.csv"]\n    min_notional: \${MIN}\n    enabled: \${ON:-true}\n`;
    const result = parseRules(text, 'rules.yaml', { MIN: '12.5' });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.rules.config.sources[0]).toMatchObject({ paths: ['paper_trades/*.csv'], min_notional: 12.5, enabled: true });
  });

  it('keeps 64-bit Discord ids exact, written plain or through ${VAR}', () => {
    const text = `${base}notify:\n  channels:\n    a: { channel: 123456789012345678 }\n    b:\n      channel: \${ALERT_ID}\n  routes: []\n`;
    const result = parseRules(text, 'rules.yaml', { ALERT_ID: '987654321098765432' });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.rules.config.notify.channels).toEqual({ a: { channel: '123456789012345678' }, b: { channel: '987654321098765432' } });
  });

  it('treats an empty ${VAR:-} as not configured and $$ as a literal dollar', () => {
    const text = `${base}rules: []\nsources:\n  - { id: s, type: log, paths: ["cost$$.log"] }\nnotify:\n  channels:\n    a: { webhook: "\${DISCORD_WEBHOOK_URL:-}" }\n`;
    const result = parseRules(text, 'rules.yaml', {});
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.rules.config.sources[0]).toMatchObject({ paths: ['cost$.log'] });
    expect(result.rules.config.notify.channels.a.webhook).toBe('');
  });

  it('reports each missing variable with its own column, and malformed references', () => {
    const problems = problemsOf(`${base}state:\n  path: "\${A}/\${B}/\${C:-x}"\nrules: ["\${oops"]\n`);
    expect(problems.slice(0, 2)).toEqual([
      { file: 'rules.yaml', line: 3, column: 10, message: expect.stringContaining('environment variable A is not set') },
      { file: 'rules.yaml', line: 3, column: 15, message: expect.stringContaining('environment variable B is not set') },
    ]);
    expect(problems[2]).toMatchObject({ line: 4, column: 10, message: expect.stringContaining('malformed variable reference') });
  });
});

describe('schema and reference checks', () => {
  it('points unknown fields at their key and missing ones at their object', () => {
    const problems = problemsOf('workspace: /w\nsources:\n  - id: s\n    type: log\n    pahts: ["x"]\n');
    expect(problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [3, 5, 'sources[0]: missing required field "paths"'],
      [5, 5, 'sources[0].pahts: unknown field "pahts"'],
    ]);
  });

  it('names the valid source types for an unknown one', () => {
    const [problem] = problemsOf('workspace: /w\nsources:\n  - { id: s, type: lgo, paths: [x] }\n');
    expect(problem).toMatchObject({ line: 3, column: 20, message: 'sources[0].type: "type" must be one of log, csv, json, optuna, files, process' });
  });

  it('catches duplicate ids, unknown sources and channels, and bad regexes together', () => {
    const text = [
      'workspace: /w',
      'sources:',
      '  - { id: a, type: log, paths: [x] }',
      '  - { id: a, type: log, paths: [y] }',
      'rules:',
      '  - { id: r, source: b, match: "(?<x", emit: { type: risk.x } }',
      'notify:',
      '  channels: { alerts: { channel: "" } }',
      '  routes:',
      '    - { to: alert }',
      '    - { match: { type: "x.*" } }',
    ].join('\n');
    const messages = problemsOf(text).map((p) => `${p.line}:${p.column} ${p.message}`);
    expect(messages).toEqual([
      '4:11 sources[1].id: duplicate id "a" (also sources[0])',
      '6:22 rules[0].source: unknown source "b" (sources: a)',
      expect.stringMatching(/^6:32 rules\[0\]\.match: invalid regular expression/),
      '10:13 notify.routes[0].to: unknown channel "alert" (channels: alerts)',
      '11:7 notify.routes[1]: a route needs "to" (a channel) unless its mode is off',
    ]);
  });

  it('parses durations to milliseconds and fills defaults', () => {
    const result = parseRules('workspace: /w\nnotify:\n  defaults: { group_wait: 1m30s }\n', 'rules.yaml', {});
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.rules.config.notify.defaults).toEqual({ group_wait: 90_000, group_interval: 120_000, repeat_interval: 4 * 3_600_000 });
    expect(result.rules.config.state.retention.events).toBe(7 * 86_400_000);
  });

  it('never echoes a secret value in a problem', () => {
    const token = 'not-a-url-but-secret-value-1234567890';
    const problems = problemsOf(`workspace: /w\nnotify:\n  channels:\n    a: { webhook: "\${HOOK}" }\n`, { HOOK: token });
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toContain('expected a Discord webhook URL');
    expect(JSON.stringify(problems)).not.toContain(token);
  });
});
