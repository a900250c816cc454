/** Shared start of every command: .env, then rules.yaml, resolved the same way everywhere. */
import path from 'node:path';
import { loadEnvFile, registerConfigSecrets, type EnvFileResult } from '../config/environment';
import { loadRulesFile, type LoadedRules } from '../config/loadRules';
import { formatProblem } from '../config/problems';
import { baristaHome, DEFAULT_RULES_PATH, DEFAULT_STATE_PATH } from '../paths';
import { corruptStateMessage, isCorruption } from '../state/corruption';
import { StateCorruptError, StateError, StateStore } from '../state/StateStore';

export interface CommonOptions {
  config?: string;
  envFile?: string;
}

export interface CliConfig {
  rules: LoadedRules;
  env: EnvFileResult;
}

/** Exit code for a rules file with problems: `check` and `run` agree on it. */
export const EXIT_CONFIG_PROBLEMS = 2;
/** Wrong or missing command-line options: also 2, as for any usage error. */
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

/** --config is relative to the working directory; the default lives in barista's own folder. */
export function rulesPath(options: CommonOptions): string {
  return options.config ?? path.relative(process.cwd(), path.join(baristaHome(), DEFAULT_RULES_PATH)) ?? DEFAULT_RULES_PATH;
}

export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function loadConfigForCli(options: CommonOptions): CliConfig {
  const env = loadEnvFile(options.envFile ?? '.env');
  const file = rulesPath(options);
  const result = loadRulesFile(file);
  if (!result.ok) throw new CliExit(EXIT_CONFIG_PROBLEMS, result.problems.map(formatProblem).join('\n'));
  registerConfigSecrets(result.rules.config);
  return { rules: result.rules, env };
}

export interface StateOptions extends CommonOptions {
  state?: string;
}

/** --state, else state.path of the rules, else var/barista.db in barista's folder. */
export function statePathOf(options: StateOptions, rules?: LoadedRules): string {
  if (options.state) return path.resolve(options.state);
  const config = (rules ?? loadConfigForCli(options).rules).config;
  return path.resolve(baristaHome(), config.state.path ?? DEFAULT_STATE_PATH);
}

/**
 * Runs `use` on the state file of a running (or stopped) barista, opened beside it without the
 * lease, for a host command, then closes it. A missing or foreign file is one sentence and exit 2;
 * a damaged one, found opening or reading it, is `barista run`'s recovery sentence and exit 1.
 */
export function withStateForCli<T>(command: string, options: StateOptions, use: (state: StateStore) => T, mode: 'read' | 'edit' = 'read'): T {
  const file = statePathOf(options);
  let state: StateStore;
  try {
    state = mode === 'read' ? StateStore.openReadOnly(file) : StateStore.openForEdit(file);
  } catch (error) {
    if (error instanceof StateCorruptError) throw new CliExit(EXIT_FAILURE, `barista ${command}: ${error.message}`);
    if (error instanceof StateError) throw new CliExit(EXIT_USAGE, `barista ${command}: ${error.message}`);
    throw error;
  }
  try {
    return use(state);
  } catch (error) {
    // SQLite finds damage only on the pages a query reads: possibly well after opening.
    if (isCorruption(error)) throw new CliExit(EXIT_FAILURE, `barista ${command}: ${corruptStateMessage(state.info.path, (error as Error).message, 'reading')}`);
    throw error;
  } finally {
    state.close();
  }
}
