/**
 * Tests that spawn barista run the compiled CLI (as users do). `npm test` builds first;
 * when jest runs alone and its sources are newer than dist/, rebuild here so no test runs stale code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export default function globalSetup(): void {
  // Inside a systemd service (a CI runner's unit) control.launcher auto would start decoy traders
  // through the real systemd-run: tests that want systemd put a stand-in on PATH and say so.
  delete process.env.INVOCATION_ID;
  delete process.env.MANAGERPID;
  const cli = path.join(root, 'dist', 'src', 'cli.js');
  // scripts/ (the demo) and test/support/ (its simulator) are built into dist/ too.
  const sources = ['src', 'scripts', path.join('test', 'support')].map((dir) => newestMtime(path.join(root, dir)));
  if (existsSync(cli) && statSync(cli).mtimeMs >= Math.max(...sources)) return;
  try {
    execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
  } catch {
    // tsc still emits on type errors; `npm test` fails on them in its build step. Here, let the
    // tests that do not need the CLI run rather than abort the whole run.
    process.stderr.write('globalSetup: tsc reported errors; CLI tests may run a partly built dist/\n');
  }
}
