/**
 * Kills every process whose argv names `folder` (a test's own scripts folder, which no other
 * test uses) and waits until each has ended: what a test leaves running when it fails early.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { liveness, readStat } from '../../../src/control/procfs';
import { waitFor } from '../waitFor';

export async function killRunningFrom(folder: string): Promise<void> {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string;
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const stat = readStat(Number(name));
    if (stat && argv.includes(folder) && liveness(stat.pid, stat.startTicks) === 'alive') {
      process.kill(stat.pid, 'SIGKILL');
      await waitFor(() => liveness(stat.pid, stat.startTicks) !== 'alive', { what: `pid ${stat.pid} to end` });
    }
  }
}
