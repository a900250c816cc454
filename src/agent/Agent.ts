/**
 * The running barista: rules, state and the component topology, kept in step with
 * rules.yaml while it runs. A rejected edit leaves the previous rules running.
 */
import type { EnvFileResult } from '../config/environment';
import { existsSync } from 'node:fs';
import { concatMap, from, Subject, type Subscription } from '../rx';
import { registerConfigSecrets } from '../config/environment';
import { describeRulesChange, diffRules, type RulesChange } from '../config/diffRules';
import type { Env } from '../config/interpolate';
import { resolveWorkspace, type LoadedRules, type LoadResult } from '../config/loadRules';
import { formatProblem } from '../config/problems';
import { watchRulesFile } from '../config/watchRulesFile';
import type { Logger } from '../logging/logger';
import { pruneState } from '../state/retention';
import { renameLegacyTraderCaches } from './legacyTraderCaches';
import type { StateStore } from '../state/StateStore';
import type { BaristaEvent } from '../model/BaristaEvent';
import { compileLogRules, type CompiledLogRules } from '../streams/logRules';
import type { SourceFactories } from './sourceFactories';
import type { ComponentContext } from './Component';
import { SourceTopology } from './SourceTopology';

/** How often a missing workspace is looked for. */
const WORKSPACE_POLL_MS = 2000;

export interface AgentOptions {
  rules: LoadedRules;
  state: StateStore;
  logger: Logger;
  env?: Env;
  /** Follow edits of the rules file (default true). */
  watchRules?: boolean;
  /** The .env loaded at start: saving it reloads the rules with its values. */
  envFile?: EnvFileResult;
  factories?: SourceFactories;
  /** Told of every applied rules edit, after the sources follow it (e.g. to restart notifications). */
  onRulesApplied?: (rules: LoadedRules, change: RulesChange) => Promise<void> | void;
}

export class Agent {
  /** Every committed event, once, in commit order. */
  readonly events$ = new Subject<BaristaEvent>();
  private rules: LoadedRules;
  private compiledRules: CompiledLogRules;
  private topology: SourceTopology;
  private subscription: Subscription | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private workspaceTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: AgentOptions) {
    this.rules = options.rules;
    this.compiledRules = compileLogRules(options.rules.config.rules);
    this.topology = this.createTopology();
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get currentRules(): LoadedRules {
    return this.rules;
  }

  async start(): Promise<void> {
    renameLegacyTraderCaches(this.options.state);
    this.pruneExpired();
    this.pruneTimer = setInterval(() => this.pruneExpired(), 3_600_000);
    this.pruneTimer.unref();
    await this.topology.apply(this.rules.config.sources);
    this.watchWorkspace();
    if (this.options.watchRules !== false) {
      const initial: LoadResult = { ok: true, rules: this.rules };
      this.subscription = watchRulesFile(this.rules.file, initial, { env: this.options.env, envFile: this.options.envFile })
        .pipe(concatMap((result) => from(this.applyRules(result))))
        .subscribe({ error: (error) => this.options.logger.error({ err: error }, 'stopped following rules file changes') });
    }
  }

  /** Applies a reloaded rules file, or logs why it was rejected and keeps the current one. */
  async applyRules(result: LoadResult): Promise<void> {
    const { logger } = this.options;
    if (this.stopped) return;
    if (!result.ok && result.missing) {
      logger.warn({ file: this.rules.file }, `rules file ${this.rules.file} was deleted; the rules in force keep running, and a new file is applied when it appears`);
      return;
    }
    if (!result.ok) {
      const problems = result.problems.map(formatProblem);
      logger.error({ file: this.rules.file, problems }, `rules rejected (${problems.length} problem${problems.length === 1 ? '' : 's'}); the previous rules keep running:\n${problems.join('\n')}`);
      return;
    }
    const change = diffRules(this.rules.config, result.rules.config);
    const workspaceMoved = resolveWorkspace(result.rules) !== resolveWorkspace(this.rules);
    this.rules = result.rules;
    this.compiledRules = compileLogRules(result.rules.config.rules);
    registerConfigSecrets(result.rules.config);
    if (workspaceMoved) {
      await this.topology.stop();
      this.topology = this.createTopology();
      this.watchWorkspace();
    }
    await this.topology.apply(result.rules.config.sources);
    await this.options.onRulesApplied?.(result.rules, change);
    logger.info({ file: this.rules.file, changes: change }, `rules reloaded: ${describeRulesChange(change)}`);
    if (change.sections.includes('state')) logger.warn('state settings apply at the next start');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.subscription?.unsubscribe();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.workspaceTimer) clearInterval(this.workspaceTimer);
    await this.topology.stop();
    this.events$.complete();
  }

  /**
   * A workspace that does not exist is said once at warning level; the sources' scans pick its
   * files up when it appears, which is said too.
   */
  private watchWorkspace(): void {
    if (this.workspaceTimer) clearInterval(this.workspaceTimer);
    this.workspaceTimer = undefined;
    const workspace = resolveWorkspace(this.rules);
    if (existsSync(workspace)) return;
    const { logger } = this.options;
    logger.warn({ workspace }, `workspace ${workspace} does not exist; barista watches nothing there until it appears, then picks its files up`);
    const timer = setInterval(() => {
      if (!existsSync(workspace)) return;
      clearInterval(timer);
      if (this.workspaceTimer === timer) this.workspaceTimer = undefined;
      logger.info({ workspace }, `workspace ${workspace} appeared; watching it`);
    }, WORKSPACE_POLL_MS);
    timer.unref();
    this.workspaceTimer = timer;
  }

  /** What is older than state.retention goes, and the file gives the space back. */
  private pruneExpired(): void {
    const report = pruneState(this.options.state, this.rules.config.state.retention);
    const removed = Object.entries(report).filter(([, count]) => count > 0);
    if (removed.length) this.options.logger.debug(Object.fromEntries(removed), 'pruned state past its retention');
  }

  private createTopology(): SourceTopology {
    const context: ComponentContext = {
      workspace: resolveWorkspace(this.rules),
      state: this.options.state,
      logger: this.options.logger,
      firstStartedAt: this.options.state.info.firstStartedAt,
      logRules: () => this.compiledRules,
      publish: (events) => events.forEach((event) => this.events$.next(event)),
    };
    return new SourceTopology(context, this.options.factories);
  }
}
