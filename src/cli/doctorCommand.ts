/**
 * `barista doctor`: checks what a new setup gets wrong (rules, workspace, globs, state folder,
 * Discord token, intent, channel permissions, webhooks, clock), one ✔ / ! / ✘ line each with
 * the fix. Exit 1 when any check fails, 0 otherwise (warnings included).
 */
import type { Command } from 'commander';
import { DEFAULT_DISCORD_API_BASE, loadEnvFile, registerConfigSecrets } from '../config/environment';
import { loadRulesFile, resolveWorkspace } from '../config/loadRules';
import { formatProblem } from '../config/problems';
import type { RulesFile } from '../config/schema';
import { redactSecrets } from '../logging/redactSecrets';
import {
  botChannelCheck,
  clockCheck,
  discordGetter,
  discordTargets,
  intentCheck,
  renderCheckLine,
  sourceCheck,
  stateFolderCheck,
  tokenCheck,
  webhookCheck,
  workspaceCheck,
  type CheckLine,
  type DiscordAnswer,
  type DiscordGet,
} from './doctorChecks';
import { CliExit, EXIT_FAILURE, rulesPath, statePathOf, type StateOptions } from './loadConfigForCli';

type Emit = (line: CheckLine) => void;

/**
 * Runs Discord checks; a network failure (timeout, refused) is one ✘ line with its text redacted
 * (it may quote a URL), and the checks after it are not sent: no storm of 5 s timeouts.
 */
function discordReacher(emit: Emit): (what: string, ask: () => Promise<CheckLine | null>) => Promise<void> {
  let unreachable: string | null = null;
  return async (what, ask) => {
    if (unreachable !== null) {
      emit({ verdict: 'fail', text: `${what}: not checked (Discord unreachable)`, fix: 'see the first failure above.' });
      return;
    }
    try {
      const line = await ask();
      if (line) emit(line);
    } catch (error) {
      unreachable = (error as Error).name === 'TimeoutError' ? 'no answer within 5 s' : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
      emit({ verdict: 'fail', text: `${what}: cannot reach Discord (${redactSecrets(unreachable)})`, fix: 'check the network and DISCORD_API_BASE.' });
    }
  };
}

async function discordChecks(emit: Emit, config: RulesFile): Promise<void> {
  const discord = config.notify.discord;
  const { botChannels, webhooks } = discordTargets(config);
  if (discord.enabled === false) {
    emit({ verdict: 'warn', text: 'Discord is turned off: notifications go to the console', fix: 'unset DISCORD_ENABLED=false (or set BARISTA_DISCORD_ENABLED=true) to deliver them.' });
    return;
  }
  if (!discord.token && webhooks.length === 0) {
    emit({ verdict: 'warn', text: 'Discord is not configured: notifications go to the console', fix: 'set DISCORD_BOT_TOKEN or DISCORD_WEBHOOK_URL in .env.' });
    return;
  }
  const get = discordGetter(discord.api_base ?? DEFAULT_DISCORD_API_BASE, discord.token);
  let date: number | null = null;
  const dated: DiscordGet = async (route, auth) => {
    const answer: DiscordAnswer = await get(route, auth);
    date ??= answer.date;
    return answer;
  };
  const reaching = discordReacher(emit);
  if (discord.token) {
    await reaching('bot token', async () => {
      const me = tokenCheck(await dated('/users/@me', 'bot'));
      emit(me.line);
      if (!me.bot) return { verdict: 'fail', text: 'bot channels: not checked without a valid token', fix: 'fix the token first.' };
      const bot = me.bot;
      emit(intentCheck(await dated('/applications/@me', 'bot')));
      for (const [name, id] of botChannels) await reaching(`channel ${name}`, () => botChannelCheck(dated, bot, name, id));
      return null;
    });
  }
  for (const [name, url] of webhooks) await reaching(`webhook of channel ${name}`, () => webhookCheck(dated, name, url));
  const clock = clockCheck(date, Date.now());
  if (clock) emit(clock);
}

/** Every check, in order; the lines go to `emit` as they are known. */
export async function runDoctor(options: StateOptions, emit: Emit): Promise<void> {
  loadEnvFile(options.envFile ?? '.env');
  const file = rulesPath(options);
  const loaded = loadRulesFile(file);
  if (!loaded.ok) {
    emit({ verdict: 'fail', text: `rules ${file} have problems:\n${loaded.problems.map((p) => `    ${formatProblem(p)}`).join('\n')}`, fix: 'fix them (barista check shows the same list).' });
    return;
  }
  registerConfigSecrets(loaded.rules.config);
  emit({ verdict: 'ok', text: `rules ${file} load` });
  const workspace = resolveWorkspace(loaded.rules);
  const where = workspaceCheck(workspace);
  emit(where);
  if (where.verdict === 'ok') for (const source of loaded.rules.config.sources) {
    const line = sourceCheck(source, workspace);
    if (line) emit(line);
  }
  emit(stateFolderCheck(statePathOf(options, loaded.rules)));
  await discordChecks(emit, loaded.rules.config);
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the setup (rules, workspace, paths, state folder, Discord token, intent, channel permissions, webhooks, clock): one ✔/!/✘ line each with the fix; exit 1 if any ✘')
    .option('-c, --config <file>', 'rules file (default config/rules.yaml)')
    .option('-s, --state <file>', 'state database (default: state.path in the rules)')
    .option('--env-file <file>', '.env file to load (the process environment wins)', '.env')
    .action(async (options: StateOptions) => {
      let failed = false;
      await runDoctor(options, (line) => {
        failed ||= line.verdict === 'fail';
        process.stdout.write(`${renderCheckLine(line)}\n`);
      });
      if (failed) throw new CliExit(EXIT_FAILURE, 'barista doctor: some checks failed (✘ above)');
    });
}
