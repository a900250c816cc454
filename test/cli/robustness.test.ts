/**
 * Issue 12: what a file, a rule or the state file does must not stop, freeze or silence
 * barista. Each test runs the compiled CLI as a child on real files.
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BaristaProcess, runCli } from '../support/baristaProcess';
import { overwriteTail } from '../support/damageFile';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
let running: BaristaProcess[] = [];

afterEach(() => {
  running.forEach((p) => p.kill('SIGKILL'));
  running = [];
});

function start(args: string[]): BaristaProcess {
  const child = BaristaProcess.start(args, { cwd: tempDir() });
  running.push(child);
  return child;
}

/** Log lines barista wrote on stderr (`events` keeps stdout for events). */
function stderrLogs(barista: BaristaProcess): { level: number; msg: string; [key: string]: unknown }[] {
  return barista.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

function workspaceWithRules(rulesBody: string): { dir: string; rules: string; logs: string } {
  const dir = tempDir();
  const logs = path.join(dir, 'workspace', 'logs');
  mkdirSync(logs, { recursive: true });
  const rules = path.join(dir, 'rules.yaml');
  writeFileSync(rules, `workspace: ./workspace\n${rulesBody}`);
  return { dir, rules, logs };
}

const EVIL_RULES = `sources:
  - { id: a, type: log, paths: ["logs/a.log"] }
  - { id: b, type: log, paths: ["logs/b.log"] }
rules:
  - { id: evil, source: a, match: '(a+)+$', emit: { type: x.evil, severity: info } }
  - { id: hello, source: b, match: 'hello (?<who>\\w+)', emit: { type: x.hello, severity: info } }
`;
const EVIL_LINE = `${'a'.repeat(100)}!`;

describe('a catastrophic rule pattern', () => {
  it('is matched in linear time by `barista run`: other sources keep flowing and SIGTERM stops it in time', async () => {
    const { rules, logs, dir } = workspaceWithRules(EVIL_RULES);
    writeFileSync(path.join(logs, 'a.log'), '');
    writeFileSync(path.join(logs, 'b.log'), '');
    const barista = start(['events', '--config', rules, '--state', path.join(dir, 'state.db')]);
    await waitForStderr(barista, 'barista running');

    appendFileSync(path.join(logs, 'a.log'), `${EVIL_LINE}\n`.repeat(50));
    appendFileSync(path.join(logs, 'b.log'), 'hello world\n');
    const hello = await barista.waitForLog((event) => event.type === 'x.hello', { what: 'the event of the other source', timeoutMs: 15_000 });
    expect(hello.fields).toMatchObject({ who: 'world' });

    appendFileSync(path.join(logs, 'a.log'), `${EVIL_LINE}\n`.repeat(50));
    barista.child.kill('SIGTERM');
    // barista exits 1 past its own stop deadline: exit 0 means it stopped within it.
    expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });
  });

  it('passes `barista check` and `barista rules test` answers at once', () => {
    const { rules } = workspaceWithRules(EVIL_RULES);
    expect(runCli(['check', '--config', rules]).status).toBe(0);
    const tested = runCli(['rules', 'test', '--config', rules, '--source', 'a', '--line', EVIL_LINE]);
    expect(tested.status).toBe(1);
    expect(tested.stdout + tested.stderr).toContain('no rule of source a matched');
  });

  it('is refused by `barista check` with file:line:column when only a backtracking engine can run it', () => {
    const { rules } = workspaceWithRules(EVIL_RULES.replace('(a+)+', () => '(?=a)(a+)+'));
    const result = runCli(['check', '--config', rules]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toMatch(new RegExp(`^${escapeRegex(rules)}:6:35: rules\\[0\\]\\.match: lookahead and lookbehind .* are not supported, which can make one log line take forever to match`));
  });
});

describe('a trader killed mid-row', () => {
  it('costs only the torn bar: one warning, and the trades of every row after it', async () => {
    const { rules, dir } = workspaceWithRules(`sources:\n  - { id: sessions, type: csv, paths: ["paper_trades/*session*.csv"] }\nrules: []\n`);
    const csv = path.join(dir, 'workspace', 'paper_trades', 'trial250_session.csv');
    mkdirSync(path.dirname(csv));
    const [header, ...rows] = readFileSync(path.join(__dirname, '..', 'fixtures', 'csv', 'trial250_session.csv'), 'utf8').trim().split('\n');
    const barista = start(['events', '--config', rules, '--state', path.join(dir, 'state.db')]);
    await waitForStderr(barista, 'barista running');

    writeFileSync(csv, `${header}\n${rows[0]}\n`);
    await barista.waitForLog((event) => event.type === 'portfolio.snapshot', { what: 'the first bar' });
    // Killed mid-write: half a row without its newline; the restarted trader appends after it.
    appendFileSync(csv, rows[1].slice(0, 40));
    appendFileSync(csv, `${rows[2]}\n`);
    appendFileSync(csv, `${rows[3]}\n${rows[4]}\n`);
    await barista.waitForLog((event) => event.type === 'portfolio.snapshot' && (event.fields as { at: string }).at === '2026-02-09T10:00:00.000Z', { what: 'the last bar' });

    const warnings = barista.logs.filter((event) => event.type === 'barista.warning');
    expect(warnings).toEqual([expect.objectContaining({ fields: expect.objectContaining({ reason: 'torn-row', file: 'paper_trades/trial250_session.csv' }) })]);
    const tradeBars = [...new Set(barista.logs.filter((event) => event.type === 'trade.executed').map((event) => event.at))];
    // Bar 07:00 is lost with the tear; 08:00 compares with 06:00 (all cash), then every bar follows.
    expect(tradeBars).toEqual(['2026-02-09T08:00:00.000Z', '2026-02-09T09:00:00.000Z', '2026-02-09T10:00:00.000Z']);
    barista.child.kill('SIGTERM');
    expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });
  });
});

describe('a damaged state file', () => {
  const HELLO_RULES = `sources:\n  - { id: b, type: log, paths: ["logs/b.log"] }\nrules:\n  - { id: hello, source: b, match: 'hello (?<who>\\w+)', emit: { type: x.hello, severity: info } }\n`;

  /** A state file barista has used: events of 300 lines committed, then stopped cleanly. */
  async function usedState(): Promise<{ rules: string; logs: string; state: string }> {
    const { rules, logs, dir } = workspaceWithRules(HELLO_RULES);
    const state = path.join(dir, 'state.db');
    writeFileSync(path.join(logs, 'b.log'), '');
    const barista = start(['events', '--config', rules, '--state', state]);
    await waitForStderr(barista, 'barista running');
    appendFileSync(path.join(logs, 'b.log'), Array.from({ length: 300 }, (_, i) => `hello w${i}\n`).join(''));
    await barista.waitForLog((event) => (event.fields as { who?: string }).who === 'w299', { what: 'the last event' });
    barista.child.kill('SIGTERM');
    expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });
    return { rules, logs, state };
  }

  it('with its last 12 KB overwritten: barista refuses to start with one sentence saying how to recover', async () => {
    const { rules, state } = await usedState();
    overwriteTail(state, -12 * 1024);
    const result = runCli(['events', '--config', rules, '--state', state]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^state file ${escapeRegex(state)} is damaged \\(.+\\); barista will not start on it rather than lose or repeat events: move it aside \\(mv ${escapeRegex(state)} ${escapeRegex(state)}\\.damaged\\) and start barista again`));
    expect(lines[0]).toContain('the unsent outbox, mutes, trade, equity and trial histories and the audit log stay in the moved file');
  });

  it('damaged while barista runs: it stops with that sentence and exits 1 instead of hanging', async () => {
    const { rules, logs, state } = await usedState();
    const barista = start(['events', '--config', rules, '--state', state]);
    await waitForStderr(barista, 'barista running');
    overwriteTail(state, 4096); // every page but the first
    appendFileSync(path.join(logs, 'b.log'), Array.from({ length: 30 }, (_, i) => `hello x${i}\n`).join(''));
    expect(await barista.waitForExit(15_000)).toEqual({ code: 1, signal: null });
    const fatal = stderrLogs(barista).filter((line) => line.level === 60);
    expect(fatal).toEqual([expect.objectContaining({ msg: expect.stringMatching(new RegExp(`^state file ${escapeRegex(state)} is damaged \\(.+\\); barista stopped rather than lose or repeat events: move it aside`)) })]);
    expect(stderrLogs(barista).map((line) => line.msg).slice(-2)).toEqual(['stopping', 'stopped']);
  });
});

describe('quiet failures are said once', () => {
  it('a deleted rules.yaml: one warning, the rules in force keep running, a new file is applied', async () => {
    const { rules, logs, dir } = workspaceWithRules(EVIL_RULES);
    const barista = start(['events', '--config', rules, '--state', path.join(dir, 'state.db')]);
    await waitForStderr(barista, 'barista running');
    const text = readFileSync(rules, 'utf8');
    rmSync(rules);
    await waitForStderr(barista, `rules file ${rules} was deleted; the rules in force keep running`);
    appendFileSync(path.join(logs, 'b.log'), 'hello again\n');
    await barista.waitForLog((event) => event.type === 'x.hello', { what: 'an event by the rules in force' });
    writeFileSync(rules, text.replace('x.hello', 'x.hi'));
    await waitForStderr(barista, 'rules reloaded');
    expect(stderrLogs(barista).filter((line) => line.msg.includes('was deleted'))).toEqual([expect.objectContaining({ level: 40 })]);
    expect(stderrLogs(barista).filter((line) => line.msg.startsWith('rules rejected'))).toEqual([]);
  });

  it('a workspace that does not exist: `check` warns at its line and column, `run` warns once and picks it up when it appears', async () => {
    const dir = tempDir();
    const rules = path.join(dir, 'rules.yaml');
    writeFileSync(rules, `# a comment\nworkspace: ./not-yet\n${EVIL_RULES}`);
    const checked = runCli(['check', '--config', rules]);
    expect(checked.status).toBe(0);
    expect(checked.stdout).toContain('(does not exist on this machine)');
    expect(checked.stderr).toBe(`${rules}:2:12: warning: workspace ${path.join(dir, 'not-yet')} does not exist on this machine; barista run would watch nothing until it appears\n`);

    const barista = start(['events', '--config', rules, '--state', path.join(dir, 'state.db')]);
    await waitForStderr(barista, 'barista running');
    expect(stderrLogs(barista).filter((line) => line.msg.startsWith('workspace'))).toEqual([
      expect.objectContaining({ level: 40, msg: `workspace ${path.join(dir, 'not-yet')} does not exist; barista watches nothing there until it appears, then picks its files up` }),
    ]);
    mkdirSync(path.join(dir, 'not-yet', 'logs'), { recursive: true });
    writeFileSync(path.join(dir, 'not-yet', 'logs', 'b.log'), 'hello there\n');
    await waitForStderr(barista, `workspace ${path.join(dir, 'not-yet')} appeared`);
    const hello = await barista.waitForLog((event) => event.type === 'x.hello', { what: 'the first line of the new workspace', timeoutMs: 15_000 });
    expect(hello.fields).toMatchObject({ who: 'there' });
  });

  it('a symbolic link loop under the workspace: one line, from the source that watches there, no stack', async () => {
    const { rules, logs, dir } = workspaceWithRules(`sources:\n  - { id: a, type: log, paths: ["logs/**/*.log"] }\n  - { id: s, type: csv, paths: ["paper_trades/*.csv"] }\n  - { id: j, type: json, paths: ["paper_trades/*heartbeat*"] }\nrules:\n  - { id: hello, source: a, match: 'hello (?<who>\\w+)', emit: { type: x.hello, severity: info } }\n`);
    mkdirSync(path.join(dir, 'workspace', 'paper_trades'));
    symlinkSync('..', path.join(logs, 'loop'));
    symlinkSync('loop-b', path.join(logs, 'loop-a'));
    symlinkSync('loop-a', path.join(logs, 'loop-b'));
    const barista = start(['events', '--config', rules, '--state', path.join(dir, 'state.db')]);
    await waitForStderr(barista, 'barista running');
    const loopLine = await waitForStderr(barista, 'a symbolic link loop');
    // Still working: a line in a real file makes its event.
    appendFileSync(path.join(logs, 'b.log'), 'hello loop\n');
    await barista.waitForLog((event) => event.type === 'x.hello', { what: 'an event beside the loop' });
    const warnings = stderrLogs(barista).filter((line) => line.level >= 40);
    expect(warnings).toEqual([loopLine]);
    expect(loopLine).toMatchObject({ source: 'a', code: 'ELOOP' });
    expect(loopLine).not.toHaveProperty('err');
  });
});

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function waitForStderr(barista: BaristaProcess, msg: string, timeoutMs = 15_000): Promise<{ level: number; msg: string; [key: string]: unknown }> {
  const { waitFor } = await import('../support/waitFor');
  return waitFor(
    () => {
      if (barista.exit) throw new Error(`barista exited (${JSON.stringify(barista.exit)}) before logging "${msg}"; stderr: ${barista.stderr}`);
      return stderrLogs(barista).find((line) => line.msg.startsWith(msg));
    },
    { timeoutMs, what: msg },
  );
}
