import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';

const fixture = (name: string) => path.join('test', 'fixtures', 'rules', name);
const tempDir = useTempDir();

describe('barista check', () => {
  it('accepts the shipped config and prints a short summary', () => {
    // A workspace that exists here: a missing one is a warning on stderr (test/cli/robustness.test.ts).
    const result = runCli(['check'], { env: { CAPPUCCINO_WORKSPACE: ROOT } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^config\/rules\.yaml: ok\n/);
    expect(result.stdout).toMatch(/sources +10 \(\+1 disabled\): log: trader-log, training-log, watchdog-log, alerts-log; csv: sessions;/);
    expect(result.stdout).toMatch(/routes +7 to channels trades, alerts, training/);
    expect(result.stdout).toContain('notifications print to the console');
    expect(result.stdout).toContain('trader control denied to everyone');
  });

  it.each([
    ['syntax-error.yaml', [/^test\/fixtures\/rules\/syntax-error\.yaml:6:3: YAML syntax: /]],
    [
      'two-schema-errors.yaml',
      [
        /^test\/fixtures\/rules\/two-schema-errors\.yaml:6:15: sources\[0\]\.start_at: .*"end"\|"beginning"$/,
        /^test\/fixtures\/rules\/two-schema-errors\.yaml:10:19: sources\[1\]\.min_notional: expected number, received string$/,
      ],
    ],
    ['missing-var.yaml', [/^test\/fixtures\/rules\/missing-var\.yaml:4:25: environment variable BARISTA_TEST_UNSET_WEBHOOK is not set/]],
  ])('exits 2 on %s and prints every problem as file:line:column, without a stack trace', (name, expected) => {
    const result = runCli(['check', '--config', fixture(name)]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => expect(line).toMatch(expected[i]));
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('reads the old bot’s .env names as they are, lets the process environment win, and never prints secrets', () => {
    const webhookToken = 'Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';
    const botToken = 'MTA5ODc2NTQzMjEwOTg3NjU0Mw.GhX1a2.abcdefghijklmnopqrstuvwxyz0123456789AB';
    writeFileSync(
      path.join(tempDir(), '.env'),
      [
        `DISCORD_BOT_TOKEN=${botToken}`,
        `DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1098765432109876543/${webhookToken}`,
        'DISCORD_TRADE_CHANNEL_ID=1111111111111111111',
        'DISCORD_ALERT_CHANNEL_ID=2222222222222222222',
        'DISCORD_ENABLED=true',
      ].join('\n'),
    );
    const config = path.join(ROOT, 'config', 'rules.yaml');
    const enabled = runCli(['check', '--config', config], { cwd: tempDir() });
    expect(enabled.status).toBe(0);
    // Token + channel ids: bot channels win over the webhook (Discord dedupes their resends by nonce).
    expect(enabled.stdout).toMatch(/discord +trades \(bot\), alerts \(bot\), training \(bot\) via https:\/\/discord\.com\/api/);
    expect(enabled.stdout + enabled.stderr).not.toContain(webhookToken);
    expect(enabled.stdout + enabled.stderr).not.toContain(botToken);

    const disabled = runCli(['check', '--config', config], { cwd: tempDir(), env: { DISCORD_ENABLED: 'false', DISCORD_API_BASE: 'http://127.0.0.1:9' } });
    expect(disabled.stdout).toMatch(/discord +disabled \(DISCORD_ENABLED is not true\)/);
  });

  it('shows which storage an Optuna source follows, never a database password (set or wrong)', () => {
    const password = 'db-Pa55:w@rd/x';
    const rules = (extra: string) => `workspace: ${tempDir()}\nsources:\n  - { id: studies, type: optuna, storage: "postgresql+psycopg2://barista_ro:\${OPTUNA_DB_PASSWORD}@db.internal:5432/optuna"${extra} }\n`;
    writeFileSync(path.join(tempDir(), 'ok.yaml'), rules(''));
    writeFileSync(path.join(tempDir(), 'bad.yaml'), rules(', poll_interval: often'));
    const ok = runCli(['check', '--config', path.join(tempDir(), 'ok.yaml')], { cwd: tempDir(), env: { OPTUNA_DB_PASSWORD: password } });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('optuna     studies → postgresql+psycopg2://barista_ro:[REDACTED]@db.internal:5432/optuna');
    const bad = runCli(['check', '--config', path.join(tempDir(), 'bad.yaml')], { cwd: tempDir(), env: { OPTUNA_DB_PASSWORD: password } });
    expect(bad.status).toBe(2);
    for (const out of [ok.stdout + ok.stderr, bad.stdout + bad.stderr]) {
      expect(out).not.toContain(password);
      expect(out).not.toContain('Pa55');
    }
  });

  it('has --help on every command', () => {
    for (const args of [['--help'], ['check', '--help'], ['run', '--help']]) {
      const result = runCli(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: barista/);
    }
    expect(runCli(['run', '--help']).stdout).toMatch(/--config <file>[\s\S]*--state <file>/);
  });

  it('exits 2 with a hint on an unknown command', () => {
    const result = runCli(['chek']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown command 'chek'");
  });
});
