import { describeRulesChange, diffRules } from '../../src/config/diffRules';
import { parseRules } from '../../src/config/loadRules';
import type { RulesFile } from '../../src/config/schema';

function rules(text: string): RulesFile {
  const result = parseRules(`workspace: /w\n${text}`, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config;
}

describe('diffRules', () => {
  const before = rules(`sources:
  - { id: a, type: log, paths: [a.log] }
  - { id: b, type: log, paths: [b.log] }
rules:
  - { id: r1, source: a, match: x, emit: { type: risk.x } }
`);

  it('names sources and rules added, removed and changed', () => {
    const after = rules(`sources:
  - { id: a, type: log, paths: [a2.log] }
  - { id: c, type: csv, paths: [c.csv] }
rules:
  - { id: r1, source: a, match: y, emit: { type: risk.x } }
  - { id: r2, source: c, match: z, emit: { type: risk.z } }
`);
    const change = diffRules(before, after);
    expect(change).toEqual({
      sources: { added: ['c'], removed: ['b'], changed: ['a'] },
      rules: { added: ['r2'], removed: [], changed: ['r1'] },
      sections: [],
      empty: false,
    });
    expect(describeRulesChange(change)).toBe('sources added: c; sources removed: b; sources changed: a; rules added: r2; rules changed: r1');
  });

  it('reports other sections and an unchanged file', () => {
    expect(diffRules(before, before).empty).toBe(true);
    expect(describeRulesChange(diffRules(before, before))).toBe('no effective change');
    const after = rules(`sources:
  - { id: a, type: log, paths: [a.log] }
  - { id: b, type: log, paths: [b.log] }
rules:
  - { id: r1, source: a, match: x, emit: { type: risk.x } }
commands: { prefix: "?" }
`);
    expect(diffRules(before, after).sections).toEqual(['commands']);
  });
});
