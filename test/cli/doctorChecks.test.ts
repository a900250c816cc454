/** The pure parts of `barista doctor`: Discord's channel permission algorithm and the clock tolerance. */
import { channelPermissions, clockCheck, missingPermissions } from '../../src/cli/doctorChecks';

const GUILD = '100000000000000001';
const BOT = '100000000000000002';
const ROLE = '100000000000000003';
const VIEW = 1n << 10n;
const SEND = 1n << 11n;
const EMBED = 1n << 14n;
const ATTACH = 1n << 15n;
const ALL_NEEDED = VIEW | SEND | EMBED | ATTACH;

const compute = (everyone: bigint, overwrites: Parameters<typeof channelPermissions>[0]['overwrites'], role = 0n): bigint =>
  channelPermissions({ guildId: GUILD, memberId: BOT, memberRoles: [ROLE], roles: [{ id: GUILD, permissions: String(everyone) }, { id: ROLE, permissions: String(role) }], overwrites });

describe('channelPermissions', () => {
  it('adds the member roles to @everyone', () => {
    expect(missingPermissions(compute(VIEW | SEND, [], EMBED | ATTACH))).toEqual([]);
    expect(missingPermissions(compute(VIEW, []))).toEqual(['Send Messages', 'Embed Links', 'Attach Files']);
  });

  it('applies @everyone, then role, then member overwrites, in that order', () => {
    const denyEveryone = { id: GUILD, type: 0, allow: '0', deny: String(SEND) };
    const allowRole = { id: ROLE, type: 0, allow: String(SEND), deny: '0' };
    const denyMember = { id: BOT, type: 1, allow: '0', deny: String(SEND) };
    expect(missingPermissions(compute(ALL_NEEDED, [denyEveryone]))).toEqual(['Send Messages']);
    expect(missingPermissions(compute(ALL_NEEDED, [denyEveryone, allowRole]))).toEqual([]);
    expect(missingPermissions(compute(ALL_NEEDED, [allowRole, denyMember, denyEveryone]))).toEqual(['Send Messages']);
    // A role the bot does not have changes nothing.
    expect(missingPermissions(compute(ALL_NEEDED, [{ id: '100000000000000009', type: 0, allow: '0', deny: String(ALL_NEEDED) }]))).toEqual([]);
  });

  it('Administrator overrides every overwrite', () => {
    expect(missingPermissions(compute(0n, [{ id: BOT, type: 1, allow: '0', deny: String(ALL_NEEDED) }], 1n << 3n))).toEqual([]);
  });
});

describe('clockCheck', () => {
  it('passes within two minutes either way and fails beyond', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(clockCheck(now - 119_000, now)?.verdict).toBe('ok');
    expect(clockCheck(now + 119_000, now)?.verdict).toBe('ok');
    expect(clockCheck(now - 180_000, now)).toMatchObject({ verdict: 'fail', text: "clock is 180 s ahead of Discord's" });
    expect(clockCheck(now + 180_000, now)).toMatchObject({ verdict: 'fail', text: "clock is 180 s behind Discord's" });
    expect(clockCheck(null, now)).toBeNull();
  });
});
