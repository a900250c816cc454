import fc from 'fast-check';
import type { DiscordEmbed, DiscordMessage } from '../../../src/discord/DiscordMessage';
import { chartFileName, renderAnswer, renderTextPreview, statusLevel } from '../../../src/discord/render';
import { renderDenied, renderHelp, renderInternalError, renderNote, renderSlowDown, renderUnknownCommand, renderUsage } from '../../../src/discord/render/commandReplies';
import { clearRegisteredSecrets, registerSecret } from '../../../src/logging/redactSecrets';
import type { Answer, PortfolioAnswer, StatusAnswer, TradesAnswer, TrainingStatusAnswer } from '../../../src/readModel/answers';
import { validateMessageBody } from '../../support/fakeDiscord';
import {
  equityAnswer,
  healthAnswer,
  hostileAnswer,
  mutesAnswer,
  nothingYetAnswer,
  NOW,
  portfolioAnswer,
  position,
  REALISTIC,
  statusAnswer,
  study,
  traderStatusAnswer,
  traderView,
  tradesAnswer,
  trainingAnswer,
  trainingSeriesAnswer,
  unknownNameAnswer,
} from './answerFixtures';
import { discordRuleViolations } from './discordRules';
import { HOSTILE_BOT_TOKEN, HOSTILE_WEBHOOK, HOSTILE_WEBHOOK_TOKEN } from './hostileEvents';

const SECRETS = [HOSTILE_WEBHOOK_TOKEN, HOSTILE_BOT_TOKEN];

/** Valid for Discord (both validators), pings no one, one message; returns it. */
function valid(message: DiscordMessage): DiscordMessage {
  expect(discordRuleViolations(message, { secrets: SECRETS })).toEqual([]);
  expect(validateMessageBody(message, 'interaction')).toEqual([]);
  expect(message.allowed_mentions).toEqual({ parse: [] });
  expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  return message;
}

function render(answer: Answer): { message: DiscordMessage; embed: DiscordEmbed; fields: Record<string, string>; all: string } {
  const message = valid(renderAnswer(answer));
  // Realistic answers fit without the "cut to fit" fallback.
  expect(message.content).toBeUndefined();
  const [embed] = message.embeds;
  const fields = Object.fromEntries((embed.fields ?? []).map((f) => [f.name, f.value]));
  return { message, embed, fields, all: JSON.stringify(message) };
}

const preview = (message: DiscordMessage) => renderTextPreview([message], { now: NOW });

describe('renderAnswer on realistic answers', () => {
  it.each(REALISTIC.map((a) => [a.kind, a] as const))('%s: one valid message with one embed', (_kind, answer) => {
    const { message } = render(answer);
    expect(message.embeds).toHaveLength(1);
    expect(typeof preview(message)).toBe('string');
  });

  it('status: each trader with state, process, polls and portfolio; training; host; barista in the footer', () => {
    const { embed, fields } = render(statusAnswer());
    expect(embed.title).toBe('📊 System Status');
    expect(embed.color).toBe(0x2ecc71);
    const trader = fields['🟢 trial250'];
    expect(trader).toContain('pid 4242 · up 3 h 05 min · CPU 1.5% · 350 MB');
    expect(trader).toMatch(/polled <t:\d+:R> · next <t:\d+:R>/);
    expect(trader).toContain('💰 $1,234.57 · 24 h 🔴 -$12.30 (-0.99%)');
    expect(fields['🧠 Training']).toBe('🟢 3/3 workers running\n**cappuccino\\_3workers** · best 1.23457 (#57) · 3 running · 152/500 · ETA 3 h 05 min');
    expect(fields['🖥️ Host']).toBe('CPU 12.3% of 16 cores · RAM 71.2% of 32 GB · disk 63.2% (120 GB free)\nGPU 0 NVIDIA GeForce RTX 3070: 99% busy · 71 °C · 6.1/8 GB');
    expect(embed.footer?.text).toBe('barista: sources 6/6 OK · outbox 0 pending');
    expect(embed.timestamp).toBe(new Date(NOW).toISOString());
  });

  it('status colour: green all running, amber some problem, red a trader down', () => {
    const withTrader = (state: StatusAnswer['traders'][number]['process']['state']) => statusAnswer({ traders: [{ process: traderView(), portfolio: null }, { process: traderView({ trader: 'b', state }), portfolio: null }] });
    const color = (answer: StatusAnswer) => renderAnswer(answer).embeds[0].color;
    expect(statusLevel(statusAnswer())).toBe('ok');
    expect(statusLevel(withTrader('stopped'))).toBe('down');
    expect(statusLevel(withTrader('stale'))).toBe('down');
    expect(color(withTrader('stale'))).toBe(0xe74c3c);
    expect(statusLevel(withTrader('paused'))).toBe('warning');
    expect(color(withTrader('paused'))).toBe(0xffaa00);
    expect(statusLevel(withTrader('unknown'))).toBe('warning');
    expect(statusLevel(statusAnswer({ traders: [] }))).toBe('warning');
    expect(statusLevel(statusAnswer({ training: { workers: { running: 2, paused: 0, expected: 3 }, studies: [] } }))).toBe('warning');
    expect(statusLevel(statusAnswer({ barista: { sourcesOk: 5, sourcesTotal: 6, outboxPending: 0, oldestPendingS: null } }))).toBe('warning');
  });

  it('status: a stale trader says why and that its poll is overdue; pending mail shows its age', () => {
    const stale = traderView({ state: 'stale', stateReason: 'heartbeat 2 h overdue', nextPollAt: NOW - 2 * 3600_000 });
    const { fields, embed } = render(statusAnswer({ traders: [{ process: stale, portfolio: null }], barista: { sourcesOk: 6, sourcesTotal: 6, outboxPending: 3, oldestPendingS: 400 } }));
    expect(fields['⏰ trial250 · stale']).toMatch(/^heartbeat 2 h overdue\n.*\n.*⚠️ next poll was due <t:\d+:R>$/);
    expect(embed.footer?.text).toBe('barista: sources 6/6 OK · outbox 3 pending (oldest 6 min 40 s)');
  });

  it('portfolio: totals to the cent, signed P&L since start and 24 h, positions biggest first', () => {
    const { embed, fields } = render(portfolioAnswer);
    expect(embed.title).toBe('💼 Portfolio Summary · trial250');
    expect(fields['💰 Total Value']).toBe('$1,234.57');
    expect(fields['💵 Cash']).toBe('$234.50 (19.0%)');
    expect(fields['📦 Invested']).toBe('$1,000.07');
    expect(fields['📊 Since start']).toMatch(/^🟢 \+\$234\.57 \(\+23\.46%\) since <t:\d+:d>$/);
    expect(fields['🔄 24 h']).toBe('🔴 -$12.30 (-0.99%)');
    expect(fields['📈 Unrealised']).toBe('🟢 +$8.30');
    expect(fields['💼 Positions']).toMatch(/BTC\/USD\s+0\.012345\s+\$43,210\.50\s+\$533\.43\s+43\.2\s+\$41,000\.00\s+\+5\.39%\n.*ETH\/USD/);
    expect(embed.color).toBe(0xe74c3c);
  });

  it('portfolio: 200 positions still fit one message, the rest counted', () => {
    const positions = Array.from({ length: 200 }, (_, i) => position(`COIN${i}/USD`, { value: 1000 - i }));
    const { fields } = render({ ...portfolioAnswer, positions } satisfies PortfolioAnswer);
    const table = fields['💼 Positions'];
    const shown = table.split('\n').filter((line) => line.startsWith('COIN')).length;
    expect(shown).toBeGreaterThan(5);
    expect(table).toContain(`… and ${200 - shown} more`);
    expect(table.split('\n')[2]).toMatch(/^COIN0\/USD /);
  });

  it('trades: newest first, side emoji, values, realised P&L, "showing n of N"', () => {
    const { embed } = render(tradesAnswer);
    expect(embed.title).toBe('🧾 Last 2 trades · trial250');
    const lines = embed.description!.split('\n');
    expect(lines[0]).toMatch(/^📉 SELL 0\.012345 \*\*BTC\/USD\*\* @ \$43,210\.50 = \$533\.43 · <t:\d+:R> · P&L 🟢 \+\$27\.30$/);
    expect(lines[1]).toMatch(/^📈 BUY 0\.19 \*\*ETH\/USD\*\* @ \$2,500\.00 = \$475\.00 · <t:\d+:R>$/);
    expect(embed.description).toContain('Realised P&L of these: 🟢 +$27.30');
    expect(embed.footer?.text).toBe('showing 2 of 120 trades');
  });

  it('trades: 25 trades with long symbols from several traders fit one message and name the trader', () => {
    const trades = Array.from({ length: 25 }, (_, i) => ({ ...tradesAnswer.trades[0], trader: `trader_${i % 3}_session`, symbol: `VERY-LONG-SYMBOL-${'X'.repeat(200)}-${i}` }));
    const { embed } = render({ ...tradesAnswer, trader: null, trades, totalKnown: 9000 } satisfies TradesAnswer);
    expect(embed.title).toBe('🧾 Last 25 trades · all traders');
    expect(embed.description).toContain(' · trader\\_1');
    expect(embed.footer?.text).toBe('showing 25 of 9,000 trades');
  });

  it('trader status: state, process, polls, portfolio and the files it was recognised by', () => {
    const { embed, fields } = render(traderStatusAnswer);
    expect(embed.title).toBe('🟢 Trader trial250 · running');
    expect(fields).toMatchObject({ PID: '4242', CPU: '1.5%', Memory: '350 MB', Polls: '187', Timeframe: '1h', Tickers: 'BTC/USD, ETH/USD, LINK/USD', '💰 Total Value': '$1,234.57' });
    expect(fields.Uptime).toMatch(/^3 h 05 min \(since <t:\d+:f>\)$/);
    expect(fields['📁 Files']).toMatch(/^```\nlog +\/home\/u\/cappuccino\/logs\/paper_trader_trial250\.log\ncsv .*\nheartbeat .*\nmodel .*trial_250_live\n```$/);
  });

  it('training status: counts by state, rate, progress, running trials with their age, best with params', () => {
    const { embed, fields } = render(trainingAnswer);
    expect(embed.description).toBe('🟢 3/3 workers running');
    const value = fields['🧪 cappuccino\\_3workers'];
    expect(value).toContain('120 complete · 30 pruned · 2 failed · 3 running');
    expect(value).toContain('12.3 trials/h · 152/500 · ETA 3 h 05 min');
    expect(value).toContain('⏳ running: #151 12 min, #152 3 min');
    expect(value).toMatch(/🏆 best \(maximize\):\n```\n#57 {2}1\.23457 {2}12 min\n {2}learning_rate=3e-4 gamma=0\.99 batch_size=64 net_dimension=512\n#12/);
  });

  it('training status: 50 studies still fit one message, the rest named', () => {
    const studies = Array.from({ length: 50 }, (_, i) => study(`study_${i}_${'long'.repeat(20)}`, { running: [], lastFinishedAt: NOW - i * 60_000 }));
    const { message, fields } = render({ ...trainingAnswer, studies, workers: { running: 1, paused: 1, expected: 3 } } satisfies TrainingStatusAnswer);
    expect(message.embeds[0].color).toBe(0xffaa00);
    expect(message.embeds[0].description).toBe('🟠 1/3 workers running · 1 paused');
    expect(fields['… and 46 more studies']).toMatch(/… and \d+ more studies$/);
  });

  it('health: failing sources first with their error, outbox, rate limits, version, uptime, state file', () => {
    const { embed, fields } = render(healthAnswer);
    expect(embed.color).toBe(0xffaa00);
    expect(embed.description).toMatch(/^barista 0\.4\.0 · up 3 h 05 min · state file 12\.3 MB\n\n⛔ Discord refuses channel \*\*trades\*\* \(webhook:1098765432109876543\) for 10 min: Discord 404 10015: Unknown Webhook — its messages are kept\n\n\*\*Sources 1\/2 OK\*\*\n❌ \*\*optuna\*\* \(optuna\) · 1 study\n {3}↳ <t:\d+:R>: database is locked\n✅ \*\*sessions\*\* \(csv\) · 2 files · lag 2 s$/);
    expect(fields).toEqual({ '📬 Outbox': '2 pending (oldest 45 s)', '⛔ Rejected': '0', '⏱️ Rate limited': '3 times' });
  });

  it('health from the host: not running, no rate-limit count, the outbox by destination', () => {
    const destinations = [{ destination: 'webhook:1098765432109876543', pending: 2, oldestPendingS: 45, rejected: 1 }];
    const { embed, fields } = render({ ...healthAnswer, uptimeS: null, outbox: { ...healthAnswer.outbox, rateLimitHits: null, destinations } });
    expect(embed.description).toMatch(/^barista 0\.4\.0 · not running · state file/);
    expect(fields).toEqual({ '📬 Outbox': '2 pending (oldest 45 s)', '⛔ Rejected': '0', '📬 By destination': 'webhook:1098765432109876543 · 2 pending (oldest 45 s) · 1 rejected' });
  });

  it('mutes: id, match, until, who, reason; none says so', () => {
    const { embed } = render(mutesAnswer);
    expect(embed.title).toBe('🔇 Mutes (1)');
    expect(embed.description).toMatch(/^\*\*#12\*\* type `trade\.\*` · subject `trial250 \| trial100` · expires <t:\d+:R> · by alice — rebalancing$/);
    expect(render({ ...mutesAnswer, mutes: [] }).embed.description).toBe('No mute is active: every notification goes out.');
  });

  it('unknown name: neutralised, with the known names', () => {
    expect(render(unknownNameAnswer).embed.description).toBe('No trader named `trial999`. Known: trial250, trial100');
    const { all } = render({ ...unknownNameAnswer, asked: '@everyone `x` **y**', known: [] });
    expect(all).not.toMatch(/@everyone/);
    expect(all).toContain('No trader is known yet.');
  });

  it('nothing yet: what is missing and the hint', () => {
    expect(render(nothingYetAnswer).embed.description).toBe('No trade has been recorded yet.\nTrades come from the trader CSV: add a csv source for paper\\_trades/\\*.csv.');
  });

  it('chart answers reference the attached PNG by file name; no data, no image', () => {
    const { embed, fields } = render(equityAnswer);
    expect(chartFileName(equityAnswer)).toBe('equity-trial250.png');
    expect(embed.image).toEqual({ url: 'attachment://equity-trial250.png' });
    expect(embed.footer?.text).toBe('chart attached (equity-trial250.png)');
    expect(embed.description).toMatch(/^Last 7 d · <t:\d+:f> → <t:\d+:f>$/);
    expect(fields['💰 Last value']).toMatch(/^\$1,245\.00 \(<t:\d+:R>\)$/);
    expect(fields['🔄 Change']).toBe('🟢 +$245.00 (+24.50%)');
    expect(render({ ...equityAnswer, points: [] }).embed.image).toBeUndefined();

    const training = render(trainingSeriesAnswer);
    expect(training.embed.image).toEqual({ url: 'attachment://trials-cappuccino_3workers.png' });
    expect(training.fields['🏆 Best (maximize)']).toBe('1.2 (#3)');
    expect(chartFileName({ ...trainingSeriesAnswer, study: '../../etc/p@sswd 😀' })).toBe('trials-etc-p-sswd.png');
    expect(render({ ...trainingSeriesAnswer, trials: [] }).embed.image).toBeUndefined();
  });
});

describe('command replies', () => {
  it('usage, denied, internal error, unknown command, help stay valid replies', () => {
    expect(valid(renderUsage('/trades [trader] [count]', 'count must be a number from 1 to 25')).embeds[0].description).toBe('count must be a number from 1 to 25.\nUsage: `/trades [trader] [count]`');
    expect(valid(renderInternalError('abc123')).embeds[0].description).toBe("Something went wrong (ref `abc123`). The details are in barista's log.");
    valid(renderHelp([{ usage: '/status', description: 'traders, training, host at a glance' }], '!'));
  });

  it('hostile text in command replies never pings, breaks Discord’s limits or leaves a code span open', () => {
    const hostile = ['@everyone', '<@&123456789>', '```', '`x`'.repeat(5000), '@here'.repeat(3000), '', '\u0000\uD800'];
    for (const text of hostile) {
      valid(renderUsage(text, text));
      valid(renderDenied(text));
      valid(renderInternalError(text));
      valid(renderUnknownCommand(text, '!'));
      valid(renderHelp(Array.from({ length: 200 }, () => ({ usage: text, description: text })), '!'));
    }
    valid(renderSlowDown(NaN));
    // Notes are barista's own markdown: only mentions and limits to guard.
    for (const text of ['@everyone', '<@&123456789>', '@here'.repeat(3000)]) valid(renderNote(text));
  });
});

describe('renderAnswer on hostile answers (property)', () => {
  beforeAll(() => registerSecret(HOSTILE_BOT_TOKEN));
  afterAll(clearRegisteredSecrets);

  it('secrets are redacted before any cut: a path cut from its start or a name cut short shows no token', () => {
    const longWebhookPath = `/${'d'.repeat(300)}${HOSTILE_WEBHOOK}`;
    const files = { log: longWebhookPath, csv: null, heartbeat: null, modelDir: null };
    valid(renderAnswer({ ...traderStatusAnswer, trader: traderView({ trader: `${'x'.repeat(70)}${HOSTILE_BOT_TOKEN}`, files, tickers: [HOSTILE_BOT_TOKEN] }) }));
    valid(renderAnswer({ ...portfolioAnswer, positions: [position(HOSTILE_BOT_TOKEN)] }));
  });

  it('every answer renders one message Discord accepts, which pings no one and shows no secret', () => {
    fc.assert(
      fc.property(hostileAnswer, (answer) => {
        const message = valid(renderAnswer(answer));
        expect(message.embeds.length).toBeGreaterThan(0);
        expect(typeof renderTextPreview([message], { now: NOW })).toBe('string');
      }),
      { numRuns: 400 },
    );
  });
});
