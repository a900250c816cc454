/**
 * What `run` and `events` share: .env and rules, the state file, the agent, and a clean stop
 * on SIGINT/SIGTERM within 2 s.
 */
import { Agent } from '../agent/Agent';
import type { RulesChange } from '../config/diffRules';
import { resolveWorkspace, type LoadedRules } from '../config/loadRules';
import { createLogger, type Logger } from '../logging/logger';
import { isInside } from '../paths';
import { StateStore } from '../state/StateStore';
import { guardOwnCommandLine } from './commandLineGuard';
import { CliExit, EXIT_FAILURE, loadConfigForCli, statePathOf, type CommonOptions } from './loadConfigForCli';

export interface AgentCommandOptions extends CommonOptions {
  state?: string;
}

/** barista exits within this after SIGINT/SIGTERM (exit 1 past it, and says so); the service unit's stop timeout follows it. */
export const STOP_DEADLINE_MS = 1800;

/** What runs beside the agent on committed events (notifications for `run`, printing for `events`). */
export interface AgentCompanion {
  start(agent: Agent, rules: LoadedRules, state: StateStore): Promise<void> | void;
  /** After an applied rules edit. */
  rulesApplied?(agent: Agent, rules: LoadedRules, change: RulesChange): Promise<void> | void;
  /** After the agent stopped, before the state closes. */
  stop?(): Promise<void>;
}

export async function startAgent(command: string, options: AgentCommandOptions, logFd: 1 | 2, companion?: AgentCompanion): Promise<{ agent: Agent; logger: Logger }> {
  const logger = createLogger({ fd: logFd });
  const hazards = guardOwnCommandLine(command);
  if (hazards.length) logger.warn({ words: hazards }, "barista's command line contained words Cappuccino's scripts pkill; its process title was neutralised");
  const { rules, env } = loadConfigForCli(options);
  if (env.found) logger.debug({ file: env.file, loaded: env.loaded, overridden: env.overridden }, 'loaded .env');

  const workspace = resolveWorkspace(rules);
  const statePath = statePathOf(options, rules);
  if (isInside(statePath, workspace)) {
    throw new CliExit(EXIT_FAILURE, `state file ${statePath} is inside the monitored workspace ${workspace}; barista never writes there. Choose another --state.`);
  }

  let state: StateStore;
  try {
    state = StateStore.open({ path: statePath });
  } catch (error) {
    throw new CliExit(EXIT_FAILURE, (error as Error).message);
  }
  const { info } = state;
  if (info.applied.length) logger.info({ migrations: info.applied.map((m) => `${m.version} ${m.name}`), schemaVersion: info.schemaVersion }, 'state migrated');
  if (info.replacedStale) logger.warn({ pid: info.replacedStale.pid }, 'the previous barista on this state file did not stop cleanly; taking over');

  const agent: Agent = new Agent({ rules, state, logger, envFile: env, onRulesApplied: (applied, change) => companion?.rulesApplied?.(agent, applied, change) });
  installShutdown(agent, state, logger, companion);
  await companion?.start(agent, rules, state);
  await agent.start();
  logger.info({ pid: process.pid, rules: rules.file, state: statePath, workspace, sources: rules.config.sources.length, rulesCount: rules.config.rules.length }, 'barista running');
  return { agent, logger };
}

function installShutdown(agent: Agent, state: StateStore, logger: Logger, companion?: AgentCompanion): void {
  let stopping = false;
  /** `exitCode` 0 for a signal; a failure that stops barista exits non-zero, having said why. */
  const stop = (signal: NodeJS.Signals | null, exitCode = 0) => {
    if (stopping) {
      if (signal === null) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info(signal ? { signal } : {}, 'stopping');
    const deadline = setTimeout(() => {
      logger.error(`did not stop within ${STOP_DEADLINE_MS} ms; exiting anyway`);
      process.exit(EXIT_FAILURE);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    agent
      .stop()
      .then(() => companion?.stop?.())
      .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'))
      .finally(() => {
        try {
          state.close();
        } catch (error) {
          logger.error({ err: error }, 'error while closing the state file');
        }
        logger.info('stopped');
        process.exit(exitCode);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Nothing barista commits to a damaged file can be trusted: stop, saying how to recover.
  state.onCorruption((error) => {
    logger.fatal(error.message);
    setImmediate(() => stop(null, EXIT_FAILURE)); // not inside the call that found it
  });
}
