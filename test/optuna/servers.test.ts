/**
 * barista following Optuna studies on a database server of the test's own (PostgreSQL, then
 * MariaDB standing for MySQL): real Optuna workers writing through psycopg2 / PyMySQL as the
 * role that owns the tables, barista reading as a role with SELECT only (the GRANTs of the
 * README), polling every 100 ms. Skipped, saying why, when the server binaries or the Python
 * drivers are absent (.ci/run installs them as root).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointStore } from '../../src/state/CheckpointStore';
import type { OptunaView } from '../../src/streams/optunaTrials';
import { findServer, startServer, type ServerKind, type ThrowawayServer } from '../support/throwawayServer';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';
import { countCalls, expectViewOfStudy, type Harness, probePython, PYTHON, runWatchedStudy, withHarness } from './support';

const tempDir = useTempDir('barista-optuna-server-');
const WRITER_PASSWORD = 'writer-secret-pw';
const READER_PASSWORD = 'reader-s3cret:@/pw';
const TOOLS = path.join(__dirname, 'db_tools.py');

const KINDS: { kind: ServerKind; driver: string; scheme: string; module: string }[] = [
  { kind: 'postgresql', driver: 'postgresql+psycopg2', scheme: 'postgresql', module: 'psycopg2' },
  { kind: 'mysql', driver: 'mysql+pymysql', scheme: 'mysql', module: 'pymysql' },
];

/** Roles and a database, as the README's GRANTs set them up: the writer owns, barista may only SELECT. */
function setupStatements(kind: ServerKind, db: string, firstTime: boolean): { admin: string[]; inDb: string[] } {
  if (kind === 'postgresql') {
    return {
      admin: [
        ...(firstTime ? [`CREATE ROLE optuna_writer LOGIN PASSWORD '${WRITER_PASSWORD}'`, `CREATE ROLE barista_ro LOGIN PASSWORD '${READER_PASSWORD}'`] : []),
        `CREATE DATABASE ${db} OWNER optuna_writer`,
        `REVOKE ALL ON DATABASE ${db} FROM PUBLIC`,
        `GRANT CONNECT ON DATABASE ${db} TO optuna_writer, barista_ro`,
      ],
      inDb: ['GRANT USAGE ON SCHEMA public TO barista_ro', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO barista_ro', 'ALTER DEFAULT PRIVILEGES FOR ROLE optuna_writer IN SCHEMA public GRANT SELECT ON TABLES TO barista_ro'],
    };
  }
  return {
    admin: [
      ...(firstTime ? [`CREATE USER 'optuna_writer'@'%' IDENTIFIED BY '${WRITER_PASSWORD}'`, `CREATE USER 'barista_ro'@'%' IDENTIFIED BY '${READER_PASSWORD}'`] : []),
      `CREATE DATABASE ${db}`,
      `GRANT ALL ON ${db}.* TO 'optuna_writer'@'%'`,
      `GRANT SELECT ON ${db}.* TO 'barista_ro'@'%'`,
    ],
    inDb: [],
  };
}

/** A database of one test: the writer's URL and the rules.yaml fields barista reads it with. */
interface Database {
  name: string;
  writer: string;
  fields: string;
  env: Record<string, string>;
}

for (const { kind, driver, scheme, module } of KINDS) {
  const found = findServer(kind);
  const python = probePython([module]);
  const why = !found.ok ? found.why : !python.ok ? `${PYTHON} cannot import optuna and ${module} (${python.why})` : null;
  if (why) console.warn(`SKIPPED the Optuna ${kind} tests: ${why}`);
  (why ? describe.skip : describe)(`barista following an Optuna study on ${kind}`, () => {
    let server: ThrowawayServer;
    let serverDir = '';
    let databases = 0;

    beforeAll(async () => {
      serverDir = mkdtempSync(path.join(os.tmpdir(), `barista-${kind}-`));
      server = await startServer(kind, path.join(serverDir, 'server'));
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      rmSync(serverDir, { recursive: true, force: true });
    }, 60_000);

    /** A new database for one test: the writer's URL and the rules.yaml line barista reads it with. */
    async function database(): Promise<Database> {
      const name = `optuna_${++databases}`;
      const setup = setupStatements(kind, name, databases === 1);
      await server.admin(setup.admin);
      if (setup.inDb.length) await server.admin(setup.inDb, name);
      return {
        name,
        writer: `${driver}://optuna_writer:${WRITER_PASSWORD}@127.0.0.1:${server.port}/${name}`,
        fields: `storage: "${scheme}://barista_ro:\${OPTUNA_DB_PASSWORD}@127.0.0.1:${server.port}/${name}", poll_interval: 100ms`,
        env: { OPTUNA_DB_PASSWORD: READER_PASSWORD },
      };
    }

    function tools(args: string[]): number[] {
      const run = spawnSync(PYTHON, [TOOLS, ...args], { encoding: 'utf8', timeout: 120_000 });
      if (run.status !== 0) throw new Error(`db_tools.py ${args[0]} failed: ${run.stderr}`);
      return args[0] === 'trials' ? (JSON.parse(run.stdout) as number[]) : [];
    }

    /** Finishes `n` trials of `study` in `storage` as a worker would; their numbers. */
    const trials = (storage: string, study: string, n: number) => tools(['trials', '--storage', storage, '--study', study, '--n', String(n)]);

    /** A test's body on a harness and a new database of its own, the harness closed after it. */
    const onNewDatabase = (body: (h: Harness, db: Database) => Promise<void>) => () => withHarness(tempDir(), async (h) => body(h, await database()));

    const trialEvents = (h: Harness) => h.published.filter((e) => e.type.startsWith('training.trial_')).map((e) => `${String(e.fields.study)}#${String(e.fields.number)}`);
    const warnings = (h: Harness) => h.published.filter((e) => e.type === 'barista.warning');

    it('sees every trial of 3 workers (one SIGKILLed mid-trial) as Optuna does, as a SELECT-only role, and the writers see no error', onNewDatabase(async (h, db) => {
      const component = h.component(db.fields, {}, db.env);
      const polls = countCalls(component, 'pollOnce');
      const { result, stderr } = await runWatchedStudy(h, component, ['--storage', db.writer], 180_000);
      const pollsWhileRunning = polls();
      // The enqueued trial may be newer than the last timer poll (or the one in flight).
      await component.pollOnce();
      await component.pollOnce();
      // Idle polls cost the change check alone (MySQL's needs the server's clock past the last commit's second).
      if (kind === 'mysql') await new Promise((resolve) => setTimeout(resolve, 1100));
      await component.pollOnce();
      const before = component.server?.trialQueries;
      for (let i = 0; i < 5; i++) await component.pollOnce();
      expect(component.server?.trialQueries).toBe(before);
      component.stop();
      expect(result.errors).toEqual([]);
      expect(stderr).not.toMatch(/OperationalError|psycopg2\.|pymysql\.err|deadlock|lock wait/i); // storage errors (the study's own failures log tracebacks)
      expect(result.victim_exit).toBe(-9);
      expect(pollsWhileRunning).toBeGreaterThan(10);
      expect(warnings(h)).toEqual([]);
      expectViewOfStudy(h, result, new CheckpointStore(h.state).get<OptunaView>('optuna', 'view') as OptunaView);

      // barista's role: SELECT and nothing else; it made the server log no error.
      if (kind === 'postgresql') {
        const privileges = await server.admin([`SELECT DISTINCT privilege_type FROM information_schema.table_privileges WHERE grantee = 'barista_ro'`], db.name);
        expect(privileges.map((r) => r.privilege_type)).toEqual(['SELECT']);
        const [rights] = await server.admin([`SELECT has_schema_privilege('barista_ro', 'public', 'CREATE') AS create_in_schema, has_database_privilege('barista_ro', '${db.name}', 'CREATE') AS create_in_db, (SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = 'barista_ro') AS admin`], db.name);
        expect(rights).toEqual({ create_in_schema: false, create_in_db: false, admin: false });
        expect(server.log().split('\n').filter((line) => line.startsWith('barista ') && /ERROR|FATAL/.test(line))).toEqual([]);
      } else {
        const grants = await server.admin([`SHOW GRANTS FOR 'barista_ro'@'%'`]);
        expect(grants.map((r) => Object.values(r)[0]).join('\n').replace(/IDENTIFIED BY PASSWORD '[^']*'/, '')).toMatch(/^GRANT USAGE ON \*\.\* TO `barista_ro`@`%` *\nGRANT SELECT ON `optuna_\d+`\.\* TO `barista_ro`@`%`$/);
      }
    }), 240_000);

    it('survives the server restarting: one warning, one recovery, no trial lost or repeated', onNewDatabase(async (h, db) => {
      trials(db.writer, 'restart', 3); // history: not news
      const component = h.component(db.fields, {}, db.env);
      component.start();
      await waitFor(() => h.state.getCache('optuna:restart'), { what: 'barista to see the study', timeoutMs: 20_000 });
      const first = trials(db.writer, 'restart', 4);
      await server.restart(); // right after the writes: barista may or may not have read them
      await waitFor(() => warnings(h).length > 0, { what: 'the warning', timeoutMs: 30_000 }).catch(() => undefined);
      const second = trials(db.writer, 'restart', 4);
      const expected = [...first, ...second].map((n) => `restart#${n}`);
      await waitFor(() => trialEvents(h).length >= expected.length && warnings(h).some((e) => e.severity === 'info'), { what: 'every trial and the recovery', timeoutMs: 60_000 });
      for (let i = 0; i < 5; i++) await component.pollOnce();
      component.stop();
      expect(trialEvents(h)).toEqual(expected);
      const notes = warnings(h);
      expect(notes.map((e) => e.severity)).toEqual(['warning', 'info']);
      expect(notes[0].text).toContain('cannot read the Optuna storage');
      expect(notes[1].text).toContain('can be read again');
      expect(JSON.stringify(h.published)).not.toContain(READER_PASSWORD);
    }), 180_000);

    it('a wrong password: one warning (no password in it) however many polls, then back once the role accepts it', onNewDatabase(async (h, db) => {
      trials(db.writer, 'auth', 2);
      const component = h.component(db.fields, {}, { OPTUNA_DB_PASSWORD: 'not-the-password' });
      let polls = 0;
      for (; polls < 5; polls++) await component.pollOnce();
      expect(warnings(h).map((e) => e.severity)).toEqual(['warning']);
      expect(warnings(h)[0].text).toMatch(/password|Access denied/i);
      expect(JSON.stringify(h.published)).not.toMatch(/not-the-password/);
      await server.admin([kind === 'postgresql' ? `ALTER ROLE barista_ro PASSWORD 'not-the-password'` : `SET PASSWORD FOR 'barista_ro'@'%' = PASSWORD('not-the-password')`]);
      try {
        await component.pollOnce();
        expect(warnings(h).map((e) => e.severity)).toEqual(['warning', 'info']);
        expect(h.state.getCache('optuna:auth')).toBeTruthy();
      } finally {
        await server.admin([kind === 'postgresql' ? `ALTER ROLE barista_ro PASSWORD '${READER_PASSWORD}'` : `SET PASSWORD FOR 'barista_ro'@'%' = PASSWORD('${READER_PASSWORD}')`]);
      }
    }), 120_000);

    it('an empty database, then tables without a revision yet (Optuna stamps it in a second transaction): nothing said, then the study', onNewDatabase(async (h, db) => {
      const component = h.component(db.fields, {}, db.env);
      await component.pollOnce();
      const asWriter = kind === 'postgresql' ? ['SET ROLE optuna_writer'] : [];
      await server.admin([...asWriter, 'CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)', 'CREATE TABLE trials (trial_id INTEGER PRIMARY KEY)'], db.name);
      await component.pollOnce();
      await component.pollOnce();
      expect(h.published).toEqual([]);
      expect(component.server?.trialQueries).toBe(0);
      await server.admin([...asWriter, 'DROP TABLE alembic_version', 'DROP TABLE trials'], db.name);
      trials(db.writer, 'late', 2);
      await component.pollOnce();
      expect(h.state.getCache('optuna:late')).toBeTruthy();
      const news = trials(db.writer, 'late', 2);
      await component.pollOnce();
      expect(trialEvents(h)).toEqual(news.map((n) => `late#${n}`)); // born after the first look: only the later ones are news
      expect(warnings(h)).toEqual([]);
      component.stop();
    }), 120_000);

    it('a study moved from SQLite with copy_study: the same event ids, no history announced again', onNewDatabase(async (h, db) => {
      const sqlite = `sqlite:///${path.join(h.workspace, 'optuna.db')}`;
      trials(sqlite, 'moved', 2);
      const local = h.component('storage: "sqlite:///optuna.db", poll_interval: 100ms');
      local.poll();
      const news = trials(sqlite, 'moved', 3);
      local.poll();
      local.stop();
      expect(trialEvents(h)).toEqual(news.map((n) => `moved#${n}`));
      const announced = h.published.length;
      tools(['copy', '--from', sqlite, '--to', db.writer, '--study', 'moved']);

      // The same source now pointed at the server, and a new source too: nothing new.
      const moved = h.component(db.fields, {}, db.env);
      await moved.pollOnce();
      expect(h.published.slice(announced)).toEqual([]);
      const later = trials(db.writer, 'moved', 1);
      await moved.pollOnce();
      expect(trialEvents(h).slice(news.length)).toEqual(later.map((n) => `moved#${n}`));
    }), 120_000);
  });
}
