import { SeenOnce } from '../../../src/discord/bot/seenOnce';

describe('SeenOnce', () => {
  it('says first once per id within its window, forgets after it, and stays bounded', () => {
    let now = 0;
    const seen = new SeenOnce(1000, 3, () => now);
    expect(['a', 'a', 'b'].map((id) => seen.first(id))).toEqual([true, false, true]);
    now = 999;
    expect(seen.first('a')).toBe(false);
    now = 1000;
    expect(seen.first('a')).toBe(true); // the window is over: a new event, not a replay
    // At most 3 ids: the oldest goes first.
    expect(['c', 'd'].map((id) => seen.first(id))).toEqual([true, true]);
    expect(seen.first('b')).toBe(true);
    expect(seen.first('d')).toBe(false);
  });
});
