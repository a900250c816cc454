/** Shared start of every command: .env, then rules.yaml, resolved the same way everywhere. */
import path from 'node:path';
import { loadEnvFile, registerConfigSecrets, type EnvFileResult } from '../config/environment';
import { loadRulesFile, type LoadedRules } from '../config/loadRules';
import { formatProblem } from '../config/problems';
import { baristaHome, DEFAULT_RULES_PATH, DEFAULT_STATE_PATH } from '../paths';
import { StateError, StateStore } from '../state/StateStore';

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
 * The state file of a running (or stopped) barista, opened beside it without the lease, for a
 * host command; a missing or foreign file is one sentence and exit 2.
 */
export function openStateForCli(command: string, options: StateOptions, mode: 'read' | 'edit' = 'read'): StateStore {
  const file = statePathOf(options);
  try {
    return mode === 'read' ? StateStore.openReadOnly(file) : StateStore.openForEdit(file);
  } catch (error) {
    if (error instanceof StateError) throw new CliExit(EXIT_USAGE, `barista ${command}: ${error.message}`);
    throw error;
  }
}
