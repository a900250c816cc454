/**
 * Slash commands are registered only when their definitions (or where they go) changed: a
 * hash of what was last registered is kept in state, so a restart costs Discord nothing.
 */
import { createHash } from 'node:crypto';
import type { ApplicationCommandDataResolvable, Client } from 'discord.js';
import type { StateStore } from '../../state/StateStore';
import type { SlashCommandJson } from '../commands/CommandRegistry';

const HASH_KEY = 'slash_commands_hash';

export interface RegistrationResult {
  registered: boolean;
  scope: string;
  count: number;
}

export async function registerSlashCommands(client: Client<true>, commands: readonly SlashCommandJson[], guilds: readonly string[] | undefined, state: StateStore): Promise<RegistrationResult> {
  const scope = guilds?.length ? `guilds ${guilds.join(', ')}` : 'global';
  const hash = createHash('sha256').update(JSON.stringify({ application: client.application.id, scope, commands })).digest('hex');
  if (state.getValue(HASH_KEY) === hash) return { registered: false, scope, count: commands.length };
  const data = commands as unknown as ApplicationCommandDataResolvable[];
  if (guilds?.length) {
    for (const guild of guilds) await client.application.commands.set(data, guild);
  } else {
    await client.application.commands.set(data);
  }
  state.setValue(HASH_KEY, hash);
  return { registered: true, scope, count: commands.length };
}
