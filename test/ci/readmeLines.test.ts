/**
 * `.ci/run` runs the README's Quick start and CLI lines as written, in a fresh clone. These
 * tests pin what `.ci/readme-lines` extracts, so a README edit cannot silently drop them.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useTempDir } from '../support/tempDir';

const ROOT = path.resolve(__dirname, '..', '..');
const extract = (readme: string): string[] =>
  execFileSync('bash', [path.join(ROOT, '.ci', 'readme-lines'), readme], { encoding: 'utf8' }).split('\n').filter(Boolean);

describe('.ci/readme-lines', () => {
  const tempDir = useTempDir();

  it('takes the sh blocks of Quick start and CLI only, in order, without comments or blank lines', () => {
    const dir = tempDir();
    const readme = path.join(dir, 'README.md');
    writeFileSync(readme, [
      '# x', '```sh', 'echo title-block', '```',
      '## Quick start', 'text', '```sh', 'npm install', '', '# a comment', 'npm test', '```',
      '## Configuration', '```sh', 'echo not-run', '```', '```yaml', 'a: 1', '```',
      '## CLI', '```', 'not sh', '```', '```sh', "npx barista rules test --line 'a # b'", '```',
      '## Development', '```sh', 'echo not-run-either', '```',
    ].join('\n'));
    expect(extract(readme)).toEqual(['npm install', 'npm test', "npx barista rules test --line 'a # b'"]);
  });

  it('finds in the real README the install, the demo, the test command and barista examples', () => {
    const lines = extract(path.join(ROOT, 'README.md'));
    expect(lines[0]).toMatch(/^npm install\b/);
    expect(lines).toContain('npm test');
    expect(lines.some((line) => line.includes('npm run demo'))).toBe(true);
    const cli = lines.filter((line) => line.startsWith('npx barista'));
    expect(cli).toEqual(expect.arrayContaining(['npx barista --help', 'npx barista check']));
  });
});
