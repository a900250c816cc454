import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pkillHazards } from '../../src/cli/commandLineGuard';
import { BaristaProcess, CLI } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();

describe("barista's own command line", () => {
  it('finds the words that Cappuccino scripts pkill', () => {
    expect(pkillHazards(['node', CLI, 'run', '--config', '/srv/watchdog/rules.yaml'])).toEqual(['watchdog']);
    expect(pkillHazards(['node', CLI, 'run', '--config', 'config/rules.yaml'])).toEqual([]);
  });

  it('is neutralised when a path passed to it contains one, so `pkill -f watchdog` spares it', async () => {
    const dir = path.join(tempDir(), 'watchdog_and_paper_trader');
    mkdirSync(path.join(dir, 'ws'), { recursive: true });
    writeFileSync(path.join(dir, 'rules.yaml'), 'workspace: ./ws\n');
    const barista = BaristaProcess.start(['run', '--config', path.join(dir, 'rules.yaml'), '--state', path.join(tempDir(), 'state.db')]);
    try {
      await barista.waitForLog((l) => l.msg === 'barista running');
      const cmdline = readFileSync(`/proc/${barista.child.pid}/cmdline`, 'utf8');
      expect(cmdline).not.toMatch(/paper_trader|watchdog|1_optimize_unified/);
      expect(barista.logs.some((l) => l.msg.includes('process title was neutralised'))).toBe(true);
      // The real matcher: pgrep -f (what pkill -f uses) finds nothing of ours.
      const pgrep = spawn('pgrep', ['-f', 'watchdog_and_paper_trader']);
      const code = await new Promise<number | null>((resolve, reject) => pgrep.on('exit', resolve).on('error', reject));
      expect(code).toBe(1); // 1 = no process matched
      expect(barista.exit).toBeNull();
    } finally {
      barista.kill('SIGKILL');
    }
  });
});
