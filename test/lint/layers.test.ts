import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** ESLint loads its config with a dynamic import, which jest's VM refuses: lint in a child node. */
function layerErrors(cases: Array<[file: string, source: string]>): number[] {
  const script = `
    const { ESLint } = require('eslint');
    const path = require('node:path');
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, source] of JSON.parse(process.argv[1])) {
        const [result] = await eslint.lintText(source + '\\nexport const b = a;\\n', { filePath: path.join(process.cwd(), file) });
        out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').length);
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: root, encoding: 'utf8' })) as number[];
}

describe('the linter enforces the layer order', () => {
  it('rejects every import that runs up the layers and accepts the ones that run down', () => {
    const upward: Array<[string, string]> = [
      ['src/state/X.ts', "import { a } from '../streams/logRules';"],
      ['src/watchers/X.ts', "import { a } from '../streams/logRules';"],
      ['src/streams/notify/X.ts', "import { a } from '../../discord/render';"],
      ['src/config/X.ts', "import { a } from '../model/BaristaEvent';"],
      ['src/readModel/X.ts', "import { a } from '../discord/render';"],
      ['src/discord/X.ts', "import { a } from '../agent/Agent';"],
      ['src/control/X.ts', "import { a } from '../discord/render';"],
      ['src/readModel/X.ts', "import { a } from '../control/Controller';"],
    ];
    const downward: Array<[string, string]> = [
      ['src/streams/X.ts', "import { a } from '../state/EventStore';"],
      ['src/discord/X.ts', "import { a } from '../readModel/catalogue';"],
      ['src/agent/X.ts', "import { a } from '../discord/render';"],
      ['src/control/X.ts', "import { a } from '../readModel/ReadModel';"],
      ['src/discord/X.ts', "import { a } from '../control/Controller';"],
    ];
    const errors = layerErrors([...upward, ...downward]);
    expect(errors).toEqual([...upward.map(() => 1), ...downward.map(() => 0)]);
  });
});
