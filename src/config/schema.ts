/**
 * The one definition of rules.yaml. Types, validation and config/rules.schema.json (for
 * editors) all come from here. Objects are strict so a typo is an error, not a silent
 * default; later issues add optional fields without breaking existing files.
 */
import { z } from 'zod';
import { CronError, parseCron } from './cronSchedule';
import { DURATION_PATTERN, parseDuration } from './duration';
import { USER_REGEX_FLAGS, USER_REGEX_FLAGS_PATTERN } from './linearRegex';

const describe = <T extends z.ZodType>(schema: T, text: string): T => schema.describe(text) as T;

export const SEVERITIES = ['debug', 'info', 'notice', 'warning', 'error', 'critical'] as const;
export const SOURCE_TYPES = ['log', 'csv', 'json', 'optuna', 'files', 'process'] as const;

const duration = describe(
  z.union([z.string().regex(new RegExp(DURATION_PATTERN), 'expected a duration such as 500ms, 10s, 2m, 4h or 1d'), z.number().nonnegative()]).transform(parseDuration),
  'A duration: 500ms, 10s, 2m, 4h, 1d, 1h30m, or a number of seconds.',
);
const id = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'ids are lowercase letters, digits, "-" and "_", starting with a letter');
const nonEmpty = z.string().min(1, 'must not be empty');
const globs = describe(z.array(nonEmpty).min(1, 'list at least one path or glob'), 'Paths or globs relative to workspace.');
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);
const severity = z.enum(SEVERITIES);
/** Discord ids are 64-bit: kept as strings; empty means "not configured" (an unset ${VAR:-}). */
const snowflake = z.union([z.literal(''), z.string().regex(/^\d{15,21}$/, 'expected a Discord id (15–21 digits)')]);
const webhookUrl = z.union([
  z.literal(''),
  z.string().regex(/^https?:\/\/\S+\/webhooks\/\d+\/[\w.-]+$/, 'expected a Discord webhook URL (…/api/webhooks/<id>/<token>)'),
]);
/** DISCORD_ENABLED as the old bot read it: "true" (any case) enables; unset keeps the default. */
const flag = z.union([z.boolean(), z.literal(''), z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False'])]).transform((v) =>
  v === '' ? undefined : typeof v === 'boolean' ? v : v.toLowerCase() === 'true',
);
const signal = z.enum(['SIGINT', 'SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']);

const sourceBase = {
  id: describe(id, 'Unique id of this source; rules and routes refer to it.'),
  enabled: z.boolean().default(true),
  description: z.string().optional(),
};
const startAt = describe(z.enum(['end', 'beginning']), 'Where a file first seen is read from. Default: end for files present at the first start, beginning for files created later.');

export const logSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('log'),
  paths: globs,
  exclude: z.array(nonEmpty).optional(),
  start_at: startAt.optional(),
  multiline: z.enum(['python-traceback', 'none']).default('none'),
  traceback_lead: describe(z.string().min(1).optional(), 'Regex of a line that announces a traceback printed right after it (grouped with it into one record).'),
  max_line_bytes: z.number().int().positive().default(100 * 1024),
});

// Derived performance rules of a csv source. Each rule has a raise level and a separate clear
// level on the safe side of it (hysteresis): raised once at the level, cleared once past the
// other, so a value hovering around one level never flaps.
const enabledRule = describe(z.boolean().default(true), 'false keeps the rule written down but off.');
const ruleSeverity = describe(severity.default('warning'), 'Severity of the raised event; the recovery event is info.');
/** Bars in a row a value must stay at the raise level (or past the clear level) before the rule changes state. */
const holdBars = (bars: number) => describe(z.number().int().min(1).max(1000).default(bars), 'Consecutive bars the value must stay at the raise level (or past the clear level) before the event; 1 = at once.');
/** A band where raising happens at `raise` and clearing strictly past `clear`, on the safe side. */
function bandOrdered<T extends Record<string, unknown>>(raise: keyof T & string, clear: keyof T & string, direction: 'above' | 'below') {
  return (rule: T, ctx: z.RefinementCtx) => {
    const [r, c] = [rule[raise] as number, rule[clear] as number];
    if (direction === 'above' ? c < r : c > r) return;
    ctx.addIssue({
      code: 'custom',
      path: [clear],
      message: `"${clear}" (${c}) must be ${direction === 'above' ? 'below' : 'above'} "${raise}" (${r}): the condition is raised at "${raise}" and clears only once past "${clear}"`,
    });
  };
}
const drawdownRule = z
  .strictObject({
    enabled: enabledRule,
    above_pct: describe(z.number().positive().max(100).default(10), 'performance.drawdown when total value is this many % (or more) below its peak.'),
    clear_below_pct: describe(z.number().nonnegative().default(5), 'performance.drawdown_recovered once the drawdown is back below this %.'),
    hold_bars: holdBars(1),
    severity: ruleSeverity,
  })
  .superRefine(bandOrdered('above_pct', 'clear_below_pct', 'above'));
const alphaDecayRule = z
  .strictObject({
    enabled: enabledRule,
    benchmark: describe(nonEmpty.default('BTC/USD'), 'A ticker of the CSV ("BTC/USD") or its column ("price_BTC/USD"): the market the trader is measured against.'),
    window: describe(duration.prefault('24h'), 'Returns are compared over this span of bars (the watchdog uses 24h).'),
    below_pct: describe(z.number().default(-3), 'performance.alpha_decay when strategy return minus benchmark return over the window is this % or lower.'),
    clear_above_pct: describe(z.number().default(-1), 'performance.alpha_recovered once alpha is back above this %.'),
    hold_bars: holdBars(1),
    severity: ruleSeverity,
  })
  .superRefine(bandOrdered('below_pct', 'clear_above_pct', 'below'));
const sharpeRule = z
  .strictObject({
    enabled: enabledRule,
    window: describe(duration.prefault('7d'), 'Rolling span of bar returns the Sharpe ratio is computed from.'),
    below: describe(z.number().default(-1), 'performance.sharpe_low when the annualised Sharpe ratio is this or lower.'),
    clear_above: describe(z.number().default(0), 'performance.sharpe_recovered once it is back above this.'),
    // A ratio of a few returns swings across both levels from one bar to the next.
    hold_bars: holdBars(3),
    severity: ruleSeverity,
  })
  .superRefine(bandOrdered('below', 'clear_above', 'below'));
const concentrationRule = z
  .strictObject({
    enabled: enabledRule,
    above_pct: describe(z.number().positive().max(100).default(32), "performance.concentration when the largest position is this % (or more) of the portfolio's total value."),
    clear_below_pct: describe(z.number().nonnegative().default(30), 'performance.concentration_recovered once it is back below this %.'),
    hold_bars: holdBars(1),
    severity: ruleSeverity,
  })
  .superRefine(bandOrdered('above_pct', 'clear_below_pct', 'above'));
export const performanceSchema = z.strictObject({
  min_bars: describe(z.number().int().min(2).default(10), 'Bars a trader must have (history included) before any rule judges it; also the fewest returns a Sharpe ratio is computed from.'),
  timeframe: describe(duration.optional(), "Bar length for annualising the Sharpe ratio. Default: the median spacing of the CSV's timestamps."),
  drawdown: describe(drawdownRule.optional(), 'Drawdown of total value from its peak. Present = on.'),
  alpha_decay: describe(alphaDecayRule.optional(), 'Return against a benchmark over a window. Present = on.'),
  sharpe: describe(sharpeRule.optional(), 'Live Sharpe ratio from bar returns, annualised. Present = on.'),
  concentration: describe(concentrationRule.optional(), "Largest position's share of total value. Present = on."),
});

export const csvSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('csv'),
  paths: globs,
  exclude: z.array(nonEmpty).optional(),
  start_at: startAt.optional(),
  min_notional: describe(z.number().nonnegative().default(5), 'Smallest |Δqty × price| in dollars reported as a trade.'),
  performance: describe(performanceSchema.optional(), 'Rules derived per trader from its bars: drawdown, alpha decay, Sharpe, concentration (each with a raise and a clear level).'),
});
export const jsonSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('json'),
  paths: globs,
  exclude: z.array(nonEmpty).optional(),
  role: z.enum(['heartbeat', 'positions', 'document']).default('document'),
  stale_grace: duration.prefault('5m'),
});
export const optunaSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('optuna'),
  storage: describe(nonEmpty, 'sqlite:///relative/or/absolute.db; postgresql://user:${OPTUNA_DB_PASSWORD}@host:5432/db or mysql+pymysql://… (a SELECT-only role; PostgreSQL may take the password from ~/.pgpass or ?service=); or the path of a JournalStorage file.'),
  studies: describe(z.array(nonEmpty).optional(), 'Study names to announce and cache (all when absent).'),
  poll_interval: duration.prefault('5s'),
  top_n: describe(z.number().int().positive().default(5), 'Best trials kept per study for commands.'),
  recent_n: describe(z.number().int().positive().default(10), 'Latest finished trials kept per study for commands.'),
  stall_multiple: describe(z.number().positive().default(3), 'training.stalled when no trial finished for this many median trial durations…'),
  stall_floor: describe(duration.prefault('30m'), '…and never sooner than this.'),
  stale_after: describe(duration.prefault('30m'), 'training.trial_stale when a RUNNING trial shows no sign of life (heartbeat, or any write when the study has no heartbeat) for this long.'),
  worker_grace: describe(duration.prefault('2m'), 'With fewer training processes than RUNNING trials (when a process probe tells), the quietest trials are stale after this long.'),
});
export const filesSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('files'),
  paths: globs,
  exclude: z.array(nonEmpty).optional(),
});
/** A host threshold with hysteresis; false turns it off. */
const hostThreshold = (raise: number, clear: number, holdFor: string) =>
  describe(
    z
      .union([
        z.literal(false),
        z
          .strictObject({
            raise: describe(z.number(), 'Raise the alarm when the value is at or above this…'),
            clear: describe(z.number(), '…and clear it when the value is at or below this (not above raise).'),
            for: describe(duration.prefault(holdFor), '…each for at least this long (0s: at once).'),
          })
          .refine((t) => t.clear <= t.raise, { message: 'clear must not be above raise (the gap between them is the hysteresis)', path: ['clear'] }),
      ])
      .prefault({ raise, clear }),
    `Default: raise at ≥ ${raise}, clear at ≤ ${clear}, each held ${holdFor}. false turns it off.`,
  );

export const processSourceSchema = z.strictObject({
  ...sourceBase,
  type: z.literal('process'),
  match: describe(z.record(id, nonEmpty), 'Process classes: class name → script file name, matched on the argument after the interpreter.'),
  only_workspace: describe(
    z.boolean().default(true),
    "Count only processes of the workspace: working directory inside it, or a path argument (script, interpreter, --log-file) resolving inside it. false: every matching process on the host, another system's too.",
  ),
  expected: z.record(id, z.number().int().nonnegative()).optional(),
  interval: duration.prefault('10s'),
  logs: describe(
    z.record(nonEmpty, nonEmpty).optional(),
    "A process's log by its subject (trader name, study), relative to workspace; read for the tail in *.exited. Default: the file its stdout goes to, else its --log-file.",
  ),
  log_tail_lines: describe(z.number().int().min(0).max(200).default(20), 'How many last lines of its log an exited event carries.'),
  host: z
    .strictObject({
      cpu: hostThreshold(90, 80, '2m'),
      memory: describe(hostThreshold(90, 80, '1m'), 'Percent of memory in use (MemAvailable counts as free).'),
      disk: describe(hostThreshold(90, 85, '0s'), "Percent used of the workspace's filesystem: host.disk_low."),
      gpu_memory: hostThreshold(95, 85, '30s'),
      gpu_temperature: describe(hostThreshold(90, 80, '1m'), "Degrees Celsius: an AMD card's junction sensor (rocm-smi's), else its edge sensor."),
      gpu_interval: describe(duration.prefault('5m'), 'How often GPUs are read: AMD cards from sysfs, NVIDIA cards by nvidia-smi (which can take seconds) when it is on PATH.'),
    })
    .prefault({}),
});

export const sourceSchema = z.discriminatedUnion(
  'type',
  [logSourceSchema, csvSourceSchema, jsonSourceSchema, optunaSourceSchema, filesSourceSchema, processSourceSchema],
  { error: `"type" must be one of ${SOURCE_TYPES.join(', ')}` },
);

/** Longest a report may wait for a richer one: a notification late by more would be worth less. */
const MAX_FACT_HOLD_MS = 10 * 60_000;

const factSchema = z.strictObject({
  key: describe(
    z.string().regex(/^[a-z][a-z0-9_-]*(:[^:\s]+)+$/, 'a fact key is kind:part:…, e.g. "trial:{study}:{number}"'),
    'The fact\'s identity, the same for every source that reports it, e.g. "trial:{process.study_name}:{number}" or "trader-start:{subject}:{process.pid}". {name} is a field of the event, subject, or process.<field> of the running process writing this log (pid, study_name, …); a value this line cannot give becomes *, which matches any.',
  ),
  rank: describe(z.number().int().min(0).max(100).default(0), 'Of two reports of one fact, the higher rank is sent. Built-in sources (optuna trials, the process probe\'s trader starts) report with rank 1.'),
  hold: describe(
    duration.prefault('0s').refine((ms) => ms <= MAX_FACT_HOLD_MS, 'a hold is at most 10m'),
    'How long this report waits for a higher-ranked report of the same fact before it is sent (at most 10m). A higher-ranked report arriving later never makes a second message.',
  ),
});

export const ruleSchema = z.strictObject({
  id: describe(id, 'Unique id of this rule.'),
  source: describe(id, 'Id of the source whose lines this rule reads.'),
  match: describe(nonEmpty, 'JavaScript regular expression; named groups (?<name>…) become event fields.'),
  flags: describe(
    z.string().regex(USER_REGEX_FLAGS_PATTERN, `flags may be ${USER_REGEX_FLAGS.join(', ')} (flag u is not supported: it only runs on a backtracking engine, and emoji and other text match as written without it)`),
    'Regex flags: i (any case), m (^ and $ at each line of a grouped record), s (. matches newlines). Flag u is not supported: barista runs patterns in linear time only.',
  ).optional(),
  enabled: z.boolean().default(true),
  emit: z.strictObject({
    type: describe(z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'event types are dotted lowercase words, e.g. risk.stop_loss'), 'Event type, e.g. risk.stop_loss.'),
    severity: severity.default('info'),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    text: z.string().optional(),
    fact: describe(factSchema.optional(), 'The fact this event reports when another source reports it too (e.g. Optuna): one message per fact.'),
  }),
});

const timing = {
  group_wait: duration.optional(),
  group_interval: duration.optional(),
  repeat_interval: duration.optional(),
};

export const routeSchema = z.strictObject({
  match: z
    .strictObject({
      type: describe(oneOrMany(nonEmpty), 'Event type globs, e.g. "trade.*".').optional(),
      severity: describe(oneOrMany(severity), 'Severities to match. Debug events are records, not messages: a route takes them only when this names debug.').optional(),
      source: oneOrMany(nonEmpty).optional(),
      subject: oneOrMany(nonEmpty).optional(),
    })
    .prefault({}),
  to: oneOrMany(id).optional(),
  mode: describe(z.enum(['on', 'silent', 'off']).default('on'), 'silent sends without a push notification; off drops.'),
  group_by: z.array(nonEmpty).optional(),
  continue: describe(z.boolean().default(false), 'Keep matching later routes after this one.'),
  ...timing,
});

export const channelSchema = z.strictObject({
  webhook: describe(oneOrMany(webhookUrl), 'Discord webhook URL(s), e.g. "${DISCORD_WEBHOOK_URL}".').optional(),
  channel: describe(snowflake, 'Bot channel id, e.g. "${DISCORD_ALERT_CHANNEL_ID}" (needs DISCORD_BOT_TOKEN).').optional(),
  console: describe(z.boolean().optional(), 'Also print to barista\'s console.'),
});

const cronExpression = z.string().superRefine((text, ctx) => {
  try {
    parseCron(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof CronError ? error.message : String(error) });
  }
});

export const digestSchema = z.strictObject({
  id: describe(id, 'Unique id of this digest.'),
  schedule: describe(cronExpression, 'When, in local time, as cron "minute hour day-of-month month day-of-week", e.g. "0 9 * * *" for 09:00 every day.'),
  kind: describe(z.enum(['portfolio']), 'portfolio: a summary per trader from the cached portfolio state.'),
  to: describe(id, 'Channel in notify.channels.'),
  subjects: describe(z.array(nonEmpty).min(1).optional(), 'Traders (subject globs) to include; default all.'),
  mode: describe(z.enum(['on', 'silent', 'off']).default('on'), 'silent sends without a push notification; off disables the digest.'),
});

export const notifySchema = z.strictObject({
  defaults: z
    .strictObject({
      group_wait: duration.prefault('10s'),
      group_interval: duration.prefault('2m'),
      repeat_interval: duration.prefault('4h'),
    })
    .prefault({}),
  discord: z
    .strictObject({
      enabled: describe(flag.optional(), 'DISCORD_ENABLED: false turns every Discord sink off (console only).'),
      token: describe(z.string().optional(), 'Bot token, e.g. "${DISCORD_BOT_TOKEN:-}".'),
      api_base: describe(z.string().url('expected a URL such as https://discord.com/api').optional(), 'DISCORD_API_BASE: where every Discord client connects.'),
      answer_timeout: describe(
        duration.prefault('2m'),
        "How long a sent notification waits for Discord's answer before it counts as lost and is sent again. Long on purpose: a webhook message sent again while the first may still arrive can post twice.",
      ),
      probe_interval: describe(
        duration.prefault('5m'),
        'While Discord refuses a destination (token revoked, webhook deleted, permission missing), how often its oldest held-back message is tried again; a rules or .env reload tries at once.',
      ),
    })
    .prefault({}),
  routes: z.array(routeSchema).default([]),
  channels: z.record(id, channelSchema).default({}),
  digests: describe(z.array(digestSchema).default([]), 'Scheduled summaries, e.g. a daily portfolio summary.'),
  facts: z
    .strictObject({
      window: describe(duration.prefault('10m'), 'How long a notified fact is remembered: another report of it within this time is not sent (rules `emit.fact`).'),
    })
    .prefault({}),
});

const principals = z.strictObject({
  users: z.array(snowflake).default([]),
  roles: z.array(snowflake).default([]),
});

export const commandsSchema = z.strictObject({
  prefix: describe(z.string().min(1).max(5).default('!'), 'Prefix of the message commands (`!status`). Needs the Message Content intent.'),
  slash: describe(z.boolean().default(true), 'Register and answer slash commands.'),
  guilds: describe(z.array(snowflake).optional(), 'Servers the bot answers in; slash commands are registered there (at once) instead of globally.'),
  dashboard_url: describe(z.string().optional(), 'What /dashboard answers with.'),
  allow: z
    .strictObject({
      read: describe(principals.optional(), 'Who may read (status, portfolio, trades, …). Default: any member of the configured guilds, in guild channels.'),
      mute: describe(principals.optional(), 'Who may add and remove mutes. Default: the control list.'),
      control: describe(principals.optional(), 'Who may start and stop the trader. Nobody by default.'),
    })
    .prefault({}),
  confirm_timeout: describe(duration.prefault('60s'), 'How long the Confirm / Cancel buttons of a control command stay answerable; then they are disabled.'),
  rate: describe(
    z.strictObject({ burst: z.number().int().positive().default(4), per_second: z.number().positive().default(1) }).prefault({}),
    'Commands one user may send: a burst, then this many per second.',
  ),
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and "_", not starting with a digit');

/** How barista starts and stops one trader (control.traders.<name>, or the single control.trader). */
const traderControlSchema = z.strictObject({
  start: z.strictObject({
    argv: describe(z.array(nonEmpty).min(1), 'The command, one argument per item; run directly, never through a shell.'),
    cwd: describe(z.string().default('.'), 'Working directory; relative to workspace.'),
    log: describe(z.string().optional(), "stdout and stderr are appended here (like `nohup … >> log 2>&1`); relative to workspace. Without it the trader's output is discarded."),
    env: describe(z.record(envName, z.string()).optional(), 'Environment variables set for the trader (besides PATH, HOME and LANG, which it always gets).'),
    pass_env: describe(z.array(envName).default([]), "Names of barista's own environment variables passed on to the trader. Nothing else of barista's environment (its Discord token…) is."),
    settle: describe(duration.prefault('5s'), 'The trader must still be alive this long after the start before it is reported started.'),
    banner: describe(z.string().optional(), 'Regular expression for a line the trader prints once started; it must appear in what the log gained since the start (needs log).'),
    banner_timeout: describe(duration.prefault('2m'), 'How long to wait for the banner before reporting the start unconfirmed.'),
  }),
  stop: z
    .strictObject({
      signal: describe(signal.default('SIGINT'), 'Sent to stop it. The real trader handles only SIGINT, and finishes its current sleep first.'),
      grace: describe(duration.prefault('90s'), 'How long it may take to exit before barista escalates (with then) or says it is still running.'),
      then: describe(signal.optional(), 'Sent after grace if it is still running. No default: barista escalates only when this is set.'),
      wait: describe(duration.prefault('65m'), 'Without then: how long after grace barista keeps watching for the exit (the 1h trader sleeps up to ~62 min).'),
    })
    .prefault({}),
});

export const controlSchema = z.strictObject({
  trader: describe(
    traderControlSchema.optional(),
    "One trader, named as its events name it (from its --log-file, else its log: alpaca for the default CSV and logs/paper_trader.log). Use either this or traders.",
  ),
  traders: describe(z.record(id, traderControlSchema).optional(), 'Controllable traders by name (the name commands take).'),
  launcher: describe(
    z.enum(['auto', 'direct', 'systemd-run']).default('auto'),
    "How a trader is started: direct (barista's detached child, inside barista's sandbox when it runs as a service), systemd-run (its own transient systemd unit, none of barista's restrictions), auto (systemd-run when barista runs under systemd and systemd-run is on PATH, else direct).",
  ),
  classes: describe(
    z
      .strictObject({
        trader: describe(id.default('trader'), "The process source's match: class whose processes are traders."),
        training: describe(id.default('training'), "The process source's match: class whose processes are training workers (paused with SIGSTOP, resumed with SIGCONT)."),
      })
      .prefault({}),
    "Which classes of the process source's match: control acts on.",
  ),
});

export const stateSchema = z.strictObject({
  path: describe(z.string().optional(), "SQLite file; relative paths resolve against barista's own folder. Default var/barista.db."),
  retention: describe(
    z
      .strictObject({
        events: describe(duration.prefault('7d'), 'Events (their ids stop replays from notifying twice while kept).'),
        outbox: describe(duration.prefault('7d'), 'Messages sent, expired or folded into a digest (pending and rejected ones stay).'),
        audit: describe(duration.prefault('90d'), 'Audit rows: who asked for what, and what came of it.'),
        history: describe(duration.prefault('365d'), 'Trade history and equity samples by bar time (what /trades and /chart equity show), and finished Optuna trials by end time (the training chart).'),
      })
      .prefault({}),
    'How long state keeps what only grows; pruned hourly, and the space given back.',
  ),
});

export const rulesFileSchema = z.strictObject({
  workspace: describe(nonEmpty, "The monitored system's root folder; relative paths in sources resolve against it."),
  sources: z.array(sourceSchema).default([]),
  rules: z.array(ruleSchema).default([]),
  notify: notifySchema.prefault({}),
  commands: commandsSchema.prefault({}),
  control: controlSchema.prefault({}),
  state: stateSchema.prefault({}),
});

export type RulesFile = z.output<typeof rulesFileSchema>;
export type SourceConfig = RulesFile['sources'][number];
export type LogSourceConfig = Extract<SourceConfig, { type: 'log' }>;
export type CsvSourceConfig = Extract<SourceConfig, { type: 'csv' }>;
export type PerformanceConfig = NonNullable<CsvSourceConfig['performance']>;
export type JsonSourceConfig = Extract<SourceConfig, { type: 'json' }>;
export type OptunaSourceConfig = Extract<SourceConfig, { type: 'optuna' }>;
export type ProcessSourceConfig = Extract<SourceConfig, { type: 'process' }>;
export type RuleConfig = RulesFile['rules'][number];
export type RouteConfig = RulesFile['notify']['routes'][number];
export type ChannelConfig = RulesFile['notify']['channels'][string];
export type DigestConfig = RulesFile['notify']['digests'][number];
export type CommandsConfig = RulesFile['commands'];
export type ControlConfig = RulesFile['control'];
export type TraderControlConfig = z.output<typeof traderControlSchema>;
export type Principals = z.output<typeof principals>;
export type Severity = (typeof SEVERITIES)[number];
export type SourceType = (typeof SOURCE_TYPES)[number];
