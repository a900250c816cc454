/**
 * `barista service print`: the unit names paths that exist on this machine, passes systemd's
 * own check (`systemd-analyze verify`, where installed; else a parse), and stops within
 * barista's deadline plus a margin.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { quoteForSystemd, renderServiceUnit } from '../../src/cli/serviceUnit';
import { NODE_FLAGS } from '../../src/cli/nodeFlags';
import { STOP_DEADLINE_MS } from '../../src/cli/startAgent';
import { CLI, ROOT, runCli } from '../support/baristaProcess';
import { writeRulesCopy } from '../support/rulesCopy';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

/** `[Section]` → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) sections.set(section[1], (current = new Map()));
    else {
      const [, key, value] = /^(\w+)=(.*)$/.exec(line) ?? [];
      expect(key).toBeDefined();
      current!.set(key, [...(current!.get(key) ?? []), value]);
    }
  }
  return sections;
}

function verified(unit: string, name: string): void {
  const file = path.join(tempDir(), name);
  writeFileSync(file, unit);
  if (!hasSystemdAnalyze) return;
  const check = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
}

describe('barista service print', () => {
  it('prints a user unit for this checkout whose paths exist and that systemd accepts', () => {
    const dir = tempDir();
    const state = path.join(dir, 'var', 'barista.db');
    mkdirSync(path.dirname(state));
    const rules = writeRulesCopy(path.join(dir, 'rules.yaml'));
    const result = runCli(['service', 'print', '--config', rules, '--state', state]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const unit = parseUnit(result.stdout);
    const service = unit.get('Service')!;
    const [node, flag, cli, ...args] = service.get('ExecStart')![0].split(' ');
    expect([flag]).toEqual(NODE_FLAGS);
    expect([node, cli].every((p) => path.isAbsolute(p) && existsSync(p))).toBe(true);
    expect(cli).toBe(CLI);
    expect(args).toEqual(['run', '--config', rules, '--state', state, '--env-file', expect.stringMatching(/\/\.env$/)]);
    expect(existsSync(service.get('WorkingDirectory')![0])).toBe(true);
    // The shipped rules control a trader: it runs as its own unit (launcher auto), barista writes only its state folder.
    expect(service.get('ReadWritePaths')).toEqual([path.dirname(state)]);
    expect(result.stdout).toContain("runs as its own unit, outside this sandbox: systemctl --user status 'barista-trader-*'");
    expect(Number(service.get('TimeoutStopSec')![0]) * 1000).toBeGreaterThan(STOP_DEADLINE_MS);
    expect(service.get('KillMode')).toEqual(['process']);
    expect(service.get('Restart')).toEqual(['on-failure']);
    expect(service.get('NoNewPrivileges')).toEqual(['yes']);
    expect(service.get('User')).toBeUndefined();
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['default.target']);
    verified(result.stdout, 'barista.service');
  });

  it('prints a system unit that runs as an ordinary account, and says when the state folder must be made first', () => {
    const dir = tempDir();
    const result = runCli(['service', 'print', '--system', '--user', 'daemon', '--config', writeRulesCopy(path.join(dir, 'rules.yaml')), '--state', path.join(dir, 'later', 'b.db')]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`mkdir -p ${path.join(dir, 'later')}`);
    expect(result.stderr).toContain('daemon may create only if polkit allows it');
    const unit = parseUnit(result.stdout);
    expect(unit.get('Service')!.get('User')).toEqual(['daemon']);
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
    mkdirSync(path.join(dir, 'later'));
    verified(result.stdout, 'barista-system.service');
    expect(runCli(['service', 'print', '--user', 'daemon']).status).toBe(2); // --user without --system
  });

  it('quotes paths with spaces the way systemd reads them, and lets traders started directly (launcher: direct) write their workspace', () => {
    expect(quoteForSystemd('/opt/my barista/cli.js')).toBe('"/opt/my barista/cli.js"');
    expect(quoteForSystemd('/a/100%"x')).toBe('"/a/100%%\\"x"');
    const spec = {
      kind: 'user', node: '/usr/bin/node', cli: '/opt/my barista/dist/src/cli.js', home: '/opt/my barista', config: '/opt/my barista/config/rules.yaml',
      envFile: '/opt/my barista/.env', state: '/opt/my barista/var/b.db', workspace: '/srv/cap', user: null, stopDeadlineMs: 1800, traderLauncher: 'direct',
    } as const;
    const unit = renderServiceUnit(spec);
    expect(unit).toContain(`ExecStart=/usr/bin/node ${NODE_FLAGS.join(' ')} "/opt/my barista/dist/src/cli.js" run --config`);
    expect(parseUnit(unit).get('Service')!.get('ReadWritePaths')).toEqual(['"/opt/my barista/var"', '-/srv/cap']);
    for (const traderLauncher of ['systemd-run', null] as const) expect(parseUnit(renderServiceUnit({ ...spec, traderLauncher })).get('Service')!.get('ReadWritePaths')).toEqual(['"/opt/my barista/var"']);
  });

  it('runs with the same node flags as the bin', () => {
    const shebang = readFileSync(path.join(ROOT, 'src', 'cli.ts'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe(shebang);
  });
});
