import type { RuleConfig } from '../../src/config/schema';
import { compileLogRules, matchLogRules, requiredLiteral } from '../../src/streams/logRules';

type RuleInput = Omit<Partial<RuleConfig>, 'emit'> & Pick<RuleConfig, 'id' | 'match'> & { emit?: Partial<RuleConfig['emit']> };

/** A rule as the schema outputs it (defaults applied). */
function rule({ emit, ...rest }: RuleInput): RuleConfig {
  return { source: 'log', enabled: true, ...rest, emit: { type: 'test.event', severity: 'info', ...emit } };
}

const matchOne = (r: RuleConfig, text: string) => matchLogRules(compileLogRules([r]), r.source, text);

const WEBHOOK_TOKEN = 'Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';
const WEBHOOK_URL = `https://discord.com/api/webhooks/1098765432109876543/${WEBHOOK_TOKEN}`;

describe('matchLogRules', () => {
  it('tries the rules of the source in file order: the first match wins', () => {
    const compiled = compileLogRules([
      rule({ id: 'other-source', source: 'elsewhere', match: 'STOP' }),
      rule({ id: 'specific', match: 'STOP-LOSS triggered', emit: { type: 'risk.stop_loss' } }),
      rule({ id: 'generic', match: 'STOP', emit: { type: 'generic.stop' } }),
    ]);
    expect(matchLogRules(compiled, 'log', 'STOP-LOSS triggered for ETH/USD')).toMatchObject({ ruleId: 'specific', draft: { type: 'risk.stop_loss' } });
    expect(matchLogRules(compiled, 'log', 'STOP here')).toMatchObject({ ruleId: 'generic', draft: { type: 'generic.stop' } });
    expect(matchLogRules(compiled, 'elsewhere', 'STOP-LOSS triggered')?.ruleId).toBe('other-source');
  });

  it('returns null when no rule of the source matches, or the source has no rules', () => {
    const compiled = compileLogRules([rule({ id: 'r', match: '^Received interrupt' })]);
    expect(matchLogRules(compiled, 'log', 'Polling for new bars...')).toBeNull();
    expect(matchLogRules(compiled, 'unknown', 'Received interrupt')).toBeNull();
  });

  it('skips disabled rules', () => {
    const compiled = compileLogRules([rule({ id: 'off', match: 'Min hold', enabled: false }), rule({ id: 'on', match: 'hold' })]);
    expect(matchLogRules(compiled, 'log', 'Min hold time: AAVE/USD')?.ruleId).toBe('on');
  });

  it('applies the rule flags', () => {
    expect(matchOne(rule({ id: 'r', match: 'trailing stop', flags: 'i' }), 'TRAILING STOP triggered')?.ruleId).toBe('r');
    expect(matchOne(rule({ id: 'r', match: 'trailing stop' }), 'TRAILING STOP triggered')).toBeNull();
  });

  it('turns plain decimal groups into numbers and keeps everything else as text', () => {
    const r = rule({
      id: 'r',
      match:
        '^(?<int>\\S+) (?<float>\\S+) (?<negative>\\S+) (?<plus>\\S+) (?<exponent>\\S+) (?<symbol>\\S+) (?<snowflake>\\S+) (?<version>\\S+) (?<hex>\\S+) (?<zero>\\S+) (?<word>\\S+)$',
    });
    const match = matchOne(r, '250 10.5 -3.56 +4.5 -4.5e-05 ETH/USD 1098765432109876543 1.2.3 0x1F -0.0 nan');
    expect(match?.draft.fields).toEqual({
      int: 250,
      float: 10.5,
      negative: -3.56,
      plus: 4.5,
      exponent: -0.000045,
      symbol: 'ETH/USD',
      snowflake: '1098765432109876543', // beyond 2^53: a number would change the id
      version: '1.2.3',
      hex: '0x1F',
      zero: 0,
      word: 'nan',
    });
    expect(Object.is(match?.draft.fields.zero, -0)).toBe(false);
  });

  it('leaves groups that did not take part out of the fields', () => {
    const r = rule({ id: 'r', match: 'selling (?<sell_pct>\\d+)% of positions(?: \\(target was (?<target_pct>[\\d.]+)%\\))?' });
    expect(matchOne(r, 'PROFIT TAKING: selling 50% of positions')?.draft.fields).toEqual({ sell_pct: 50 });
  });

  it('merges emit.fields on top of the groups, and takes type and severity from emit', () => {
    const r = rule({
      id: 'r',
      match: 'Concentration limit: (?<symbol>\\S+) buy (?<action>\\w+)',
      emit: { type: 'risk.concentration', severity: 'notice', fields: { action: 'blocked', fatal: false, limit_pct: 30 } },
    });
    expect(matchOne(r, 'Concentration limit: BTC/USD buy refused (already at 31.2%)')?.draft).toMatchObject({
      type: 'risk.concentration',
      severity: 'notice',
      fields: { symbol: 'BTC/USD', action: 'blocked', fatal: false, limit_pct: 30 },
    });
  });

  it('uses the observation text as the event text when the rule has no template', () => {
    const text = '  ⚠️  STOP-LOSS triggered for ETH/USD';
    expect(matchOne(rule({ id: 'r', match: 'STOP-LOSS' }), text)?.draft.text).toBe(text);
  });

  it('fills {name} placeholders of emit.text from static fields and the groups as written', () => {
    const r = rule({
      id: 'r',
      match: 'Closed (?<symbol>\\S+): entry \\$(?<entry>[\\d.]+)(?: note (?<note>\\w+))?',
      emit: { text: '{label}: {symbol} closed at ${entry}{note} {unknown}', fields: { label: 'Position' } },
    });
    const match = matchOne(r, '  💰 Closed ETH/USD: entry $2712.50');
    expect(match?.draft.text).toBe('Position: ETH/USD closed at $2712.50 {unknown}');
    expect(match?.draft.fields.entry).toBe(2712.5);
  });

  it('redacts a Discord webhook token from the text, the string fields and a template', () => {
    const line = `Failed to send Discord notification: 404 Client Error: Not Found for url: ${WEBHOOK_URL}`;
    const plain = matchOne(rule({ id: 'r', match: 'Failed to send Discord notification: (?<exception>.*)$' }), line);
    expect(plain?.draft.text).toBe('Failed to send Discord notification: 404 Client Error: Not Found for url: https://discord.com/api/webhooks/1098765432109876543/[REDACTED]');
    expect(plain?.draft.fields.exception).toBe('404 Client Error: Not Found for url: https://discord.com/api/webhooks/1098765432109876543/[REDACTED]');

    const templated = matchOne(rule({ id: 'r', match: 'url: (?<url>\\S+)', emit: { text: 'posting to {url} failed' } }), line);
    expect(templated?.draft.text).toBe('posting to https://discord.com/api/webhooks/1098765432109876543/[REDACTED] failed');
    expect(JSON.stringify(templated)).not.toContain(WEBHOOK_TOKEN);

    const staticField = matchOne(rule({ id: 'r', match: 'Failed', emit: { fields: { hook: WEBHOOK_URL } } }), line);
    expect(JSON.stringify(staticField)).not.toContain(WEBHOOK_TOKEN);
  });

  describe('the `at` group', () => {
    const atRule = rule({ id: 'r', match: '^\\[(?<at>[^\\]]+)\\] (?<message>.*)$' });
    const atOf = (text: string) => matchOne(atRule, text)?.draft;

    it.each([
      ['[2026-02-09T07:00:00+00:00] cash=351.27', '2026-02-09T07:00:00.000Z'],
      ['[2026-02-09T07:02:00.183201+00:00] Polling for new bars...', '2026-02-09T07:02:00.183Z'],
      ['[2025-11-24T12:00:00Z] Initial portfolio value: $1000.00', '2025-11-24T12:00:00.000Z'],
      ['[2026-02-09 05:00:00+00:00] pandas Timestamp', '2026-02-09T05:00:00.000Z'],
      ['[2026-02-09T01:00:00-0600] Central time with an offset', '2026-02-09T07:00:00.000Z'],
    ])('sets the event time from a timestamp with a zone: %s', (text, iso) => {
      const draft = atOf(text);
      expect(draft?.at).toBe(iso);
      expect(draft?.fields.at).toBe(text.slice(1, text.indexOf(']')));
    });

    it.each([
      ['[2026-02-05 16:52:05,225] [INFO] Running health checks...'],
      ['[2026-02-15 01:24:31] ✅ Worker 2 PID 17734 healthy'],
      ['[2026-02-09T07:00:00] naive ISO'],
      ['[not a time] something'],
    ])('leaves the event time unset for a naive or unreadable timestamp, keeping it as a field: %s', (text) => {
      const draft = atOf(text);
      expect(draft).toBeDefined();
      expect(draft).not.toHaveProperty('at');
      expect(draft?.fields.at).toBe(text.slice(1, text.indexOf(']')));
    });
  });

  it('matches a grouped traceback across its lines', () => {
    const r = rule({
      id: 'fatal',
      match: '(?:^|\\n)Traceback \\(most recent call last\\):\\n[ \\t]*File "[^"\\n]*", line \\d+, in <module>\\n(?:[\\s\\S]*\\n)?(?<exception>(?<exception_type>[A-Za-z_][\\w.]*)(?:: .*)?)$',
    });
    const fatal = ['Traceback (most recent call last):', '  File "x.py", line 9, in <module>', '    main()', "ModuleNotFoundError: No module named 'archive'"].join('\n');
    const caught = ['Traceback (most recent call last):', '  File "x.py", line 9, in run', '    main()', 'ValueError: boom'].join('\n');
    expect(matchOne(r, fatal)?.draft.fields).toEqual({ exception: "ModuleNotFoundError: No module named 'archive'", exception_type: 'ModuleNotFoundError' });
    expect(matchOne(r, caught)).toBeNull();
  });
});

describe('requiredLiteral', () => {
  it.each([
    ['STOP-LOSS triggered for (?<symbol>\\S+): down (?<pct>[\\d.]+)%', 'STOP-LOSS triggered for '],
    ['^\\[(?<at>[^\\]]+)\\] cash=(?<cash>-?[\\d.]+)', '] cash='],
    ['colou?r matters', 'r matters'], // a quantified character is not required
    ['ab+cdefg?', 'cdef'],
    ['a\\.b\\.c', 'a.b.c'], // escaped punctuation is itself
    ['abc\\d{2}defg', 'defg'], // \d is a class
    ['abc\\u0041defgh', 'defgh'], // escape payloads are not literal text
    ['(?<q>["\']).{5}\\k<q> tail', ' tail'],
    ['\\$?price tag', 'price tag'],
  ])('%s requires %j', (pattern, literal) => {
    expect(requiredLiteral(pattern)).toBe(literal);
  });

  it.each([['x|yzzzz'], ['(?:Discord notification failed|Failed): (?<e>.*)$'], ['\\d+\\s+\\w+'], ['ab']])('%s requires nothing it can name', (pattern) => {
    expect(requiredLiteral(pattern)).toBeNull();
  });

});
