/**
 * Issue 12 item 5, end to end: trader log lines that print barista's own webhook — URL-encoded
 * once or twice, JSON-escaped, base64, hex, the token alone — are relayed by `barista run`
 * (the compiled CLI) to the fake Discord, and no request Discord receives carries the token.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { FakeDiscord } from '../support/fakeDiscord';
import { BaristaProcess } from '../support/baristaProcess';
import { writeRulesCopy } from '../support/rulesCopy';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir('barista-e2e-secrets-');
let fake: FakeDiscord | null = null;
let barista: BaristaProcess | null = null;

afterEach(async () => {
  barista?.kill('SIGKILL');
  barista = null;
  await fake?.stop();
  fake = null;
});

it('a relayed line never carries the configured webhook token, however the trader printed it', async () => {
  fake = await FakeDiscord.start();
  const url = fake.webhookUrl();
  const token = url.split('/').pop()!;
  const dir = tempDir();
  const workspace = path.join(dir, 'cappuccino');
  mkdirSync(path.join(workspace, 'logs'), { recursive: true });
  const rules = writeRulesCopy(path.join(dir, 'rules.yaml'), { withoutSources: ['processes'], defaults: { group_wait: '200ms', group_interval: '500ms' } });
  barista = BaristaProcess.start(['run', '--config', rules, '--state', path.join(dir, 'state', 'barista.db')], {
    cwd: dir,
    env: { CAPPUCCINO_WORKSPACE: workspace, DISCORD_API_BASE: fake.apiBase, DISCORD_WEBHOOK_URL: url },
  });
  await barista.waitForLog((line) => line.msg === 'barista running', { what: 'start-up', timeoutMs: 15_000 });

  const printed: Record<string, string> = {
    quote: encodeURIComponent(url),
    quoteTwice: encodeURIComponent(encodeURIComponent(url)),
    json: JSON.stringify({ url }).replace(/\//g, '\\/'),
    repr: `{'webhook': '${url}'}`,
    base64: Buffer.from(`webhook=${url}`).toString('base64'),
    hex: Buffer.from(url).toString('hex'),
    bare: `token ${token} refused`,
  };
  const log = path.join(workspace, 'logs', 'paper_trader_trial250.log');
  for (const [name, text] of Object.entries(printed)) appendFileSync(log, `Error processing bars: case-${name} ${text}\n`);

  const posted = () => fake!.requests.filter((r) => r.method === 'POST').map((r) => JSON.stringify(r.body));
  await waitFor(() => Object.keys(printed).every((name) => posted().some((body) => body.includes(`case-${name}`))), { what: 'every line relayed', timeoutMs: 20_000 });
  const everything = `${posted().join('\n')}\n${barista.stdoutLines().join('\n')}\n${barista.stderr}`;
  for (let i = 0; i + 16 <= token.length; i += 4) expect(everything).not.toContain(token.slice(i, i + 16));
  expect(everything).not.toContain(Buffer.from(token).toString('hex').slice(0, 32));
});
