import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderRulesJsonSchema } from '../../src/config/jsonSchema';

const CONFIG = path.join(__dirname, '..', '..', 'config');

describe('config/rules.schema.json', () => {
  it('is the schema generated from src/config/schema.ts (run `npm run schema` after changing it)', () => {
    expect(readFileSync(path.join(CONFIG, 'rules.schema.json'), 'utf8')).toBe(renderRulesJsonSchema());
  });

  it('is referenced by the first line of the shipped rules.yaml so editors check it', () => {
    const firstLine = readFileSync(path.join(CONFIG, 'rules.yaml'), 'utf8').split('\n')[0];
    expect(firstLine).toBe('# yaml-language-server: $schema=./rules.schema.json');
  });

  it('describes every top-level section', () => {
    const schema = JSON.parse(renderRulesJsonSchema()) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties).sort()).toEqual(['commands', 'control', 'notify', 'rules', 'sources', 'state', 'workspace']);
    expect(schema.required).toEqual(['workspace']);
  });
});
