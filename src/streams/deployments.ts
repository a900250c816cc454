/**
 * Deployments (surface.md §3): `deployments/model_*\/metadata.json`, written by hand by three
 * different scripts in three schemas, and the auto-deployer's `deployments/deployment_log.json`,
 * a JSON array rewritten whole on each append. Both feed `deployment.*` events and the
 * `deployments` cache.
 */
import { redactSecrets } from '../logging/redactSecrets';
import type { EventDraft } from '../model/BaristaEvent';
import { sixDecimals, type CacheUpdate, type FileChange, type FileDraft, type FileLook } from './fileChange';
import { FieldReader, isJsonObject, jsonTypeOf } from './lenientJson';
import { keyEntries, splitNewEntries, type SeenKeys } from './seenEntries';

export const DEPLOYMENTS_CACHE_KEY = 'deployments';

// ---------------------------------------------------------------- model_N/metadata.json

/**
 * Which script wrote the file: `setup_arena_clean.py` (sharpe_value, trial_id, source_dir,
 * validation_passed), `deploy_temporary_models.sh` (study, sharpe, temporary) or
 * `deploy_retrained_models.sh` / `quick_fix_traders.sh` (study, deployed_for, compatible).
 */
export type MetadataSchema = 'arena' | 'temporary' | 'retrained' | 'other';

type Scalar = string | number | boolean | null;

export interface ModelMetadata {
  schema: MetadataSchema;
  /** The Optuna trial number (`trial_number`). */
  trial: number | null;
  /** The Optuna trial id (`trial_id`, arena schema only). */
  trial_id: number | null;
  /** The objective the scripts call "Sharpe": `sharpe_value` or `sharpe`; the retrained schema has none. */
  value: number | null;
  study: string | null;
  source_dir: string | null;
  validation_passed: boolean | null;
  temporary: boolean | null;
  deployed_for: Scalar;
  compatible: Scalar;
}

export type MetadataParse = { ok: true; metadata: ModelMetadata } | { ok: false; error: string };

export function parseModelMetadata(data: unknown): MetadataParse {
  if (!isJsonObject(data)) return { ok: false, error: `metadata.json holds a JSON object, got ${jsonTypeOf(data)}` };
  const read = new FieldReader(data);
  const has = (...keys: string[]) => keys.some((key) => key in data);
  const schema: MetadataSchema = has('sharpe_value', 'validation_passed', 'source_dir')
    ? 'arena'
    : has('sharpe', 'temporary')
      ? 'temporary'
      : has('deployed_for', 'compatible')
        ? 'retrained'
        : 'other';
  const metadata: ModelMetadata = {
    schema,
    trial: read.integer('trial_number'),
    trial_id: read.integer('trial_id'),
    value: read.number('sharpe_value') ?? read.number('sharpe') ?? read.number('value'),
    study: read.string('study') ?? read.string('study_name'),
    source_dir: read.string('source_dir'),
    validation_passed: read.boolean('validation_passed'),
    temporary: read.boolean('temporary'),
    deployed_for: scalar(data.deployed_for),
    compatible: scalar(data.compatible),
  };
  if (metadata.trial === null && metadata.trial_id === null) return { ok: false, error: 'metadata.json names no trial (neither trial_number nor trial_id)' };
  return { ok: true, metadata };
}

function scalar(value: unknown): Scalar {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) ? value : null;
}

/** What identifies the deployed model: a rewrite that keeps these is not a new deployment. */
export type MetadataMemory = Pick<ModelMetadata, 'trial' | 'trial_id' | 'value' | 'study'>;

/** The model folder of a metadata.json path: "deployments/model_2". */
export function modelDirOf(filePath: string): string {
  const cut = filePath.lastIndexOf('/');
  return cut < 0 ? '.' : filePath.slice(0, cut);
}

export function deriveModelMetadata(previous: MetadataMemory | null, data: unknown, look: FileLook): FileChange<MetadataMemory> {
  const parsed = parseModelMetadata(data);
  if (!parsed.ok) return parsed;
  const m = parsed.metadata;
  const dir = modelDirOf(look.path);
  const memory: MetadataMemory = { trial: m.trial, trial_id: m.trial_id, value: m.value, study: m.study };
  const announce = previous === null ? look.announceFirstLook : (['trial', 'trial_id', 'value', 'study'] as const).some((k) => previous[k] !== memory[k]);
  const drafts: FileDraft[] = [];
  if (announce) {
    const extra = Object.fromEntries(
      (['trial_id', 'source_dir', 'validation_passed', 'temporary', 'deployed_for', 'compatible'] as const).filter((k) => m[k] !== null).map((k) => [k, m[k]]),
    );
    const trial = m.trial !== null ? `trial ${m.trial}` : `trial id ${m.trial_id}`;
    drafts.push({
      subject: dir.split('/').pop() ?? dir,
      // The mtime tells apart a later redeployment of the same model into the same folder.
      idParts: ['model_deployed', dir, m.trial ?? '', m.trial_id ?? '', m.value ?? '', look.modifiedMs],
      draft: {
        type: 'deployment.model_deployed',
        severity: 'notice',
        fields: { trial: m.trial, value: m.value, study: m.study, dir, ...extra, schema: m.schema, file: look.path },
        text: `Model deployed in ${dir}: ${trial}${m.value !== null ? `, value ${sixDecimals(m.value)}` : ''}${m.study !== null ? `, study ${m.study}` : ''}.`,
      },
    });
  }
  const cache: CacheUpdate = {
    key: DEPLOYMENTS_CACHE_KEY,
    at: null,
    update: (current) => {
      const cached = asDeploymentsCache(current);
      return { ...cached, models: { ...cached.models, [dir]: { dir, ...m } } };
    },
  };
  return { ok: true, drafts, memory, cache };
}

// ---------------------------------------------------------------- deployment_log.json

/** One entry as `auto_model_deployer.py` appends it (its `timestamp` is naive local time). */
export interface DeploymentLogEntry {
  timestamp: string | null;
  /** The Optuna trial *id* (the deployer's log line calls it "Trial"). */
  trial_id: number | null;
  value: number | null;
  /** DEPLOYED, ARENA_DEPLOYED, SKIPPED, FAILED_VALIDATION or READY. */
  action: string;
  details: string | null;
}

export type DeploymentLogParse = { ok: true; entries: DeploymentLogEntry[] } | { ok: false; error: string };

export function parseDeploymentLog(data: unknown): DeploymentLogParse {
  if (!Array.isArray(data)) return { ok: false, error: `deployment_log.json holds a JSON array of entries, got ${jsonTypeOf(data)}` };
  const entries = data.filter(isJsonObject).map((entry): DeploymentLogEntry => {
    const read = new FieldReader(entry);
    const details = read.string('details');
    return {
      timestamp: read.string('timestamp'),
      trial_id: read.integer('trial_id'),
      value: read.number('value'),
      action: (read.string('action') ?? '').trim().toUpperCase(),
      details: details === null ? null : redactSecrets(details),
    };
  });
  return { ok: true, entries };
}

export interface DeploymentLogMemory {
  seen: SeenKeys;
}

/** How many log entries the cache keeps for commands. */
const CACHED_LOG_ENTRIES = 20;
const DEPLOYED = new Set(['DEPLOYED', 'ARENA_DEPLOYED']);

/** One event per entry not in the log at the last look (all of them if the log is news). */
export function deriveDeploymentLog(previous: DeploymentLogMemory | null, data: unknown, look: FileLook): FileChange<DeploymentLogMemory> {
  const parsed = parseDeploymentLog(data);
  if (!parsed.ok) return parsed;
  const keyed = keyEntries(parsed.entries, (e) => JSON.stringify([e.timestamp, e.trial_id, e.value, e.action, e.details]));
  const baseline = previous === null && !look.announceFirstLook;
  const { fresh, seen } = splitNewEntries(keyed, baseline ? keyed.map((k) => k.key) : (previous?.seen ?? []));
  const drafts = fresh.map(({ entry, key }): FileDraft => ({ subject: 'auto_deployer', idParts: ['deployment_log', key], draft: draftOfLogEntry(entry, look.path) }));
  const entries = parsed.entries;
  const cache: CacheUpdate = {
    key: DEPLOYMENTS_CACHE_KEY,
    at: null,
    update: (current) => ({
      ...asDeploymentsCache(current),
      log: entries.slice(-CACHED_LOG_ENTRIES),
      last_deployed: [...entries].reverse().find((e) => DEPLOYED.has(e.action)) ?? null,
    }),
  };
  return { ok: true, drafts, memory: { seen }, cache };
}

function draftOfLogEntry(entry: DeploymentLogEntry, file: string): EventDraft {
  // The deployer's own log line: "{action}: Trial {id} (value: {v:.6f}) - {details}".
  const text = `${entry.action || 'UNKNOWN'}: Trial ${entry.trial_id ?? '?'} (value: ${sixDecimals(entry.value)})${entry.details ? ` - ${entry.details}` : ''}`;
  const common = { trial_id: entry.trial_id, value: entry.value, action: entry.action, details: entry.details, timestamp: entry.timestamp, file };
  const { value, ...rest } = common;
  if (DEPLOYED.has(entry.action)) {
    // "PID: 201553, Log: logs/paper_trading_auto_20260205_170938.log"
    const pid = /\bPID:\s*(\d+)/.exec(entry.details ?? '')?.[1];
    const log = /\bLog:\s*(\S+)/.exec(entry.details ?? '')?.[1];
    return {
      type: 'deployment.model_deployed',
      severity: 'notice',
      // The log knows the trial id only; number, study and folder stay unknown.
      fields: { trial: null, value, study: null, dir: null, ...rest, pid: pid === undefined ? null : Number(pid), log_file: log?.replace(/,$/, '') ?? null },
      text,
    };
  }
  if (entry.action === 'SKIPPED') return { type: 'deployment.skipped', severity: 'info', fields: { ...common, reason: entry.details }, text };
  if (entry.action.startsWith('FAILED')) return { type: 'deployment.failed', severity: 'warning', fields: { ...common, reason: entry.details }, text };
  if (entry.action === 'READY') return { type: 'deployment.ready', severity: 'info', fields: common, text };
  return { type: 'deployment.logged', severity: 'info', fields: common, text };
}

// ---------------------------------------------------------------- cache

/** The `deployments` cache: what commands show about deployed models. */
export interface DeploymentsCache {
  /** By model folder ("deployments/model_2"), from its metadata.json. */
  models: Record<string, ModelMetadata & { dir: string }>;
  /** The deployment log's last entries, oldest first. */
  log: DeploymentLogEntry[];
  /** The last DEPLOYED / ARENA_DEPLOYED entry of the log. */
  last_deployed: DeploymentLogEntry | null;
}

function asDeploymentsCache(value: unknown): DeploymentsCache {
  const cached = isJsonObject(value) ? (value as Partial<DeploymentsCache>) : {};
  return { models: cached.models ?? {}, log: cached.log ?? [], last_deployed: cached.last_deployed ?? null };
}
