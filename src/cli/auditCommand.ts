/**
 * `barista audit`: the audit log from the state file, newest first — who asked barista to do
 * what (control, mutes, denied commands, button presses), from where, and what came of it.
 * Read-only and without the instance lease, like `barista status`.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { baristaHome, DEFAULT_STATE_PATH } from '../paths';
import { AuditLog, type AuditRow } from '../state/AuditLog';
import { StateError, StateStore } from '../state/StateStore';
import { CliExit, EXIT_USAGE, loadConfigForCli } from './loadConfigForCli';

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
      let state: StateStore;
      try {
        state = StateStore.openReadOnly(statePathOf(options));
      } catch (error) {
        if (error instanceof StateError) throw new CliExit(EXIT_USAGE, `barista audit: ${error.message}`);
        throw error;
      }
      try {
        const rows = new AuditLog(state).recent(count);
        process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : rows.length ? `${rows.map(auditLine).join('\n')}\n` : 'the audit log is empty\n');
      } finally {
        state.close();
      }
    });
}

/** One row as a line: `#12 2026-12-03T05:50:56Z alice (123) trader stop {"trader":"x"} allowed: stop exited [guild 1 channel 2]`. */
export function auditLine(row: AuditRow): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const args = row.args && row.args !== '{}' && row.args !== '[]' ? ` ${oneLine(row.args.slice(0, 200))}` : '';
  return `#${row.id} ${new Date(row.at).toISOString().replace(/\.\d{3}Z$/, 'Z')} ${oneLine(row.userTag || '?')} (${row.userId}) ${oneLine(row.command)}${args} ${row.decision}${row.outcome ? `: ${oneLine(row.outcome)}` : ''} [${oneLine(row.place)}]`;
}

function statePathOf(options: AuditOptions): string {
  if (options.state) return path.resolve(options.state);
  const { rules } = loadConfigForCli(options);
  return path.resolve(baristaHome(), rules.config.state.path ?? DEFAULT_STATE_PATH);
}
