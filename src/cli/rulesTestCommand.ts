/** `barista rules test`: which rule a line would trigger, and the event it would make. Offline. */
import type { Command } from 'commander';
import type { RulesFile } from '../config/schema';
import { SEVERITIES } from '../config/schema';
import { formatDuration } from '../config/duration';
import { planDelivery } from '../discord/deliveryPlan';
import { renderNotification, renderTextPreview } from '../discord/render';
import { eventFromDraft, eventId, type BaristaEvent } from '../model/BaristaEvent';
import { compileLogRules, factOfMatch, matchLogRules } from '../streams/logRules';
import { groupKeyOf, groupLabelsOf } from '../streams/notify/grouping';
import { compileRoutes, routeDecision, type RouteDecision } from '../streams/notify/routes';
import { stripAnsi } from '../watchers/recordText';
import { CliExit, EXIT_CONFIG_PROBLEMS, EXIT_FAILURE, EXIT_USAGE, loadConfigForCli, type CommonOptions } from './loadConfigForCli';

interface RulesTestOptions extends CommonOptions {
  source?: string;
  line?: string;
  event?: string;
  subject: string;
}

export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('work with the rules of rules.yaml');
  rules
    .command('test')
    .description(
      'show what barista would do with a line (--source + --line: the rule it triggers and the event) or an event (--event): the route, the grouping key and the rendered Discord message, as JSON and as a text preview (exit 1 when no rule matches); reads no workspace file and sends nothing',
    )
    .option('-s, --source <id>', 'source id the line comes from, e.g. trader-log')
    .option(
      '-l, --line <text>',
      'the line, as the log has it; write \\n (backslash, n) between lines to test a grouped record such as "Error processing bars: …\\nTraceback (most recent call last):\\n…"',
    )
    .option('-e, --event <json>', 'an event as JSON, e.g. \'{"type":"trade.executed","subject":"trial250","fields":{"symbol":"BTC/USD","side":"BUY","qty":0.01,"price":97000}}\'')
    .option('--subject <name>', 'subject (trader) of the event made from --line', 'paper_trader')
    .option('-c, --config <file>', 'rules file', undefined)
    .option('--env-file <file>', '.env file to load (the process environment wins)', '.env')
    .action((options: RulesTestOptions) => {
      const { rules: loaded } = loadConfigForCli(options);
      const config = loaded.config;
      let event: BaristaEvent;
      if (options.event !== undefined) {
        if (options.line !== undefined) throw new CliExit(EXIT_USAGE, 'give --event or --line, not both');
        event = eventFromJson(options.event);
      } else {
        if (options.line === undefined || options.source === undefined) throw new CliExit(EXIT_USAGE, 'give --source and --line, or --event');
        const source = options.source;
        if (!config.sources.some((s) => s.id === source)) {
          throw new CliExit(EXIT_CONFIG_PROBLEMS, `unknown source "${source}" (sources: ${config.sources.map((s) => s.id).join(', ') || 'none'})`);
        }
        const text = asObservationText(options.line);
        const match = matchLogRules(compileLogRules(config.rules), source, text);
        if (!match) {
          // A disabled rule that would match is the usual surprise (min-hold ships disabled).
          const disabled = config.rules.filter((rule) => !rule.enabled).map((rule) => ({ ...rule, enabled: true }));
          const wouldMatch = matchLogRules(compileLogRules(disabled), source, text);
          const hint = wouldMatch ? ` (disabled rule ${wouldMatch.ruleId} would match)` : '';
          throw new CliExit(EXIT_FAILURE, `no rule of source ${source} matched${hint}`);
        }
        // Offline there is no running process: its parts of a fact key show as "*".
        const fact = factOfMatch(match, { subject: options.subject });
        const draft = fact ? { ...match.draft, fact } : match.draft;
        process.stdout.write(`rule: ${match.ruleId}\n${JSON.stringify(draft, null, 2)}\n`);
        event = eventFromDraft(draft, { source, subject: options.subject, idParts: ['rules-test', text] });
      }
      process.stdout.write(`\n${describeDelivery(event, config)}`);
    });
}

/** An event typed on the command line; what it leaves out gets a harmless default. */
function eventFromJson(json: string): BaristaEvent {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new CliExit(EXIT_USAGE, `--event is not JSON: ${(error as Error).message}`);
  }
  const given = (typeof value === 'object' && value !== null ? value : {}) as Partial<BaristaEvent>;
  if (typeof given.type !== 'string' || given.type === '') throw new CliExit(EXIT_USAGE, '--event needs a "type", e.g. {"type":"trade.executed"}');
  if (given.severity !== undefined && !(SEVERITIES as readonly string[]).includes(given.severity)) throw new CliExit(EXIT_USAGE, `--event severity must be one of ${SEVERITIES.join(', ')}`);
  return {
    id: given.id ?? eventId('rules-test', json),
    type: given.type,
    severity: given.severity ?? 'info',
    at: given.at ?? new Date().toISOString(),
    source: given.source ?? 'rules-test',
    subject: given.subject ?? 'test',
    fields: typeof given.fields === 'object' && given.fields !== null ? given.fields : {},
    ...(typeof given.text === 'string' ? { text: given.text } : {}),
  };
}

/** Route, grouping key and destinations of one event, then its rendered message (as it would be sent alone, after group_wait). */
function describeDelivery(event: BaristaEvent, config: RulesFile): string {
  const decision = routeDecision(event, compileRoutes(config.notify));
  const lines: string[] = [];
  if (decision.matches.length === 0) {
    lines.push(unroutedReason(decision));
    return `${lines.join('\n')}\n`;
  }
  const plan = planDelivery(config);
  for (const match of decision.matches) {
    const labels = groupLabelsOf(event, match.groupBy);
    const groupKey = groupKeyOf(match.route, labels, match.groupBy);
    lines.push(`route: notify.routes[${match.route}] → ${match.channels.join(', ') || '(no channel)'}${match.silent ? ' (silent)' : ''}`);
    lines.push(`group key: ${groupKey}  (group_wait ${formatDuration(match.timing.groupWaitMs)}, group_interval ${formatDuration(match.timing.groupIntervalMs)})`);
    for (const channel of match.channels) {
      const destinations = plan.channels.get(channel);
      lines.push(`channel ${channel}: ${destinations ? destinations.map((d) => d.key).join(', ') : 'not defined in notify.channels'}`);
      const messages = renderNotification({ channel, route: match.route, groupKey, groupLabels: labels, events: [event], silent: match.silent });
      lines.push('discord message (JSON):', JSON.stringify(messages, null, 2), 'preview:', renderTextPreview(messages));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Why nothing sends an event, in one line. */
function unroutedReason(decision: RouteDecision): string {
  if (decision.droppedBy !== null) return `route: dropped by notify.routes[${decision.droppedBy}] (mode: off)`;
  if (decision.debugSkippedBy !== null) {
    return `route: none; severity debug is a record, not a message: notify.routes[${decision.debugSkippedBy}] matches but a route takes debug events only when its match names severity: debug; stored, not sent`;
  }
  return 'route: none matches; not sent';
}

/** What the log tailer hands the rules: "\n" typed literally joins lines, NFC, no ANSI colours. */
function asObservationText(line: string): string {
  return stripAnsi(line.replace(/\\n/g, '\n')).normalize('NFC');
}
