/**
 * `train_results/ensemble/ensemble_manifest.json` (surface.md §3, §7), rewritten in place by
 * `models/ensemble_auto_updater.py` when the ensemble's members change; the watchdog keeps a
 * copy in `deployments/ensemble_snapshot/`. A change of members is `ensemble.updated`.
 */
import type { CacheUpdate, FileChange, FileDraft, FileLook } from './fileChange';
import { sixDecimals } from './fileChange';
import { FieldReader, isJsonObject, jsonTypeOf } from './lenientJson';

export const ENSEMBLE_CACHE_KEY = 'ensemble';

/** The `ensemble` cache: the manifest and the file it came from. */
export type EnsembleCache = EnsembleManifest & { file: string };

export interface EnsembleMember {
  trial: number;
  value: number | null;
  path: string | null;
}

export interface EnsembleManifest {
  study: string | null;
  /** Trial numbers in the manifest's order (best first). */
  members: EnsembleMember[];
  count: number;
  best: number | null;
  mean: number | null;
  worst: number | null;
  /** "%Y-%m-%d %H:%M:%S" naive local time, as written. */
  updated: string | null;
  type: string | null;
}

export type ManifestParse = { ok: true; manifest: EnsembleManifest } | { ok: false; error: string };

export function parseEnsembleManifest(data: unknown): ManifestParse {
  if (!isJsonObject(data)) return { ok: false, error: `ensemble_manifest.json holds a JSON object, got ${jsonTypeOf(data)}` };
  if (!Array.isArray(data.trial_numbers)) return { ok: false, error: `ensemble_manifest.json: trial_numbers is not a list (got ${jsonTypeOf(data.trial_numbers)})` };
  const read = new FieldReader(data);
  const values = Array.isArray(data.trial_values) ? data.trial_values : [];
  const paths = Array.isArray(data.trial_paths) ? data.trial_paths : [];
  const members: EnsembleMember[] = [];
  data.trial_numbers.forEach((trial: unknown, i: number) => {
    if (typeof trial !== 'number' || !Number.isInteger(trial)) return;
    const value = values[i];
    const path = paths[i];
    members.push({ trial, value: typeof value === 'number' && Number.isFinite(value) ? value : null, path: typeof path === 'string' ? path : null });
  });
  const known = members.map((m) => m.value).filter((v): v is number => v !== null);
  const manifest: EnsembleManifest = {
    study: read.string('study_name'),
    members,
    count: members.length,
    best: read.number('best_value') ?? (known.length ? Math.max(...known) : null),
    mean: read.number('mean_value') ?? (known.length ? known.reduce((a, b) => a + b, 0) / known.length : null),
    worst: read.number('worst_value') ?? (known.length ? Math.min(...known) : null),
    updated: read.string('updated'),
    type: read.string('type'),
  };
  return { ok: true, manifest };
}

/** The members at the last look, sorted. */
export interface EnsembleMemory {
  trials: number[];
}

export function deriveEnsembleManifest(previous: EnsembleMemory | null, data: unknown, look: FileLook): FileChange<EnsembleMemory> {
  const parsed = parseEnsembleManifest(data);
  if (!parsed.ok) return parsed;
  const manifest = parsed.manifest;
  const trials = [...new Set(manifest.members.map((m) => m.trial))].sort((a, b) => a - b);
  const drafts: FileDraft[] = [];
  const before = previous === null ? (look.announceFirstLook ? [] : trials) : previous.trials;
  const added = manifest.members.map((m) => m.trial).filter((t) => !before.includes(t));
  const removed = before.filter((t) => !trials.includes(t));
  if (added.length || removed.length) {
    const change = [added.length ? `+${added.length} (${added.join(', ')})` : '', removed.length ? `-${removed.length} (${removed.join(', ')})` : ''].filter(Boolean).join(', ');
    drafts.push({
      subject: manifest.study ?? 'ensemble',
      // From content only: the watchdog's copy of the same manifest makes the same event.
      idParts: ['ensemble_updated', manifest.updated ?? '', trials.join(',')],
      draft: {
        type: 'ensemble.updated',
        severity: 'info',
        fields: { added, removed, count: manifest.count, best: manifest.best, mean: manifest.mean, worst: manifest.worst, study: manifest.study, updated: manifest.updated, file: look.path },
        text: `Ensemble updated: ${manifest.count} models, ${change}; best ${sixDecimals(manifest.best)}, mean ${sixDecimals(manifest.mean)}.`,
      },
    });
  }
  const cache: CacheUpdate = { key: ENSEMBLE_CACHE_KEY, at: null, update: (): EnsembleCache => ({ ...manifest, file: look.path }) };
  return { ok: true, drafts, memory: { trials }, cache };
}
