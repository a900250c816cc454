import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StateInUseError } from '../../src/state/instanceLease';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from '../../src/state/migrations';
import { StateError, StateStore } from '../../src/state/StateStore';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const dbPath = () => path.join(tempDir(), 'var', 'barista.db');
const NEXT = LATEST_SCHEMA_VERSION + 1;
const next: Migration = { version: NEXT, name: 'test table', sql: 'CREATE TABLE test_things (id INTEGER PRIMARY KEY, name TEXT);' };

function recorded(file: string): { version: number; name: string }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
  } finally {
    db.close();
  }
}

describe('StateStore', () => {
  it('creates the file in WAL mode and applies and records every migration once', () => {
    const store = StateStore.open({ path: dbPath(), now: () => 1_000 });
    expect(store.info.applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['checkpoints', 'events', 'outbox', 'mutes', 'audit', 'kv', 'cache', 'schema_migrations']));
    expect(store.info.firstStartedAt).toBe(1_000);
    store.close();

    const again = StateStore.open({ path: dbPath(), now: () => 2_000 });
    expect(again.info.applied).toEqual([]);
    expect(again.info.firstStartedAt).toBe(1_000); // the first start is remembered, not reset
    again.close();
    expect(recorded(dbPath())).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('applies only the new migrations of a newer schema', () => {
    StateStore.open({ path: dbPath() }).close();
    const store = StateStore.open({ path: dbPath(), migrations: [...MIGRATIONS, next] });
    expect(store.info.applied.map((m) => m.version)).toEqual([NEXT]);
    store.db.prepare("INSERT INTO test_things (name) VALUES ('x')").run();
    store.close();
    expect(recorded(dbPath()).map((r) => r.version)).toEqual([...MIGRATIONS.map((m) => m.version), NEXT]);
  });

  it('rolls a failing migration back and leaves the file usable', () => {
    StateStore.open({ path: dbPath() }).close();
    const broken: Migration = { version: NEXT, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); SELECT * FROM no_such_table;' };
    expect(() => StateStore.open({ path: dbPath(), migrations: [...MIGRATIONS, broken] })).toThrow(`migration ${NEXT} (broken) failed and was rolled back: no such table: no_such_table`);
    expect(recorded(dbPath()).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const store = StateStore.open({ path: dbPath() });
    expect(store.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
    store.close();
  });

  it('refuses a state file written by a newer barista, and leaves it untouched', () => {
    StateStore.open({ path: dbPath(), migrations: [...MIGRATIONS, next] }).close();
    expect(() => StateStore.open({ path: dbPath() })).toThrow(
      new StateError(
        `state file ${dbPath()} was written by a newer barista (schema version ${NEXT}; this barista knows up to ${LATEST_SCHEMA_VERSION}). Upgrade barista, or start this one with --state pointing at another file.`,
      ),
    );
    expect(recorded(dbPath()).map((r) => r.version)).toEqual([...MIGRATIONS.map((m) => m.version), NEXT]);
  });

  it('refuses a second instance on the same file until the first closes', () => {
    const first = StateStore.open({ path: dbPath() });
    let refusal: unknown;
    try {
      StateStore.open({ path: dbPath() });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(StateInUseError);
    expect((refusal as Error).message).toMatch(new RegExp(`in use by another barista \\(pid ${process.pid} on ${hostname()}, since .*\\)\\. Stop that one first`));
    first.close();
    const second = StateStore.open({ path: dbPath() });
    expect(second.info.replacedStale).toBeNull();
    second.close();
  });

  it('takes over from an instance that died without closing', () => {
    const store = StateStore.open({ path: dbPath() });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    store.db.prepare('UPDATE instance_lease SET pid = ?, proc_start = NULL').run(dead);
    store.db.close(); // a crash: the lease row stays behind

    const next = StateStore.open({ path: dbPath() });
    expect(next.info.replacedStale).toMatchObject({ pid: dead });
    next.close();
  });

  it('does not mistake a reused pid for the old holder', () => {
    const store = StateStore.open({ path: dbPath() });
    store.db.prepare("UPDATE instance_lease SET token = 'old', proc_start = '1'").run(); // same pid, other start time
    store.db.close();
    const next = StateStore.open({ path: dbPath() });
    expect(next.info.replacedStale).toMatchObject({ pid: process.pid, procStart: '1' });
    next.close();
  });

  it('explains a file that is not a database', () => {
    const file = path.join(tempDir(), 'notes.txt');
    writeFileSync(file, 'this is not sqlite, just some text that is long enough to have a header'.repeat(10));
    expect(() => StateStore.open({ path: file })).toThrow(/not a SQLite database/);
  });

  it('keeps values in kv and commits transactions atomically', () => {
    const store = StateStore.open({ path: dbPath() });
    store.setValue('k', 'v1');
    expect(() =>
      store.transaction(() => {
        store.setValue('k', 'v2');
        throw new Error('crash mid-batch');
      }),
    ).toThrow('crash mid-batch');
    expect(store.getValue('k')).toBe('v1');
    store.close();
    expect(store.isOpen).toBe(false);
  });

  it('lists cached values by key prefix, and only those', () => {
    const store = StateStore.open({ path: dbPath() });
    store.setCache('portfolio:trial91', { total: 2 }, '2026-02-09T08:00:00.000Z');
    store.setCache('portfolio:trial250', { total: 1 });
    store.setCache('portfolio_x', { total: 3 });
    store.setCache('positions', []);
    expect(store.listCache('portfolio:')).toEqual([
      { key: 'portfolio:trial250', value: { total: 1 }, at: null },
      { key: 'portfolio:trial91', value: { total: 2 }, at: '2026-02-09T08:00:00.000Z' },
    ]);
    expect(store.listCache('nothing:')).toEqual([]);
    store.close();
  });
});

describe('StateStore migrations with a gap', () => {
  it('applies a migration missing below the newest one recorded (a build that had 6 but not 5)', () => {
    const file = path.join(tempDir(), 'gap.db');
    StateStore.open({ path: file, migrations: MIGRATIONS.filter((m) => m.version !== 5) }).close();
    const store = StateStore.open({ path: file });
    expect(store.info.applied.map((m) => m.version)).toEqual([5]);
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'trade_history'").get()).toBeDefined();
    store.close();
  });
});
