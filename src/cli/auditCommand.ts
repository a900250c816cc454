/**
 * `barista audit`: the audit log from the state file, newest first — who asked barista to do
 * what (control, mutes, denied commands, button presses), from where, and what came of it.
 * Read-only and without the instance lease, like `barista status`.
 */
import type { Command } from 'commander';
import { DEFAULT_STATE_PATH } from '../paths';
import { AuditLog, type AuditRow } from '../state/AuditLog';
import { isoSeconds, oneLine } from './lineText';
import { CliExit, EXIT_USAGE, withStateForCli } from './loadConfigForCli';

interface AuditOptions {
  config?: string;
  envFile?: string;
  state?: string;
  count?: string;
  json?: boolean;
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description("print the audit log (who asked for what, where, and what came of it) from barista's state file")
    .option('-c, --config <file>', 'rules file whose state.path to read (default config/rules.yaml)')
    .option('-s, --state <file>', `state database (default: state.path in the rules, else ${DEFAULT_STATE_PATH} in barista's folder)`)
    .option('--env-file <file>', 'environment file (default .env)')
    .option('-n, --count <n>', 'how many rows, newest first', '50')
    .option('--json', 'print the rows as JSON')
    .action((options: AuditOptions) => {
      const count = Number(options.count ?? '50');
      if (!Number.isSafeInteger(count) || count < 1) throw new CliExit(EXIT_USAGE, 'barista audit: --count must be a whole number of at least 1');
      const rows = withStateForCli('audit', options, (state) => new AuditLog(state).recent(count));
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length ? `${rows.map(auditLine).join('\n')}\n` : 'the audit log is empty\n');
    });
}

/** One row as a line: `#12 2026-12-03T05:50:56Z alice (123) trader stop {"trader":"x"} allowed: stop exited [guild 1 channel 2]`. */
export function auditLine(row: AuditRow): string {
  const args = row.args && row.args !== '{}' && row.args !== '[]' ? ` ${oneLine(row.args.slice(0, 200))}` : '';
  return `#${row.id} ${isoSeconds(row.at)} ${oneLine(row.userTag || '?')} (${row.userId}) ${oneLine(row.command)}${args} ${row.decision}${row.outcome ? `: ${oneLine(row.outcome)}` : ''} [${oneLine(row.place)}]`;
}
