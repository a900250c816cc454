import type { Command } from 'commander';
import { Notifications } from '../agent/Notifications';
import { DEFAULT_STATE_PATH } from '../paths';
import { startAgent, type AgentCommandOptions } from './startAgent';

export function addAgentOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'rules file')
    .option('-s, --state <file>', `state database (default: state.path in the rules, else ${DEFAULT_STATE_PATH} in barista's folder)`)
    .option('--env-file <file>', '.env file to load (the process environment wins)', '.env');
}

export function registerRunCommand(program: Command): void {
  addAgentOptions(program.command('run').description('start the agent: watch the workspace, keep state, follow rules.yaml edits; stops on SIGINT/SIGTERM')).action(
    async (options: AgentCommandOptions) => {
      let notifications: Notifications | null = null;
      await startAgent('run', options, 1, {
        start: async (agent, rules, state) => {
          notifications = new Notifications({ state, logger: agent.logger });
          await notifications.start(rules.config, agent.events$);
        },
        rulesApplied: async (agent, rules, change) => {
          if (change.sections.includes('notify')) await notifications?.restart(rules.config, agent.events$);
        },
        stop: async () => notifications?.stop(),
      });
    },
  );
}
