/**
 * The read-only host commands on a damaged state file say what `barista run` says — one
 * sentence with the way out — not SQLite's "database disk image is malformed".
 */
import path from 'node:path';
import { AuditLog } from '../../src/state/AuditLog';
import { OutboxStore } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import { runCli } from '../support/baristaProcess';
import { overwriteTail } from '../support/damageFile';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A state file with a few hundred KB of audit rows and outbox messages, closed cleanly. */
function usedState(): string {
  const file = path.join(tempDir(), 'state.db');
  const state = StateStore.open({ path: file });
  const audit = new AuditLog(state);
  const outbox = new OutboxStore(state);
  for (let i = 0; i < 2000; i++) {
    audit.record({ at: Date.UTC(2026, 0, 1) + i, userId: String(i), userTag: 'alice', command: 'trader stop', args: '{}', place: 'DM 7', decision: 'denied', outcome: 'not allowed '.repeat(5) });
    outbox.enqueue([{ destination: 'bot:2', idempotencyKey: `k${i}`, payload: { content: `message ${i} `.repeat(5) } }], Date.UTC(2026, 0, 1) + i);
  }
  state.close();
  return file;
}

const COMMANDS: [name: string, args: string[]][] = [
  ['status', ['status']],
  ['status', ['status', '--json']],
  ['audit', ['audit']],
  ['outbox list', ['outbox', 'list']],
  ['outbox retry', ['outbox', 'retry', '1']],
  ['outbox drop', ['outbox', 'drop', '1']],
];

/** One line on stderr, nothing on stdout, exit 1: the recovery sentence of `barista run`. */
function expectRecoverySentence(result: ReturnType<typeof runCli>, command: string, file: string): void {
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^barista ${command}: state file ${escapeRegex(file)} is damaged \\(.+\\); stop barista if it runs, move it aside \\(mv ${escapeRegex(file)} ${escapeRegex(file)}\\.damaged\\) and start barista again`));
  expect(lines[0]).toContain(`\`sqlite3 ${file}.damaged .recover\` may rescue some of it`);
  expect(lines[0]).not.toMatch(/SqliteError|at .*\.js:\d+/);
  expect(result.status).toBe(1);
}

describe('a damaged state file read by a host command', () => {
  it.each(COMMANDS)('every page but the first overwritten: barista %s says how to recover, in one sentence', (command, args) => {
    const file = usedState();
    overwriteTail(file, 4096);
    expectRecoverySentence(runCli([...args, '--state', file]), command, file);
  });

  it('damaged only where the command reads (the newest rows): the same sentence, once the read hits it', () => {
    const file = usedState();
    // The schema and the oldest rows read fine: the command opens the file, then meets the damage.
    overwriteTail(file, -64 * 1024);
    for (const [command, args] of COMMANDS.filter(([name]) => name === 'audit' || name === 'outbox list')) {
      expectRecoverySentence(runCli([...args, '--state', file]), command, file);
    }
  });

  it('an intact file still reads', () => {
    const file = usedState();
    const audit = runCli(['audit', '--state', file, '--count', '1']);
    expect(audit.status).toBe(0);
    expect(audit.stdout).toMatch(/^#2000 /);
  });
});
