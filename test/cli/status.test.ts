/**
 * `barista status` as a user runs it: beside a running barista (which holds the state lease)
 * that watches a simulated trader workspace, it prints the /status answer from the state file.
 */
import { formatMoney } from '../../src/discord/render/formatValues';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { StatusAnswer } from '../../src/readModel/answers';
import type { HostStatus } from '../../src/cli/statusCommand';
import { BaristaProcess, ROOT, runCli } from '../support/baristaProcess';
import { NO_RANDOM_EVENTS, TraderSimulator, playBuyThenCrash } from '../support/simulator';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
let barista: BaristaProcess | null = null;
afterEach(() => barista?.kill('SIGKILL'));

describe('barista status', () => {
  it('prints the status answer of a running barista\'s state, as JSON and as text', async () => {
    const workspace = path.join(tempDir(), 'cappuccino');
    for (const dir of ['logs', 'paper_trades']) mkdirSync(path.join(workspace, dir), { recursive: true });
    const stateFile = path.join(tempDir(), 'state.db');
    barista = BaristaProcess.start(['events', '--config', path.join(ROOT, 'config', 'rules.yaml'), '--state', stateFile], { cwd: tempDir(), env: { CAPPUCCINO_WORKSPACE: workspace } });
    await waitFor(() => barista!.stderr.includes('"msg":"barista running"'), { what: 'barista to start', timeoutMs: 15_000 });

    const sim = new TraderSimulator({ workspace, seed: 7, rates: NO_RANDOM_EVENTS, traders: [{ name: 'trial250' }] });
    playBuyThenCrash(sim);
    const last = sim.truth.snapshots.at(-1)!;

    const answer = await waitFor(
      () => {
        const result = runCli(['status', '--state', stateFile, '--json']);
        if (result.status !== 0) throw new Error(`status exited ${result.status}: ${result.stderr}`);
        const parsed = JSON.parse(result.stdout) as StatusAnswer;
        return parsed.traders.find((t) => t.portfolio?.at === Date.parse(last.bar)) ? parsed : null;
      },
      { what: 'the last bar in barista status', timeoutMs: 20_000 },
    );
    expect(answer.kind).toBe('status');
    const trader = answer.traders.find((t) => t.portfolio !== null)!;
    expect(trader.portfolio!.total.toFixed(2)).toBe(last.total.toFixed(2));
    expect(answer.barista.sourcesTotal).toBeGreaterThan(0);

    const text = runCli(['status', '--state', stateFile]);
    expect(text.status).toBe(0);
    // The same text /status renders for Discord, as the console shows notifications.
    expect(text.stdout).toContain('📊 System Status');
    expect(text.stdout).toContain(`${trader.process.trader} · `);
    expect(text.stdout).toContain(`💰 ${formatMoney(last.total)}`);
    expect(barista.exit).toBeNull(); // it ran beside barista, without taking its lease

    // /health and /mutes beside it: uptime from the running barista's lease, each source's lag.
    const whole = JSON.parse(runCli(['status', '--state', stateFile, '--json']).stdout) as HostStatus;
    expect(whole.running?.pid).toBe(barista.child.pid);
    expect(whole.health.kind).toBe('health');
    expect(whole.health.uptimeS).toBeGreaterThanOrEqual(0);
    expect(whole.health.outbox.rateLimitHits).toBeNull(); // only the process knows it
    expect(whole.health.sources.some((s) => s.lagS !== null && s.follows !== '')).toBe(true);
    expect(whole.mutes).toMatchObject({ kind: 'mutes', mutes: [] });
    expect(text.stdout).toContain('🩺 barista health');
    expect(text.stdout).toMatch(/up \d/);
    expect(text.stdout).toMatch(/Sources \d+\/\d+ OK/);

    barista.kill('SIGTERM');
    await barista.waitForExit(15_000);
    const stopped = runCli(['status', '--state', stateFile]);
    expect(stopped.status).toBe(0);
    expect(stopped.stdout).toContain('not running');
    expect((JSON.parse(runCli(['status', '--state', stateFile, '--json']).stdout) as HostStatus).running).toBeNull();
  }, 60_000);

  it('says in one sentence that the state file is missing or from a newer barista, and exits 2', () => {
    const missing = runCli(['status', '--state', path.join(tempDir(), 'nope.db')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no state file at .*nope\.db/);

    const file = path.join(tempDir(), 'newer.db');
    const db = new Database(file);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL); INSERT INTO schema_migrations VALUES (999, 'future', 0);");
    db.close();
    const newer = runCli(['status', '--state', file]);
    expect(newer.status).toBe(2);
    expect(newer.stderr).toContain('written by a newer barista');
    expect(newer.stderr.trim().split('\n')).toHaveLength(1);
  });
});
