/**
 * Idle cost of the command bot (`BENCH_ONLY=bot-idle`): two `barista run` children (the compiled
 * CLI) on copies of one quiet simulated workspace with the shipped rules, side by side in the same
 * window, sampled from /proc (utime+stime, VmRSS) like bench/idleWatch.ts:
 * - with DISCORD_BOT_TOKEN: the bot logged in to the fake Discord (in this process) and idle on
 *   its gateway (heartbeats at the fake's interval, Discord's 41.25 s unless BENCH_HEARTBEAT_MS);
 * - without a token (the baseline): the same barista, notifications to the fake's webhook, no bot.
 * BENCH_QUICK: 10 s instead of 60 s.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { FakeDiscord } from '../test/support/fakeDiscord';
import { TraderSimulator } from '../test/support/simulator';
import { clockTicksPerSecond, cpuSecondsOf, fmt, makeTempDir, QUICK, removeTempDir, ROOT, rssMbOf, sleep, spawnBarista, stopChild, TextCollector, waitUntil } from './support';

interface Subject {
  name: string;
  child: ChildProcess;
  out: TextCollector;
  cpu0: number;
  rss: number[];
}

const signed = (value: number, digits = 1): string => `${value >= 0 ? '+' : '−'}${fmt(Math.abs(value), digits)}`;

export async function benchBotIdle(): Promise<void> {
  const seconds = QUICK ? 10 : 60;
  const settleMs = 3_000;
  const heartbeatMs = Number(process.env.BENCH_HEARTBEAT_MS ?? '') || 41_250;
  console.log(`\nIdle cost of the command bot: barista run on a quiet simulated workspace for ${seconds} s (after ${settleMs / 1000} s to settle), bot connected to the fake Discord (heartbeat ${heartbeatMs} ms) beside no token, from /proc (CLK_TCK ${clockTicksPerSecond()})`);

  const dir = makeTempDir();
  const fake = await FakeDiscord.start({ heartbeatIntervalMs: heartbeatMs });
  const subjects: Subject[] = [];
  try {
    const seed = path.join(dir, 'seed');
    const sim = new TraderSimulator({ workspace: seed, seed: 7, track: false, traders: [{ name: 'trial250' }, { name: 'trial311', timeframe: '5m' }], workers: 1 });
    sim.steps(200);
    sim.close();
    const launch = (name: string, token: boolean): Subject => {
      const home = path.join(dir, token ? 'bot' : 'nobot');
      cpSync(seed, path.join(home, 'ws'), { recursive: true });
      const env: Record<string, string> = {
        CAPPUCCINO_WORKSPACE: path.join(home, 'ws'),
        DISCORD_ENABLED: 'true',
        DISCORD_API_BASE: fake.apiBase,
        DISCORD_WEBHOOK_URL: fake.webhookUrl(),
        ...(token ? { DISCORD_BOT_TOKEN: fake.botToken } : {}),
      };
      const child = spawnBarista(['run', '--config', path.join(ROOT, 'config', 'rules.yaml'), '--state', path.join(home, 'state.db')], home, env);
      const subject: Subject = { name, child, out: new TextCollector(child.stdout!), cpu0: 0, rss: [] };
      subjects.push(subject);
      return subject;
    };
    const withBot = launch('barista run, bot connected to the fake (idle gateway)', true);
    launch('barista run, no DISCORD_BOT_TOKEN (baseline)', false);
    for (const subject of subjects) {
      const err = new TextCollector(subject.child.stderr!);
      await waitUntil(`${subject.name} to start`, () => subject.out.text.includes('"msg":"barista running"'), 20_000, () =>
        subject.child.exitCode !== null ? `exited (${subject.child.exitCode}): ${err.text.slice(-1500)}${subject.out.text.slice(-1500)}` : null,
      );
    }
    await waitUntil('the bot to connect', () => withBot.out.text.includes('"msg":"discord bot: connected"'), 20_000);
    await sleep(settleMs);

    const started = process.hrtime.bigint();
    for (const s of subjects) s.cpu0 = cpuSecondsOf(s.child.pid!);
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      for (const s of subjects) s.rss.push(rssMbOf(s.child.pid!));
      await sleep(500);
    }
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`  ${''.padEnd(56)} ${'CPU % of a core'.padStart(16)} ${'RSS peak'.padStart(9)} ${'RSS avg'.padStart(8)} ${'RSS end'.padStart(8)}`);
    const rows = subjects.map((s) => {
      const cpu = ((cpuSecondsOf(s.child.pid!) - s.cpu0) / wall) * 100;
      const peak = Math.max(...s.rss);
      const avg = s.rss.reduce((a, b) => a + b, 0) / s.rss.length;
      console.log(`  ${s.name.padEnd(56)} ${fmt(cpu, 3).padStart(16)} ${fmt(peak).padStart(6)} MB ${fmt(avg).padStart(5)} MB ${fmt(s.rss[s.rss.length - 1]!).padStart(5)} MB`);
      return { cpu, peak, avg };
    });
    const [bot, base] = rows as [typeof rows[number], typeof rows[number]];
    const frames = fake.gatewayFrames.filter((f) => f.direction === 'in' && f.op === 1).length;
    console.log(
      `  the bot's cost (with − without): CPU ${signed(bot.cpu - base.cpu, 3)} % of a core, RSS peak ${signed(bot.peak - base.peak)} MB, avg ${signed(bot.avg - base.avg)} MB   (heartbeats sent: ${frames}; CPU resolution ${fmt(100 / clockTicksPerSecond() / wall, 3)} %)`,
    );
  } finally {
    await Promise.all(subjects.map((s) => stopChild(s.child)));
    await fake.stop();
    removeTempDir(dir);
  }
}
