import { TracebackGrouper, type TextRecord } from '../../src/watchers/TracebackGrouper';

const push = (grouper: TracebackGrouper, lines: string[]): TextRecord[] => lines.flatMap((text, i) => grouper.push({ text, lines: 1, start: i * 10, end: i * 10 + 10, cut: false }));

describe('TracebackGrouper', () => {
  it('keeps a "[W1] " prefixed worker traceback together', () => {
    const out = push(new TracebackGrouper(), ['[W1] Traceback (most recent call last):', '[W1]   File "opt.py", line 9, in <module>', '[W1]     main()', '[W1] RuntimeError: CUDA out of memory', '[W1] next']);
    expect(out.map((r) => [r.lines, r.start, r.end, r.text.split('\n').pop()])).toEqual([
      [4, 0, 40, '[W1] RuntimeError: CUDA out of memory'],
      [1, 40, 50, '[W1] next'],
    ]);
  });

  it('passes ordinary lines through and tells where an open group starts', () => {
    const grouper = new TracebackGrouper();
    expect(push(grouper, ['plain', 'Traceback (most recent call last):']).map((r) => r.text)).toEqual(['plain']);
    expect(grouper.openStart).toBe(10);
    expect(grouper.flush()).toMatchObject({ lines: 1, start: 10 });
    expect(grouper.openStart).toBeNull();
  });
});
