/**
 * Every command barista answers. Slash registration, `!` parsing and /help are generated
 * from this list; a command file not listed here is never offered.
 */
import { CommandRegistry } from './CommandRegistry';
import { dashboard } from './list/dashboard';
import { help } from './list/help';
import { mute } from './list/mute';
import { unmute } from './list/unmute';

export const COMMANDS = [help, dashboard, mute, unmute] as const;

export const commandRegistry = (): CommandRegistry => new CommandRegistry(COMMANDS);
