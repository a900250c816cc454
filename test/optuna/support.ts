import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ComponentContext } from '../../src/agent/Component';
import { OptunaSourceComponent, type OptunaSourceOptions } from '../../src/agent/sources/OptunaSourceComponent';
import type { OptunaSourceConfig } from '../../src/config/schema';
import { parseRules } from '../../src/config/loadRules';
import { silentLogger } from '../../src/logging/logger';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { compileLogRules } from '../../src/streams/logRules';
import { decodeAttributes, decodeTrial, jsonSafe, type OptunaView, type StudyCache } from '../../src/streams/optunaTrials';
import { FINISHED_STATES, type OptunaSnapshot, type RawStudy, type RawTrial } from '../../src/watchers/optunaRecords';
import { waitFor } from '../support/waitFor';

export const PYTHON = '/usr/bin/python3';

/** Whether Debian's Python can import these modules (Optuna and the database drivers), and Optuna's version. */
export function probePython(modules: string[]): { ok: boolean; version: string; why: string } {
  const probe = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}; import optuna; print(optuna.__version__)`], { encoding: 'utf8' });
  if (probe.status === 0) return { ok: true, version: probe.stdout.trim(), why: '' };
  return { ok: false, version: "", why: (probe.stderr || probe.error?.message || '').trim().split('\n').pop() ?? '' };
}

export function optunaConfig(fields: string, env: Record<string, string> = {}): OptunaSourceConfig {
  const result = parseRules(`workspace: /w\nsources:\n  - { id: optuna, type: optuna, ${fields} }\n`, 'rules.yaml', env);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as OptunaSourceConfig;
}

/** A state file, a workspace folder and what gets published, for one test. */
export class Harness {
  readonly state: StateStore;
  readonly workspace: string;
  readonly published: BaristaEvent[] = [];
  readonly context: ComponentContext;
  private readonly components: OptunaSourceComponent[] = [];

  constructor(dir: string) {
    this.workspace = path.join(dir, 'ws');
    mkdirSync(this.workspace, { recursive: true });
    this.state = StateStore.open({ path: path.join(dir, 'state.db') });
    this.context = { workspace: this.workspace, state: this.state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: (events) => this.published.push(...events) };
  }

  component(fields = 'storage: "sqlite:///x.db"', options: OptunaSourceOptions = {}, env: Record<string, string> = {}): OptunaSourceComponent {
    // barista's first start is its first component, unless the test set it: storages made before are history.
    if (this.context.firstStartedAt === 0) this.context.firstStartedAt = Date.now();
    const component = new OptunaSourceComponent(optunaConfig(fields, env), this.context, { busyTimeoutMs: 2000, ...options });
    this.components.push(component);
    return component;
  }

  close(): void {
    for (const component of this.components) component.stop();
    this.state.close();
  }
}

/** Runs `body` with a harness on `dir`, closed after it whatever happens. */
export async function withHarness(dir: string, body: (h: Harness) => Promise<void>): Promise<void> {
  const h = new Harness(dir);
  try {
    await body(h);
  } finally {
    h.close();
  }
}

/** Counts the calls of the component's `poll` or `pollOnce`, the timer's and the test's alike. */
export function countCalls(component: OptunaSourceComponent, method: 'poll' | 'pollOnce'): () => number {
  let calls = 0;
  const original = component[method].bind(component) as () => unknown;
  Object.assign(component, {
    [method]: () => {
      calls += 1;
      return original();
    },
  });
  return () => calls;
}

/**
 * The interop study (2 workers, 30 trials, one worker SIGKILLed) on `storageArgs`, watched by
 * `component`: started, and seeing the study, before the workers go, so every finish is news.
 */
export function runWatchedStudy(h: Harness, component: OptunaSourceComponent, storageArgs: string[], timeoutMs: number): Promise<{ result: StudyResult; stderr: string }> {
  const go = path.join(h.workspace, '..', 'go');
  const out = path.join(h.workspace, '..', 'result.json');
  return runStudy(
    [...storageArgs, '--go', go, '--out', out, '--trials', '30', '--workers', '2'],
    async () => {
      component.start();
      await waitFor(() => h.state.getCache('optuna:interop'), { what: 'barista to see the study', timeoutMs: 20_000 });
      writeFileSync(go, '');
    },
    timeoutMs,
  );
}

/** type + study + number of events, for compact assertions. */
export const brief = (events: BaristaEvent[]): string[] => events.map((e) => `${e.type} ${String(e.fields.study ?? e.subject)}#${String(e.fields.number ?? '')}`);

/** A study and its trials as Optuna reads them (test/optuna/dump_trials.py). */
export interface OptunaDump {
  [study: string]: {
    directions: string[];
    user_attrs: Record<string, unknown>;
    trials: { number: number; state: string; values: unknown[] | null; params: Record<string, unknown>; user_attrs: Record<string, unknown>; intermediate_count: number; datetime_start: string | null; datetime_complete: string | null }[];
  };
}

/** Every trial of the snapshot, decoded, against Optuna's own reading (finished trials carry details). */
export function expectSameAsOptuna(snapshot: OptunaSnapshot, dump: OptunaDump): void {
  expect(snapshot.studies.map((s) => s.name).sort()).toEqual(Object.keys(dump).sort());
  for (const [name, study] of Object.entries(dump)) {
    const raw = snapshot.studies.find((s) => s.name === name) as RawStudy;
    expect([name, raw.directions]).toEqual([name, study.directions]);
    expect([name, jsonSafe(decodeAttributes(raw.userAttrs))]).toEqual([name, study.user_attrs]);
    const rows = snapshot.trials.filter((t) => t.studyId === raw.studyId).sort((a, b) => a.number - b.number);
    expect(rows.map((r) => r.number)).toEqual(study.trials.map((t) => t.number));
    for (const expected of study.trials) {
      const row = rows.find((r) => r.number === expected.number) as RawTrial;
      const finished = FINISHED_STATES.includes(row.state);
      const trial = decodeTrial(row, snapshot.details.get(row.trialId));
      const seen = {
        number: trial.number,
        state: trial.state,
        values: trial.values.length ? jsonSafe(trial.values) : null,
        ...(finished ? { params: jsonSafe(trial.params), user_attrs: jsonSafe(trial.userAttrs), intermediate_count: trial.intermediateCount } : {}),
        datetime_start: trial.datetimeStart,
        datetime_complete: trial.datetimeComplete,
      };
      const { params, user_attrs, intermediate_count, ...always } = expected;
      expect([name, seen]).toEqual([name, finished ? { ...always, params, user_attrs, intermediate_count } : always]);
    }
  }
}

/** What test/optuna/interop_study.py writes at its end. */
export interface StudyResult {
  trials: OptunaDump;
  locked: number;
  errors: string[];
  victim_exit: number | null;
}

/** Runs interop_study.py; resolves with its result once it exits (deadline: `timeoutMs`). */
export function runStudy(args: string[], onReady: () => Promise<void>, timeoutMs: number): Promise<{ result: StudyResult; stderr: string }> {
  const out = args[args.indexOf('--out') + 1];
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [path.join(__dirname, 'interop_study.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Optuna study did not finish in ${timeoutMs} ms; stderr:\n${stderr.slice(-3000)}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!ready && stdout.includes('READY\n')) {
        ready = true;
        onReady().catch((error: unknown) => {
          child.kill('SIGKILL');
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 || !existsSync(out)) reject(new Error(`the Optuna study exited with ${code}; stderr:\n${stderr.slice(-3000)}`));
      else resolve({ result: JSON.parse(readFileSync(out, 'utf8')) as StudyResult, stderr });
    });
  });
}

/** barista's view of every trial of the interop study (finished ones by their event, open ones in its checkpoint) is Optuna's own. */
export function expectViewOfStudy(h: Harness, result: StudyResult, view: OptunaView): void {
  const optuna = result.trials.interop.trials;
  const states = new Set(optuna.map((t) => t.state));
  expect([...states].sort()).toEqual(['COMPLETE', 'FAIL', 'PRUNED', 'RUNNING', 'WAITING']);
  const events = h.published.filter((e) => e.type.startsWith('training.trial_') && e.fields.study === 'interop');
  const seen = [
    ...events.map((e) => ({ number: e.fields.number, state: e.fields.state, value: e.fields.value, params: e.fields.params })),
    ...Object.values(view.open).map((t) => ({ number: t.number, state: t.state, value: null, params: null })),
  ].sort((a, b) => Number(a.number) - Number(b.number));
  const expected = optuna.map((t) => {
    const open = t.state === 'RUNNING' || t.state === 'WAITING';
    return { number: t.number, state: t.state, value: open ? null : (t.values?.[0] ?? null), params: open ? null : t.params };
  });
  expect(seen).toEqual(expected);
  expect(events.map((e) => e.type)).toEqual(events.map((e) => ({ COMPLETE: 'training.trial_completed', PRUNED: 'training.trial_pruned', FAIL: 'training.trial_failed' })[String(e.fields.state)]));

  const counts: Record<string, number> = {};
  for (const t of optuna) counts[t.state] = (counts[t.state] ?? 0) + 1;
  const cache = h.state.getCache<StudyCache>('optuna:interop')?.value;
  expect(cache).toMatchObject({ counts, total: optuna.length, target: 65, done: optuna.filter((t) => ['COMPLETE', 'PRUNED', 'FAIL'].includes(t.state)).length });
  const valueOf = (trial: { values: unknown[] | null }) => Number(trial.values?.[0]);
  const best = optuna.filter((t) => t.state === 'COMPLETE').reduce((a, b) => (valueOf(b) > valueOf(a) ? b : a));
  expect(cache?.best).toEqual({ number: best.number, value: best.values?.[0] });
  expect(cache?.per_hour).toBeGreaterThan(0);
}
