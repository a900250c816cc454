import type { Command } from 'commander';
import { Commands } from '../agent/Commands';
import { Notifications } from '../agent/Notifications';
import { MuteStore } from '../state/MuteStore';
import { DEFAULT_STATE_PATH } from '../paths';
import { resolveWorkspace } from '../config/loadRules';
import { startSelfStats } from './selfStats';
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
      let commands: Commands | null = null;
      const stopSelfStats = startSelfStats();
      await startAgent('run', options, 1, {
        start: async (agent, rules, state) => {
          // One mute store: a mute added from Discord applies to the very next notification.
          const mutes = new MuteStore(state);
          notifications = new Notifications({ state, logger: agent.logger, mutes });
          await notifications.start(rules.config, agent.events$);
          commands = new Commands({ state, logger: agent.logger, mutes, fastReconnect: process.env.BARISTA_TEST_FAST_RECONNECT === '1' }, rules.config);
          await commands.apply(rules.config, resolveWorkspace(rules));
        },
        rulesApplied: async (agent, rules, change) => {
          if (change.sections.includes('notify')) await notifications?.restart(rules.config, agent.events$);
          else notifications?.retryRefused();
          await commands?.apply(rules.config, resolveWorkspace(rules));
        },
        stop: async () => {
          stopSelfStats();
          await commands?.stop();
          await notifications?.stop();
        },
      });
    },
  );
}
