import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/logging/logger';
import type { PathCheckpoint } from '../../src/watchers/FileTailer';
import { TailSource, type TailBatch } from '../../src/watchers/TailSource';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();

function source(options: { notifications: boolean; firstStartedAt: number; stored?: Map<string, PathCheckpoint> }) {
  const batches: TailBatch[] = [];
  const committed = options.stored ?? new Map<string, PathCheckpoint>();
  const tail = new TailSource({
    workspace: tempDir(),
    patterns: ['logs/paper_trader*.log', 'logs/paper_trading_*.log'],
    maxLineBytes: 1024,
    multiline: 'none',
    firstStartedAt: options.firstStartedAt,
    checkpoints: { load: () => committed, forget: (rel) => committed.delete(rel) },
    onBatch: (batch) => {
      batches.push(batch);
      if (batch.checkpoint) committed.set(batch.path, batch.checkpoint);
    },
    logger: silentLogger(),
    notifications: options.notifications,
    scanIntervalMs: options.notifications ? 1_000 : 50,
  });
  const lines = (file: string) => batches.filter((b) => b.path === file).flatMap((b) => b.records.map((r) => r.text));
  return { tail, lines, committed };
}

describe('TailSource', () => {
  beforeEach(() => mkdirSync(path.join(tempDir(), 'logs')));

  it.each([true, false])('starts existing files at their end, new ones at 0, and finds new files of a glob (notifications: %s)', async (notifications) => {
    writeFileSync(path.join(tempDir(), 'logs', 'paper_trader.log'), 'history\n');
    const { tail, lines } = source({ notifications, firstStartedAt: Date.now() + 1_000 });
    tail.start();
    try {
      appendFileSync(path.join(tempDir(), 'logs', 'paper_trader.log'), 'new line\n');
      writeFileSync(path.join(tempDir(), 'logs', 'paper_trading_auto_20260205_165205.log'), 'first\nsecond\n');
      writeFileSync(path.join(tempDir(), 'logs', 'unrelated.log'), 'ignored\n');
      await waitFor(() => lines('logs/paper_trader.log').length === 1 && lines('logs/paper_trading_auto_20260205_165205.log').length === 2, { what: 'both files read' });
      expect(lines('logs/paper_trader.log')).toEqual(['new line']);
      expect(lines('logs/paper_trading_auto_20260205_165205.log')).toEqual(['first', 'second']);
      expect(lines('logs/unrelated.log')).toEqual([]);
    } finally {
      await tail.stop();
    }
  });

  it('resumes from committed checkpoints after a restart, and reads files born after the first start from 0', async () => {
    const firstStart = Date.now() - 60_000;
    const first = source({ notifications: false, firstStartedAt: firstStart });
    writeFileSync(path.join(tempDir(), 'logs', 'paper_trader.log'), 'a\n');
    first.tail.start();
    await waitFor(() => first.lines('logs/paper_trader.log').length === 1, { what: 'a' });
    await first.tail.stop();

    appendFileSync(path.join(tempDir(), 'logs', 'paper_trader.log'), 'b\n'); // while stopped
    const second = source({ notifications: false, firstStartedAt: firstStart, stored: first.committed });
    second.tail.start();
    try {
      await waitFor(() => second.lines('logs/paper_trader.log').length === 1, { what: 'b' });
      expect(second.lines('logs/paper_trader.log')).toEqual(['b']);
    } finally {
      await second.tail.stop();
    }
  });
});
