import type { Command } from 'commander';
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
    });
}
