/**
 * The process probe's view of training workers, as the Optuna alarms ask for it: read from the
 * `processes` cache the process source commits each tick. No probe, or a view older than
 * `maxAgeMs`: unknown (null), and the alarms do without.
 */
import { CATALOGUE, readCache } from '../readModel/catalogue';
import type { StateStore } from '../state/StateStore';
import type { RunningWorkers } from '../streams/optunaAlarms';

export function cachedTrainingWorkers(state: StateStore, options: { className?: string; maxAgeMs?: number; now?: () => number } = {}): RunningWorkers {
  const className = options.className ?? 'training';
  const maxAgeMs = options.maxAgeMs ?? 120_000;
  const now = options.now ?? Date.now;
  return {
    count(study: string): number | null {
      if (!state.isOpen) return null;
      const cached = readCache(state, CATALOGUE.processes);
      if (!cached || cached.at === null || now() - Date.parse(cached.at) > maxAgeMs) return null;
      const workers = cached.value.filter((p) => p.class === className && !p.paused);
      // A worker started with --study-name works for that study only; one without may work for any.
      return workers.filter((p) => p.study_name === null || p.study_name === study).length;
    },
  };
}
