/**
 * FileTailer on its own, deterministic: 20,000 lines in writes of random sizes, 10 rotations
 * (rename and copytruncate alternating), looks at random moments — so two rotations sometimes
 * fall between two looks — and restarts from the last committed checkpoint.
 */
import { appendFileSync, copyFileSync, renameSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { FileTailer, type PathCheckpoint } from '../../src/watchers/FileTailer';
import { SeededRandom } from '../support/simulator/random';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();

describe('rotations between looks and restarts', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('reads every line once, in order (seed %i)', (seed) => {
    const seeded = new SeededRandom(seed);
    const rand = () => seeded.next();
    const log = path.join(tempDir(), 'trader.log');
    const options = { maxLineBytes: 100_000, multiline: 'none' as const, startAt: 'beginning' as const, retireQuietMs: 5_000 };
    let tailer = new FileTailer(log, options);
    tailer.startFresh();
    let committed: PathCheckpoint | null = JSON.parse(JSON.stringify(tailer.checkpoint()));
    const read: string[] = [];
    const written: string[] = [];
    const look = () => {
      for (;;) {
        const { records, more } = tailer.poll();
        read.push(...records.map((r) => r.text));
        committed = JSON.parse(JSON.stringify(tailer.checkpoint())); // "committed" with the records
        if (!more) return;
      }
    };
    let rotations = 0;
    let restarts = 0;
    for (let chunk = 0; chunk < 80; chunk += 1) {
      const lines = Array.from({ length: 250 }, (_, i) => `line ${written.length + i}`);
      let text = lines.map((l) => `${l}\n`).join('');
      while (text.length > 0) {
        const cut = 1 + Math.floor(rand() * Math.min(text.length, 6000));
        appendFileSync(log, text.slice(0, cut));
        text = text.slice(cut);
        if (rand() < 0.3) look();
      }
      written.push(...lines);
      if (rand() < 0.2) {
        tailer.close(); // a restart: resume from the last committed checkpoint
        tailer = new FileTailer(log, options, committed ?? undefined);
        restarts += 1;
      }
      if ((chunk + 1) % 8 === 0) {
        rotations += 1;
        if (rotations % 2 === 1) renameSync(log, `${log}.${rotations}`);
        else {
          copyFileSync(log, `${log}.${rotations}`);
          truncateSync(log, 0);
        }
        if (rand() < 0.5) look();
      }
    }
    look();
    tailer.close();
    expect(rotations).toBe(10);
    expect(restarts).toBeGreaterThan(0);
    expect(read).toEqual(written);
  });
});
