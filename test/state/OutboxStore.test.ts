import path from 'node:path';
import { MIGRATIONS } from '../../src/state/migrations';
import { OutboxStore, type OutboxEntry } from '../../src/state/OutboxStore';
import { StateStore } from '../../src/state/StateStore';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const dbPath = () => path.join(tempDir(), 'var', 'barista.db');
const T0 = Date.parse('2026-02-09T07:00:00.000Z');

interface Payload {
  title: string;
}

const entry = (key: string, destination = 'webhook:1', extra: Partial<OutboxEntry<Payload>> = {}): OutboxEntry<Payload> => ({
  destination,
  idempotencyKey: key,
  groupKey: null,
  payload: { title: key },
  ...extra,
});

function open(): { state: StateStore; outbox: OutboxStore<Payload> } {
  const state = StateStore.open({ path: dbPath() });
  return { state, outbox: new OutboxStore<Payload>(state) };
}

describe('OutboxStore', () => {
  it('enqueues an idempotency key once, even when a batch is replayed', () => {
    const { state, outbox } = open();
    const first = outbox.enqueue([entry('a'), entry('b')], T0);
    expect(first).toHaveLength(2);
    expect(outbox.enqueue([entry('b'), entry('a'), entry('c')], T0 + 1)).toHaveLength(1); // the replay adds only c
    expect(outbox.counts()).toEqual({ pending: 3, sent: 0, rejected: 0, expired: 0, collapsed: 0 });
    outbox.markSent(first[0]!, T0 + 2);
    expect(outbox.enqueue([entry('a')], T0 + 3)).toEqual([]); // sent rows still guard their key
    state.close();
  });

  it('joins the caller’s transaction: rolled back with it, committed with it', () => {
    const { state, outbox } = open();
    expect(() =>
      state.transaction(() => {
        outbox.enqueue([entry('lost')], T0);
        throw new Error('crash before commit');
      }),
    ).toThrow('crash before commit');
    expect(outbox.counts().pending).toBe(0);
    state.transaction(() => {
      state.setValue('notified', 'e1');
      outbox.enqueue([entry('kept')], T0);
    });
    expect(outbox.head('webhook:1', T0)?.idempotencyKey).toBe('kept');
    state.close();
  });

  it('keeps strict order per destination: a head waiting for its retry blocks the rows behind it, not other destinations', () => {
    const { state, outbox } = open();
    const [a1] = outbox.enqueue([entry('a1'), entry('a2'), entry('b1', 'bot:9')], T0);
    expect(outbox.nextDue('webhook:1', T0)?.idempotencyKey).toBe('a1');
    outbox.markRetry(a1!, T0, T0 + 5_000, '503 Service Unavailable');
    expect(outbox.nextDue('webhook:1', T0 + 4_999)).toBeUndefined();
    expect(outbox.head('webhook:1', T0 + 4_999)).toMatchObject({ idempotencyKey: 'a1', attempts: 1, nextAttemptAt: T0 + 5_000, lastError: '503 Service Unavailable', lastAttemptAt: T0 });
    expect(outbox.nextDue('bot:9', T0 + 1)?.idempotencyKey).toBe('b1');
    expect(outbox.nextDue('webhook:1', T0 + 5_000)?.idempotencyKey).toBe('a1');
    outbox.markSent(a1!, T0 + 5_000, 'm-1');
    expect(outbox.get(a1!)).toMatchObject({ status: 'sent', sentAt: T0 + 5_000, messageId: 'm-1', attempts: 2, lastError: null });
    expect(outbox.nextDue('webhook:1', T0 + 5_000)?.idempotencyKey).toBe('a2');
    expect(outbox.pendingDestinations()).toEqual(['bot:9', 'webhook:1']);
    state.close();
  });

  it('keeps a rejected row with its error and never returns it again', () => {
    const { state, outbox } = open();
    const [bad] = outbox.enqueue([entry('bad'), entry('good')], T0);
    outbox.markRejected(bad!, '400 Invalid Form Body: embeds.0.fields.0.value', T0 + 10);
    expect(outbox.get(bad!)).toMatchObject({ status: 'rejected', lastError: '400 Invalid Form Body: embeds.0.fields.0.value', attempts: 1 });
    expect(outbox.head('webhook:1', T0 + 10)?.idempotencyKey).toBe('good');
    expect(outbox.list({ status: 'rejected' }).map((r) => r.idempotencyKey)).toEqual(['bad']);
    expect(outbox.counts('webhook:1')).toMatchObject({ pending: 1, rejected: 1 });
    state.close();
  });

  it('never hands out a row past its expiry, and expire() marks such rows', () => {
    const { state, outbox } = open();
    outbox.enqueue([entry('snapshot', 'webhook:1', { expiresAt: T0 + 1_000 }), entry('trade')], T0);
    expect(outbox.head('webhook:1', T0 + 999)?.idempotencyKey).toBe('snapshot');
    expect(outbox.head('webhook:1', T0 + 1_000)?.idempotencyKey).toBe('trade');
    expect(outbox.expire(T0 + 1_000)).toBe(1);
    expect(outbox.counts()).toMatchObject({ pending: 1, expired: 1 });
    // It expired while its send was in flight: the delivery is what gets recorded.
    const [late] = outbox.enqueue([entry('late', 'webhook:2', { expiresAt: T0 + 2_000 })], T0);
    outbox.expire(T0 + 2_000);
    outbox.markSent(late!, T0 + 2_001);
    expect(outbox.get(late!)).toMatchObject({ status: 'sent', sentAt: T0 + 2_001 });
    state.close();
  });

  it('collapses rows into one digest that takes the first one’s place and retry state', () => {
    const { state, outbox } = open();
    const seqs = outbox.enqueue(
      [entry('g1', 'webhook:1', { groupKey: 'g' }), entry('other'), entry('g2', 'webhook:1', { groupKey: 'g' }), entry('g3', 'webhook:1', { groupKey: 'g' })],
      T0,
    );
    outbox.markRetry(seqs[0]!, T0, T0 + 8_000, 'timeout');
    expect(outbox.backloggedGroups('webhook:1', 2)).toEqual(['g']);
    expect(outbox.backloggedGroups('webhook:1', 3)).toEqual([]);
    const members = outbox.pendingOfGroup('webhook:1', 'g').map((r) => r.seq);
    expect(members).toEqual([seqs[0], seqs[2], seqs[3]]);

    const digest = outbox.collapse(members, { idempotencyKey: 'digest:1', payload: { title: '3 held back' } }, T0 + 1);
    const head = outbox.head('webhook:1', T0 + 8_000);
    expect(head).toMatchObject({ seq: digest, kind: 'digest', groupKey: 'g', payload: { title: '3 held back' }, attempts: 1, nextAttemptAt: T0 + 8_000 });
    expect(members.map((seq) => outbox.get(seq))).toEqual(members.map(() => expect.objectContaining({ status: 'collapsed', collapsedInto: digest })));
    outbox.markSent(digest, T0 + 8_000);
    expect(outbox.head('webhook:1', T0 + 8_000)?.idempotencyKey).toBe('other');
    // A digest is not a candidate for another digest.
    expect(outbox.backloggedGroups('webhook:1', 0)).toEqual([]);
    state.close();
  });

  it('lets later rows of the group join a pending digest, which keeps its place', () => {
    const { state, outbox } = open();
    const [g1, g2, other] = outbox.enqueue([entry('g1', 'webhook:1', { groupKey: 'g' }), entry('g2', 'webhook:1', { groupKey: 'g' }), entry('other', 'webhook:1', { groupKey: 'h' })], T0);
    const digest = outbox.collapse([g1!, g2!], { idempotencyKey: 'digest:g', payload: { title: '2 held back' } }, T0);
    expect(outbox.backloggedGroups('webhook:1', 5)).toEqual([]); // nothing new for it yet
    const [g3] = outbox.enqueue([entry('g3', 'webhook:1', { groupKey: 'g' })], T0 + 1);
    expect(outbox.backloggedGroups('webhook:1', 5)).toEqual(['g']);
    expect(outbox.pendingDigestOf('webhook:1', 'g')?.seq).toBe(digest);
    outbox.extendDigest(digest, [g3!], { title: '3 held back' });
    expect(outbox.digestMembers(digest).map((r) => r.idempotencyKey)).toEqual(['g1', 'g2', 'g3']);
    expect(outbox.head('webhook:1', T0 + 1)).toMatchObject({ seq: digest, payload: { title: '3 held back' } });
    expect(() => outbox.extendDigest(digest, [other!, g3!], { title: 'x' })).toThrow(/cannot be collapsed/);
    expect(outbox.get(other!)?.status).toBe('pending'); // rolled back
    expect(() => outbox.extendDigest(other!, [], { title: 'x' })).toThrow(/not a pending digest/);
    state.close();
  });

  it('refuses to collapse a row that is no longer pending, changing nothing', () => {
    const { state, outbox } = open();
    const seqs = outbox.enqueue([entry('x1', 'webhook:1', { groupKey: 'g' }), entry('x2', 'webhook:1', { groupKey: 'g' })], T0);
    outbox.markSent(seqs[1]!, T0);
    expect(() => outbox.collapse(seqs, { idempotencyKey: 'digest:x', payload: { title: 'd' } }, T0)).toThrow(/cannot be collapsed/);
    expect(outbox.get(seqs[0]!)?.status).toBe('pending');
    expect(outbox.counts()).toMatchObject({ pending: 1, sent: 1, collapsed: 0 });
    state.close();
  });

  it('prunes finished rows older than the retention, keeping rejected rows and a pending digest’s members', () => {
    const { state, outbox } = open();
    const [sent, expired, rejected, m1, m2] = outbox.enqueue(
      [entry('sent'), entry('expired', 'webhook:1', { expiresAt: T0 + 1 }), entry('rejected'), entry('m1', 'webhook:2', { groupKey: 'g' }), entry('m2', 'webhook:2', { groupKey: 'g' })],
      T0,
    );
    outbox.markSent(sent!, T0 + 10);
    outbox.expire(T0 + 10);
    outbox.markRejected(rejected!, '400', T0 + 10);
    const digest = outbox.collapse([m1!, m2!], { idempotencyKey: 'digest:m', payload: { title: 'd' } }, T0 + 10);
    const day = 86_400_000;
    expect(outbox.prune(day, T0 + day / 2)).toBe(0);
    expect(outbox.prune(day, T0 + 2 * day)).toBe(2); // sent + expired; members wait for their digest
    expect(outbox.get(expired!)).toBeUndefined();
    expect(outbox.get(m1!)?.status).toBe('collapsed');
    outbox.markSent(digest, T0 + 2 * day);
    expect(outbox.prune(day, T0 + 2 * day)).toBe(2); // the members; the digest itself was just sent
    expect(outbox.counts()).toEqual({ pending: 0, sent: 1, rejected: 1, expired: 0, collapsed: 0 });
    state.close();
  });

  it('survives close and reopen with order, attempts and retry times intact', () => {
    let { state, outbox } = open();
    const [first] = outbox.enqueue([entry('r1'), entry('r2'), entry('r3')], T0);
    outbox.markRetry(first!, T0, T0 + 60_000, '502');
    state.close();
    ({ state, outbox } = open());
    expect(outbox.nextDue('webhook:1', T0 + 59_999)).toBeUndefined();
    expect(outbox.head('webhook:1', T0)).toMatchObject({ idempotencyKey: 'r1', attempts: 1, nextAttemptAt: T0 + 60_000 });
    expect(outbox.list({ destination: 'webhook:1' }).map((r) => r.idempotencyKey)).toEqual(['r3', 'r2', 'r1']);
    state.close();
  });

  it('migrates an outbox written before migration 4, keeping its order', () => {
    const before = StateStore.open({ path: dbPath(), migrations: MIGRATIONS.filter((m) => m.version < 4) });
    const insert = before.db.prepare("INSERT INTO outbox (channel, idempotency_key, payload, next_attempt_at, created_at) VALUES ('webhook:1', ?, ?, 0, 0)");
    insert.run('old1', JSON.stringify({ title: 'old1' }));
    insert.run('old2', JSON.stringify({ title: 'old2' }));
    before.close();
    const { state, outbox } = open();
    expect(outbox.head('webhook:1', T0)).toMatchObject({ idempotencyKey: 'old1', kind: 'message', position: 1 });
    outbox.enqueue([entry('new')], T0);
    expect(outbox.list({ destination: 'webhook:1' }).map((r) => [r.idempotencyKey, r.position])).toEqual([
      ['new', 3],
      ['old2', 2],
      ['old1', 1],
    ]);
    state.close();
  });

  it('finds the head and the backlogged groups through the partial indexes', () => {
    const { state } = open();
    const plan = (sql: string) => (state.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan("SELECT * FROM outbox WHERE channel = 'c' AND status = 'pending' AND (expires_at IS NULL OR expires_at > 0) ORDER BY position, seq LIMIT 1")).toMatch(/outbox_lane/);
    expect(
      plan(
        "SELECT group_key, count(*) FROM outbox WHERE channel = 'c' AND status = 'pending' AND kind = 'message' AND expires_at IS NULL AND group_key IS NOT NULL GROUP BY group_key HAVING count(*) > 5",
      ),
    ).toMatch(/outbox_backlog/);
    state.close();
  });
});
