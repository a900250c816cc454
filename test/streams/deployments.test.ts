import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deriveDeploymentLog, deriveModelMetadata, parseModelMetadata, type DeploymentLogMemory, type DeploymentsCache, type MetadataMemory } from '../../src/streams/deployments';
import type { FileChange, FileLook } from '../../src/streams/fileChange';
import { parseLenientJson } from '../../src/streams/optunaTrials';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'deployments');
const text = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const fixture = (name: string): unknown => JSON.parse(text(name));
const look = (file: string, announceFirstLook = false, modifiedMs = 1_000): FileLook => ({ path: file, announceFirstLook, modifiedMs });

function ok<M>(change: FileChange<M>): Extract<FileChange<M>, { ok: true }> {
  if (!change.ok) throw new Error(change.error);
  return change;
}

describe('parseModelMetadata', () => {
  it('reads the three schemas the scripts write', () => {
    expect(parseModelMetadata(fixture('model_2_metadata.json'))).toEqual({
      ok: true,
      metadata: { schema: 'arena', trial: 26, trial_id: 521, value: 0.15628904516158829, study: null, source_dir: 'train_results/cwd_tests/trial_26_1h', validation_passed: true, temporary: null, deployed_for: null, compatible: null },
    });
    expect(parseModelMetadata(fixture('model_0_metadata.json'))).toEqual({
      ok: true,
      metadata: { schema: 'temporary', trial: 13, trial_id: null, value: 0.172, study: 'cappuccino_ft_16gb_optimized', source_dir: null, validation_passed: null, temporary: true, deployed_for: null, compatible: null },
    });
    expect(parseModelMetadata(fixture('model_1_metadata_retrained.json'))).toEqual({
      ok: true,
      metadata: { schema: 'retrained', trial: 91, trial_id: null, value: null, study: 'cappuccino_alpaca_v2', source_dir: null, validation_passed: null, temporary: null, deployed_for: 'model_0', compatible: true },
    });
  });

  it('refuses a metadata.json that names no trial, and reads a NaN value as unknown', () => {
    expect(parseModelMetadata({ study: 'x', sharpe: 0.1 })).toEqual({ ok: false, error: 'metadata.json names no trial (neither trial_number nor trial_id)' });
    expect(parseModelMetadata([1])).toMatchObject({ ok: false, error: 'metadata.json holds a JSON object, got array' });
    const withNaN = parseModelMetadata(parseLenientJson('{"trial_number": 5, "sharpe": NaN, "temporary": true}'));
    expect(withNaN).toMatchObject({ ok: true, metadata: { trial: 5, value: null } });
  });
});

describe('deriveModelMetadata', () => {
  const file = 'deployments/model_2/metadata.json';

  it('takes a folder present at the first start as state: no event, but the cache knows it', () => {
    const change = ok(deriveModelMetadata(null, fixture('model_2_metadata.json'), look(file)));
    expect(change.drafts).toEqual([]);
    expect(change.memory).toEqual({ trial: 26, trial_id: 521, value: 0.15628904516158829, study: null });
    const cache = change.cache.update(undefined) as DeploymentsCache;
    expect(change.cache.key).toBe('deployments');
    expect(cache.models['deployments/model_2']).toMatchObject({ dir: 'deployments/model_2', trial: 26, schema: 'arena' });
  });

  it('announces a folder that appeared later, with trial, value, study and dir', () => {
    const change = ok(deriveModelMetadata(null, fixture('model_0_metadata.json'), look('deployments/model_0/metadata.json', true)));
    expect(change.drafts).toHaveLength(1);
    expect(change.drafts[0]).toMatchObject({
      subject: 'model_0',
      draft: {
        type: 'deployment.model_deployed',
        severity: 'notice',
        fields: { trial: 13, value: 0.172, study: 'cappuccino_ft_16gb_optimized', dir: 'deployments/model_0', temporary: true, schema: 'temporary' },
        text: 'Model deployed in deployments/model_0: trial 13, value 0.172000, study cappuccino_ft_16gb_optimized.',
      },
    });
  });

  it('announces a new model written into the same folder, not a rewrite of the same model', () => {
    const first = ok(deriveModelMetadata(null, fixture('model_2_metadata.json'), look(file)));
    const reformatted = { ...(fixture('model_2_metadata.json') as object), validation_passed: false };
    expect(ok(deriveModelMetadata(first.memory, reformatted, look(file, false, 2_000))).drafts).toEqual([]);
    const next = { trial_number: 41, trial_id: 17291, sharpe_value: 0.18, source_dir: 'train_results/cwd_tests/trial_41_1h', validation_passed: true };
    const change = ok(deriveModelMetadata(first.memory, next, look(file, false, 3_000)));
    expect(change.drafts.map((d) => d.draft.fields)).toEqual([expect.objectContaining({ trial: 41, trial_id: 17291, value: 0.18, dir: 'deployments/model_2' })]);
    // The same model deployed again later is a second deployment (another id).
    const again = ok(deriveModelMetadata({ trial: 26, trial_id: 521, value: 1, study: null } satisfies MetadataMemory, next, look(file, false, 4_000)));
    expect(again.drafts[0].idParts).not.toEqual(change.drafts[0].idParts);
  });
});

describe('deriveDeploymentLog', () => {
  const file = 'deployments/deployment_log.json';
  const log = () => fixture('deployment_log.json') as Record<string, unknown>[];
  const failed = { timestamp: '2026-02-05T18:09:41.300001', trial_id: 17330, value: 0.0049, action: 'FAILED_VALIDATION', details: 'Backtest Sharpe -0.42 below 0.0' };

  it('takes the entries present at the first start as state', () => {
    const change = ok(deriveDeploymentLog(null, log(), look(file)));
    expect(change.drafts).toEqual([]);
    expect(change.memory.seen).toHaveLength(3);
    const cache = change.cache.update({ models: { 'deployments/model_2': { trial: 26 } } }) as DeploymentsCache;
    expect(cache.models).toEqual({ 'deployments/model_2': { trial: 26 } }); // metadata entries stay
    expect(cache.log).toHaveLength(3);
    expect(cache.last_deployed).toMatchObject({ trial_id: 17301, action: 'DEPLOYED' });
  });

  it('makes one event per new entry of the rewritten array, with the deployer\'s fields', () => {
    const before = ok(deriveDeploymentLog(null, log(), look(file))).memory;
    const deployed = { timestamp: '2026-02-05T19:09:40.100000', trial_id: 17340, value: 0.0051, action: 'ARENA_DEPLOYED', details: 'PID: 204001, Log: logs/paper_trading_arena_20260205_190938.log' };
    const skipped = { timestamp: '2026-02-05T20:09:40.100000', trial_id: 17340, value: 0.0051, action: 'SKIPPED', details: 'Best model already deployed' };
    const change = ok(deriveDeploymentLog(before, [...log(), failed, deployed, skipped], look(file)));
    expect(change.drafts.map((d) => d.draft.type)).toEqual(['deployment.failed', 'deployment.model_deployed', 'deployment.skipped']);
    expect(change.drafts[0].draft).toMatchObject({ severity: 'warning', fields: { trial_id: 17330, value: 0.0049, action: 'FAILED_VALIDATION', reason: 'Backtest Sharpe -0.42 below 0.0', timestamp: '2026-02-05T18:09:41.300001' } });
    expect(change.drafts[1].draft).toMatchObject({
      severity: 'notice',
      fields: { trial: null, trial_id: 17340, value: 0.0051, study: null, dir: null, pid: 204001, log_file: 'logs/paper_trading_arena_20260205_190938.log' },
      text: 'ARENA_DEPLOYED: Trial 17340 (value: 0.005100) - PID: 204001, Log: logs/paper_trading_arena_20260205_190938.log',
    });
    expect(change.drafts[2].draft).toMatchObject({ severity: 'info', fields: { reason: 'Best model already deployed' } });
    // Read again (a restart with the same checkpoint): nothing new.
    expect(ok(deriveDeploymentLog(change.memory, [...log(), failed, deployed, skipped], look(file))).drafts).toEqual([]);
  });

  it('announces a log created after the first start whole, and tells apart identical entries', () => {
    const change = ok(deriveDeploymentLog(null, log(), look(file, true)));
    expect(change.drafts.map((d) => d.draft.type)).toEqual(['deployment.model_deployed', 'deployment.skipped', 'deployment.model_deployed']);
    const skippedAgain = log()[1];
    const next = ok(deriveDeploymentLog(change.memory, [...log(), skippedAgain], look(file)));
    expect(next.drafts.map((d) => d.draft.type)).toEqual(['deployment.skipped']);
    expect(new Set([...change.drafts, ...next.drafts].map((d) => d.idParts.join('/'))).size).toBe(4);
  });

  it('finds the new entry when the array is capped and shifts', () => {
    const before = ok(deriveDeploymentLog(null, log(), look(file))).memory satisfies DeploymentLogMemory;
    const change = ok(deriveDeploymentLog(before, [...log().slice(1), failed], look(file)));
    expect(change.drafts.map((d) => d.draft.fields.trial_id)).toEqual([17330]);
  });

  it('refuses a document that is not an array', () => {
    expect(deriveDeploymentLog(null, { entries: [] }, look(file))).toEqual({ ok: false, error: 'deployment_log.json holds a JSON array of entries, got object' });
  });

  it('redacts a webhook token quoted in details', () => {
    const leaked = { ...failed, details: 'post failed: https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789ABCD' };
    const change = ok(deriveDeploymentLog(null, [leaked], look(file, true)));
    expect(change.drafts[0].draft.text).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(JSON.stringify(change.drafts[0].draft.fields)).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });
});
