/**
 * `barista service print [--system]`: a systemd unit for this checkout on stdout, to install
 * with the two commands the README shows. Nothing is installed or started here: what goes into
 * /etc or ~/.config stays the operator's decision.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { resolveWorkspace } from '../config/loadRules';
import type { RulesFile } from '../config/schema';
import { baristaHome } from '../paths';
import { CliExit, EXIT_USAGE, loadConfigForCli, rulesPath, statePathOf, type StateOptions } from './loadConfigForCli';
import { renderServiceUnit } from './serviceUnit';
import { STOP_DEADLINE_MS } from './startAgent';

interface ServiceOptions extends StateOptions {
  system?: boolean;
  user?: string;
}

export function registerServiceCommand(program: Command): void {
  const service = program.command('service').description('run barista as a systemd service');
  service
    .command('print')
    .description('print a systemd unit for this checkout (a user unit; --system for a system one)')
    .option('-c, --config <file>', 'rules file the service runs with (default config/rules.yaml)')
    .option('-s, --state <file>', 'state database (default: state.path in the rules)')
    .option('--env-file <file>', 'environment file the service reads (default .env in the working directory)')
    .option('--system', 'a system unit (runs as --user, default the current user) instead of a user unit')
    .option('--user <name>', 'system units: the account barista runs as')
    .action((options: ServiceOptions) => {
      if (options.user && !options.system) throw new CliExit(EXIT_USAGE, 'barista service print: --user is for system units (add --system)');
      const { rules } = loadConfigForCli(options);
      const user = options.user ?? os.userInfo().username;
      if (options.system && user === 'root') process.stderr.write('barista service print: the unit runs barista as root; --user NAME runs it as an ordinary account, which is all it needs\n');
      const home = baristaHome();
      const state = statePathOf(options, rules);
      // ReadWritePaths= names folders that exist, and barista cannot make its own under ProtectSystem.
      if (!existsSync(path.dirname(state))) process.stderr.write(`barista service print: make the state folder before starting the service: mkdir -p ${path.dirname(state)}\n`);
      const launcher = traderLauncher(rules.config.control);
      if (options.system && launcher === 'systemd-run' && user !== 'root') {
        process.stderr.write(
          `barista service print: a trader barista starts runs as its own system unit (systemd-run), which ${user} may create only if polkit allows it (org.freedesktop.systemd1.manage-units); else run barista as a user unit, or set control.launcher: direct and print the unit again\n`,
        );
      }
      process.stdout.write(
        renderServiceUnit({
          kind: options.system ? 'system' : 'user',
          node: process.execPath,
          cli: path.join(home, 'dist', 'src', 'cli.js'),
          home,
          config: path.resolve(rulesPath(options)),
          envFile: path.resolve(options.envFile ?? '.env'),
          state,
          traderLauncher: launcher,
          workspace: resolveWorkspace(rules),
          user: options.system ? user : null,
          stopDeadlineMs: STOP_DEADLINE_MS,
        }),
      );
    });
}

/** Under systemd, auto is systemd-run (systemd-run ships with systemd). */
function traderLauncher(control: RulesFile['control']): 'direct' | 'systemd-run' | null {
  if (!control.trader && !Object.keys(control.traders ?? {}).length) return null;
  return control.launcher === 'direct' ? 'direct' : 'systemd-run';
}
