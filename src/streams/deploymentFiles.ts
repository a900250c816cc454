/**
 * The file kinds a `type: files` source understands, and which one a file is: by its name
 * first (the real system's names are fixed), else by its shape (a copy under another name).
 */
import { deriveDeploymentLog, deriveModelMetadata } from './deployments';
import { deriveEnsembleManifest } from './ensembleManifest';
import type { FileChange, FileLook } from './fileChange';
import { isJsonObject } from './lenientJson';
import { deriveLiveMonitorState } from './liveMonitorState';
import { deriveWatchdogState } from './watchdogState';

export type DeploymentFileKind = 'model_metadata' | 'deployment_log' | 'ensemble_manifest' | 'watchdog_state' | 'live_monitor_state';

export const DEPLOYMENT_FILE_KINDS: readonly DeploymentFileKind[] = ['model_metadata', 'deployment_log', 'ensemble_manifest', 'watchdog_state', 'live_monitor_state'];

const BY_NAME: [RegExp, DeploymentFileKind][] = [
  [/^metadata\.json$/, 'model_metadata'],
  [/^deployment_log\.json$/, 'deployment_log'],
  [/^ensemble_manifest\.json$/, 'ensemble_manifest'],
  // The watchdog's own rotation keeps .bak, .bak.1 … .bak.3 copies.
  [/^watchdog_state\.json(\.bak(\.\d+)?)?$/, 'watchdog_state'],
  [/^live_monitor_state\.json$/, 'live_monitor_state'],
];

/** Which kind a file is, or null when neither its name nor its content says. */
export function kindOfFile(filePath: string, data: unknown): DeploymentFileKind | null {
  const name = filePath.split('/').pop() ?? filePath;
  for (const [pattern, kind] of BY_NAME) if (pattern.test(name)) return kind;
  if (Array.isArray(data)) return data.some((entry) => isJsonObject(entry) && 'action' in entry) ? 'deployment_log' : null;
  if (!isJsonObject(data)) return null;
  if ('trial_numbers' in data) return 'ensemble_manifest';
  if ('alerts' in data && ('restart_counts' in data || 'retrain_count' in data)) return 'watchdog_state';
  if ('alert_history' in data || 'last_sharpe' in data) return 'live_monitor_state';
  if ('trial_number' in data) return 'model_metadata';
  return null;
}

/**
 * A new version of a file of the given kind. `previous` is the memory the last version left
 * (null on a first look); a memory of another kind (the file changed kind) counts as none.
 */
export function deriveFileChange(kind: DeploymentFileKind, previous: unknown, data: unknown, look: FileLook): FileChange<unknown> {
  switch (kind) {
    case 'model_metadata':
      return deriveModelMetadata(memoryWith(previous, 'trial'), data, look);
    case 'deployment_log':
      return deriveDeploymentLog(memoryWith(previous, 'seen'), data, look);
    case 'ensemble_manifest':
      return deriveEnsembleManifest(memoryWith(previous, 'trials'), data, look);
    case 'watchdog_state':
      return deriveWatchdogState(memoryWith(previous, 'seen'), data, look);
    case 'live_monitor_state':
      return deriveLiveMonitorState(memoryWith(previous, 'level'), data, look);
  }
}

// Memories come back from a JSON checkpoint; the key they must have is checked, the rest trusted.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function memoryWith(previous: unknown, key: string): any {
  return isJsonObject(previous) && key in previous ? previous : null;
}
