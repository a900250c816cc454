import { Command, CommanderError } from 'commander';
import { redactSecrets } from '../logging/redactSecrets';
import { versionOf } from './version';
import { registerCheckCommand } from './checkCommand';
import { registerDoctorCommand } from './doctorCommand';
import { registerEventsCommand } from './eventsCommand';
import { CliExit, EXIT_FAILURE } from './loadConfigForCli';
import { registerRulesCommand } from './rulesTestCommand';
import { registerRunCommand } from './runCommand';
import { registerStatusCommand } from './statusCommand';
import { registerAuditCommand } from './auditCommand';
import { registerOutboxCommand } from './outboxCommand';
import { registerServiceCommand } from './serviceCommand';

export function buildProgram(): Command {
  const program = new Command('barista')
    .description('Watches an unmodified Cappuccino trading system and turns what it writes into Discord notifications and commands.')
    .version(versionOf(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCheckCommand(program);
  registerRunCommand(program);
  registerRulesCommand(program);
  registerEventsCommand(program);
  registerStatusCommand(program);
  registerDoctorCommand(program);
  registerAuditCommand(program);
  registerOutboxCommand(program);
  registerServiceCommand(program);
  return program;
}

/** Runs the CLI; failures print one clear line (no stack unless BARISTA_DEBUG is set). */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  if (argv.length <= 2) argv = [...argv, '--help'];
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
    if (error instanceof CommanderError) return; // commander already printed help or the usage error
    const text = error instanceof CliExit ? error.message : `barista: ${(error as Error).message ?? String(error)}`;
    process.stderr.write(`${redactSecrets(text)}\n`);
    if (process.env.BARISTA_DEBUG && error instanceof Error && !(error instanceof CliExit)) process.stderr.write(`${redactSecrets(error.stack ?? '')}\n`);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CliExit) return error.code;
  if (error instanceof CommanderError) return error.exitCode === 1 ? 2 : error.exitCode; // usage errors: 2, like bad config
  return EXIT_FAILURE;
}
