import * as rxjs from 'rxjs';
import * as rx from '../src/rx';

describe('src/rx', () => {
  it('re-exports the very objects rxjs exports', () => {
    const names = Object.keys(rx).filter((name) => name !== '__esModule');
    expect(names.length).toBeGreaterThanOrEqual(13);
    for (const name of names) expect([name, (rx as Record<string, unknown>)[name]]).toEqual([name, (rxjs as Record<string, unknown>)[name]]);
    expect(rx.Subject).toBe(rxjs.Subject);
  });
});
