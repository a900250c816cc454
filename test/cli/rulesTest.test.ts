import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();

const WEBHOOK_TOKEN = 'Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';

/** stdout of a match: "rule: <id>" then the draft as JSON. */
function parseMatch(stdout: string): { rule: string; draft: Record<string, unknown> } {
  const [head] = stdout.split('\n\nroute: ');
  const [first, ...rest] = head.split('\n');
  expect(first).toMatch(/^rule: /);
  return { rule: first.slice('rule: '.length), draft: JSON.parse(rest.join('\n')) as Record<string, unknown> };
}

describe('barista rules test', () => {
  it('prints the rule a line of the shipped rules triggers and the event draft', () => {
    const result = runCli(['rules', 'test', '--source', 'trader-log', '--line', '  ⚠️  STOP-LOSS triggered for ETH/USD: down 10.4% from entry $2712.55']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(parseMatch(result.stdout)).toEqual({
      rule: 'stop-loss',
      draft: {
        type: 'risk.stop_loss',
        severity: 'warning',
        fields: { symbol: 'ETH/USD', pct: 10.4, entry: 2712.55 },
        text: '  ⚠️  STOP-LOSS triggered for ETH/USD: down 10.4% from entry $2712.55',
      },
    });
  });

  it('shows the fact a line reports, with "*" for what only a running process could say', () => {
    const result = runCli(['rules', 'test', '--source', 'training-log', '--line', '[I 2026-02-16 04:41:02,877] Trial 57 finished with value: 0.015987']);
    expect(result.status).toBe(0);
    expect(parseMatch(result.stdout).draft.fact).toEqual({ key: 'trial:*:57', rank: 0, holdMs: 30_000 });
  });

  it('reads a literal \\n in --line as a line break, so a grouped traceback can be tested', () => {
    const line = [
      'Traceback (most recent call last):',
      '  File "/opt/cappuccino/scripts/deployment/paper_trader_alpaca_polling.py", line 1884, in <module>',
      '    main()',
      'ValueError: ALPACA_API_KEY and ALPACA_API_SECRET environment variables required',
    ].join('\\n');
    const result = runCli(['rules', 'test', '--source', 'trader-log', '--line', line]);
    expect(result.status).toBe(0);
    const { rule, draft } = parseMatch(result.stdout);
    expect(rule).toBe('trader-fatal-traceback');
    expect(draft).toMatchObject({
      type: 'trader.error',
      severity: 'critical',
      fields: { exception_type: 'ValueError', fatal: true },
      text: line.split('\\n').join('\n'),
    });
  });

  it('prints the bar time of a line that carries one', () => {
    const result = runCli(['rules', 'test', '-s', 'profit-protection', '-l', '[2026-02-09T16:00:00+00:00] PORTFOLIO TRAILING STOP: Down 1.6% from peak ($507.12 → $499.01)']);
    expect(result.status).toBe(0);
    expect(parseMatch(result.stdout).draft).toMatchObject({ type: 'risk.portfolio_protection', at: '2026-02-09T16:00:00.000Z', fields: { action: 'trailing_stop' } });
  });

  it('never prints a webhook token from the line', () => {
    const line = `Failed to send Discord notification: 404 Client Error: Not Found for url: https://discord.com/api/webhooks/1098765432109876543/${WEBHOOK_TOKEN}`;
    const result = runCli(['rules', 'test', '--source', 'trader-log', '--line', line]);
    expect(result.status).toBe(0);
    expect(parseMatch(result.stdout).rule).toBe('discord-post-failed');
    expect(result.stdout).toContain('/webhooks/1098765432109876543/[REDACTED]');
    expect(result.stdout + result.stderr).not.toContain(WEBHOOK_TOKEN);
  });

  it('exits 1 when no rule of the source matches, naming a disabled rule that would', () => {
    const none = runCli(['rules', 'test', '--source', 'trader-log', '--line', '  Final Portfolio:      $500.00']);
    expect(none.status).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('no rule of source trader-log matched\n');

    const disabled = runCli(['rules', 'test', '--source', 'trader-log', '--line', '  ⏱️  Min hold time: AAVE/USD held for 2.0h < 4h, blocking sell']);
    expect(disabled.status).toBe(1);
    expect(disabled.stderr).toBe('no rule of source trader-log matched (disabled rule min-hold would match)\n');
  });

  it('exits 2 on an unknown source and lists the sources', () => {
    const result = runCli(['rules', 'test', '--source', 'trader', '--line', 'x']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^unknown source "trader" \(sources: trader-log, profit-protection, training-log, watchdog-log, alerts-log, /);
  });

  it('reads the rules given with --config, relative to the working directory', () => {
    writeFileSync(
      path.join(tempDir(), 'rules.yaml'),
      [
        'workspace: .',
        'sources:',
        '  - { id: app, type: log, paths: ["app.log"] }',
        '  - { id: quiet, type: log, paths: ["quiet.log"] }',
        'rules:',
        '  - id: disk-full',
        '    source: app',
        "    match: 'disk (?<disk>\\S+) full'",
        "    emit: { type: host.disk_full, severity: critical, text: 'Disk {disk} is full' }",
      ].join('\n'),
    );
    const matched = runCli(['rules', 'test', '--config', 'rules.yaml', '--source', 'app', '--line', 'disk /dev/sda1 full'], { cwd: tempDir() });
    expect(matched.stderr).toBe('');
    expect(parseMatch(matched.stdout)).toEqual({
      rule: 'disk-full',
      draft: { type: 'host.disk_full', severity: 'critical', fields: { disk: '/dev/sda1' }, text: 'Disk /dev/sda1 is full' },
    });

    const quiet = runCli(['rules', 'test', '--config', 'rules.yaml', '--source', 'quiet', '--line', 'disk /dev/sda1 full'], { cwd: tempDir() });
    expect(quiet.status).toBe(1);
    expect(quiet.stderr).toBe('no rule of source quiet matched\n');
  });

  it('exits 2 with the problems of an invalid rules file', () => {
    const result = runCli(['rules', 'test', '--config', path.join('test', 'fixtures', 'rules', 'syntax-error.yaml'), '--source', 'trader-log', '--line', 'x']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^test\/fixtures\/rules\/syntax-error\.yaml:\d+:\d+: YAML syntax: /);
  });

  it('documents the options, and requires --source with --line', () => {
    const help = runCli(['rules', 'test', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: barista rules test/);
    expect(help.stdout).toMatch(/--source <id>[\s\S]*--line <text>[\s\S]*\\n[\s\S]*--event <json>[\s\S]*--config <file>[\s\S]*--env-file <file>/);

    const missing = runCli(['rules', 'test', '--line', 'x']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('give --source and --line, or --event');
  });

  it('follows a line on to its route, grouping key, destination and rendered message', () => {
    const result = runCli(['rules', 'test', '-s', 'trader-log', '--subject', 'paper_trader_trial250', '-l', '  ⚠️  STOP-LOSS triggered for ETH/USD: down 10.4% from entry $2712.55'], {
      env: { DISCORD_WEBHOOK_URL: '', DISCORD_BOT_TOKEN: '' },
    });
    expect(result.status).toBe(0);
    const delivery = result.stdout.slice(result.stdout.indexOf('\n\nroute: ') + 2);
    expect(delivery).toMatch(/^route: notify\.routes\[\d+\] → alerts\n/);
    expect(delivery).toMatch(/group key: \d+\|type=risk\.stop_loss\|subject=paper_trader_trial250\|fields\.process=\|fields\.check= /);
    expect(delivery).toContain('channel alerts: console');
    const json = delivery.slice(delivery.indexOf('discord message (JSON):\n') + 'discord message (JSON):\n'.length, delivery.indexOf('\npreview:\n'));
    const messages = JSON.parse(json) as { embeds: { title: string }[]; allowed_mentions: unknown }[];
    expect(messages[0]?.embeds[0]?.title).toContain('ETH/USD');
    expect(messages[0]?.allowed_mentions).toEqual({ parse: [] });
    expect(delivery.slice(delivery.indexOf('\npreview:\n'))).toContain('Stop-loss');
  });

  it('takes an event as JSON, and says when a route drops it', () => {
    const trade = runCli(['rules', 'test', '--event', JSON.stringify({ type: 'trade.executed', subject: 'trial250_session', fields: { symbol: 'BTC/USD', side: 'BUY', qty: 0.01, price: 97000, value: 970 } })]);
    expect(trade.status).toBe(0);
    expect(trade.stdout).toMatch(/route: notify\.routes\[\d+\] → trades\ngroup key: \d+\|subject=trial250_session /);
    expect(trade.stdout).toContain('BTC/USD');

    const snapshot = runCli(['rules', 'test', '--event', '{"type":"portfolio.snapshot"}']);
    expect(snapshot.status).toBe(0);
    expect(snapshot.stdout).toMatch(/^\nroute: dropped by notify\.routes\[0\] \(mode: off\)\n$/);
 
    // A debug line is stored, never sent, and rules test says why.
    const initial = runCli(['rules', 'test', '-s', 'trader-log', '-l', '🛡️  Initial portfolio value: $500.00']);
    expect(initial.status).toBe(0);
    expect(initial.stdout).toContain('rule: trader-portfolio-initial-value');
    expect(initial.stdout).toMatch(/\nroute: none; severity debug is a record, not a message: notify\.routes\[\d+\] matches but a route takes debug events only when its match names severity: debug; stored, not sent\n$/);
  });

  it('explains a wrong --event or a missing --line as a usage error (exit 2)', () => {
    expect(runCli(['rules', 'test', '--event', '{nope'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--event is not JSON') });
    expect(runCli(['rules', 'test', '--event', '{"fields":{}}'])).toMatchObject({ status: 2, stderr: expect.stringContaining('needs a "type"') });
    expect(runCli(['rules', 'test', '--source', 'trader-log'])).toMatchObject({ status: 2, stderr: expect.stringContaining('give --source and --line, or --event') });
  });
});
