/** `barista audit` prints the audit log from a state file, read-only, newest first. */
import path from 'node:path';
import { AuditLog } from '../../src/state/AuditLog';
import { StateStore } from '../../src/state/StateStore';
import { runCli } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();

describe('barista audit', () => {
  it('prints every row newest first, as lines and as JSON, without changing the file', () => {
    const file = path.join(tempDir(), 'state.db');
    const state = StateStore.open({ path: file });
    const audit = new AuditLog(state);
    audit.record({ at: Date.UTC(2026, 0, 1), userId: '1', userTag: 'bob', command: 'trader stop', args: '{"trader":"trial250"}', place: 'guild 9 channel 8', decision: 'denied', outcome: 'control needs commands.allow.control' });
    const id = audit.record({ at: Date.UTC(2026, 0, 2), userId: '2', userTag: 'alice\nevil', command: 'trader stop', args: '{}', place: 'DM 7', decision: 'allowed', outcome: null });
    audit.settle(id, 'confirmed; stop exited');
    state.close();

    const text = runCli(['audit', '--state', file]);
    expect(text.status).toBe(0);
    expect(text.stdout.trim().split('\n')).toEqual([
      '#2 2026-01-02T00:00:00Z alice evil (2) trader stop allowed: confirmed; stop exited [DM 7]',
      '#1 2026-01-01T00:00:00Z bob (1) trader stop {"trader":"trial250"} denied: control needs commands.allow.control [guild 9 channel 8]',
    ]);
    const json = runCli(['audit', '--state', file, '--json', '--count', '1']);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ id: 2, decision: 'allowed', outcome: 'confirmed; stop exited' })]);
    expect(runCli(['audit', '--state', path.join(tempDir(), 'nope.db')]).status).toBe(2);
  });
});
