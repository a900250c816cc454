/**
 * A file barista may not read (mode 000, owned by someone else) is one warning naming it and the
 * permission; barista keeps running (and starts, with such a file present), and reads the file
 * whole once its mode allows. barista runs as `nobody` here: root reads a mode-000 file anyway.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BaristaProcess, CLI, ROOT, type LogLine } from '../support/baristaProcess';
import { eventsInState, readState } from '../support/stateEvents';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
let running: BaristaProcess[] = [];
afterEach(() => {
  running.forEach((p) => p.kill('SIGKILL'));
  running = [];
});

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
// As root, barista runs as nobody (root would read a mode-000 file); as anyone else, as itself.
const wrap = isRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] : [];
// nobody must reach the compiled CLI: a checkout under a private folder (/root/…) hides it.
const nobodyReachesCli = isRoot && hasSetpriv && spawnSync(wrap[0]!, [...wrap.slice(1), 'test', '-r', CLI]).status === 0;
const itCan = !isRoot || nobodyReachesCli ? it : it.skip;
if (isRoot && !nobodyReachesCli) {
  console.warn(`SKIPPED the unreadable-file tests: ${hasSetpriv ? `user nobody cannot read ${CLI} (a parent folder is private)` : 'setpriv is missing'}; they run barista as nobody, since root reads a mode-000 file anyway`);
}

const RULES = `workspace: ./workspace
sources:
  - { id: trader-log, type: log, paths: ["logs/paper_trader*.log"], start_at: beginning }
  - { id: sessions, type: csv, paths: ["paper_trades/*_session.csv"], start_at: beginning }
rules:
  - id: stop-loss
    source: trader-log
    match: 'STOP-LOSS triggered for (?<symbol>\\S+)'
    emit: { type: risk.stop_loss, severity: warning }
`;

describe('an unreadable file', () => {
  itCan('is one warning naming it and its permission; barista runs, restarts, and reads it whole once readable', async () => {
    const dir = tempDir();
    const ws = path.join(dir, 'workspace');
    mkdirSync(path.join(ws, 'logs'), { recursive: true });
    mkdirSync(path.join(ws, 'paper_trades'));
    mkdirSync(path.join(dir, 'state'));
    writeFileSync(path.join(dir, 'rules.yaml'), RULES);
    if (isRoot) {
      chmodSync(dir, 0o755);
      chownSync(path.join(dir, 'state'), NOBODY, NOBODY);
    }
    const readable = path.join(ws, 'logs', 'paper_trader_a.log');
    const locked = path.join(ws, 'logs', 'paper_trader_b.log');
    const csv = path.join(ws, 'paper_trades', 'trial250_session.csv');
    writeFileSync(readable, '');
    copyFileSync(path.join(ROOT, 'test', 'fixtures', 'csv', 'trial250_session.csv'), csv);
    chmodSync(csv, 0o000); // unreadable at start
    const state = path.join(dir, 'state', 'barista.db');
    const start = () => {
      const barista = BaristaProcess.start(['run', '--config', 'rules.yaml', '--state', state], { cwd: dir, wrap });
      running.push(barista);
      return barista;
    };
    const warningsAbout = (barista: BaristaProcess, file: string) => barista.logs.filter((l: LogLine) => l.level === 40 && l.msg.includes(file));
    const stopLosses = (file: string) => eventsInState(state, 'trader-log').filter((e) => e.fields.file === `logs/${path.basename(file)}`).map((e) => e.fields.symbol);
    const stopLossAt = async (symbol: string) => {
      appendFileSync(readable, `STOP-LOSS triggered for ${symbol}\n`);
      await waitFor(() => stopLosses(readable).includes(symbol), { what: `the ${symbol} stop-loss from the readable log`, timeoutMs: 20_000 });
    };

    let barista = start();
    await barista.waitForLog((l) => l.msg === 'barista running', { what: 'start-up with an unreadable CSV', timeoutMs: 30_000 });
    const csvWarning = await barista.waitForLog((l) => l.level === 40 && l.msg.includes(csv), { what: 'the CSV warning' });
    expect(csvWarning.msg).toContain('EACCES: permission denied, mode 000');

    // A trader log born unreadable while running: one warning, and the other log still flows.
    writeFileSync(locked, 'STOP-LOSS triggered for BTC/USD\n', { mode: 0o000 });
    chmodSync(locked, 0o000);
    await barista.waitForLog((l) => l.level === 40 && l.msg.includes(locked), { what: 'the log warning' });
    appendFileSync(locked, 'STOP-LOSS triggered for SOL/USD\n');
    await stopLossAt('ETH/USD');
    await stopLossAt('LINK/USD'); // several looks later: still one warning each
    expect(warningsAbout(barista, locked)).toHaveLength(1);
    expect(warningsAbout(barista, csv)).toHaveLength(1);
    expect(barista.exit).toBeNull();
    // /health and barista status show it as the source's last error.
    const health = readState(state, null, (db) => db.prepare("SELECT value FROM cache WHERE key = 'source-health:trader-log'").get() as { value: string } | undefined);
    expect(JSON.parse(health?.value ?? '{}')).toMatchObject({ last_error: { message: expect.stringContaining(`EACCES: permission denied, open '${locked}'`) } });

    // A restart with both still unreadable starts, and warns once again.
    barista.kill('SIGTERM');
    expect(await barista.waitForExit(15_000)).toEqual({ code: 0, signal: null });
    barista = start();
    await barista.waitForLog((l) => l.msg === 'barista running', { what: 'the restart with unreadable files', timeoutMs: 30_000 });
    await barista.waitForLog((l) => l.level === 40 && l.msg.includes(locked), { what: 'the log warning after the restart' });
    await stopLossAt('AVAX/USD');

    // Readable again: everything written meanwhile arrives, once.
    appendFileSync(locked, 'STOP-LOSS triggered for UNI/USD\n');
    chmodSync(locked, 0o644);
    chmodSync(csv, 0o644);
    await waitFor(() => stopLosses(locked).length === 3, { what: 'the three stop-losses of the unlocked log', timeoutMs: 20_000 });
    expect(stopLosses(locked)).toEqual(['BTC/USD', 'SOL/USD', 'UNI/USD']);
    await waitFor(() => eventsInState(state, 'sessions').filter((e) => e.type === 'portfolio.snapshot').length === 5, { what: 'the CSV rows', timeoutMs: 20_000 });
    expect(warningsAbout(barista, locked)).toHaveLength(1);
    expect(barista.exit).toBeNull();
  }, 120_000);
});
