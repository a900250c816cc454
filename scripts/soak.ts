/**
 * `npm run soak`: barista (the compiled CLI, shipped rules) beside a simulated workspace driven
 * hard for a bounded time, against a fake Discord that flaps between healthy, 429, 503 and slow.
 * Not part of `npm test`: it runs minutes, and its figures go in closing notes.
 *
 *   node dist/scripts/soak.js [--events 1000000] [--minutes 20] [--traders 6] [--warm-up 600] [--keep]
 *
 * What it drives: traders' bars (trades, snapshots, log lines, heartbeats) as fast as barista
 * follows them, every trader's log and CSV rotated every --rotate-every bars (rename, copy-truncate,
 * delete in turn), Optuna trials in a SQLite storage, a rules.yaml reload every minute.
 * What it samples every 5 s: barista's RSS, open descriptors and inotify watches (/proc), its
 * heap and active handles/timers (BARISTA_SELF_STATS), events committed (state, read-only).
 * What it checks at the end, once Discord is healthy again and barista has sent everything:
 * every trade event delivered to the trade channel (nothing lost), each outbox row one message
 * (nothing twice to a bot channel), and the RSS slope per million events after warm-up, read
 * right after a full collection (barista runs with --expose-gc; see src/cli/selfStats.ts).
 */
import { closeSync, existsSync, fstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { NODE_FLAGS } from '../src/cli/nodeFlags';
import { OptunaWriter, createOptunaStorage, FLOAT } from '../test/fixtures/optuna/optunaFixture';
import { FakeDiscord } from '../test/support/fakeDiscord';
import { tradesIn, type MessageBody } from '../test/support/deliveredTrades';
import { writeRulesCopy } from '../test/support/rulesCopy';
import { TraderSimulator, type RotationMode } from '../test/support/simulator';
import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const ROTATIONS: readonly RotationMode[] = ['rename', 'copytruncate', 'delete'];
const STUDY = 'cappuccino_soak';
const TRADER_NAMES = ['trial250', 'trial91', 'trial100', 'trial861', 'trial965', 'trial13', 'trial57', 'trial727'];

interface Sample {
  atS: number;
  events: number;
  rssMb: number;
  fds: number;
  watches: number;
  /** Heap and RSS right after a full collection (barista runs with --expose-gc here). */
  heapMb: number | null;
  liveRssMb: number | null;
  timers: number | null;
  handles: number | null;
}

function options() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      minutes: { type: 'string', default: '20' },
      traders: { type: 'string', default: '6' },
      'rotate-every': { type: 'string', default: '200' },
      // The longest in-memory window (notify.facts.window, 10 min) fills first.
      'warm-up': { type: 'string', default: '600' },
      keep: { type: 'boolean', default: false },
    },
  });
  return {
    events: Number(values.events),
    minutes: Number(values.minutes),
    traders: Math.min(TRADER_NAMES.length, Number(values.traders)),
    rotateEvery: Number(values['rotate-every']),
    warmUpS: Number(values['warm-up']),
    keep: values.keep,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function procStat(pid: number): { rssMb: number; fds: number; watches: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  let fds = 0;
  let watches = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    fds += 1;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify') {
        watches += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((line) => line.startsWith('inotify wd:')).length;
      }
    } catch {
      // closed meanwhile
    }
  }
  return { rssMb: rssKb / 1024, fds, watches };
}

function lastSelfStats(file: string): { heapMb: number; liveRssMb: number; timers: number; handles: number } | null {
  let text: string;
  try {
    const fd = openSync(file, 'r');
    try {
      // Only the file's end: it grows a line per sample for the whole run.
      const size = fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.min(size, 16_384));
      readSync(fd, buffer, 0, buffer.length, size - buffer.length);
      text = buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const lines = text.trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]!) as { heapUsed: number; rss: number; resources: Record<string, number> };
  const timers = last.resources.Timeout ?? 0;
  const handles = Object.values(last.resources).reduce((a, b) => a + b, 0);
  return { heapMb: last.heapUsed / 1048576, liveRssMb: last.rss / 1048576, timers, handles };
}

function stateCounts(file: string): { events: number; trades: number; unnotified: number; pending: number; sentBot: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      events: one('SELECT count(*) AS n FROM events'),
      trades: one("SELECT count(*) AS n FROM events WHERE type = 'trade.executed'"),
      unnotified: one('SELECT count(*) AS n FROM events WHERE notified_at IS NULL'),
      pending: one("SELECT count(*) AS n FROM outbox WHERE status = 'pending'"),
      sentBot: one("SELECT count(*) AS n FROM outbox WHERE status = 'sent' AND channel LIKE 'bot:%'"),
    };
  } finally {
    db.close();
  }
}

/**
 * The lowest point of each of `buckets` equal spans of x: RSS after the collector has run. The
 * heap is a sawtooth of tens of MB at this rate; a leak shows as a rising floor.
 */
function floor(points: Array<[number, number]>, buckets: number): Array<[number, number]> {
  if (points.length === 0) return [];
  const x0 = points[0]![0];
  const width = (points[points.length - 1]![0] - x0) / buckets || 1;
  const lowest = new Map<number, [number, number]>();
  for (const point of points) {
    const bucket = Math.min(buckets - 1, Math.floor((point[0] - x0) / width));
    const kept = lowest.get(bucket);
    if (!kept || point[1] < kept[1]) lowest.set(bucket, point);
  }
  return [...lowest.values()];
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? NaN : sxy / sxx;
}

async function main(): Promise<void> {
  const opts = options();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'barista-soak-'));
  const workspace = path.join(dir, 'cappuccino');
  mkdirSync(path.join(workspace, 'databases'), { recursive: true });
  const statePath = path.join(dir, 'state', 'barista.db');
  const statsFile = path.join(dir, 'self-stats.jsonl');
  const rulesFile = path.join(dir, 'rules.yaml');
  const fake = await FakeDiscord.start();
  let barista: ChildProcess | null = null;
  const cleanup = async () => {
    barista?.kill('SIGKILL');
    await fake.stop();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

  // The shipped rules less the process source (no real traders run here), groups short enough to flush.
  const writeRules = (groupWait: string) =>
    writeRulesCopy(rulesFile, { withoutSources: ['processes'], defaults: { group_wait: groupWait, group_interval: '5s' } });
  writeRules('1s');
  const optunaDb = path.join(workspace, 'databases', 'optuna_cappuccino.db');
  createOptunaStorage(optunaDb);
  const optuna = new OptunaWriter(optunaDb);
  // A commit per trial without waiting for the disk: the soak measures barista, not fsync.
  optuna.db.pragma('synchronous = OFF');
  const study = optuna.createStudy(STUDY);

  barista = spawn(process.execPath, [...NODE_FLAGS, '--expose-gc', CLI, 'run', '--config', rulesFile, '--state', statePath], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CAPPUCCINO_WORKSPACE: workspace,
      DISCORD_API_BASE: fake.apiBase,
      DISCORD_BOT_TOKEN: fake.botToken,
      DISCORD_TRADE_CHANNEL_ID: fake.channel('trades').id,
      DISCORD_ALERT_CHANNEL_ID: fake.channel('alerts').id,
      BARISTA_SELF_STATS: statsFile,
      BARISTA_LOG_LEVEL: 'warn',
    },
  });
  const pid = barista.pid!;
  let exited: number | null = null;
  barista.once('exit', (code) => (exited = code ?? -1));
  const startedAt = Date.now();
  while (!existsSync(statePath) && Date.now() - startedAt < 30_000) await sleep(200);
  await sleep(3000);

  const sim = new TraderSimulator({
    workspace,
    seed: 20261203,
    track: false,
    start: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000),
    rates: { crash: 0, discordFailure: 0.02 },
    traders: TRADER_NAMES.slice(0, opts.traders).map((name) => ({ name })),
    // The workers log the trials of the study the soak writes to Optuna: a worker's line and
    // Optuna's row are one fact, as in the real system (the line waits for the row, then yields).
    workers: [1, 2].map((index) => ({ index, study: STUDY })),
  });
  sim.start();

  const deadline = startedAt + opts.minutes * 60_000;
  const samples: Sample[] = [];
  let bars = 0;
  let rotations = 0;
  let reloads = 0;
  let trials = 0;
  let phase = 0;
  let lastReload = Date.now();
  let lastPhase = Date.now();
  let lastSample = 0;
  const phases = ['healthy', '429', '503', 'slow'] as const;
  let outage: { end(): void } | null = null;
  let events = 0;
  console.log(`soak: ${opts.traders} traders, 2 workers, rotation every ${opts.rotateEvery} bars, until ${opts.events.toLocaleString('en-US')} events or ${opts.minutes} min; folder ${dir}`);

  while (Date.now() < deadline && events < opts.events && exited === null) {
    // Write in slices, yielding so the fake Discord (same process) answers.
    const sliceEnd = Date.now() + 200;
    while (Date.now() < sliceEnd) {
      const result = sim.step();
      if (!result) break;
      if (result.kind === 'trial') {
        // Optuna's row of the trial the worker just logged, as in the real system.
        const logged = sim.truth.trials[sim.truth.trials.length - 1];
        if (logged) {
          optuna.trial(study, logged.state, logged.state === 'COMPLETE' ? (logged.value ?? 0) : null, { lr: [0.001 * (1 + (trials % 10)), FLOAT(0.0001, 0.1)] });
          trials += 1;
        }
        continue;
      }
      bars += 1;
      if (opts.rotateEvery > 0 && bars % opts.rotateEvery === 0) {
        const mode = ROTATIONS[rotations % ROTATIONS.length]!;
        for (const trader of sim.traders()) for (const file of [trader.logPath, trader.csvPath]) sim.rotate(file, mode);
        rotations += 1;
      }
    }
    await sleep(50);
    const now = Date.now();
    if (now - lastReload >= 60_000) {
      writeRules(reloads % 2 ? '1s' : '2s');
      reloads += 1;
      lastReload = now;
    }
    if (now - lastPhase >= 20_000) {
      outage?.end();
      outage = null;
      phase = (phase + 1) % phases.length;
      const name = phases[phase];
      if (name === '429' || name === '503') outage = fake.outage({ status: Number(name), durationMs: 15_000 });
      if (name === 'slow') {
        const slow = fake.fail({ path: /\/messages$/, delayMs: 3000, times: 20 });
        outage = { end: () => slow.cancel() };
      }
      lastPhase = now;
    }
    if (now - lastSample >= 5000) {
      lastSample = now;
      const counts = stateCounts(statePath);
      events = counts.events;
      const proc = procStat(pid);
      const self = lastSelfStats(statsFile);
      samples.push({ atS: Math.round((now - startedAt) / 1000), events, ...proc, heapMb: self?.heapMb ?? null, liveRssMb: self?.liveRssMb ?? null, timers: self?.timers ?? null, handles: self?.handles ?? null });
      const s = samples[samples.length - 1]!;
      console.log(
        `${String(s.atS).padStart(5)} s  ${events.toLocaleString('en-US').padStart(9)} events  bars ${bars}  rotations ${rotations}  trials ${trials}  reloads ${reloads}  discord ${phases[phase]}  ` +
          `rss ${s.rssMb.toFixed(1)} MB  heap ${s.heapMb?.toFixed(1) ?? '?'} MB  fds ${s.fds}  watches ${s.watches}  timers ${s.timers ?? '?'}`,
      );
    }
  }
  outage?.end();
  if (exited !== null) throw new Error(`barista exited on its own (code ${exited}) — that is a failure`);

  // Discord healthy again: wait until barista has sent everything it holds.
  console.log('writing stopped; Discord healthy; waiting for barista to send what it holds…');
  const drainBy = Date.now() + 10 * 60_000;
  let counts = stateCounts(statePath);
  while ((counts.unnotified > 0 || counts.pending > 0) && Date.now() < drainBy) {
    await sleep(2000);
    counts = stateCounts(statePath);
  }
  const stopAsked = Date.now();
  barista.kill('SIGTERM');
  while (exited === null && Date.now() - stopAsked < 10_000) await sleep(50);
  const stopMs = Date.now() - stopAsked;

  const delivered = fake.botMessages('trades').reduce((sum, message) => sum + tradesIn(message as unknown as MessageBody), 0);
  const botMessages = fake.botMessages().length;
  const stateBytes = statSync(statePath).size;
  const walBytes = existsSync(`${statePath}-wal`) ? statSync(`${statePath}-wal`).size : 0;
  // Warm-up: --warm-up seconds, at most half the run.
  const warmUpS = Math.min(opts.warmUpS, (samples[samples.length - 1]?.atS ?? 0) / 2);
  const warm = samples.filter((s) => s.atS >= warmUpS);
  const perMillion = (pick: (s: Sample) => number | null): number => slope(warm.filter((s) => pick(s) !== null).map((s): [number, number] => [s.events / 1e6, pick(s)!]));
  const liveRssPerMillion = perMillion((s) => s.liveRssMb);
  const heapPerMillion = perMillion((s) => s.heapMb);
  const rssFloorPerMillion = slope(floor(warm.map((s): [number, number] => [s.events / 1e6, s.rssMb]), 10));
  const span = (key: 'fds' | 'watches' | 'timers') => {
    const values = warm.map((s) => s[key]).filter((v): v is number => v !== null);
    return values.length ? `${Math.min(...values)}–${Math.max(...values)}` : '?';
  };
  const last = samples[samples.length - 1];
  const seconds = last ? last.atS : 0;
  console.log('\nsoak figures');
  console.log(`  events committed          ${counts.events.toLocaleString('en-US')} in ${seconds} s (${Math.round(counts.events / Math.max(1, seconds)).toLocaleString('en-US')} events/s sustained)`);
  console.log(`  bars ${bars}, rotations ${rotations} (× ${opts.traders * 2} files), Optuna trials ${trials}, rules reloads ${reloads}`);
  const range = (values: number[]) => (values.length ? `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}` : '?');
  console.log(`  after warm-up (${Math.round(warmUpS)} s, ${(warm[0]?.events ?? 0).toLocaleString('en-US')} events), per million events:`);
  console.log(`    RSS after a full collection  ${liveRssPerMillion.toFixed(2)} MB per million (target < 5); ${range(warm.flatMap((s) => (s.liveRssMb === null ? [] : [s.liveRssMb])))} MB`);
  console.log(`    heap after a full collection ${heapPerMillion.toFixed(2)} MB per million; ${range(warm.flatMap((s) => (s.heapMb === null ? [] : [s.heapMb])))} MB`);
  console.log('  by tenth of the run:   events             RSS after collection   heap after collection   RSS from /proc');
  for (let tenth = 0; tenth < 10; tenth += 1) {
    const part = samples.slice(Math.floor((tenth * samples.length) / 10), Math.floor(((tenth + 1) * samples.length) / 10));
    if (part.length === 0) continue;
    const median = (values: number[]) => (values.length ? [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(1) : '?');
    console.log(
      `    ${`${part[0]!.atS}–${part[part.length - 1]!.atS} s`.padEnd(14)} ${`${part[0]!.events.toLocaleString('en-US')}–${part[part.length - 1]!.events.toLocaleString('en-US')}`.padEnd(20)} ` +
        `median ${median(part.flatMap((s) => (s.liveRssMb === null ? [] : [s.liveRssMb]))).padStart(6)} MB     median ${median(part.flatMap((s) => (s.heapMb === null ? [] : [s.heapMb]))).padStart(6)} MB     ${range(part.map((s) => s.rssMb))} MB`,
    );
  }
  console.log(`    RSS from /proc, lowest of each tenth ${rssFloorPerMillion.toFixed(2)} MB per million; RSS ${range(warm.map((s) => s.rssMb))} MB`);
  console.log(`  descriptors ${span('fds')}, inotify watches ${span('watches')}, timers ${span('timers')} (after warm-up)`);
  console.log(`  state file ${(stateBytes / 1048576).toFixed(1)} MB, WAL ${(walBytes / 1048576).toFixed(1)} MB`);
  console.log(`  trades: ${counts.trades} trade events, ${delivered} delivered to the trade channel (${delivered === counts.trades ? 'nothing lost' : 'MISMATCH'})`);
  console.log(`  bot messages: ${botMessages} at Discord for ${counts.sentBot} sent outbox rows (${botMessages === counts.sentBot ? 'nothing twice' : 'MISMATCH'}); left unsent ${counts.pending}, unnotified ${counts.unnotified}`);
  console.log(`  stop on SIGTERM: ${stopMs} ms, exit ${exited}`);
  writeFileSync(path.join(dir, 'samples.json'), JSON.stringify(samples));
  await cleanup();
  if (delivered !== counts.trades || botMessages !== counts.sentBot || exited !== 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`soak: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
