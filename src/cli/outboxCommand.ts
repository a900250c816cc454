/**
 * `barista outbox list | retry | drop`: the operator's hands on messages Discord rejected or
 * that are stuck. Works beside a running barista (no lease; each edit is one short
 * transaction, and the running barista looks at its outbox again within OUTBOX_RESCAN_MS).
 * What it prints passes the secret redactor; every edit is an audit row.
 */
import os from 'node:os';
import type { Command } from 'commander';
import { OUTBOX_RESCAN_MS } from '../agent/NotifyPipeline';
import type { DiscordMessage } from '../discord/DiscordMessage';
import { redactSecrets } from '../logging/redactSecrets';
import { DEFAULT_STATE_PATH } from '../paths';
import { AuditLog } from '../state/AuditLog';
import { OUTBOX_STATUSES, OutboxStore, type OutboxRow, type OutboxStatus } from '../state/OutboxStore';
import { isoSeconds, oneLine } from './lineText';
import { CliExit, EXIT_USAGE, withStateForCli, type StateOptions } from './loadConfigForCli';

interface ListOptions extends StateOptions {
  status?: string;
  destination?: string;
  count?: string;
  json?: boolean;
}

interface EditOptions extends StateOptions {
  allRejected?: boolean;
}

const STATE_OPTIONS: [string, string][] = [
  ['-c, --config <file>', 'rules file whose state.path to use (default config/rules.yaml)'],
  ['-s, --state <file>', `state database (default: state.path in the rules, else ${DEFAULT_STATE_PATH} in barista's folder)`],
  ['--env-file <file>', 'environment file (default .env)'],
];

function withStateOptions(command: Command): Command {
  for (const [flags, description] of STATE_OPTIONS) command.option(flags, description);
  return command;
}

export function registerOutboxCommand(program: Command): void {
  const outbox = program.command('outbox').description('list, retry or drop messages in the outbox (rejected by Discord, or stuck)');
  withStateOptions(outbox.command('list').description('messages in the outbox, newest first (default: those not yet sent)'))
    .option('--status <status>', `only rows of this status (${OUTBOX_STATUSES.join(', ')}; default: pending and rejected)`)
    .option('--destination <key>', 'only rows for this destination (e.g. webhook:<id>, bot:<channel id>, console)')
    .option('-n, --count <n>', 'how many rows', '50')
    .option('--json', 'print the rows as JSON')
    .action((options: ListOptions) => listRows(options));
  withStateOptions(outbox.command('retry').description('send rejected or expired messages again, and pending ones waiting out a backoff now'))
    .argument('[seq...]', 'row numbers, as `outbox list` shows them (#12)')
    .option('--all-rejected', 'every rejected row')
    .action((seqs: string[], options: EditOptions) => editRows('retry', seqs, options));
  withStateOptions(outbox.command('drop').description('never send these pending or rejected messages (kept as expired until retention)'))
    .argument('[seq...]', 'row numbers, as `outbox list` shows them (#12)')
    .option('--all-rejected', 'every rejected row')
    .action((seqs: string[], options: EditOptions) => editRows('drop', seqs, options));
}

function listRows(options: ListOptions): void {
  const count = positiveInteger(options.count ?? '50', 'outbox list: --count');
  if (options.status !== undefined && !OUTBOX_STATUSES.includes(options.status as OutboxStatus)) {
    throw new CliExit(EXIT_USAGE, `barista outbox list: --status must be one of ${OUTBOX_STATUSES.join(', ')}`);
  }
  const rows = withStateForCli('outbox list', options, (state) => {
    const store = new OutboxStore<DiscordMessage>(state);
    const statuses: OutboxStatus[] = options.status ? [options.status as OutboxStatus] : ['pending', 'rejected'];
    return statuses
      .flatMap((status) => store.list({ status, destination: options.destination, limit: count }))
      .sort((a, b) => b.seq - a.seq)
      .slice(0, count);
  });
  const statuses = options.status ?? 'pending or rejected';
  if (options.json) process.stdout.write(`${redactSecrets(JSON.stringify(rows, null, 2))}\n`);
  else process.stdout.write(rows.length ? `${rows.map(outboxLine).join('\n')}\n` : `no ${statuses} messages in the outbox\n`);
}

function editRows(action: 'retry' | 'drop', args: string[], options: EditOptions): void {
  const seqs = args.map((arg) => positiveInteger(arg.replace(/^#/, ''), `outbox ${action}: row`));
  if (!seqs.length && !options.allRejected) throw new CliExit(EXIT_USAGE, `barista outbox ${action}: name the rows (as \`barista outbox list\` shows them) or give --all-rejected`);
  const { changed, targets } = withStateForCli(
    `outbox ${action}`,
    options,
    (state) => {
      const store = new OutboxStore<DiscordMessage>(state);
      const targets = [...new Set([...seqs, ...(options.allRejected ? store.list({ status: 'rejected', limit: 1_000_000 }).map((row) => row.seq) : [])])];
      const changed = action === 'retry' ? store.requeue(targets) : store.drop(targets, `dropped by ${os.userInfo().username} with barista outbox drop`);
      new AuditLog(state).record({
        at: Date.now(),
        userId: `host:${os.userInfo().uid}`,
        userTag: os.userInfo().username,
        command: `outbox ${action}`,
        args: JSON.stringify(targets),
        place: `host ${os.hostname()}`,
        decision: 'allowed',
        outcome: `${changed} of ${targets.length} rows`,
      });
      return { changed, targets };
    },
    'edit',
  );
  const skipped = targets.length - changed;
  process.stdout.write(
    `${action === 'retry' ? 'queued again' : 'dropped'}: ${changed} message${changed === 1 ? '' : 's'}` +
      (skipped ? ` (${skipped} not ${action === 'retry' ? 'rejected, expired or pending' : 'pending or rejected'}, or unknown: left as they were)` : '') +
      (action === 'retry' && changed ? `; a running barista sends them within ${OUTBOX_RESCAN_MS / 1000} s` : '') +
      '\n',
  );
}

/** `#12 2026-12-03T07:00:00Z rejected webhook:123 (3 attempts) 🛑 Stop-loss BTC/USD — 401: Unauthorized`. */
export function outboxLine(row: OutboxRow<DiscordMessage>): string {
  const what = row.payload.embeds?.[0]?.title ?? row.payload.content ?? '(no text)';
  const attempts = row.attempts ? ` (${row.attempts} attempt${row.attempts === 1 ? '' : 's'})` : '';
  const error = row.lastError ? ` — ${row.lastError}` : '';
  return redactSecrets(`#${row.seq} ${isoSeconds(row.createdAt)} ${row.status} ${row.destination}${attempts} ${oneLine(what).slice(0, 120)}${oneLine(error).slice(0, 200)}`);
}

function positiveInteger(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new CliExit(EXIT_USAGE, `barista ${what} must be a whole number of at least 1 (got ${JSON.stringify(text.slice(0, 40))})`);
  return n;
}
