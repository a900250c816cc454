import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { resolveWorkspace } from '../config/loadRules';
import { redactSecrets } from '../logging/redactSecrets';
import { loadConfigForCli, rulesPath, type CommonOptions } from './loadConfigForCli';
import { summarizeRules } from './summarizeRules';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('validate rules.yaml and print a summary; every problem is printed as file:line:column: message (exit 2)')
    .option('-c, --config <file>', 'rules file', undefined)
    .option('--env-file <file>', '.env file to load (the process environment wins)', '.env')
    .action((options: CommonOptions) => {
      const { rules } = loadConfigForCli(options);
      process.stdout.write(`${redactSecrets(summarizeRules(rules, rulesPath(options)))}\n`); // a storage URL may hold a password
      // Valid rules for another machine are still valid (exit 0), but a typo here must show.
      const workspace = resolveWorkspace(rules);
      if (!existsSync(workspace)) {
        const at = rules.workspaceAt ?? { line: 1, column: 1 };
        process.stderr.write(`${rulesPath(options)}:${at.line}:${at.column}: warning: workspace ${workspace} does not exist on this machine; barista run would watch nothing until it appears\n`);
      }
    });
}
