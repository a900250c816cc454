import type { Command } from 'commander';
import { EventStore } from '../state/EventStore';
import { addAgentOptions } from './runCommand';
import { startAgent, type AgentCommandOptions } from './startAgent';

/** `barista events`: the watchers' events as JSON lines on stdout (logs on stderr), checkpointed like run. */
export function registerEventsCommand(program: Command): void {
  addAgentOptions(
    program.command('events').description('run the watchers and print every event as one JSON object per line on stdout (logs go to stderr); checkpoints like run'),
  ).action(async (options: AgentCommandOptions) => {
    // `barista events | head`: when the reader goes away, stop like on Ctrl-C (state closed).
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.kill(process.pid, 'SIGTERM');
    });
    await startAgent('events', options, 2, {
      start: (agent, _rules, state) => {
        // Printed is delivered: a later `barista run` on this state does not notify them again.
        const events = new EventStore(state);
        agent.events$.subscribe((event) => {
          process.stdout.write(`${JSON.stringify(event)}\n`);
          events.markNotified([event.id]);
        });
      },
    });
  });
}
