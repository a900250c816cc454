import { compileUserRegex, linearForm, userRegexProblem } from '../../src/config/linearRegex';
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
