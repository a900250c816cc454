/** Regenerates config/rules.schema.json from src/config/schema.ts (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderRulesJsonSchema } from '../src/config/jsonSchema';

const target = path.resolve(__dirname, '..', '..', 'config', 'rules.schema.json');
writeFileSync(target, renderRulesJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
