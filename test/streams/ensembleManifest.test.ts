import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deriveEnsembleManifest, parseEnsembleManifest, type EnsembleManifest } from '../../src/streams/ensembleManifest';
import type { FileChange, FileLook } from '../../src/streams/fileChange';

const sample = (): Record<string, unknown> & { trial_numbers: number[]; trial_values: number[]; trial_paths: string[] } =>
  JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'deployments', 'ensemble_manifest.json'), 'utf8'));
const FILE = 'train_results/ensemble/ensemble_manifest.json';
const look = (announceFirstLook = false, file = FILE): FileLook => ({ path: file, announceFirstLook, modifiedMs: 1 });

function ok<M>(change: FileChange<M>): Extract<FileChange<M>, { ok: true }> {
  if (!change.ok) throw new Error(change.error);
  return change;
}

/** The updater replaces the worst member (trial 740) with a new trial 760. */
function withSwap(): Record<string, unknown> {
  const next = sample();
  next.trial_numbers = [760, ...next.trial_numbers.slice(0, -1)];
  next.trial_values = [0.0049, ...next.trial_values.slice(0, -1)];
  next.trial_paths = ['train_results/cwd_tests/trial_760_1h', ...next.trial_paths.slice(0, -1)];
  next.best_value = 0.0049;
  next.mean_value = 0.0034;
  next.updated = '2026-02-05 17:09:36';
  return next;
}

describe('parseEnsembleManifest', () => {
  it('reads the real manifest', () => {
    const parsed = parseEnsembleManifest(sample());
    if (!parsed.ok) throw new Error(parsed.error);
    const m: EnsembleManifest = parsed.manifest;
    expect(m).toMatchObject({ study: 'cappuccino_tightened_20260201', count: 20, best: 0.004528504599652264, mean: 0.0032768294983819128, worst: 0.002755524826141506, updated: '2026-02-05 16:09:36', type: 'adaptive' });
    expect(m.members[0]).toEqual({ trial: 727, value: 0.004528504599652264, path: 'train_results/cwd_tests/trial_727_1h' });
  });

  it('refuses a manifest without trial_numbers', () => {
    expect(parseEnsembleManifest({ model_count: 3 })).toEqual({ ok: false, error: 'ensemble_manifest.json: trial_numbers is not a list (got undefined)' });
  });
});

describe('deriveEnsembleManifest', () => {
  it('takes the manifest present at the first start as state, and caches it', () => {
    const change = ok(deriveEnsembleManifest(null, sample(), look()));
    expect(change.drafts).toEqual([]);
    expect(change.memory.trials).toHaveLength(20);
    expect(change.cache.key).toBe('ensemble');
    expect(change.cache.update(undefined)).toMatchObject({ count: 20, best: 0.004528504599652264, study: 'cappuccino_tightened_20260201' });
  });

  it('announces a change of members with added, removed, count, best and mean', () => {
    const before = ok(deriveEnsembleManifest(null, sample(), look())).memory;
    const change = ok(deriveEnsembleManifest(before, withSwap(), look()));
    expect(change.drafts).toHaveLength(1);
    expect(change.drafts[0]).toMatchObject({
      subject: 'cappuccino_tightened_20260201',
      draft: {
        type: 'ensemble.updated',
        severity: 'info',
        fields: { added: [760], removed: [740], count: 20, best: 0.0049, mean: 0.0034 },
        text: 'Ensemble updated: 20 models, +1 (760), -1 (740); best 0.004900, mean 0.003400.',
      },
    });
    // Rewritten with the same members (a new `updated` only): not a change.
    expect(ok(deriveEnsembleManifest(change.memory, { ...withSwap(), updated: '2026-02-05 18:09:36' }, look())).drafts).toEqual([]);
  });

  it('gives the watchdog\'s snapshot copy of the same manifest the same event id', () => {
    const before = ok(deriveEnsembleManifest(null, sample(), look())).memory;
    const original = ok(deriveEnsembleManifest(before, withSwap(), look()));
    const copy = ok(deriveEnsembleManifest(before, withSwap(), look(false, 'deployments/ensemble_snapshot/ensemble_manifest.json')));
    expect(copy.drafts[0].idParts).toEqual(original.drafts[0].idParts);
  });

  it('announces a manifest created after the first start with every member added', () => {
    const change = ok(deriveEnsembleManifest(null, sample(), look(true)));
    expect(change.drafts[0].draft.fields).toMatchObject({ removed: [], count: 20 });
    expect(change.drafts[0].draft.fields.added).toHaveLength(20);
  });
});
