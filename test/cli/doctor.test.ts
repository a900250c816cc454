/**
 * `barista doctor` as a user runs it, against the fake Discord: one ✔ / ! / ✘ line per check,
 * the fix beside each problem, exit 1 on any ✘, and never a token or webhook URL in the output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { runCliAsync, type CliResult } from '../support/baristaProcess';
import { FakeDiscord } from '../support/fakeDiscord';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
let fake: FakeDiscord;
beforeEach(async () => {
  fake = await FakeDiscord.start({ channels: [{ name: 'general' }, { name: 'trades' }, { name: 'alerts' }] });
});
afterEach(() => fake.stop());

const RULES = `
workspace: \${CAPPUCCINO_WORKSPACE}
sources:
  - { id: trader-log, type: log, paths: ["logs/paper_trader*.log"] }
  - { id: sessions, type: csv, paths: ["paper_trades/*.csv"] }
notify:
  discord: { token: "\${DISCORD_BOT_TOKEN:-}", api_base: "\${DISCORD_API_BASE}" }
  routes:
    - { match: { type: "trade.*" }, to: trades }
  channels:
    trades: { webhook: "\${DISCORD_WEBHOOK_URL:-}", channel: "\${DISCORD_TRADE_CHANNEL_ID:-}" }
    alerts: { channel: "\${DISCORD_ALERT_CHANNEL_ID:-}" }
state: { path: "\${STATE_FILE}" }
`;

interface Setup {
  workspace?: string;
  withCsv?: boolean;
  env?: Record<string, string>;
}

async function doctor(setup: Setup = {}): Promise<CliResult & { lines: string[] }> {
  const workspace = setup.workspace ?? path.join(tempDir(), 'cappuccino');
  if (!setup.workspace) {
    mkdirSync(path.join(workspace, 'logs'), { recursive: true });
    mkdirSync(path.join(workspace, 'paper_trades'), { recursive: true });
    writeFileSync(path.join(workspace, 'logs', 'paper_trader_1.log'), 'started\n');
    if (setup.withCsv !== false) writeFileSync(path.join(workspace, 'paper_trades', 'trial250_session.csv'), 'timestamp\n');
  }
  const rules = path.join(tempDir(), 'rules.yaml');
  writeFileSync(rules, RULES);
  const result = await runCliAsync(['doctor', '--config', rules], {
    cwd: tempDir(),
    env: {
      CAPPUCCINO_WORKSPACE: workspace,
      STATE_FILE: path.join(tempDir(), 'var', 'barista.db'),
      DISCORD_API_BASE: fake.apiBase,
      DISCORD_BOT_TOKEN: fake.botToken,
      DISCORD_WEBHOOK_URL: fake.webhooks.length > 0 ? fake.webhookUrl() : '',
      DISCORD_TRADE_CHANNEL_ID: fake.channel('trades').id,
      DISCORD_ALERT_CHANNEL_ID: fake.channel('alerts').id,
      ...setup.env,
    },
  });
  // Secrets never printed, whatever the outcome.
  for (const secret of [fake.botToken, fake.webhooks[0]?.token ?? 'no-webhook-left']) expect(result.stdout + result.stderr).not.toContain(secret);
  return { ...result, lines: result.stdout.trim().split('\n') };
}

/** A port nothing listens on: one the test opened and closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const line = (lines: string[], text: string | RegExp): string => {
  const found = lines.find((l) => (typeof text === 'string' ? l.includes(text) : text.test(l)));
  if (!found) throw new Error(`no line ${String(text)} in:\n${lines.join('\n')}`);
  return found;
};

describe('barista doctor', () => {
  it('a valid setup: every check ✔ and exit 0', async () => {
    const result = await doctor();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.lines.every((l) => l.startsWith('✔'))).toBe(true);
    for (const text of ['load', /workspace .* exists/, 'source trader-log', 'source sessions', 'can be created', 'bot token is valid', 'Message Content intent is granted', 'channel trades', 'channel alerts', 'webhook of channel trades exists', "clock agrees with Discord's"]) line(result.lines, text);
    // It asked Discord the way the doc says, through DISCORD_API_BASE.
    expect(fake.requests.map((r) => `${r.method} ${r.path.replace(/\d{15,}/g, ':id').replace(/\/webhooks\/:id\/[^/]+$/, '/webhooks/:id/:token')}`)).toEqual(
      expect.arrayContaining(['GET /api/v10/users/@me', 'GET /api/v10/applications/@me', 'GET /api/v10/channels/:id', 'GET /api/v10/guilds/:id/roles', 'GET /api/v10/guilds/:id/members/:id', 'GET /api/v10/webhooks/:id/:token']),
    );
    expect(fake.messages).toHaveLength(0); // it checks, it does not post
  }, 30_000);

  it('a revoked token: ✘ with the fix, exit 1', async () => {
    const result = await doctor({ env: { DISCORD_BOT_TOKEN: `${fake.botToken.slice(0, -4)}XXXX` } });
    expect(result.status).toBe(1);
    expect(line(result.lines, 'bot token')).toMatch(/^✘ bot token: token revoked or wrong — .*Reset Token/);
    line(result.lines, 'webhook of channel trades exists'); // the rest is still checked
  }, 30_000);

  it('a channel where the bot lost Send Messages: ✘ naming the permission (and the fake refuses the post)', async () => {
    fake.setCanSend('trades', false);
    const result = await doctor();
    expect(result.status).toBe(1);
    expect(line(result.lines, 'channel trades')).toMatch(/^✘ channel trades \(\d+\): the bot lacks Send Messages — allow Send Messages/);
    expect(line(result.lines, 'channel alerts')).toMatch(/^✔/);
    // What doctor computed is what Discord then enforces: the post is refused.
    const post = await fetch(`${fake.apiBase}/v10/channels/${fake.channel('trades').id}/messages`, { method: 'POST', headers: { Authorization: `Bot ${fake.botToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ content: 'hi' }) });
    expect(post.status).toBe(403);
    expect(await post.json()).toMatchObject({ code: 50013, message: 'Missing Permissions' });
  }, 30_000);

  it('a channel id the bot cannot find: ✘ Unknown Channel', async () => {
    const result = await doctor({ env: { DISCORD_ALERT_CHANNEL_ID: '123456789012345678' } });
    expect(result.status).toBe(1);
    expect(line(result.lines, 'channel alerts')).toMatch(/^✘ .*Unknown Channel — copy the channel id again/);
  }, 30_000);

  it('a deleted webhook: ✘ webhook deleted, the URL never printed', async () => {
    const url = fake.webhookUrl();
    fake.deleteWebhook('Barista');
    const result = await doctor({ env: { DISCORD_WEBHOOK_URL: url } });
    expect(result.status).toBe(1);
    expect(line(result.lines, 'webhook of channel trades')).toMatch(/^✘ webhook of channel trades: webhook deleted \(Discord 404 10015: Unknown Webhook\) — create a webhook again/);
    expect(result.stdout).not.toContain(url.split('/').at(-1)!);
  }, 30_000);

  it('a workspace that does not exist: ✘ with the setting to fix', async () => {
    const result = await doctor({ workspace: path.join(tempDir(), 'no-such-folder') });
    expect(result.status).toBe(1);
    expect(line(result.lines, 'workspace')).toMatch(/^✘ workspace .*no-such-folder does not exist — set workspace \(or CAPPUCCINO_WORKSPACE\)/);
  }, 30_000);

  it('a glob that matches nothing yet: a warning, exit 0', async () => {
    const result = await doctor({ withCsv: false });
    expect(result.status).toBe(0);
    expect(line(result.lines, 'source sessions')).toMatch(/^! source sessions: paper_trades\/\*\.csv matches nothing yet — fine if Cappuccino has not written them yet/);
    expect(line(result.lines, 'source trader-log')).toMatch(/^✔/);
  }, 30_000);

  it('privileged intents off: a warning that ! commands will be off', async () => {
    fake.setAllowPrivilegedIntents(false);
    const result = await doctor();
    expect(result.status).toBe(0);
    expect(line(result.lines, 'Message Content')).toMatch(/^! Message Content intent is not granted: ! commands will be off/);
  }, 30_000);

  it('Discord unreachable: one ✘ that says so, the later Discord checks not sent', async () => {
    const closed = await closedPort();
    const result = await doctor({ env: { DISCORD_API_BASE: `http://127.0.0.1:${closed}/api` } });
    expect(result.status).toBe(1);
    expect(line(result.lines, 'bot token')).toMatch(/^✘ bot token: cannot reach Discord \(.*ECONNREFUSED.*\) — check the network and DISCORD_API_BASE/);
    expect(line(result.lines, 'webhook of channel trades')).toMatch(/^✘ webhook of channel trades: not checked \(Discord unreachable\)/);
    expect(result.lines.filter((l) => l.includes('clock'))).toEqual([]); // no Discord answer, no clock to compare with
  }, 30_000);

  it('rules with a problem: ✘ with the same problems barista check prints', async () => {
    const rules = path.join(tempDir(), 'bad.yaml');
    writeFileSync(rules, 'workspace: /tmp\nsources: 3\n');
    const result = await runCliAsync(['doctor', '--config', rules], { cwd: tempDir() });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^✘ rules .*bad\.yaml have problems:\n {4}.*bad\.yaml:2:\d+: /);
  }, 30_000);
});
