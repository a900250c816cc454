/**
 * `barista status`: what /status, /health and /mutes answer, from the state file, as text or
 * JSON. It reads the file read-only without the instance lease, so it works beside a running
 * barista; uptime comes from that barista's lease (none alive: "not running").
 */
import type { Command } from 'commander';
import { DEFAULT_STATE_PATH } from '../paths';
import { ReadModel } from '../readModel/ReadModel';
import type { HealthAnswer, MutesAnswer, StatusAnswer } from '../readModel/answers';
import { healthAnswer, mutesAnswer, statusAnswer } from '../readModel/queries';
import { liveLeaseHolder } from '../state/instanceLease';
import type { StateStore } from '../state/StateStore';
import { withStateForCli } from './loadConfigForCli';
import { renderAnswer, renderTextPreview } from '../discord/render';
import { versionOf } from './version';

interface StatusOptions {
  config?: string;
  envFile?: string;
  state?: string;
  json?: boolean;
}

/** The /status answer with the /health and /mutes answers beside it (the JSON keeps /status's fields at the top). */
export type HostStatus = StatusAnswer & { running: { pid: number; host: string; since: number } | null; health: HealthAnswer; mutes: MutesAnswer };

export function hostStatus(state: StateStore, now: () => number = Date.now): HostStatus {
  const model = new ReadModel(state, now);
  const holder = liveLeaseHolder(state.db);
  // The rate-limit count lives only in the running process: the host cannot tell it.
  const health = healthAnswer(model, { version: versionOf(), startedAt: holder?.acquiredAt ?? null, rateLimitHits: () => null });
  const running = holder ? { pid: holder.pid, host: holder.host, since: holder.acquiredAt } : null;
  return { ...statusAnswer(model), running, health, mutes: mutesAnswer(model) };
}

export function renderHostStatus(answer: HostStatus): string {
  return renderTextPreview([renderAnswer(answer), renderAnswer(answer.health), renderAnswer(answer.mutes)], { now: answer.now });
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("print what /status, /health and /mutes answer, from barista's state file (works while barista runs)")
    .option('-c, --config <file>', 'rules file whose state.path to read (default config/rules.yaml)')
    .option('-s, --state <file>', `state database (default: state.path in the rules, else ${DEFAULT_STATE_PATH} in barista's folder)`)
    .option('--env-file <file>', 'environment file (default .env)')
    .option('--json', 'print the answer object as JSON')
    .action((options: StatusOptions) => {
      const answer = withStateForCli('status', options, (state) => hostStatus(state));
      process.stdout.write(options.json ? `${JSON.stringify(answer, null, 2)}\n` : `${renderHostStatus(answer)}\n`);
    });
}
