/**
 * Every command barista answers. Slash registration, `!` parsing and /help are generated
 * from this list; a command file not listed here is never offered (a test checks that every
 * file in list/ is).
 */
import { CommandRegistry } from './CommandRegistry';
import { audit } from './list/audit';
import { chartEquity } from './list/chartEquity';
import { chartTraining } from './list/chartTraining';
import { dashboard } from './list/dashboard';
import { health } from './list/health';
import { help } from './list/help';
import { mute } from './list/mute';
import { mutes } from './list/mutes';
import { portfolio } from './list/portfolio';
import { status } from './list/status';
import { traderStatus } from './list/traderStatus';
import { traderRestart } from './list/traderRestart';
import { traderStart } from './list/traderStart';
import { traderStop } from './list/traderStop';
import { trades } from './list/trades';
import { trainingPause } from './list/trainingPause';
import { trainingResume } from './list/trainingResume';
import { trainingStatus } from './list/trainingStatus';
import { unmute } from './list/unmute';

export const COMMANDS = [status, portfolio, trades, traderStatus, trainingStatus, chartEquity, chartTraining, dashboard, mute, unmute, mutes, health, help, traderStart, traderStop, traderRestart, trainingPause, trainingResume, audit] as const;

export const commandRegistry = (): CommandRegistry => new CommandRegistry(COMMANDS);
