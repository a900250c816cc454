/** The short, human summary `barista check` prints for a valid rules file. */
import { existsSync } from 'node:fs';
import { describeDiscordSetup } from '../config/environment';
import { resolveWorkspace, type LoadedRules } from '../config/loadRules';
import { planDelivery } from '../discord/deliveryPlan';
import { redactUrlPassword } from '../logging/redactSecrets';

export function summarizeRules(rules: LoadedRules, displayPath: string): string {
  const { config } = rules;
  const workspace = resolveWorkspace(rules);
  const lines = [`${displayPath}: ok`];
  lines.push(`  workspace  ${workspace}${existsSync(workspace) ? '' : '  (does not exist on this machine)'}`);

  const enabled = config.sources.filter((s) => s.enabled);
  const byType = new Map<string, string[]>();
  for (const source of enabled) byType.set(source.type, [...(byType.get(source.type) ?? []), source.id]);
  const disabled = config.sources.length - enabled.length;
  lines.push(`  sources    ${enabled.length}${disabled ? ` (+${disabled} disabled)` : ''}: ${[...byType].map(([type, ids]) => `${type}: ${ids.join(', ')}`).join('; ')}`);

  // Which storage each Optuna source follows; a database URL's password never shows.
  const optuna = enabled.flatMap((s) => (s.type === 'optuna' ? [`${s.id} → ${redactUrlPassword(s.storage)}`] : []));
  if (optuna.length) lines.push(`  optuna     ${optuna.join('; ')}`);

  const rulesOn = config.rules.filter((r) => r.enabled);
  const types = [...new Set(rulesOn.map((r) => r.emit.type))];
  lines.push(`  rules      ${rulesOn.length}${rulesOn.length < config.rules.length ? ` (+${config.rules.length - rulesOn.length} disabled)` : ''} emitting ${types.length} event types`);

  const channels = Object.keys(config.notify.channels);
  lines.push(`  routes     ${config.notify.routes.length} to channels ${channels.join(', ') || '(none)'}`);

  const discord = describeDiscordSetup(config);
  // What `run` will do: a bot channel when there is a token, else webhooks, else the console.
  const plan = planDelivery(config);
  const delivered = [...plan.channels]
    .filter(([, destinations]) => destinations.some((d) => d.kind !== 'console'))
    .map(([name, destinations]) => {
      const webhooks = destinations.filter((d) => d.kind === 'webhook').length;
      return `${name} (${destinations.some((d) => d.kind === 'bot') ? 'bot' : `${webhooks} webhook${webhooks > 1 ? 's' : ''}`})`;
    });
  const discordLine = !discord.enabled
    ? 'disabled (DISCORD_ENABLED is not true): notifications print to the console'
    : delivered.length === 0
      ? 'no webhook or bot channel set: notifications print to the console'
      : `${delivered.join(', ')} via ${discord.apiBase}`;
  lines.push(`  discord    ${discordLine}`);
  const digests = config.notify.digests.filter((d) => d.mode !== 'off');
  if (digests.length) lines.push(`  digests    ${digests.map((d) => `${d.id} (${d.kind}, "${d.schedule}" local time → ${d.to})`).join('; ')}`);

  const control = config.commands.allow.control;
  const controllers = (control?.users.length ?? 0) + (control?.roles.length ?? 0);
  lines.push(`  commands   prefix "${config.commands.prefix}"${config.commands.slash ? ' and slash commands' : ''}; trader control ${controllers ? `allowed for ${controllers} user/role ids` : 'denied to everyone'}`);
  return lines.join('\n');
}
