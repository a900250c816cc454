import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileUserRegex, linearForm, USER_REGEX_FLAGS, userRegexProblem } from '../../src/config/linearRegex';
import { parseRules } from '../../src/config/loadRules';
import { formatProblem } from '../../src/config/problems';
import { compileLogRules, matchLogRules } from '../../src/streams/logRules';

const evilLine = `${'a'.repeat(100)}!`;

describe('user regexes run in linear time', () => {
  // Without the fallback each of these takes longer than the universe's age on the line.
  it.each(['(a+)+$', '(a|aa)+$', '^(\\w+\\s?)*$', '(a*)*a$'])('%s fails on 100 "a"s and "!" at once', (pattern) => {
    expect(userRegexProblem(pattern)).toBeNull();
    expect(compileUserRegex(pattern).test(evilLine)).toBe(false);
    expect(compileUserRegex(pattern).test('aaaa')).toBe(true);
  });

  it('a source keeps matching its other rules after a catastrophic line', () => {
    const rules = compileLogRules([
      { id: 'evil', source: 'a', match: '(a+)+$', enabled: true, emit: { type: 'x.evil', severity: 'info' } },
      { id: 'fine', source: 'a', match: 'hello (?<who>\\w+)', enabled: true, emit: { type: 'x.hello', severity: 'info' } },
    ] as Parameters<typeof compileLogRules>[0]);
    expect(matchLogRules(rules, 'a', evilLine.repeat(20))).toBeNull();
    expect(matchLogRules(rules, 'a', 'hello world')?.draft.fields).toEqual({ who: 'world' });
  });

  it.each([
    ['(a+)\\1$', '', /backreferences/],
    ['(?<x>a+)\\k<x>', '', /backreferences/],
    ['(?=a)(a+)+$', '', /lookahead and lookbehind/],
    ['(?<!b)a', '', /lookahead and lookbehind/],
    ['\\p{L}+', 'u', /flag u/],
    ['a{5000}', '', /repeat count/],
  ])('rejects %s (flags "%s"), which only a backtracking engine runs', (pattern, flags, reason) => {
    const problem = userRegexProblem(pattern, flags);
    expect(problem).toMatch(reason);
    expect(problem).toContain('linear time');
    expect(() => compileUserRegex(pattern, flags)).toThrow(reason);
  });

  it('reports an invalid pattern as invalid', () => {
    expect(userRegexProblem('(a')).toMatch(/^invalid regular expression: .*Unterminated group/);
  });

  describe('flag i becomes case classes that match what flag i matches', () => {
    const patterns = ['trailing stop', '^(?<Sym>[a-z]+)/usd: \\w+ \\x41', '[^a-c]x{2}', 'Ünïcode é', '[A-Fa-f0-9]+-[_a-d]', 'Error\\. (?:warn|FAIL)'];
    const texts = ['TRAILING STOP', 'Trailing Stop now', 'BTC/USD: ok A', 'btc/usd: OK a', 'dXX', 'Axx', 'üNÏCODE É', 'AbC9-D', 'deadbeef-_', 'error. fail', 'ERROR. WARN', 'x'];
    it.each(patterns)('%s', (pattern) => {
      const folded = compileUserRegex(pattern, 'i');
      expect(folded.flags).not.toContain('i');
      const native = new RegExp(pattern, 'i');
      for (const text of texts) expect([text, folded.exec(text)?.[0]]).toEqual([text, native.exec(text)?.[0]]);
    });

    it('keeps group names and counts as written', () => {
      expect(linearForm('(?<Sym>a){2,3}\\k<Sym>', 'im').source).toBe('(?<Sym>[aA]){2,3}\\k<Sym>');
      expect(linearForm('(?<Sym>a)', 'im').flags).toBe('m');
    });
  });
});

describe('rule flags: the schema accepts exactly what the linear engine runs', () => {
  const rulesWithFlags = (flags: string) =>
    `workspace: /w\nsources:\n  - { id: a, type: log, paths: ["a.log"] }\nrules:\n  - { id: r, source: a, match: 'hello (?<who>\\w+)', flags: "${flags}", emit: { type: x.hello } }\n`;

  it.each(['i', 'm', 's', 'ims', ''])('flags "%s" load and compile in linear time', (flags) => {
    const result = parseRules(rulesWithFlags(flags), 'rules.yaml', {});
    expect(result.ok || result.problems.map(formatProblem)).toBe(true);
    expect(userRegexProblem('hello (?<who>\\w+)', flags)).toBeNull();
  });

  it('every flag it lists is one the linear engine runs', () => {
    for (const flag of USER_REGEX_FLAGS) expect(userRegexProblem('a', flag)).toBeNull();
  });

  it.each(['u', 'iu', 'g', 'v'])('flags "%s" are refused at load with the reason, never accepted only to fail later', (flags) => {
    const result = parseRules(rulesWithFlags(flags), 'rules.yaml', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(formatProblem)).toEqual([expect.stringMatching(/^rules\.yaml:5:\d+: rules\[0\]\.flags: flags may be i, m, s \(flag u is not supported/)]);
  });

  it('config/rules.schema.json, which editors check against, lists the same flags', () => {
    const schema = readFileSync(path.join(__dirname, '..', '..', 'config', 'rules.schema.json'), 'utf8');
    const pattern = (JSON.parse(schema) as { properties: { rules: { items: { properties: { flags: { pattern: string } } } } } }).properties.rules.items.properties.flags.pattern;
    expect(pattern).toBe('^[ims]*$');
    expect(USER_REGEX_FLAGS).toEqual(['i', 'm', 's']);
    expect(new RegExp(pattern).test('u')).toBe(false);
  });
});
