/**
 * The pure half of the systemd-run launcher: which launcher a setting gives in which
 * environment, the unit's name, systemd-run's argv and the environment file it reads.
 * (Starting through it, with a stand-in systemd-run: Controller.test.ts.)
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chooseLauncher, managerScope } from '../../src/control/launcher';
import { environmentFileText, exitOfShow, parseShow, systemdRunArgs, transientUnitName } from '../../src/control/systemdRun';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();

function binWith(...tools: string[]): string {
  const bin = path.join(tempDir(), 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of tools) {
    writeFileSync(path.join(bin, tool), '#!/bin/sh\n');
    chmodSync(path.join(bin, tool), 0o755);
  }
  return bin;
}

describe('chooseLauncher', () => {
  it('auto: systemd-run only under systemd (INVOCATION_ID) with systemd-run and systemctl on PATH', () => {
    const PATH = `relative/bin:${binWith('systemd-run', 'systemctl')}`;
    const bin = path.join(tempDir(), 'bin');
    expect(chooseLauncher('auto', { PATH }, 1000)).toEqual({ kind: 'direct' });
    expect(chooseLauncher('auto', { PATH, INVOCATION_ID: 'x', MANAGERPID: '9' }, 1000)).toEqual({ kind: 'systemd-run', systemdRun: path.join(bin, 'systemd-run'), systemctl: path.join(bin, 'systemctl'), scope: 'user' });
    expect(chooseLauncher('auto', { PATH, INVOCATION_ID: 'x' }, 1000)).toMatchObject({ kind: 'systemd-run', scope: 'system' });
    expect(chooseLauncher('auto', { PATH: '/nonexistent', INVOCATION_ID: 'x' }, 1000)).toEqual({ kind: 'direct' });
    expect(chooseLauncher('direct', { PATH, INVOCATION_ID: 'x' }, 1000)).toEqual({ kind: 'direct' });
  });

  it('systemd-run asked for: used outside systemd too, and says what is missing', () => {
    expect(chooseLauncher('systemd-run', { PATH: binWith('systemd-run', 'systemctl') }, 1000)).toMatchObject({ kind: 'systemd-run', scope: 'user' });
    expect(chooseLauncher('systemd-run', { PATH: '/nonexistent' }, 1000)).toEqual({
      kind: 'unavailable',
      reason: "control.launcher is systemd-run, but no systemd-run was found on PATH; set control.launcher: direct to start it as barista's child",
    });
  });

  it("picks barista's own manager: MANAGERPID is set by user managers only", () => {
    expect(managerScope({ INVOCATION_ID: 'x', MANAGERPID: '1234' }, 1000)).toBe('user');
    expect(managerScope({ INVOCATION_ID: 'x' }, 1000)).toBe('system');
    expect(managerScope({}, 0)).toBe('system');
    expect(managerScope({}, 1000)).toBe('user');
  });
});

describe('systemd-run argv', () => {
  const spec = { unit: 'barista-trader-alpaca-abc.service', trader: 'alpaca', argv: ['python', '-u', 'paper trader.py', '--x', '$HOME;rm'], cwd: '/srv/cap', log: '/srv/cap/logs/paper_trader.log', envFile: '/var/barista/launch/u.env', uid: 1000, gid: 1000 };

  it('a user unit: its own unit, exec type, collected, cwd, env file, append log, then the argv (`$` kept from the manager\'s expansion)', () => {
    expect(systemdRunArgs({ ...spec, scope: 'user' })).toEqual([
      '--user',
      '--unit=barista-trader-alpaca-abc.service',
      '--description=barista: trader alpaca',
      '--service-type=exec',
      '--collect',
      '--quiet',
      '--property=WorkingDirectory=/srv/cap',
      '--property=EnvironmentFile=/var/barista/launch/u.env',
      '--property=StandardInput=null',
      '--property=StandardOutput=append:/srv/cap/logs/paper_trader.log',
      '--property=StandardError=append:/srv/cap/logs/paper_trader.log',
      '--',
      'python',
      '-u',
      'paper trader.py',
      '--x',
      '$$HOME;rm',
    ]);
  });

  it("a system unit runs as barista's account, not root; without a log the output is discarded", () => {
    const args = systemdRunArgs({ ...spec, scope: 'system', log: null });
    expect(args.slice(0, 2)).toEqual(['--uid=1000', '--gid=1000']);
    expect(args).not.toContain('--user');
    expect(args).toEqual(expect.arrayContaining(['--property=StandardOutput=null', '--property=StandardError=null']));
  });

  it('names units with characters systemctl takes as typed, unique by a time stamp', () => {
    expect(transientUnitName('trial250', 1_700_000_000_000)).toBe('barista-trader-trial250-loyw3v28.service');
    expect(transientUnitName('watchdog 2025/01 é', 1)).toBe('barista-trader-watchdog_2025_01__-1.service');
    expect(transientUnitName('x'.repeat(300), 1).length).toBeLessThan(100);
  });

  it('writes the environment file so systemd reads the values back exactly', () => {
    expect(environmentFileText({ A: 'plain', B: 'with "quotes" and \\ and $HOME and `x`', C: '' })).toBe('A="plain"\nB="with \\"quotes\\" and \\\\ and \\$HOME and \\`x\\`"\nC=""\n');
  });

  it("reads systemctl show, and an exit only while systemd still knows that very process", () => {
    const show = parseShow('MainPID=0\nExecMainPID=42\nExecMainCode=1\nExecMainStatus=3\n');
    expect(exitOfShow(show, 42)).toEqual({ code: 3, signal: null });
    expect(exitOfShow({ ...show, ExecMainCode: '2', ExecMainStatus: '9' }, 42)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitOfShow(show, 43)).toEqual({ code: null, signal: null });
    expect(exitOfShow(parseShow('MainPID=0\nExecMainPID=0\nExecMainCode=0\nExecMainStatus=0\n'), 42)).toEqual({ code: null, signal: null });
  });
});
