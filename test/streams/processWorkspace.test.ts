import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { belongsToWorkspace, workspaceRoots } from '../../src/streams/processWorkspace';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const ROOTS = ['/srv/cappuccino'];

describe('belongsToWorkspace', () => {
  it.each([
    ['cwd inside', ['python3', 'paper_trader_alpaca_polling.py'], '/srv/cappuccino/scripts', true],
    ['cwd is the workspace', ['python3', 'paper_trader_alpaca_polling.py'], '/srv/cappuccino', true],
    ['same argv, another folder', ['python3', 'paper_trader_alpaca_polling.py'], '/srv/other', false],
    ['a sibling folder sharing the prefix', ['python3', 'paper_trader_alpaca_polling.py'], '/srv/cappuccino-old', false],
    ['absolute script inside', ['python3', '/srv/cappuccino/paper_trader_alpaca_polling.py'], '/', true],
    ['the workspace venv interpreter', ['/srv/cappuccino/.venv/bin/python', 'x.py'], '/tmp', true],
    ['--log-file=… resolving inside', ['python3', 'x.py', '--log-file=../cappuccino/paper_trades/a.csv'], '/srv/other', true],
    ['relative path, cwd unreadable', ['python3', 'paper_trader_alpaca_polling.py'], null, false],
    ['.. climbing out', ['python3', '/srv/cappuccino/../other/x.py'], '/', false],
  ])('%s', (_name, argv, cwd, expected) => {
    expect(belongsToWorkspace(argv, cwd, ROOTS)).toBe(expected);
  });

  it('knows a workspace reached through a symlink by its real path too (/proc shows real paths)', () => {
    const real = path.join(tempDir(), 'real');
    mkdirSync(real);
    const link = path.join(tempDir(), 'link');
    symlinkSync(real, link);
    const roots = workspaceRoots(link);
    expect(roots).toEqual([link, real]);
    expect(belongsToWorkspace(['python3', 'x.py'], path.join(real, 'sub'), roots)).toBe(true);
  });
});
