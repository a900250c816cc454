import { coercePlainScalar, interpolate } from '../../src/config/interpolate';

describe('interpolate', () => {
  it('reads variables, defaults (also for empty values) and $$', () => {
    expect(interpolate('${A}/${B:-b}/${C:-c}/$$HOME', { A: 'a', C: '' })).toEqual({ value: 'a/b/c/$HOME', missing: [], malformed: [], whole: false });
  });

  it('nests defaults so barista can have its own switch beside the shared one', () => {
    const text = '${BARISTA_DISCORD_ENABLED:-${DISCORD_ENABLED:-true}}';
    expect(interpolate(text, {})).toMatchObject({ value: 'true', whole: true });
    expect(interpolate(text, { DISCORD_ENABLED: 'false' }).value).toBe('false');
    expect(interpolate(text, { DISCORD_ENABLED: 'false', BARISTA_DISCORD_ENABLED: 'true' }).value).toBe('true');
    expect(interpolate('${A:-${B}}', {}).missing).toEqual([{ name: 'B', offset: 5 }]);
  });

  it('reports missing and malformed references with their offsets', () => {
    const result = interpolate('x ${MISSING} ${1BAD} ${UNCLOSED', {});
    expect(result.missing).toEqual([{ name: 'MISSING', offset: 2 }]);
    expect(result.malformed).toEqual([
      { text: '${1BAD}', offset: 13 },
      { text: '${UNCLOSED', offset: 21 },
    ]);
  });

  it('types a whole plain reference like YAML would, keeping long ids as strings', () => {
    expect([coercePlainScalar('TRUE'), coercePlainScalar('12.5'), coercePlainScalar('123456789012345678'), coercePlainScalar('x')]).toEqual([true, 12.5, '123456789012345678', 'x']);
  });
});
