/**
 * A `type: process` source: every `interval`, the probe's look at the host's processes and
 * resources → trader / training worker lifecycle events, expected-count alarms and host
 * thresholds. The process view and the raised host alarms are the checkpoint, committed with
 * the events and the `processes` / `host` caches in one transaction: a restart carries on
 * where it was, announcing what changed while barista was away and repeating nothing.
 */
import { sourceIdentity, type SourceIdentity } from '../../config/sourceIdentity';
import path from 'node:path';
import { Subject, type SchedulerLike, type Subscription } from '../../rx';
import type { ProcessSourceConfig } from '../../config/schema';
import { CheckpointStore } from '../../state/CheckpointStore';
import { eventFromDraft, type BaristaEvent, type EventDraft } from '../../model/BaristaEvent';
import { CATALOGUE, writeCache } from '../../readModel/catalogue';
import { hostCache } from '../../streams/hostCache';
import { hostReadings, hostThresholds, type HostAlarmDraft, type HostMetric, type HostMetricReading, type HostThresholdConfig } from '../../streams/hostThresholds';
import { applyProcessSample, processesCache, resolveLogPath, type LifecycleOptions, type ProcessView } from '../../streams/processLifecycle';
import { classify, TRADER_DEFAULT_LOG_FILE } from '../../streams/processes';
import { belongsToWorkspace, workspaceRoots } from '../../streams/processWorkspace';
import { EMPTY_TRADER_DIRECTORY, heartbeatFileOfCsv, learnTraders, resolveTraderName, TRADER_DIRECTORY_CACHE_KEY, type TraderDirectory } from '../../streams/traderIdentity';
import { readLastLines } from '../../watchers/lastLines';
import { ProcessProbe, type ProbeSample, type ProcessDetails } from '../../watchers/ProcessProbe';
import type { Component, ComponentContext } from '../Component';
import { commitBatch, noteSourceError } from './commitBatch';

const CHECKPOINT_KEY = 'view';

interface ProcessCheckpoint {
  view: ProcessView | null;
  /** Keys of the host alarms raised at the last commit. */
  raised: string[];
}

/** What the component needs of a probe (tests may pass the real one with a fake GPU source). */
export interface ProbeLike {
  start(intervalMs: number, onSample: (sample: ProbeSample) => void, onError: (error: unknown) => void): void;
  stop(): void;
  details(pid: number): ProcessDetails;
}

export interface ProcessSourceOptions {
  probe?: ProbeLike;
  /** Reads the last lines of a log (default: the file's last 64 KB). */
  readLogTail?: (file: string, lines: number) => string[] | null;
  /** Time source of the host thresholds. */
  scheduler?: SchedulerLike;
}

export class ProcessSourceComponent implements Component {
  readonly id: string;
  private probe: ProbeLike | null = null;
  private checkpoint: ProcessCheckpoint;
  private readonly readings = new Subject<HostMetricReading[]>();
  private alarms: Subscription | null = null;
  private pendingAlarms: HostAlarmDraft[] = [];
  private lastError = '';
  private roots: string[] | null = null;
  /** Per process (pid:start ticks) of a class: whether it belongs to the workspace (decided once). */
  private belonging = new Map<string, boolean>();
  private readonly health: SourceIdentity;

  constructor(
    private readonly config: ProcessSourceConfig,
    private readonly context: ComponentContext,
    private readonly options: ProcessSourceOptions = {},
  ) {
    this.id = config.id;
    this.health = sourceIdentity(config);
    this.checkpoint = new CheckpointStore(context.state).get<ProcessCheckpoint>(config.id, CHECKPOINT_KEY) ?? { view: null, raised: [] };
  }

  start(): void {
    this.followAlarms();
    try {
      this.probe = this.options.probe ?? new ProcessProbe({ diskPath: this.context.workspace, gpuIntervalMs: this.config.host.gpu_interval });
    } catch (error) {
      this.commitEvents([this.warning(['probe'], `cannot read processes: ${(error as Error).message} (the process source needs Linux /proc)`)]);
      return;
    }
    this.probe.start(
      this.config.interval,
      (sample) => this.accept(sample),
      (error) => this.reportError(error),
    );
  }

  /** (Re)starts the host thresholds from the committed alarms. */
  private followAlarms(): void {
    this.alarms?.unsubscribe();
    this.alarms = this.readings
      .pipe(hostThresholds(thresholdConfig(this.config.host), { scheduler: this.options.scheduler, raised: this.checkpoint.raised }))
      .subscribe((draft) => this.pendingAlarms.push(draft));
  }

  stop(): void {
    this.probe?.stop();
    this.probe = null;
    this.alarms?.unsubscribe();
  }

  /** One probe sample: events, checkpoint and caches in one commit. Returns the new events. */
  accept(sample: ProbeSample): BaristaEvent[] {
    const probe = this.probe;
    const lifecycle: LifecycleOptions = {
      classes: Object.entries(this.config.match),
      expected: this.config.expected,
      logPathOf: (matched, known, subject) => {
        const details = probe?.details(matched.reading.pid) ?? { cwd: null, stdout: null };
        return resolveLogPath({ configured: this.configuredLog(subject), stdout: details.stdout, logFile: known.log_file, cwd: details.cwd, workspace: this.context.workspace });
      },
      traderFilesOf: (matched, known) => {
        // The trader's paths are relative to its cwd; /proc gives real paths.
        const details = probe?.details(matched.reading.pid) ?? { cwd: null, stdout: null };
        const cwd = details.cwd ?? this.context.workspace;
        const csv = this.workspaceRelative(path.resolve(cwd, known.log_file ?? TRADER_DEFAULT_LOG_FILE));
        const heartbeat = this.workspaceRelative(path.resolve(cwd, heartbeatFileOfCsv(csv)));
        return { csv, heartbeat, log: details.stdout === null ? null : this.workspaceRelative(details.stdout), model_dir: known.model_dir };
      },
      readLogTail: (file) => (this.config.log_tail_lines > 0 ? (this.options.readLogTail ?? readLastLines)(file, this.config.log_tail_lines) : null),
    };
    const { view, drafts } = applyProcessSample(this.checkpoint.view, this.config.only_workspace ? this.ownProcesses(sample) : sample, lifecycle);

    this.pendingAlarms = [];
    this.readings.next(hostReadings(sample.host)); // emits synchronously into pendingAlarms
    const alarms = this.pendingAlarms;
    const raised = new Set(this.checkpoint.raised);
    for (const alarm of alarms) {
      if (alarm.raised) raised.add(alarm.key);
      else raised.delete(alarm.key);
    }

    const events = [
      ...drafts.map((d) => eventFromDraft(d.draft, { source: this.id, subject: d.subject, idParts: d.idParts })),
      ...alarms.map((a) => eventFromDraft(a, { source: this.id, subject: 'host', idParts: [a.type, a.key, a.at] })),
    ];
    const checkpoint: ProcessCheckpoint = { view, raised: [...raised].sort() };
    const at = new Date(sample.at).toISOString();
    const traders = Object.values(view.processes).flatMap((p) => (p.trader ? [{ name: p.trader.name, pid: p.pid, files: p.trader }] : []));
    const directory = learnTraders(this.context.state.getCache<TraderDirectory>(TRADER_DIRECTORY_CACHE_KEY)?.value ?? null, traders, at);
    let fresh: BaristaEvent[];
    try {
      fresh = commitBatch(this.context.state, {
        source: this.id,
        key: CHECKPOINT_KEY,
        events,
        position: checkpoint,
        alsoWrite: () => {
          writeCache(this.context.state, CATALOGUE.processes, processesCache(view), at);
          writeCache(this.context.state, CATALOGUE.host, hostCache(sample.host, checkpoint.raised), at);
          writeCache(this.context.state, CATALOGUE.traders, directory, at);
        },
        health: this.health,
      });
    } catch (error) {
      // Nothing was committed: the next tick derives again from the committed view, and the
      // thresholds restart from the committed alarms so that an alarm raised now is not lost.
      this.followAlarms();
      throw error;
    }
    this.checkpoint = checkpoint;
    if (fresh.length) this.context.publish(fresh);
    return fresh;
  }

  /**
   * The sample without the processes of a class that belong to another folder (another system
   * on this host). Unclassified processes stay: a zombie has no argv, and it is how an exit shows.
   */
  private ownProcesses(sample: ProbeSample): ProbeSample {
    const roots = this.workspaceRoots();
    const seen = new Map<string, boolean>();
    const processes = sample.processes.filter((p) => {
      const found = classify(p.argv, Object.entries(this.config.match));
      if (!found) return true;
      const key = `${p.pid}:${p.startTicks}`;
      let own = this.belonging.get(key);
      if (own === undefined) {
        const cwd = this.probe?.details(p.pid).cwd ?? null;
        own = belongsToWorkspace(p.argv, cwd, roots);
        if (!own) this.context.logger.info({ source: this.id, pid: p.pid, class: found.class, cwd }, `process source: pid ${p.pid} (${found.invocation.script}) runs outside the workspace; not counted (only_workspace: false counts it)`);
      }
      seen.set(key, own);
      return own;
    });
    this.belonging = seen;
    return { ...sample, processes };
  }

  private workspaceRoots(): string[] {
    this.roots ??= workspaceRoots(this.context.workspace);
    return this.roots;
  }

  /** rules.yaml `logs:` for a subject; a key in another of the trader's names (`trial250_session`) counts. */
  private configuredLog(subject: string): string | null {
    const logs = this.config.logs ?? {};
    if (Object.hasOwn(logs, subject)) return logs[subject];
    const key = Object.keys(logs).find((name) => resolveTraderName(name, EMPTY_TRADER_DIRECTORY, [subject]) === subject);
    return key === undefined ? null : logs[key];
  }

  /** A path as the file sources name it: relative to the workspace (as configured, or its real path). */
  private workspaceRelative(file: string): string {
    const [workspace, real = workspace] = this.workspaceRoots();
    const base = file.startsWith(`${real}/`) ? real : workspace!;
    return path.relative(base, file).split(path.sep).join('/');
  }

  private reportError(error: unknown): void {
    // Logged once per distinct message: a failing GPU query every few minutes is not news.
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.lastError) return;
    this.lastError = message;
    noteSourceError(this.context.state, this.id, this.health, error);
    this.context.logger.warn({ source: this.id, err: error }, 'process probe: a reading failed; carrying on without it');
  }

  private warning(idParts: string[], text: string): BaristaEvent {
    const draft: EventDraft = { type: 'barista.warning', severity: 'warning', fields: { error: text }, text };
    return eventFromDraft(draft, { source: this.id, subject: this.id, idParts });
  }

  private commitEvents(events: BaristaEvent[]): void {
    const fresh = commitBatch(this.context.state, { source: this.id, events });
    if (fresh.length) this.context.publish(fresh);
  }
}

const METRICS: HostMetric[] = ['cpu', 'memory', 'disk', 'gpu_memory', 'gpu_temperature'];

function thresholdConfig(host: ProcessSourceConfig['host']): HostThresholdConfig {
  const config: HostThresholdConfig = {};
  for (const metric of METRICS) {
    const t = host[metric];
    config[metric] = t === false ? false : { raise: t.raise, clear: t.clear, forMs: t.for };
  }
  return config;
}
