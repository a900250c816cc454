import { FactKeyIndex } from '../../src/streams/notify/factKeyIndex';

describe('FactKeyIndex', () => {
  const entry = (key: string) => ({ key });

  it('finds exact keys, and `*` on either side matching one part of the same kind and length', () => {
    const index = new FactKeyIndex<{ key: string }>();
    const exact = entry('trial:study_a:7');
    const wildStudy = entry('trial:*:8');
    const start = entry('trader-start:trial250:4121');
    [exact, wildStudy, start].forEach((e) => index.add(e));
    expect(index.find('trial:study_a:7')).toBe(exact);
    expect(index.find('trial:*:7')).toBe(exact);
    expect(index.find('trial:study_b:8')).toBe(wildStudy);
    expect(index.find('trial:study_b:7')).toBeUndefined();
    expect(index.find('trader-start:trial250:*')).toBe(start);
    expect(index.find('trial:study_a')).toBeUndefined(); // another length
    expect(index.find('deploy:study_a:7')).toBeUndefined(); // another kind
  });

  it('prefers the first remembered of several matches, and forgets deleted entries', () => {
    const index = new FactKeyIndex<{ key: string }>();
    const first = entry('trial:*:3');
    const second = entry('trial:study_a:3');
    index.add(first);
    index.add(second);
    expect(index.find('trial:study_a:3')).toBe(first);
    index.delete(first);
    expect(index.find('trial:study_a:3')).toBe(second);
    index.delete(second);
    expect(index.find('trial:*:3')).toBeUndefined();
  });

  it('answers the same as comparing every key, over many random keys', () => {
    const index = new FactKeyIndex<{ key: string }>();
    const all: { key: string }[] = [];
    let seed = 7;
    const pick = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const part = () => (pick(4) === 0 ? '*' : String(pick(6)));
    for (let i = 0; i < 400; i += 1) {
      const e = entry(`k${pick(2)}:${part()}:${part()}`);
      all.push(e);
      index.add(e);
    }
    for (let i = 0; i < 400; i += 1) {
      const query = `k${pick(2)}:${part()}:${part()}`;
      const [, a1, b1] = query.split(':');
      const expected = all.find((e) => {
        const [k, a, b] = e.key.split(':');
        return k === query.split(':')[0] && (a === a1 || a === '*' || a1 === '*') && (b === b1 || b === '*' || b1 === '*');
      });
      expect(index.find(query)).toBe(expected);
    }
  });
});
