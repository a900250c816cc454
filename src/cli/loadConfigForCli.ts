/** Shared start of every command: .env, then rules.yaml, resolved the same way everywhere. */
import path from 'node:path';
import { loadEnvFile, registerConfigSecrets, type EnvFileResult } from '../config/environment';
import { loadRulesFile, type LoadedRules } from '../config/loadRules';
import { formatProblem } from '../config/problems';
import { baristaHome, DEFAULT_RULES_PATH } from '../paths';

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
