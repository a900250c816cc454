import { appendFileSync, copyFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileTailer, type FileTailerOptions, type TailRecord } from '../../src/watchers/FileTailer';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const file = () => path.join(tempDir(), 'trader.log');
const options: FileTailerOptions = { maxLineBytes: 100 * 1024, multiline: 'none', startAt: 'beginning', retireQuietMs: 0 };

function readAll(tailer: FileTailer): TailRecord[] {
  const out: TailRecord[] = [];
  for (;;) {
    const { records, more } = tailer.poll();
    for (const record of records) out.push(record);
    if (!more) return out;
  }
}
const texts = (records: TailRecord[]) => records.map((r) => r.text);
const lines = (from: number, to: number, prefix = 'line') => Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);
const write = (target: string, items: string[]) => appendFileSync(target, items.map((l) => `${l}\n`).join(''));

function fresh(opts: Partial<FileTailerOptions> = {}): FileTailer {
  const tailer = new FileTailer(file(), { ...options, ...opts });
  tailer.startFresh();
  return tailer;
}

describe('FileTailer', () => {
  it('reads appends in order, and a partial last line only once it is complete', () => {
    write(file(), lines(0, 3));
    const tailer = fresh();
    expect(texts(readAll(tailer))).toEqual(lines(0, 3));
    appendFileSync(file(), 'half a li');
    expect(readAll(tailer)).toEqual([]);
    appendFileSync(file(), 'ne\nline 4\n');
    expect(texts(readAll(tailer))).toEqual(['half a line', 'line 4']);
    tailer.close();
  });

  it('gives each record its byte range and identity, and the checkpoint sits after the last complete line', () => {
    writeFileSync(file(), 'ab\ncd\nef');
    const tailer = fresh();
    const records = readAll(tailer);
    expect(records.map((r) => [r.start, r.end])).toEqual([
      [0, 3],
      [3, 6],
    ]);
    expect(records[0].identity).toMatch(/^\d+:\d+:0$/);
    expect(tailer.checkpoint()!.cursors).toEqual([expect.objectContaining({ offset: 6, generation: 0 })]);
    tailer.close();
  });

  it('decodes a UTF-8 character split across two reads, strips ANSI codes and normalises to NFC', () => {
    const bytes = Buffer.from('  🛡️  Concentration cap\n', 'utf8');
    writeFileSync(file(), bytes.subarray(0, 4)); // inside the 4-byte emoji
    const tailer = fresh();
    expect(readAll(tailer)).toEqual([]);
    appendFileSync(file(), bytes.subarray(4));
    appendFileSync(file(), '\x1b[92mTrial 5 finished\x1b[0m\nCafe\u0301\n');
    expect(texts(readAll(tailer))).toEqual(['  🛡️  Concentration cap', 'Trial 5 finished', 'Caf\u00e9']);
    tailer.close();
  });

  it('treats \\r, \\n and \\r\\n as line breaks, also when \\r\\n straddles two reads', () => {
    writeFileSync(file(), ' 10%|█\r 20%|██\r\nnext\r');
    const tailer = fresh();
    expect(texts(readAll(tailer))).toEqual([' 10%|█', ' 20%|██', 'next'].slice(0, 2));
    appendFileSync(file(), '\nafter\n');
    const records = readAll(tailer);
    expect(texts(records)).toEqual(['next', 'after']);
    expect(records[0].end).toBe(records[1].start); // the \n belonged to "next": no empty line in between
  });

  it('cuts a line longer than max_line_bytes, marks it, and keeps the next line intact', () => {
    writeFileSync(file(), `${'x'.repeat(5000)}\nshort\n${'é'.repeat(100)}\n`);
    const tailer = fresh({ maxLineBytes: 1001 });
    const records = readAll(tailer);
    expect(records.map((r) => [r.text.length, r.cut])).toEqual([
      [1001, true],
      [5, false],
      [100, false],
    ]);
    expect(records[0].end).toBe(5001);
    const cutUtf8 = fresh({ maxLineBytes: 51 });
    expect(readAll(cutUtf8).slice(-1)[0]).toMatchObject({ text: 'é'.repeat(25), cut: true }); // no half character
  });

  it('reads a backlog of many short lines in one look (more records than a call can take as arguments)', () => {
    writeFileSync(file(), 'ok\n'.repeat(300_000));
    const records = readAll(fresh());
    expect(records).toHaveLength(300_000);
    expect(records[299_999]).toMatchObject({ text: 'ok', start: 899_997, end: 900_000 });
  });

  it('drains a renamed file to its end, then reads the new file from 0', () => {
    write(file(), lines(0, 5));
    const tailer = fresh();
    expect(texts(readAll(tailer))).toEqual(lines(0, 5));
    write(file(), lines(5, 8)); // written before the rename, never polled
    renameSync(file(), `${file()}.1`);
    write(file(), lines(8, 12));
    expect(texts(readAll(tailer))).toEqual(lines(5, 12));
  });

  it('after copytruncate, reads what was appended before the copy from the copy, then the file from 0', () => {
    write(file(), lines(0, 5));
    const tailer = fresh();
    readAll(tailer);
    write(file(), lines(5, 9)); // not yet polled when logrotate copies
    copyFileSync(file(), `${file()}.1`);
    truncateSync(file(), 0);
    write(file(), lines(9, 11));
    const records = readAll(tailer);
    expect(texts(records)).toEqual(lines(5, 11));
    expect(new Set(records.map((r) => r.identity)).size).toBe(2); // new generation for the rewritten inode
  });

  it('notices copytruncate even when the file grew back past the old offset between two looks', () => {
    write(file(), lines(0, 3, 'old'));
    const tailer = fresh();
    readAll(tailer);
    copyFileSync(file(), `${file()}.1`);
    truncateSync(file(), 0);
    write(file(), lines(0, 40, 'new')); // longer than before: only the fingerprint tells
    expect(texts(readAll(tailer))).toEqual(lines(0, 40, 'new'));
  });

  it('follows delete and recreate', () => {
    write(file(), lines(0, 2));
    const tailer = fresh();
    readAll(tailer);
    write(file(), lines(2, 3));
    rmSync(file());
    expect(texts(readAll(tailer))).toEqual(lines(2, 3)); // the deleted file is drained through its open handle
    write(file(), lines(3, 5));
    expect(texts(readAll(tailer))).toEqual(lines(3, 5));
  });

  it('picks up a file that appears later, from its beginning', () => {
    const tailer = fresh();
    expect(readAll(tailer)).toEqual([]);
    write(file(), lines(0, 2));
    expect(texts(readAll(tailer))).toEqual(lines(0, 2));
  });

  it('starting at the end skips history but reads a line in progress whole', () => {
    writeFileSync(file(), 'old 1\nold 2\nin progr');
    const tailer = fresh({ startAt: 'end' });
    appendFileSync(file(), 'ess\nnew\n');
    expect(texts(readAll(tailer))).toEqual(['in progress', 'new']);
  });

  describe('across restarts (checkpoint → new tailer)', () => {
    function restart(tailer: FileTailer): FileTailer {
      const checkpoint = tailer.checkpoint()!;
      tailer.close();
      return new FileTailer(file(), options, JSON.parse(JSON.stringify(checkpoint)));
    }

    it('resumes exactly after the last complete line', () => {
      writeFileSync(file(), 'a\nb\npartial');
      let tailer = fresh();
      expect(texts(readAll(tailer))).toEqual(['a', 'b']);
      tailer = restart(tailer);
      appendFileSync(file(), ' line\nc\n');
      expect(texts(readAll(tailer))).toEqual(['partial line', 'c']);
    });

    it('restarts from 0 with a new generation after a truncation while stopped', () => {
      write(file(), lines(0, 10));
      let tailer = fresh();
      const before = readAll(tailer);
      tailer = restart(tailer);
      writeFileSync(file(), 'fresh banner\n'); // the launcher's ">" while barista was down
      const after = readAll(tailer);
      expect(texts(after)).toEqual(['fresh banner']);
      expect(after[0].identity).not.toBe(before[0].identity);
    });

    it.each([
      ['a file renamed away (found again by its inode)', () => renameSync(file(), `${file()}.1`)],
      [
        'the copy of a copytruncate',
        () => {
          copyFileSync(file(), `${file()}.1`);
          truncateSync(file(), 0);
        },
      ],
    ])('after a rotation while stopped, drains %s first, then the new content', (_what, rotate) => {
      write(file(), lines(0, 3));
      const first = fresh();
      readAll(first);
      write(file(), lines(3, 5)); // written after the last look, before the stop
      const checkpoint = JSON.parse(JSON.stringify(first.checkpoint()));
      first.close();
      rotate();
      write(file(), lines(5, 7));
      const tailer = new FileTailer(file(), options, checkpoint);
      expect(texts(readAll(tailer))).toEqual(lines(3, 7));
    });
  });

  describe('python-traceback grouping', () => {
    const traceback = [
      'Traceback (most recent call last):',
      '  File "/opt/app/trader.py", line 1702, in run',
      '    self._process_new_bars()',
      'requests.exceptions.ReadTimeout: Read timed out.',
    ];

    it('makes one record of a traceback, ending at its exception line', () => {
      write(file(), ['Error processing bars: Read timed out.', ...traceback, 'Next poll at 08:02:00 UTC']);
      const tailer = fresh({ multiline: 'python-traceback' });
      const records = readAll(tailer);
      expect(records.map((r) => [r.text, r.lines])).toEqual([
        ['Error processing bars: Read timed out.', 1],
        [traceback.join('\n'), 4],
        ['Next poll at 08:02:00 UTC', 1],
      ]);
    });

    it('holds an unfinished traceback (checkpoint before it), then flushes it after the timeout', () => {
      let now = 1_000;
      write(file(), ['before', ...traceback.slice(0, 3)]);
      const tailer = fresh({ multiline: 'python-traceback', groupFlushMs: 500, now: () => now });
      expect(texts(readAll(tailer))).toEqual(['before']);
      expect(tailer.checkpoint()!.cursors[0].offset).toBe('before\n'.length);
      now += 499;
      expect(readAll(tailer)).toEqual([]);
      now += 1;
      expect(readAll(tailer).map((r) => r.lines)).toEqual([3]);
    });
  });

  describe('closed while quiet (closeInactiveMs)', () => {
    it.each<[string, () => void, string[]]>([
      ['appended to', () => write(file(), ['b']), ['b']],
      ['renamed away after an append, a new file at the path', () => (write(file(), ['b']), renameSync(file(), `${file()}.1`), write(file(), ['c'])), ['b', 'c']],
      ['copied and truncated after an append', () => (write(file(), ['b']), copyFileSync(file(), `${file()}.1`), truncateSync(file(), 0), write(file(), ['c'])), ['b', 'c']],
    ])('reopens from where it was when %s, losing and repeating nothing', (_what, change, expected) => {
      write(file(), ['a']);
      const tailer = fresh({ closeInactiveMs: 0 });
      expect(texts(readAll(tailer))).toEqual(['a']);
      expect(tailer.isParked).toBe(true);
      expect(readAll(tailer)).toEqual([]);
      change();
      // Two looks: a rotated file is drained by the first, the new one read by the same or the next.
      expect(texts([...readAll(tailer), ...readAll(tailer)])).toEqual(expected);
      tailer.close();
    });
  });
});
