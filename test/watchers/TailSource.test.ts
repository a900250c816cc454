import { appendFileSync, mkdirSync, readdirSync, readlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/logging/logger';
import type { PathCheckpoint } from '../../src/watchers/FileTailer';
import { DescriptorBudget } from '../../src/watchers/descriptorBudget';
import { TailSource, type TailBatch, type TailSourceOptions } from '../../src/watchers/TailSource';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();

function source(options: { notifications: boolean; firstStartedAt: number; stored?: Map<string, PathCheckpoint>; extra?: Partial<TailSourceOptions> }) {
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
    ...options.extra,
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

  it('is told of appends and new files by one watch on the folder, without waiting for a scan', async () => {
    writeFileSync(path.join(tempDir(), 'logs', 'paper_trader.log'), '');
    const { tail, lines } = source({ notifications: true, firstStartedAt: 0, extra: { scanIntervalMs: 600_000 } });
    tail.start();
    try {
      appendFileSync(path.join(tempDir(), 'logs', 'paper_trader.log'), 'appended\n');
      writeFileSync(path.join(tempDir(), 'logs', 'paper_trading_new.log'), 'born\n');
      await waitFor(() => lines('logs/paper_trader.log').length === 1 && lines('logs/paper_trading_new.log').length === 1, { what: 'both lines, from notifications alone' });
    } finally {
      await tail.stop();
    }
  });

  describe('at scale', () => {
    const logs = () => path.join(tempDir(), 'logs');
    const names = (n: number) => Array.from({ length: n }, (_, i) => `logs/paper_trader_${String(i).padStart(3, '0')}.log`);
    /** Descriptors this process holds on files of the logs folder. */
    const openUnderLogs = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${logs()}${path.sep}`);
        } catch {
          return false;
        }
      }).length;

    it('follows more files than its descriptor budget, holding at most the budget open', async () => {
      const files = names(12);
      files.forEach((rel) => writeFileSync(path.join(tempDir(), rel), ''));
      const budget = new DescriptorBudget(4);
      const { tail, lines } = source({ notifications: false, firstStartedAt: 0, extra: { budget, closeInactiveMs: 60_000 } });
      tail.start();
      try {
        for (const round of ['one', 'two']) {
          files.forEach((rel) => appendFileSync(path.join(tempDir(), rel), `${round}\n`));
          await waitFor(() => files.every((rel) => lines(rel).includes(round)), { what: `line ${round} of every file` });
          expect(budget.size).toBeLessThanOrEqual(4);
          expect(openUnderLogs()).toBeLessThanOrEqual(4);
        }
        expect(files.map(lines)).toEqual(files.map(() => ['one', 'two']));
      } finally {
        await tail.stop();
      }
    });

    it('gives a quiet file its descriptor back and reopens it when it changes, losing nothing', async () => {
      const [rel] = names(1);
      writeFileSync(path.join(tempDir(), rel), 'first\n');
      const { tail, lines } = source({ notifications: false, firstStartedAt: 0, extra: { closeInactiveMs: 0 } });
      tail.start();
      try {
        await waitFor(() => lines(rel).length === 1 && openUnderLogs() === 0, { what: 'the line read and the file closed' });
        appendFileSync(path.join(tempDir(), rel), 'second\nthird');
        appendFileSync(path.join(tempDir(), rel), '\n');
        await waitFor(() => lines(rel).length === 3, { what: 'the later lines' });
        expect(lines(rel)).toEqual(['first', 'second', 'third']);
      } finally {
        await tail.stop();
      }
    });

    it('forgets a deleted file once drained, and a stored checkpoint whose file no longer exists', async () => {
      const [kept, deleted] = names(2);
      writeFileSync(path.join(tempDir(), kept), '');
      writeFileSync(path.join(tempDir(), deleted), '');
      const stored = new Map<string, PathCheckpoint>([
        ['logs/paper_trader_999.log', { cursors: [{ dev: 1, ino: 1, identity: '1:1:0', generation: 0, fingerprint: { length: 0, hash: '' }, offset: 10 }], siblings: [] }],
      ]);
      const { tail, lines, committed } = source({ notifications: false, firstStartedAt: 0, stored, extra: { retireQuietMs: 50 } });
      tail.start();
      try {
        await waitFor(() => committed.has(kept) && committed.has(deleted) && !committed.has('logs/paper_trader_999.log'), { what: 'the stale checkpoint dropped' });
        appendFileSync(path.join(tempDir(), deleted), 'last words\n');
        unlinkSync(path.join(tempDir(), deleted));
        await waitFor(() => !committed.has(deleted), { what: 'the deleted file forgotten' });
        expect(lines(deleted)).toEqual(['last words']);
        expect([...committed.keys()]).toEqual([kept]);
      } finally {
        await tail.stop();
      }
    });
  });
});
