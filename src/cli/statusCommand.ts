/**
 * `barista status`: the `/status` answer from the state file, as text or JSON. It reads the
 * file read-only without the instance lease, so it works beside a running barista.
 */
import type { Command } from 'commander';
import { DEFAULT_STATE_PATH } from '../paths';
import { ReadModel } from '../readModel/ReadModel';
import { statusAnswer } from '../readModel/queries';
import { openStateForCli } from './loadConfigForCli';
import { renderAnswer, renderTextPreview } from '../discord/render';

interface StatusOptions {
  config?: string;
  envFile?: string;
  state?: string;
  json?: boolean;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("print what /status answers, from barista's state file (works while barista runs)")
    .option('-c, --config <file>', 'rules file whose state.path to read (default config/rules.yaml)')
    .option('-s, --state <file>', `state database (default: state.path in the rules, else ${DEFAULT_STATE_PATH} in barista's folder)`)
    .option('--env-file <file>', 'environment file (default .env)')
    .option('--json', 'print the answer object as JSON')
    .action((options: StatusOptions) => {
      const state = openStateForCli('status', options);
      try {
        const answer = statusAnswer(new ReadModel(state));
        process.stdout.write(options.json ? `${JSON.stringify(answer, null, 2)}\n` : `${renderTextPreview([renderAnswer(answer)], { now: answer.now })}\n`);
      } finally {
        state.close();
      }
    });
}
