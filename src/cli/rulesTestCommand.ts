/** `barista rules test`: which rule a line would trigger, and the event it would make. Offline. */
import type { Command } from 'commander';
import { compileLogRules, matchLogRules } from '../streams/logRules';
import { stripAnsi } from '../watchers/recordText';
import { CliExit, EXIT_CONFIG_PROBLEMS, EXIT_FAILURE, loadConfigForCli, type CommonOptions } from './loadConfigForCli';

interface RulesTestOptions extends CommonOptions {
  source: string;
  line: string;
}

export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('work with the rules of rules.yaml');
  rules
    .command('test')
    .description('print the rule a line triggers and the event it makes (exit 1 when no rule matches); reads no workspace file')
    .requiredOption('-s, --source <id>', 'source id the line comes from, e.g. trader-log')
    .requiredOption(
      '-l, --line <text>',
      'the line, as the log has it; write \\n (backslash, n) between lines to test a grouped record such as "Error processing bars: …\\nTraceback (most recent call last):\\n…"',
    )
    .option('-c, --config <file>', 'rules file', undefined)
    .option('--env-file <file>', '.env file to load (the process environment wins)', '.env')
    .action((options: RulesTestOptions) => {
      const { rules: loaded } = loadConfigForCli(options);
      const { sources, rules: ruleList } = loaded.config;
      if (!sources.some((source) => source.id === options.source)) {
        throw new CliExit(EXIT_CONFIG_PROBLEMS, `unknown source "${options.source}" (sources: ${sources.map((s) => s.id).join(', ') || 'none'})`);
      }

      const text = asObservationText(options.line);
      const match = matchLogRules(compileLogRules(ruleList), options.source, text);
      if (match) {
        process.stdout.write(`rule: ${match.ruleId}\n${JSON.stringify(match.draft, null, 2)}\n`);
        return;
      }
      // A disabled rule that would match is the usual surprise (min-hold ships disabled).
      const disabled = ruleList.filter((rule) => !rule.enabled).map((rule) => ({ ...rule, enabled: true }));
      const wouldMatch = matchLogRules(compileLogRules(disabled), options.source, text);
      const hint = wouldMatch ? ` (disabled rule ${wouldMatch.ruleId} would match)` : '';
      throw new CliExit(EXIT_FAILURE, `no rule of source ${options.source} matched${hint}`);
    });
}

/** What the log tailer hands the rules: "\n" typed literally joins lines, NFC, no ANSI colours. */
function asObservationText(line: string): string {
  return stripAnsi(line.replace(/\\n/g, '\n')).normalize('NFC');
}
