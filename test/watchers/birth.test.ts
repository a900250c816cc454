/** The one birth rule (src/watchers/birth.ts) on real files, and the JSON watcher that applies it to documents. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/logging/logger';
import { fileBirthMs, firstLookAt, FirstLooks, judgeBirth } from '../../src/watchers/birth';
import { JsonDocumentWatcher } from '../../src/watchers/JsonDocumentWatcher';
import type { DocumentObservation } from '../../src/watchers/Observation';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();

describe('birth', () => {
  it('judges by whole milliseconds: born in the very millisecond of the start is history, later is news, unknown is history', () => {
    expect(judgeBirth(1000.9, 1000)).toBe('history');
    expect(judgeBirth(1001, 1000)).toBe('news');
    expect(judgeBirth(null, 0)).toBe('history');
  });

  it('dates a file by its birth; one absent at the first look is news whatever it will hold', () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.db');
    writeFileSync(file, 'x');
    const born = fileBirthMs(file);
    if (born === null) return; // a filesystem without birth times: nothing to compare
    expect(firstLookAt(file, Math.floor(born) - 1)).toBe('news');
    expect(firstLookAt(file, Math.floor(born))).toBe('history');
    expect(firstLookAt(path.join(dir, 'missing.db'), Date.now() + 3_600_000)).toBe('news');
  });

  it('takes what a watcher first found by birth, and anything found later as news without a clock', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'old.json'), '{}');
    writeFileSync(path.join(dir, 'later.json'), '{}');
    const looks = new FirstLooks(Date.now() + 3_600_000); // a start "after" every birth here
    looks.lookedAt(['old.json']);
    looks.lookedAt(['old.json', 'later.json']); // only the first complete look counts
    expect(looks.judge('old.json', path.join(dir, 'old.json'))).toBe('history');
    expect(looks.judge('later.json', path.join(dir, 'later.json'))).toBe('news');
  });
});

describe('JsonDocumentWatcher first looks', () => {
  function watch(ws: string, firstStartedAt: number): { watcher: JsonDocumentWatcher; seen: Map<string, DocumentObservation> } {
    const seen = new Map<string, DocumentObservation>();
    const watcher = new JsonDocumentWatcher({
      source: 'state',
      workspace: ws,
      patterns: ['state/*.json'],
      knownHashes: new Map(),
      firstStartedAt,
      onDocument: (document) => seen.set(document.path, document),
      onInvalid: () => undefined,
      logger: silentLogger(),
      notifications: false,
      scanIntervalMs: 3_600_000,
    });
    return { watcher, seen };
  }

  it('a document there before the first start is history, one born after it news, one appearing while watching news', async () => {
    const ws = tempDir();
    mkdirSync(path.join(ws, 'state'));
    writeFileSync(path.join(ws, 'state', 'before.json'), '{"a":1}');
    const born = fileBirthMs(path.join(ws, 'state', 'before.json'));
    if (born === null) return; // a filesystem without birth times: nothing to date
    const firstStartedAt = Math.floor(born) + 1; // barista first started right after it…
    await waitFor(() => Date.now() > firstStartedAt + 50, { what: 'the clock to move past a coarse file-time tick' });
    writeFileSync(path.join(ws, 'state', 'after.json'), '{"b":1}'); // …and this one came while it was stopped
    const { watcher, seen } = watch(ws, firstStartedAt);
    watcher.start();
    try {
      expect(seen.get('state/before.json')?.firstLook).toBe('history');
      expect(seen.get('state/after.json')?.firstLook).toBe('news');
      writeFileSync(path.join(ws, 'state', 'new.json'), '{"c":1}');
      watcher.scan();
      expect(seen.get('state/new.json')?.firstLook).toBe('news');
    } finally {
      await watcher.stop();
    }
  });
});
