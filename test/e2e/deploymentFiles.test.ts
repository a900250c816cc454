/**
 * `barista events` with the shipped rules on a workspace holding the real deployment files:
 * what was there is not announced, what changes is, once, across a restart.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BaristaProcess, ROOT } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'deployments');
const fixtureText = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const tempDir = useTempDir();
let barista: BaristaProcess | null = null;
afterEach(() => barista?.kill('SIGKILL'));

interface Event {
  id: string;
  type: string;
  subject: string;
  fields: Record<string, unknown>;
}

describe('barista events on deployment files', () => {
  it('announces new deployments and alerts once, and what changed while it was stopped after a restart', async () => {
    const workspace = path.join(tempDir(), 'cappuccino');
    const write = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
      writeFileSync(path.join(workspace, rel), text);
    };
    write('deployments/model_0/metadata.json', fixtureText('model_0_metadata.json'));
    write('deployments/model_2/metadata.json', fixtureText('model_2_metadata.json'));
    write('deployments/deployment_log.json', fixtureText('deployment_log.json'));
    write('deployments/watchdog_state.json', fixtureText('watchdog_state.json'));
    write('train_results/ensemble/ensemble_manifest.json', fixtureText('ensemble_manifest.json'));
    write('monitoring/live_monitor_state.json', fixtureText('live_monitor_state.json'));

    const start = async () => {
      const process = BaristaProcess.start(['events', '--config', path.join(ROOT, 'config', 'rules.yaml'), '--state', path.join(tempDir(), 'state.db')], {
        cwd: tempDir(),
        env: { CAPPUCCINO_WORKSPACE: workspace },
      });
      await waitFor(() => process.stderr.includes('"msg":"barista running"'), { what: 'barista to start', timeoutMs: 15_000 });
      return process;
    };
    const events = (process: BaristaProcess) => process.stdoutLines().map((line) => JSON.parse(line) as Event);
    const deploymentEvents = (process: BaristaProcess) => events(process).filter((e) => /^(deployment|ensemble|watchdog|monitor)\./.test(e.type));

    barista = await start();
    const startedAt = Date.now();
    await waitFor(() => Date.now() > startedAt + 50, { what: 'the file clock to move past the start' });
    write('deployments/model_3/metadata.json', JSON.stringify({ trial_number: 41, trial_id: 17291, sharpe_value: 0.1412, source_dir: 'train_results/cwd_tests/trial_41_1h', validation_passed: true }, null, 2));
    const watchdog = JSON.parse(fixtureText('watchdog_state.json')) as { alerts: unknown[] };
    const alert = { timestamp: '2026-02-05T17:46:53.101002', severity: 'CRITICAL', process: 'paper_trading', message: 'Health check failed: No processes running (expected 1)' };
    writeFileSync(path.join(workspace, 'deployments/watchdog_state.json.tmp'), JSON.stringify({ ...watchdog, alerts: [...watchdog.alerts.slice(1), alert] }, null, 2));
    renameSync(path.join(workspace, 'deployments/watchdog_state.json.tmp'), path.join(workspace, 'deployments/watchdog_state.json'));

    const first = await waitFor(() => (deploymentEvents(barista!).length >= 2 ? deploymentEvents(barista!) : null), { what: 'the deployment and the alert', timeoutMs: 15_000 });
    expect(first.map((e) => [e.type, e.subject]).sort()).toEqual([
      ['deployment.model_deployed', 'model_3'],
      ['watchdog.alert', 'paper_trading'],
    ]);
    barista.kill('SIGTERM');
    await barista.waitForExit();
    expect(deploymentEvents(barista)).toHaveLength(2);

    // While barista is stopped, the deployer deploys trial 17340.
    const log = JSON.parse(fixtureText('deployment_log.json')) as unknown[];
    write('deployments/deployment_log.json', JSON.stringify([...log, { timestamp: '2026-02-05T19:09:40.100000', trial_id: 17340, value: 0.0051, action: 'DEPLOYED', details: 'PID: 204001, Log: logs/paper_trading_auto_20260205_190938.log' }], null, 2));

    barista = await start();
    await waitFor(() => deploymentEvents(barista!).length >= 1, { what: 'the deployment made while stopped', timeoutMs: 15_000 });
    barista.kill('SIGTERM');
    await barista.waitForExit();
    const second = deploymentEvents(barista);
    expect(second.map((e) => [e.type, e.fields.trial_id])).toEqual([['deployment.model_deployed', 17340]]);
    expect(second.map((e) => e.id)).not.toContain(first[0].id);
  }, 60_000);
});
