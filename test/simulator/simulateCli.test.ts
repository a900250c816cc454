/** scripts/simulate.ts as a child process (run through ts-node, so no build is needed). */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'scripts', 'simulate.ts')];

describe('simulate CLI', () => {
  const dir = useTempDir('barista-sim-cli-');

  it('creates the workspace folders and stops after --bars', () => {
    const result = spawnSync(process.execPath, [...SCRIPT, '--workspace', dir(), '--traders', '2', '--bars', '3', '--bars-per-second', '0', '--rotate-every', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/done: 3 bar\(s\)/);
    for (const folder of ['logs', 'paper_trades', 'databases', 'deployments']) expect(existsSync(path.join(dir(), folder))).toBe(true);
    expect(readdirSync(path.join(dir(), 'logs')).sort()).toEqual(['paper_trader_trial250.log', 'paper_trader_trial250.log.1', 'paper_trader_trial91.log', 'paper_trader_trial91.log.1']);
    expect(readdirSync(path.join(dir(), 'paper_trades'))).toContain('trial91_heartbeat.json');
  });

  it('rejects a bad option with the usage', () => {
    const result = spawnSync(process.execPath, [...SCRIPT, '--workspace', dir(), '--rotate-mode', 'shred'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage: node dist/scripts/simulate.js --workspace DIR');
  });

  it('on SIGINT sends the traders their interrupt and exits cleanly', async () => {
    const child = spawn(process.execPath, [...SCRIPT, '--workspace', dir(), '--traders', '1', '--bars-per-second', '20', '--quiet'], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const csv = path.join(dir(), 'paper_trades', 'trial250_session.csv');
    await waitFor(() => existsSync(csv) && readFileSync(csv, 'utf8').split('\r\n').length > 3, { timeoutMs: 20_000, what: 'CSV rows' });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const log = readFileSync(path.join(dir(), 'logs', 'paper_trader_trial250.log'), 'utf8');
    expect(log).toContain('\nReceived interrupt, stopping...\n');
  });
});
