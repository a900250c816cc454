import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/state/migrations';
import { StateStore } from '../../src/state/StateStore';
import { BaristaProcess, runCli } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
let running: BaristaProcess[] = [];

afterEach(() => {
  running.forEach((p) => p.kill('SIGKILL'));
  running = [];
});

const RULES = `workspace: ./workspace
sources:
  - { id: trader-log, type: log, paths: ["logs/paper_trader*.log"] }
rules:
  - id: stop-loss
    source: trader-log
    match: 'STOP-LOSS triggered for (?<symbol>\\S+)'
    emit: { type: risk.stop_loss, severity: warning }
`;

function setup(): { rules: string; state: string } {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'workspace'));
  const rules = path.join(dir, 'rules.yaml');
  writeFileSync(rules, RULES);
  return { rules, state: path.join(dir, 'state', 'barista.db') };
}

function start(args: string[]): BaristaProcess {
  const child = BaristaProcess.start(args, { cwd: tempDir() });
  running.push(child);
  return child;
}

describe('barista run', () => {
  it('applies a valid edit of rules.yaml, rejects an invalid one with file:line:column, and keeps running', async () => {
    const { rules, state } = setup();
    const barista = start(['run', '--config', rules, '--state', state]);
    await barista.waitForLog((l) => l.msg === 'barista running', { what: 'start-up' });

    // A valid edit: a source added and a rule changed.
    let mark = barista.logs.length;
    writeFileSync(rules, `${RULES.replace('(?<symbol>\\S+)', '(?<symbol>[A-Z]+/USD)')}`.replace('sources:\n', 'sources:\n  - { id: sessions, type: csv, paths: ["paper_trades/*.csv"] }\n'));
    const reloaded = await barista.waitForLog((l) => l.msg.startsWith('rules reloaded'), { from: mark, what: 'the reload', timeoutMs: 10_000 });
    expect(reloaded.msg).toBe('rules reloaded: sources added: sessions; rules changed: stop-loss');
    expect(reloaded.changes).toMatchObject({ sources: { added: ['sessions'], removed: [], changed: [] }, rules: { changed: ['stop-loss'] } });

    // An invalid edit: rejected with positions, and nothing else changes.
    mark = barista.logs.length;
    const valid = readFileSync(rules, 'utf8');
    writeFileSync(rules, valid.replace('type: csv', 'type: cvs').replace('severity: warning', 'severity: loud'));
    const rejected = await barista.waitForLog((l) => l.msg.startsWith('rules rejected'), { from: mark, what: 'the rejection', timeoutMs: 10_000 });
    expect(rejected.problems).toEqual([
      `${rules}:3:27: sources[0].type: "type" must be one of log, csv, json, optuna, files, process`,
      expect.stringMatching(new RegExp(`^${rules.replace(/[.\\/]/g, '\\$&')}:9:45: rules\\[0\\]\\.emit\\.severity: `)),
    ]);
    expect(rejected.msg).toContain('the previous rules keep running');
    expect(barista.exit).toBeNull();

    // Still alive and still following the file: an editor-style save (write temp, rename over) applies.
    mark = barista.logs.length;
    writeFileSync(`${rules}.tmp`, valid.replace(/ {2}- \{ id: sessions.*\n/, ''));
    renameSync(`${rules}.tmp`, rules);
    const restored = await barista.waitForLog((l) => l.msg.startsWith('rules reloaded'), { from: mark, what: 'the reload after rename', timeoutMs: 10_000 });
    expect(restored.msg).toBe('rules reloaded: sources removed: sessions');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('stops cleanly on %s: state closed, exit 0', async (signal) => {
    const { rules, state } = setup();
    const barista = start(['run', '--config', rules, '--state', state]);
    await barista.waitForLog((l) => l.msg === 'barista running', { what: 'start-up' });
    barista.child.kill(signal);
    // barista enforces its own 2 s stop deadline and exits 1 past it, so exit 0 proves it stopped in time.
    expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });
    expect(barista.logs.map((l) => l.msg).slice(-2)).toEqual(['stopping', 'stopped']);
    // The lease was released: the next start finds no previous instance to take over from.
    const store = StateStore.open({ path: state });
    expect(store.info.replacedStale).toBeNull();
    store.close();
  });

  it('refuses a second barista on the same state file with a clear message', async () => {
    const { rules, state } = setup();
    const first = start(['run', '--config', rules, '--state', state]);
    await first.waitForLog((l) => l.msg === 'barista running', { what: 'start-up' });
    const second = runCli(['run', '--config', rules, '--state', state], { cwd: tempDir() });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`state file ${state} is in use by another barista (pid ${first.child.pid} on `);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect(first.exit).toBeNull();
  });

  it('takes over after a barista killed with SIGKILL', async () => {
    const { rules, state } = setup();
    const first = start(['run', '--config', rules, '--state', state]);
    await first.waitForLog((l) => l.msg === 'barista running', { what: 'start-up' });
    first.kill('SIGKILL');
    await first.waitForExit();
    const second = start(['run', '--config', rules, '--state', state]);
    const warning = await second.waitForLog((l) => l.msg.includes('did not stop cleanly'), { what: 'the take-over warning' });
    expect(warning.pid).toBe(first.child.pid);
  });

  it('refuses a state file from a newer barista', () => {
    const { rules, state } = setup();
    StateStore.open({ path: state, migrations: [...MIGRATIONS, { version: 99, name: 'future', sql: 'SELECT 1;' }] }).close();
    const result = runCli(['run', '--config', rules, '--state', state], { cwd: tempDir() });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `state file ${state} was written by a newer barista (schema version 99; this barista knows up to ${LATEST_SCHEMA_VERSION}). Upgrade barista, or start this one with --state pointing at another file.`,
    );
  });

  it('refuses to keep its state inside the monitored workspace', () => {
    const { rules } = setup();
    const result = runCli(['run', '--config', rules, '--state', path.join(tempDir(), 'workspace', 'barista.db')], { cwd: tempDir() });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('is inside the monitored workspace');
  });

  it('exits 2 with every problem when the rules are invalid at start', () => {
    const { rules, state } = setup();
    copyFileSync(path.join(__dirname, '..', 'fixtures', 'rules', 'two-schema-errors.yaml'), rules);
    const result = runCli(['run', '--config', rules, '--state', state], { cwd: tempDir() });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(`^${rules}:6:15: `), expect.stringMatching(`^${rules}:10:19: `)]);
  });
});
