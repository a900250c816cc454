import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../support/baristaProcess';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();

const WEBHOOK_TOKEN = 'Zx9_yW8-vU7tS6rQ5pO4nM3lK2jI1hG0fE9dC8bA7zY6xW5vU4tS3rQ2pO1nM0lK9jI';

/** stdout of a match: "rule: <id>" then the draft as JSON. */
function parseMatch(stdout: string): { rule: string; draft: Record<string, unknown> } {
  const [first, ...rest] = stdout.split('\n');
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

  it('documents the options, and requires --source and --line', () => {
    const help = runCli(['rules', 'test', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: barista rules test/);
    expect(help.stdout).toMatch(/--source <id>[\s\S]*--line <text>[\s\S]*\\n[\s\S]*--config <file>[\s\S]*--env-file <file>/);

    const missing = runCli(['rules', 'test', '--line', 'x']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("required option '-s, --source <id>' not specified");
  });
});
