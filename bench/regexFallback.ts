/**
 * What the linear-time regex fallback costs: the shipped trader-log rules on the fixture lines,
 * with the fallback (as barista runs) beside the same code without it, each in its own process
 * (V8 flags are per process), alternated and the median of each kept.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { printComparison, type Measured } from './measure';
import { QUICK } from './support';

export function benchRegexFallback(): void {
  const child = path.join(__dirname, 'regexFallbackChild.js');
  const iterations = QUICK ? 100_000 : 400_000;
  const runs: Record<'with' | 'without', Measured[]> = { with: [], without: [] };
  for (let round = 0; round < 5; round += 1) {
    for (const mode of ['without', 'with'] as const) {
      const out = spawnSync(process.execPath, [child, mode, String(iterations)], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`regex benchmark child failed: ${out.stderr}`);
      runs[mode].push(JSON.parse(out.stdout) as Measured);
    }
  }
  const median = (list: Measured[]) => [...list].sort((a, b) => a.perOpMicros - b.perOpMicros)[Math.floor(list.length / 2)] as Measured;
  printComparison(`Matching a trader-log line against the shipped rules (${iterations.toLocaleString('en-US')} lines, median of 5 processes each)`, median(runs.with), median(runs.without));
}
