/**
 * `npm run demo` as a new user runs it: the built script with real barista, real stand-in
 * processes and a real Optuna-format database. It must show a live, healthy system and the
 * story it stages, each event once, nothing older than its start; a Ctrl+C (SIGINT to the
 * whole process group) must leave no folder and no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EXPECTED, type ExpectedEvent } from '../../scripts/demo/scenario';
import { killRunningFrom } from '../support/decoys/killRunningFrom';
import { waitFor } from '../support/waitFor';

const ROOT = path.resolve(__dirname, '..', '..');

interface StoredEvent {
  type: string;
  subject: string | null;
  source: string;
  at: number;
  fields: Record<string, unknown>;
}

function readEvents(file: string): StoredEvent[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT type, subject, source, at, fields FROM events ORDER BY at').all() as (Omit<StoredEvent, 'fields'> & { fields: string })[];
    return rows.map((row) => ({ ...row, fields: JSON.parse(row.fields) as Record<string, unknown> }));
  } catch {
    return []; // not migrated yet
  } finally {
    db.close();
  }
}

const matches = (event: StoredEvent, expected: ExpectedEvent): boolean => event.type === expected.type && (expected.subject === undefined || event.subject === expected.subject);

/** Pids of live processes whose command line names `folder`. */
function processesNaming(folder: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(folder) && !readFileSync(`/proc/${name}/stat`, 'utf8').includes(') Z ');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('npm run demo', () => {
  let demo: ChildProcess | undefined;
  let home: string | undefined;

  // What a failed test leaves running.
  afterEach(async () => {
    if (demo?.pid !== undefined && demo.exitCode === null && demo.signalCode === null) process.kill(-demo.pid, 'SIGKILL');
    if (home !== undefined) await killRunningFrom(home);
    demo = undefined;
    home = undefined;
  });

  it('a Ctrl+C while barista is still starting also leaves no folder and no process behind', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'demo.js'), '--for', '0'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, DISCORD_ENABLED: 'false' } });
    demo = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const [, workspace] = (await waitFor(() => /workspace (\S+);/.exec(output), { what: 'the demo to name its folder', timeoutMs: 15_000 })) as RegExpExecArray;
    home = path.dirname(workspace as string);
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited).not.toBeNull();
    expect(existsSync(home)).toBe(false);
    expect(processesNaming(home)).toEqual([]);
  }, 30_000);

  it('shows a live, healthy system and its story once each; a Ctrl+C leaves no folder and no process behind', async () => {
    const startedAt = Date.now();
    // Its own process group, as a terminal gives it: the Ctrl+C below signals all of it.
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'demo.js'), '--for', '0'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISCORD_ENABLED: 'false' } });
    demo = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const [, workspace, state] = (await waitFor(() => /workspace (\S+); barista state (\S+);/.exec(output), { what: 'the demo to name its folder', timeoutMs: 15_000 })) as RegExpExecArray;
    home = path.dirname(workspace as string);
    const stateFile = state as string;

    // Every staged event, within the minute the demo takes.
    const events = await waitFor(
      () => {
        const seen = readEvents(stateFile);
        return EXPECTED.every((expected) => seen.some((event) => matches(event, expected))) && seen;
      },
      { what: `the staged events (${EXPECTED.map((e) => `${e.type} ${e.subject ?? ''}`).join(', ')})\n${output}`, timeoutMs: 60_000, intervalMs: 250 },
    );

    // Other tests on this host run stand-ins of the same scripts; the demo's are in its folder.
    const ours = events.filter((event) => event.source !== 'processes' || String(event.fields.script ?? '').startsWith(`${workspace}/`));
    expect(ours.filter((event) => event.at < startedAt).map((event) => `${event.type} ${new Date(event.at).toISOString()}`)).toEqual([]);
    for (const expected of EXPECTED) expect([expected, ours.filter((event) => matches(event, expected)).length]).toEqual([expected, 1]);
    const alarms = ours.filter((event) => /below_expected$|stale$|exited$/.test(event.type));
    expect(alarms.filter((event) => !EXPECTED.some((expected) => matches(event, expected))).map((event) => `${event.type} ${event.subject}`)).toEqual([]);
    // The trade burst: several trades of trial250 on one bar.
    const burst = new Map<number, number>();
    for (const event of ours) if (event.type === 'trade.executed' && event.subject === 'trial250') burst.set(event.at, (burst.get(event.at) ?? 0) + 1);
    expect(Math.max(0, ...burst.values())).toBeGreaterThanOrEqual(3);
    // The stand-ins are what the probe saw: the traders named, the workers running.
    expect(ours.find((event) => event.type === 'trader.exited')?.fields).toMatchObject({ command: expect.stringMatching(/^python3 \S+\/scripts\/deployment\/paper_trader_alpaca_polling\.py .*--log-file paper_trades\/trial91_session\.csv/) });

    // What the console shows is as live as the events: no alarm about missing processes, nothing days old.
    expect(output).not.toMatch(/No trader running|training workers running| d ago| d \d+ h overdue/);
    // Debug lines (the traders' "Initial portfolio value" at their start) are records, not messages.
    expect(output).not.toMatch(/Initial portfolio value/);
    expect(ours.some((event) => event.type === 'risk.portfolio_protection' && event.fields.action === 'initial_value')).toBe(true);

    // Ctrl+C in a terminal: SIGINT to the whole process group.
    process.kill(-(child.pid as number), 'SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(home)).toBe(false);
    expect(processesNaming(home)).toEqual([]);
    expect(output).toMatch(/temp folder and stand-in processes removed/);
  }, 90_000);
});
