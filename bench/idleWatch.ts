/**
 * Idle cost: the real CLI (`barista run`) watching quiet files, measured from outside through
 * /proc (utime+stime in clock ticks, VmRSS). Runs side by side, in the same window:
 * - barista on 20 quiet log files matched by one glob;
 * - barista on the shipped rules.yaml over a simulated workspace (3 traders' logs, CSVs,
 *   heartbeats, positions), all quiet;
 * - the baseline: an idle `node -e "setInterval(()=>{},1000)"`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TraderSimulator } from '../test/support/simulator';
import { openFilesUnder } from './manyFiles';
import { cpuSecondsOf, fmt, makeTempDir, QUICK, removeTempDir, ROOT, rssMbOf, sleep, spawnBarista, spawnTracked, cleanEnv, stopChild, TextCollector, waitUntil, clockTicksPerSecond } from './support';

const QUIET_FILES = 20;

const QUIET_RULES = `workspace: ./ws
sources:
  - { id: app-logs, type: log, paths: ["logs/quiet_*.log"], multiline: python-traceback, start_at: end }
rules:
  - { id: app-error, source: app-logs, match: '^ERROR (?<message>.*)$', emit: { type: app.error, severity: error } }
`;

interface Subject {
  name: string;
  child: ChildProcess;
  /** A folder whose files the process should hold open (to show it really watches them). */
  watchedDir?: string;
  cpu0?: number;
  rss: number[];
}

export async function benchIdleWatch(): Promise<void> {
  const seconds = QUICK ? 10 : 60;
  const settleMs = 3_000;
  console.log(`\nIdle cost: barista run on quiet files for ${seconds} s (after ${settleMs / 1000} s to settle), sampled from /proc (CLK_TCK ${clockTicksPerSecond()}), beside an idle node`);

  const dir = makeTempDir();
  const subjects: Subject[] = [];
  try {
    // 20 quiet logs under one glob.
    const quiet = path.join(dir, 'quiet');
    mkdirSync(path.join(quiet, 'ws', 'logs'), { recursive: true });
    for (let i = 1; i <= QUIET_FILES; i += 1) {
      const lines = Array.from({ length: 50 }, (_, j) => `[2026-02-09T${String(j % 24).padStart(2, '0')}:00:00+00:00] worker ${i} step ${j} ok`);
      writeFileSync(path.join(quiet, 'ws', 'logs', `quiet_${String(i).padStart(2, '0')}.log`), `${lines.join('\n')}\n`);
    }
    writeFileSync(path.join(quiet, 'rules.yaml'), QUIET_RULES);

    // The shipped rules over a simulated workspace that has gone quiet.
    const shipped = path.join(dir, 'shipped');
    const workspace = path.join(shipped, 'ws');
    const sim = new TraderSimulator({ workspace, seed: 7, track: false, traders: [{ name: 'trial250' }, { name: 'trial311', timeframe: '5m' }, { name: 'ens1', modelDir: 'deployments/ensemble_1' }], workers: 2 });
    sim.steps(300);
    sim.close();

    const launch = (name: string, child: ChildProcess, watchedDir?: string): Subject => {
      const subject: Subject = { name, child, watchedDir, rss: [] };
      subjects.push(subject);
      return subject;
    };
    const quietSubject = launch(`barista run: ${QUIET_FILES} quiet logs (one glob)`, spawnBarista(['run', '--config', 'rules.yaml', '--state', path.join(quiet, 'state.db')], quiet), path.join(quiet, 'ws', 'logs'));
    const shippedSubject = launch(
      'barista run: shipped rules, simulated workspace',
      spawnBarista(['run', '--config', path.join(ROOT, 'config', 'rules.yaml'), '--state', path.join(shipped, 'state.db')], shipped, { CAPPUCCINO_WORKSPACE: workspace }),
      workspace,
    );
    launch('idle node: setInterval(()=>{},1000) (baseline)', spawnTracked(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { env: cleanEnv() }));

    for (const subject of [quietSubject, shippedSubject]) {
      const out = new TextCollector(subject.child.stdout!);
      const err = new TextCollector(subject.child.stderr!);
      const child = subject.child;
      await waitUntil(`${subject.name} to start`, () => out.text.includes('"msg":"barista running"'), 20_000, () =>
        child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode}): ${err.text.slice(-1500)}${out.text.slice(-1500)}` : null,
      );
    }
    await sleep(settleMs);

    const pids = subjects.map((s) => s.child.pid as number);
    const started = process.hrtime.bigint();
    subjects.forEach((s, i) => (s.cpu0 = cpuSecondsOf(pids[i])));
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      subjects.forEach((s, i) => s.rss.push(rssMbOf(pids[i])));
      await sleep(500);
    }
    const wall = Number(process.hrtime.bigint() - started) / 1e9;

    console.log(`  ${''.padEnd(50)} ${'CPU % of a core'.padStart(16)} ${'RSS peak'.padStart(9)} ${'RSS avg'.padStart(8)} ${'RSS end'.padStart(8)}  files held open`);
    const rows = subjects.map((s, i) => {
      const cpu = ((cpuSecondsOf(pids[i]) - (s.cpu0 as number)) / wall) * 100;
      const peak = Math.max(...s.rss);
      const avg = s.rss.reduce((a, b) => a + b, 0) / s.rss.length;
      const open = s.watchedDir ? String(openFilesUnder(pids[i], s.watchedDir)) : '-';
      const end = s.rss[s.rss.length - 1];
      console.log(`  ${s.name.padEnd(50)} ${fmt(cpu, 3).padStart(16)} ${fmt(peak).padStart(6)} MB ${fmt(avg).padStart(5)} MB ${fmt(end).padStart(5)} MB  ${open}`);
      return { cpu, peak };
    });
    const [quietRow, shippedRow, base] = rows;
    const worst = { cpu: Math.max(quietRow.cpu, shippedRow.cpu), peak: Math.max(quietRow.peak, shippedRow.peak) };
    // The idle node's CPU is often 0 ticks: a difference says more than a ratio.
    const cpuRatio = base.cpu > 0 ? `${fmt(quietRow.cpu / base.cpu, 1)}×` : 'n/a (baseline 0 ticks)';
    console.log(
      `  ratio (barista ${QUIET_FILES} logs / idle node): CPU ${cpuRatio}, RSS peak ${fmt(quietRow.peak / base.peak, 2)}×; difference: CPU +${fmt(quietRow.cpu - base.cpu, 3)} %, RSS peak +${fmt(quietRow.peak - base.peak)} MB`,
    );
    console.log(
      `  targets < 0.5 % of a core: ${worst.cpu < 0.5 ? 'met' : 'MISSED'}; < 80 MB: ${worst.peak < 80 ? 'met' : 'MISSED'}   (CPU resolution ${fmt((100 / clockTicksPerSecond() / wall) * 1, 3)} %)`,
    );
  } finally {
    await Promise.all(subjects.map((s) => stopChild(s.child)));
    removeTempDir(dir);
  }
}
