/**
 * The shipped `deployments` source on real files and a real state database: baseline at the
 * first start, changes while running (torn rewrites included), restarts, files that stay
 * invalid, and deployment folders that appear later.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ComponentContext } from '../../src/agent/Component';
import { FilesSourceComponent, type FilesSourceConfig, type FilesSourceOptions } from '../../src/agent/sources/FilesSourceComponent';
import { loadRulesFile } from '../../src/config/loadRules';
import { silentLogger } from '../../src/logging/logger';
import { EventStore } from '../../src/state/EventStore';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import type { DeploymentsCache } from '../../src/streams/deployments';
import { compileLogRules } from '../../src/streams/logRules';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'deployments');
const fixtureText = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(fixtureText(name)) as T;

/** The `deployments` source exactly as config/rules.yaml ships it. */
function shippedSource(): FilesSourceConfig {
  const result = loadRulesFile(path.join(ROOT, 'config', 'rules.yaml'), {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const source = result.rules.config.sources.find((s) => s.id === 'deployments');
  if (source?.type !== 'files') throw new Error('the shipped rules have no files source "deployments"');
  return source;
}

type Alert = { timestamp: string; severity: string; process: string; message: string };
const newAlerts: Alert[] = [
  { timestamp: '2026-02-05T17:46:53.101002', severity: 'CRITICAL', process: 'paper_trading', message: 'Health check failed: No processes running (expected 1)' },
  { timestamp: '2026-02-05T17:47:00.512211', severity: 'ERROR', process: 'paper_trading', message: 'Restart failed' },
];
const failedEntry = { timestamp: '2026-02-05T18:09:41.300001', trial_id: 17330, value: 0.0049, action: 'FAILED_VALIDATION', details: 'Backtest Sharpe -0.42 below 0.0' };
const deployedEntry = { timestamp: '2026-02-05T19:09:40.100000', trial_id: 17340, value: 0.0051, action: 'DEPLOYED', details: 'PID: 204001, Log: logs/paper_trading_auto_20260205_190938.log' };
const arenaMetadata = { trial_number: 41, trial_id: 17291, sharpe_value: 0.1412, source_dir: 'train_results/cwd_tests/trial_41_1h', validation_passed: true };

const tempDir = useTempDir();

describe('FilesSourceComponent', () => {
  let ws: string;
  let state: StateStore;
  let published: BaristaEvent[];
  let context: ComponentContext;
  let running: FilesSourceComponent | null;

  const file = (rel: string) => path.join(ws, rel);
  /** How the deployer, updater and monitor write: in place (truncate, then write). */
  const writeInPlace = (rel: string, data: unknown) => {
    mkdirSync(path.dirname(file(rel)), { recursive: true });
    writeFileSync(file(rel), typeof data === 'string' ? data : JSON.stringify(data, null, 2));
  };
  /** How the watchdog writes: a temp file renamed over the old one. */
  const writeAtomically = (rel: string, data: unknown) => {
    writeFileSync(`${file(rel)}.tmp`, JSON.stringify(data, null, 2));
    renameSync(`${file(rel)}.tmp`, file(rel));
  };
  const ofType = (type: string) => published.filter((e) => e.type === type);

  /** The real system as barista first finds it. */
  function writeWorkspace(): void {
    writeInPlace('deployments/model_0/metadata.json', fixtureText('model_0_metadata.json'));
    writeInPlace('deployments/model_1/metadata.json', fixtureText('model_1_metadata_retrained.json'));
    writeInPlace('deployments/model_2/metadata.json', fixtureText('model_2_metadata.json'));
    writeInPlace('deployments/model_0_broken_backup/metadata.json', fixtureText('model_0_metadata.json'));
    writeInPlace('deployments/deployment_log.json', fixtureText('deployment_log.json'));
    writeInPlace('deployments/watchdog_state.json', fixtureText('watchdog_state.json'));
    writeInPlace('train_results/ensemble/ensemble_manifest.json', fixtureText('ensemble_manifest.json'));
    // The monitor's state before its last (emergency) alert.
    const monitor = fixture<{ alert_history: unknown[] }>('live_monitor_state.json');
    writeInPlace('monitoring/live_monitor_state.json', { ...monitor, alert_history: monitor.alert_history.slice(0, 2) });
  }

  function start(options: FilesSourceOptions = {}): FilesSourceComponent {
    running = new FilesSourceComponent(shippedSource(), context, { notifications: false, scanIntervalMs: 3_600_000, retryDelaysMs: [20, 40, 80], ...options });
    running.start();
    return running;
  }

  async function stop(): Promise<void> {
    await running?.stop();
    running = null;
  }

  /** File times are coarse (a clock tick may lag): files made after this are born after the start. */
  async function clockPast(ms: number): Promise<void> {
    const since = Number(state.getValue('files-source:deployments:watched-since'));
    await waitFor(() => Date.now() > since + ms, { what: 'the clock to move on' });
  }

  beforeEach(() => {
    ws = path.join(tempDir(), 'ws');
    mkdirSync(ws, { recursive: true });
    state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    published = [];
    running = null;
    context = { workspace: ws, state, logger: silentLogger(), firstStartedAt: Date.now(), logRules: () => compileLogRules([]), publish: (events) => published.push(...events) };
  });
  afterEach(async () => {
    jest.useRealTimers();
    await stop();
    state.close();
  });

  it('takes what is there at the first start as state (caches, no events), then announces each change once', async () => {
    writeWorkspace();
    context.firstStartedAt = Date.now();
    const component = start();

    expect(published).toEqual([]);
    const deployments = state.getCache<DeploymentsCache>('deployments')?.value;
    expect(Object.keys(deployments?.models ?? {}).sort()).toEqual(['deployments/model_0', 'deployments/model_1', 'deployments/model_2']); // not the backup
    expect(deployments?.models['deployments/model_0']).toMatchObject({ trial: 13, value: 0.172, study: 'cappuccino_ft_16gb_optimized', schema: 'temporary' });
    expect(deployments?.last_deployed).toMatchObject({ trial_id: 17301 });
    expect(state.getCache('ensemble')?.value).toMatchObject({ count: 20, study: 'cappuccino_tightened_20260201' });
    expect(state.getCache('watchdog')?.value).toMatchObject({ retrain_count: 7, alert_count: 100 });
    expect(state.getCache('monitor')?.value).toMatchObject({ level: 'warning' });

    await clockPast(50);
    // A model folder that appears later is a deployment…
    writeInPlace('deployments/model_3/metadata.json', arenaMetadata);
    // …a backup folder is not.
    writeInPlace('deployments/model_3_backup_20260301_120000/metadata.json', fixtureText('model_2_metadata.json'));
    component.scan();
    expect(published.map((e) => [e.type, e.subject, e.fields.trial, e.fields.value, e.fields.study, e.fields.dir])).toEqual([
      ['deployment.model_deployed', 'model_3', 41, 0.1412, null, 'deployments/model_3'],
    ]);

    // The deployer rewrites its whole log; barista reads it half-written first.
    const log = [...fixture<unknown[]>('deployment_log.json'), failedEntry];
    const full = JSON.stringify(log, null, 2);
    writeInPlace('deployments/deployment_log.json', full.slice(0, Math.floor(full.length / 2)));
    component.scan(); // the torn read: retried, not reported
    writeInPlace('deployments/deployment_log.json', full);
    const failed = await waitFor(() => ofType('deployment.failed')[0], { what: 'deployment.failed' });
    expect(failed).toMatchObject({ severity: 'warning', subject: 'auto_deployer', fields: { trial_id: 17330, action: 'FAILED_VALIDATION', reason: 'Backtest Sharpe -0.42 below 0.0' } });

    // The monitor's emergency, the watchdog's next alerts, the ensemble's next member.
    writeInPlace('monitoring/live_monitor_state.json', fixtureText('live_monitor_state.json'));
    const watchdog = fixture<{ alerts: Alert[] }>('watchdog_state.json');
    writeAtomically('deployments/watchdog_state.json', { ...watchdog, alerts: [...watchdog.alerts, ...newAlerts].slice(-100) });
    const manifest = fixture<{ trial_numbers: number[] }>('ensemble_manifest.json');
    writeInPlace('train_results/ensemble/ensemble_manifest.json', { ...manifest, trial_numbers: [...manifest.trial_numbers.slice(0, -1), 760], updated: '2026-02-05 17:09:36' });
    component.scan(); // files in path order
    expect(published.slice(2).map((e) => [e.type, e.severity, e.fields.to ?? e.fields.message ?? e.fields.added])).toEqual([
      ['watchdog.alert', 'critical', 'Health check failed: No processes running (expected 1)'],
      ['watchdog.alert', 'error', 'Restart failed'],
      ['monitor.level_changed', 'critical', 'emergency'],
      ['ensemble.updated', 'info', [760]],
    ]);
    expect(ofType('barista.warning')).toEqual([]);

    // Scanning again finds nothing new.
    component.scan();
    expect(published).toHaveLength(6);
    expect(new EventStore(state).recent(100)).toHaveLength(6);
  });

  it('announces what changed while barista was stopped once, and nothing again after another restart', async () => {
    writeWorkspace();
    context.firstStartedAt = Date.now();
    start();
    await clockPast(50);
    await stop();
    expect(published).toEqual([]);

    // While barista is stopped:
    const watchdog = fixture<{ alerts: Alert[] }>('watchdog_state.json');
    writeAtomically('deployments/watchdog_state.json', { ...watchdog, alerts: [...watchdog.alerts, ...newAlerts].slice(-100) });
    writeInPlace('deployments/deployment_log.json', [...fixture<unknown[]>('deployment_log.json'), deployedEntry]);
    writeInPlace('monitoring/live_monitor_state.json', fixtureText('live_monitor_state.json'));
    writeInPlace('deployments/model_4/metadata.json', { trial_number: 57, study: 'cappuccino_auto_20260216_0340', deployed_for: 'model_4', compatible: true });

    start();
    expect(published.map((e) => e.type).sort()).toEqual(['deployment.model_deployed', 'deployment.model_deployed', 'monitor.level_changed', 'watchdog.alert', 'watchdog.alert']);
    expect(published.find((e) => e.subject === 'model_4')?.fields).toMatchObject({ trial: 57, value: null, study: 'cappuccino_auto_20260216_0340', dir: 'deployments/model_4', schema: 'retrained' });
    expect(published.find((e) => e.subject === 'auto_deployer')?.fields).toMatchObject({ trial_id: 17340, pid: 204001, log_file: 'logs/paper_trading_auto_20260205_190938.log' });
    await stop();

    published = [];
    const again = start();
    again.scan();
    expect(published).toEqual([]);
    expect(new EventStore(state).recent(100)).toHaveLength(5);
  });

  it('reports a file that stays half-written once, without crashing, and not again after a restart', () => {
    jest.useFakeTimers({ doNotFake: ['Date', 'nextTick', 'setImmediate', 'queueMicrotask'] });
    writeInPlace('deployments/deployment_log.json', fixtureText('deployment_log.json').slice(0, 200));
    const first = start();
    jest.advanceTimersByTime(1_000); // every retry
    expect(ofType('barista.warning').map((e) => e.text)).toEqual([expect.stringMatching(/^deployments\/deployment_log\.json: not valid JSON after several reads: /)]);
    first.scan();
    jest.advanceTimersByTime(1_000);
    expect(published).toHaveLength(1);

    // The writer never finished: the same content after a restart is not reported again.
    first.stop();
    const second = start();
    jest.advanceTimersByTime(1_000);
    expect(published).toHaveLength(1);
    expect(new EventStore(state).recent(10, 'barista.warning')).toHaveLength(1);

    // Once complete, the file is read; it was there at the first start, so it is state.
    writeInPlace('deployments/deployment_log.json', fixtureText('deployment_log.json'));
    second.scan();
    expect(published).toHaveLength(1);
    expect(state.getCache<DeploymentsCache>('deployments')?.value.log).toHaveLength(3);
  });

  it('reports valid JSON of the wrong shape once, and keeps watching the file', async () => {
    writeWorkspace();
    const component = start();
    await clockPast(50);
    writeInPlace('deployments/watchdog_state.json', { alerts: 'none' });
    component.scan();
    component.scan();
    expect(published.map((e) => [e.type, e.text])).toEqual([['barista.warning', 'deployments/watchdog_state.json: watchdog_state.json: alerts is not a list (got string)']]);
    // The next good version is compared with the last good one: only the new alerts.
    const watchdog = fixture<{ alerts: Alert[] }>('watchdog_state.json');
    writeAtomically('deployments/watchdog_state.json', { ...watchdog, alerts: [...watchdog.alerts, newAlerts[0]] });
    component.scan();
    expect(published.slice(1).map((e) => e.type)).toEqual(['watchdog.alert']);
  });

  it('announces a folder that appears while running without asking any clock (a coarse file time may lag the start)', () => {
    writeWorkspace();
    context.firstStartedAt = Date.now() + 3_600_000; // by its birth time, every file would look older than the start
    const component = start();
    expect(published).toEqual([]);
    writeInPlace('deployments/model_3/metadata.json', arenaMetadata);
    component.scan();
    expect(published.map((e) => [e.type, e.subject])).toEqual([['deployment.model_deployed', 'model_3']]);
  });

  it('does not announce history when the source is added to an older barista state', () => {
    context.firstStartedAt = Date.now() - 30 * 24 * 3_600_000; // barista has run for a month
    writeWorkspace(); // files born long after that first start…
    start(); // …but before this source first watched them
    expect(published).toEqual([]);
    expect(state.getCache('watchdog')?.value).toMatchObject({ alert_count: 100 });
  });

  it('announces a file created while stopped, and reads Python\'s NaN', async () => {
    start();
    await clockPast(50);
    await stop();
    writeInPlace('deployments/deployment_log.json', fixtureText('deployment_log.json'));
    writeInPlace('deployments/model_5/metadata.json', '{"trial_number": 5, "study": "s", "sharpe": NaN, "temporary": true}');
    start();
    expect(published.map((e) => [e.type, e.fields.trial_id ?? e.fields.trial])).toEqual([
      ['deployment.model_deployed', 17291],
      ['deployment.skipped', 17291],
      ['deployment.model_deployed', 17301],
      ['deployment.model_deployed', 5],
    ]);
    expect(published[3].fields.value).toBeNull();
  });

  it('sees a deployment folder that appears while running (file notifications, the periodic scan as safety net)', async () => {
    writeWorkspace();
    start({ notifications: true, scanIntervalMs: 500, retryDelaysMs: undefined });
    await clockPast(50);
    mkdirSync(file('deployments/model_6'));
    writeInPlace('deployments/model_6/metadata.json', fixtureText('model_0_metadata.json'));
    const deployed = await waitFor(() => ofType('deployment.model_deployed')[0], { what: 'deployment.model_deployed for model_6' });
    expect(deployed).toMatchObject({ subject: 'model_6', fields: { trial: 13, dir: 'deployments/model_6', temporary: true } });
    expect(published).toHaveLength(1);
  });
});
