import { TracebackGrouper, type TextRecord } from '../../src/watchers/TracebackGrouper';

function push(grouper: TracebackGrouper, lines: string[]): TextRecord[] {
  const out: TextRecord[] = [];
  lines.forEach((text, i) => grouper.push({ text, lines: 1, start: i * 10, end: i * 10 + 10, cut: false }, out));
  return out;
}

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

describe('TracebackGrouper with a lead line', () => {
  const lead = /^Error processing bars: /;

  it('groups the lead line with the traceback right after it', () => {
    const out = push(new TracebackGrouper(lead), ['Error processing bars: timed out', 'Traceback (most recent call last):', '  File "t.py", line 1, in run', 'TimeoutError: timed out', 'Next poll at 08:02:00 UTC']);
    expect(out.map((r) => [r.lines, r.start, r.text.split('\n')[0]])).toEqual([
      [4, 0, 'Error processing bars: timed out'],
      [1, 40, 'Next poll at 08:02:00 UTC'],
    ]);
  });

  it('lets a lead line without a traceback go on its own, and holds it until it knows', () => {
    const grouper = new TracebackGrouper(lead);
    expect(push(grouper, ['Error processing bars: x'])).toEqual([]);
    expect(grouper.openStart).toBe(0);
    expect(push(grouper, ['Error processing bars: x', 'Sleeping'].slice(1)).map((r) => r.text)).toEqual(['Error processing bars: x', 'Sleeping']);
    expect(push(grouper, ['Error processing bars: y']).length).toBe(0);
    expect(grouper.flush()?.text).toBe('Error processing bars: y');
  });
});
