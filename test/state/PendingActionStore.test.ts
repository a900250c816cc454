import path from 'node:path';
import { PENDING_ID, PendingActionStore } from '../../src/state/PendingActionStore';
import { StateStore } from '../../src/state/StateStore';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir('barista-pending-');
let state: StateStore | null = null;
afterEach(() => {
  state?.close();
  state = null;
});

function open(clock: { now: number }) {
  state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
  return new PendingActionStore(state, () => clock.now);
}

const action = (expiresAt: number) => ({ kind: 'confirm' as const, command: 'trader stop', plan: { action: 'stop', pid: 42 }, userId: 'u1', userTag: 'alice', place: 'guild 1 channel 2', auditId: 7, expiresAt });

describe('PendingActionStore', () => {
  it('keeps the plan server-side under a random id, and lets exactly one claim settle it', () => {
    const clock = { now: 1_000 };
    const store = open(clock);
    const created = store.create(action(61_000));
    expect(created.id).toMatch(PENDING_ID);
    expect(store.create(action(61_000)).id).not.toBe(created.id);
    expect(store.get(created.id)).toEqual(expect.objectContaining({ plan: { action: 'stop', pid: 42 }, userId: 'u1', status: 'pending', auditId: 7 }));
    expect(store.claim(created.id, 'confirmed', 'u1')).toBe(true);
    expect(store.claim(created.id, 'confirmed', 'u1')).toBe(false);
    expect(store.claim(created.id, 'cancelled', 'u1')).toBe(false);
    expect(store.get(created.id)).toEqual(expect.objectContaining({ status: 'confirmed', settledBy: 'u1', settledAt: 1_000 }));
  });

  it('refuses a claim at or after expiry, and expires a due action once', () => {
    const clock = { now: 1_000 };
    const store = open(clock);
    const a = store.create(action(61_000));
    const b = store.create(action(121_000));
    clock.now = 61_000;
    expect(store.claim(a.id, 'confirmed', 'u1')).toBe(false);
    expect(store.expire(b.id)).toBe(false); // not due yet
    expect(store.expire(a.id)).toBe(true);
    expect(store.expire(a.id)).toBe(false);
    expect(store.claim(b.id, 'cancelled', 'u1')).toBe(true);
  });

  it("at start-up expires every action still pending, due or not, with where its question was posted", () => {
    const clock = { now: 1_000 };
    const store = open(clock);
    const a = store.create(action(61_000));
    const b = store.create(action(2_000));
    const settled = store.create(action(61_000));
    store.claim(settled.id, 'cancelled', 'u1');
    store.posted(a.id, { channelId: '10', messageId: '20' });
    clock.now = 5_000;
    const expired = store.expireAll();
    expect(expired.map((p) => [p.id, p.status, p.message])).toEqual(
      expect.arrayContaining([
        [a.id, 'expired', { channelId: '10', messageId: '20' }],
        [b.id, 'expired', null],
      ]),
    );
    expect(expired).toHaveLength(2);
    expect(store.expireAll()).toEqual([]);
    expect(store.claim(a.id, 'confirmed', 'u1')).toBe(false);
  });

  it('finds nothing for forged ids (wrong shape or unknown)', () => {
    const store = open({ now: 0 });
    expect(store.get("x' OR 1=1 --")).toBeUndefined();
    expect(store.get('0'.repeat(24))).toBeUndefined();
    expect(store.claim('0'.repeat(24), 'confirmed', 'u1')).toBe(false);
  });
});
