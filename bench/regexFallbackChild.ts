/**
 * One side of the `regex` benchmark, in a process of its own (V8 flags are per process):
 * the shipped trader-log rules over the fixture lines, with the linear-time fallback on
 * (`with`, as barista runs) or off (`without`, the engine as it was). Prints a Measured as JSON.
 */
import v8 from 'node:v8';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { measure } from './measure';

const mode = process.argv[2];
if (mode === 'without') {
  // Keep `l` (the load check needs it) but not the fallback that counts backtracks.
  const setFlags = v8.setFlagsFromString.bind(v8);
  v8.setFlagsFromString = (flags: string) => (flags.includes('excessive-backtracks') ? undefined : setFlags(flags));
}

// Loaded after the patch: the module sets the flags when it is first imported.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadRulesFile } = require('../src/config/loadRules') as typeof import('../src/config/loadRules');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compileLogRules, matchLogRules } = require('../src/streams/logRules') as typeof import('../src/streams/logRules');

const root = path.resolve(__dirname, '..', '..');
const loaded = loadRulesFile(path.join(root, 'config', 'rules.yaml'), {});
if (!loaded.ok) throw new Error('the shipped rules do not load');
const rules = compileLogRules(loaded.rules.config.rules);
const cases = (parse(readFileSync(path.join(root, 'test', 'fixtures', 'logs', 'trader-log.cases.yaml'), 'utf8')) as { cases: unknown[] }).cases;
const lines = cases.flatMap((entry) => (typeof entry === 'string' ? [entry] : typeof entry === 'object' && entry && 'text' in entry ? [String(entry.text)] : typeof entry === 'object' && entry && 'silent_lines' in entry ? String(entry.silent_lines).split('\n') : []));
const result = measure(`${mode} the linear-time fallback`, Number(process.argv[3] ?? 200_000), (i) => {
  matchLogRules(rules, 'trader-log', lines[i % lines.length] as string);
});
process.stdout.write(`${JSON.stringify({ ...result, lines: lines.length })}\n`);
