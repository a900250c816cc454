/** `barista outbox list | retry | drop`: an operator's hands on rejected or stuck messages, beside a running barista. */
import path from 'node:path';
import { AuditLog } from '../../src/state/AuditLog';
import { OutboxStore } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import { runCli } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const HOOK = 'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-abcdefghijklmn';
const AT = Date.UTC(2026, 11, 3, 7, 0, 0);

function seedOutbox(file: string): void {
  const state = StateStore.open({ path: file });
  const outbox = new OutboxStore(state);
  const [rejected, waiting, sent, otherRejected] = outbox.enqueue(
    [
      { destination: 'webhook:1', idempotencyKey: 'a', payload: { embeds: [{ title: '🛑 Stop-loss BTC/USD' }] } },
      { destination: 'bot:2', idempotencyKey: 'b', payload: { content: 'trade\nburst' } },
      { destination: 'bot:2', idempotencyKey: 'c', payload: { content: 'sent long ago' } },
      { destination: 'bot:2', idempotencyKey: 'd', payload: { content: 'also refused' } },
    ],
    AT,
  );
  outbox.markRejected(rejected, `401: Unauthorized (${HOOK})`, AT + 1000);
  outbox.markRetry(waiting, AT + 1000, AT + 3_600_000, '503: Service Unavailable');
  outbox.markSent(sent, AT + 1000);
  outbox.markRejected(otherRejected, '403: Missing Access', AT + 2000);
  state.close();
}

const rowsOf = (file: string) => {
  const state = StateStore.openReadOnly(file);
  try {
    return new OutboxStore(state).list({ limit: 10 }).map((row) => ({ seq: row.seq, status: row.status, attempts: row.attempts, lastError: row.lastError }));
  } finally {
    state.close();
  }
};

describe('barista outbox', () => {
  it('lists what is not sent yet, newest first, on one line each, with secrets redacted', () => {
    const file = path.join(tempDir(), 'state.db');
    seedOutbox(file);
    const list = runCli(['outbox', 'list', '--state', file]);
    expect(list.status).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('#4 2026-12-03T07:00:00Z rejected bot:2 (1 attempt) also refused — 403: Missing Access');
    expect(lines[1]).toBe('#2 2026-12-03T07:00:00Z pending bot:2 (1 attempt) trade burst — 503: Service Unavailable');
    expect(lines[2]).toMatch(/^#1 .* rejected webhook:1 \(1 attempt\) 🛑 Stop-loss BTC\/USD — 401: Unauthorized/);
    expect(list.stdout).not.toContain('abcdefghijklmnopqrstuvwxyzABCDEF');
    const json = runCli(['outbox', 'list', '--state', file, '--status', 'sent', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ seq: 3, status: 'sent' })]);
    expect(runCli(['outbox', 'list', '--state', file, '--status', 'lost']).status).toBe(2);
  });

  it('retries rejected rows and makes a waiting row due now; drops others; each edit audited', () => {
    const file = path.join(tempDir(), 'state.db');
    seedOutbox(file);
    const retry = runCli(['outbox', 'retry', '--state', file, '#1', '2', '3']);
    expect(retry.status).toBe(0);
    expect(retry.stdout).toMatch(/^queued again: 2 messages \(1 not rejected, expired or pending, or unknown: left as they were\)/);
    const after = rowsOf(file);
    expect(after.find((row) => row.seq === 1)).toEqual({ seq: 1, status: 'pending', attempts: 0, lastError: null });
    expect(after.find((row) => row.seq === 2)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(after.find((row) => row.seq === 3)).toMatchObject({ status: 'sent' });

    const drop = runCli(['outbox', 'drop', '--state', file, '--all-rejected']);
    expect(drop.stdout).toMatch(/^dropped: 1 message\n/);
    expect(rowsOf(file).find((row) => row.seq === 4)).toMatchObject({ status: 'expired', lastError: expect.stringContaining('barista outbox drop') });

    const state = StateStore.openReadOnly(file);
    const audit = new AuditLog(state).recent(5);
    state.close();
    expect(audit.map((row) => [row.command, row.args, row.outcome])).toEqual([
      ['outbox drop', '[4]', '1 of 1 rows'],
      ['outbox retry', '[1,2,3]', '2 of 3 rows'],
    ]);
  });

  it('refuses an edit that names no rows, or a row that is not a number, with a usage line', () => {
    const file = path.join(tempDir(), 'state.db');
    seedOutbox(file);
    const none = runCli(['outbox', 'retry', '--state', file]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('name the rows');
    const bad = runCli(['outbox', 'drop', '--state', file, '1;rm']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('must be a whole number');
    expect(runCli(['outbox', 'list', '--state', path.join(tempDir(), 'missing.db')]).status).toBe(2);
  });
});
