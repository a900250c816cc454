/** Saving .env while barista runs reloads the rules with its values; the process environment still wins. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadEnvFile, reloadEnvFile } from '../../src/config/environment';
import { loadRulesFile, type LoadResult } from '../../src/config/loadRules';
import { fileChanges, watchRulesFile } from '../../src/config/watchRulesFile';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();

describe('.env reload', () => {
  it('sets anew what the file set, unsets what it no longer sets, and leaves what the process set', () => {
    const file = path.join(tempDir(), '.env');
    writeFileSync(file, 'A=1\nB=2\nC=file\n');
    const env: NodeJS.ProcessEnv = { C: 'process' };
    const first = loadEnvFile(file, env);
    expect(env).toEqual({ A: '1', B: '2', C: 'process' });
    writeFileSync(file, 'A=10\nC=file2\n');
    const second = reloadEnvFile(first, env);
    expect(env).toEqual({ A: '10', C: 'process' });
    expect(second).toMatchObject({ loaded: ['A'], overridden: ['C'] });
  });

  it('a .env save reloads the rules that use it, with its new values', async () => {
    const dir = tempDir();
    const envPath = path.join(dir, '.env');
    const rulesPath = path.join(dir, 'rules.yaml');
    writeFileSync(envPath, 'WS=/srv/one\n');
    writeFileSync(rulesPath, 'workspace: ${WS}\n');
    const env: NodeJS.ProcessEnv = {};
    const envFile = loadEnvFile(envPath, env);
    const initial = loadRulesFile(rulesPath, env);
    expect(initial.ok && initial.rules.config.workspace).toBe('/srv/one');
    const results: LoadResult[] = [];
    const subscription = watchRulesFile(rulesPath, initial, { env, envFile, debounceMs: 50 }).subscribe((result) => results.push(result));
    try {
      // Saved at once, before the watch is armed: the look it takes once armed finds the save.
      writeFileSync(envPath, 'WS=/srv/two\n');
      await waitFor(() => results.length > 0, { what: 'a reload after the .env save', timeoutMs: 10_000 });
      expect(results.map((r) => (r.ok ? r.rules.config.workspace : 'bad'))).toEqual(['/srv/two']);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('a rules file left as it was reloads to nothing once the watch is armed', async () => {
    const rulesPath = path.join(tempDir(), 'rules.yaml');
    writeFileSync(rulesPath, 'workspace: /srv/one\n');
    const results: LoadResult[] = [];
    const looks: number[] = [];
    const subscription = watchRulesFile(rulesPath, loadRulesFile(rulesPath, {}), { env: {}, debounceMs: 20 }).subscribe((result) => results.push(result));
    const armed = fileChanges(rulesPath).subscribe(() => looks.push(Date.now()));
    try {
      await waitFor(() => looks.length > 0, { what: 'the look once armed', timeoutMs: 10_000 });
      writeFileSync(rulesPath, 'workspace: /srv/two\n');
      await waitFor(() => results.length > 0, { what: 'the reload after an edit', timeoutMs: 10_000 });
      expect(results.map((r) => (r.ok ? r.rules.config.workspace : 'bad'))).toEqual(['/srv/two']);
    } finally {
      armed.unsubscribe();
      subscription.unsubscribe();
    }
  });
});
