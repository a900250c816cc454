/**
 * Tailing at scale, measured on the real CLI from outside (/proc):
 * - `many-files`: start time (spawn → "barista running"), idle CPU and RSS, descriptors held, with
 *   one glob over 2,000 quiet logs, beside the same on 10 logs and an idle node;
 * - `burst`: RSS and state / WAL size after a 100,000-line burst into one log (every line an
 *   event), beside a 1,000-line burst in the same run.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cleanEnv, clockTicksPerSecond, cpuSecondsOf, fmt, makeTempDir, QUICK, removeTempDir, rssMbOf, sleep, spawnBarista, spawnTracked, stopChild, TextCollector, thousands, waitUntil } from './support';

const rulesFor = (glob: string) => `workspace: ./ws
sources:
  - { id: workers, type: log, paths: ["${glob}"], start_at: beginning }
rules:
  - { id: worker-error, source: workers, match: '^ERROR (?<message>.*)$', emit: { type: app.error, severity: error } }
`;

interface Running {
  name: string;
  child: ChildProcess;
  startSeconds: number | null;
  folder?: string;
}

/** A barista on `files` quiet logs in a fresh folder, timed from spawn to "barista running". */
async function startOn(root: string, files: number): Promise<Running> {
  const dir = path.join(root, `files-${files}`);
  mkdirSync(path.join(dir, 'ws', 'logs'), { recursive: true });
  writeFileSync(path.join(dir, 'rules.yaml'), rulesFor('logs/worker_*.log'));
  for (let i = 0; i < files; i += 1) writeFileSync(path.join(dir, 'ws', 'logs', `worker_${String(i).padStart(4, '0')}.log`), `worker ${i} started\n`);
  const started = process.hrtime.bigint();
  const child = spawnBarista(['run', '--config', 'rules.yaml', '--state', path.join(dir, 'state.db')], dir);
  await waitForRunning(child);
  return { name: `barista run: ${thousands(files)} quiet logs (one glob)`, child, startSeconds: Number(process.hrtime.bigint() - started) / 1e9, folder: path.join(dir, 'ws', 'logs') };
}

async function waitForRunning(child: ChildProcess): Promise<void> {
  const out = new TextCollector(child.stdout!);
  const err = new TextCollector(child.stderr!);
  await waitUntil('barista to start', () => out.text.includes('"msg":"barista running"'), 120_000, () =>
    child.exitCode !== null || child.signalCode !== null ? `exited (${child.exitCode ?? child.signalCode}): ${err.text.slice(-1500)}${out.text.slice(-1500)}` : null,
  );
}

export async function benchManyFiles(): Promise<void> {
  const seconds = QUICK ? 10 : 30;
  console.log(`\nMany quiet files: start time, then idle CPU / RSS over ${seconds} s (after 35 s, past the 30 s after which a quiet file's descriptor is closed), beside 10 logs and an idle node`);
  const root = makeTempDir();
  const subjects: Running[] = [];
  try {
    // Started one after the other, so that each start time is its own.
    subjects.push(await startOn(root, 10));
    subjects.push(await startOn(root, 2_000));
    subjects.push({ name: 'idle node: setInterval(()=>{},1000) (baseline)', child: spawnTracked(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { env: cleanEnv() }), startSeconds: null });
    await sleep(35_000);
    const pids = subjects.map((s) => s.child.pid as number);
    const cpu0 = pids.map(cpuSecondsOf);
    const rss: number[][] = pids.map(() => []);
    const t0 = process.hrtime.bigint();
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      pids.forEach((pid, i) => rss[i].push(rssMbOf(pid)));
      await sleep(500);
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`  ${''.padEnd(48)} ${'start'.padStart(7)} ${'CPU % of a core'.padStart(16)} ${'RSS peak'.padStart(9)} ${'RSS avg'.padStart(8)}  logs held open`);
    subjects.forEach((s, i) => {
      const cpu = ((cpuSecondsOf(pids[i]) - cpu0[i]) / wall) * 100;
      const start = s.startSeconds === null ? '-' : `${fmt(s.startSeconds, 2)} s`;
      const avg = rss[i].reduce((a, b) => a + b, 0) / rss[i].length;
      const held = s.folder ? String(openFilesUnder(pids[i], s.folder)) : '-';
      console.log(`  ${s.name.padEnd(48)} ${start.padStart(7)} ${fmt(cpu, 3).padStart(16)} ${fmt(Math.max(...rss[i])).padStart(6)} MB ${fmt(avg).padStart(5)} MB  ${held}`);
    });
    console.log(`  (CPU resolution ${fmt(100 / clockTicksPerSecond() / wall, 3)} %)`);
  } finally {
    await Promise.all(subjects.map((s) => stopChild(s.child)));
    removeTempDir(root);
  }
}

export async function benchBurst(): Promise<void> {
  const big = QUICK ? 20_000 : 100_000;
  console.log(`\nA burst into one log (every line an event): RSS and state file / WAL after ${thousands(big)} lines, beside 1,000 lines in the same run`);
  const root = makeTempDir();
  try {
    console.log(`  ${'lines'.padStart(8)} ${'RSS before'.padStart(11)} ${'RSS peak'.padStart(9)} ${'RSS after'.padStart(10)} ${'committed in'.padStart(13)} ${'state file'.padStart(11)} ${'WAL'.padStart(8)}`);
    for (const lines of [1_000, big]) {
      const dir = path.join(root, `burst-${lines}`);
      mkdirSync(path.join(dir, 'ws', 'logs'), { recursive: true });
      writeFileSync(path.join(dir, 'rules.yaml'), rulesFor('logs/burst.log'));
      const log = path.join(dir, 'ws', 'logs', 'burst.log');
      writeFileSync(log, '');
      const state = path.join(dir, 'state.db');
      const child = spawnBarista(['run', '--config', 'rules.yaml', '--state', state], dir);
      try {
        await waitForRunning(child);
        await sleep(2_000);
        const pid = child.pid as number;
        const before = rssMbOf(pid);
        const text = Array.from({ length: lines }, (_, i) => `ERROR worker ${i % 64} failed: step ${i} of the burst, ${'x'.repeat(40)}`).join('\n');
        const t0 = Date.now();
        appendFileSync(log, `${text}\n`);
        let peak = before;
        await waitUntil(`${lines} events committed`, () => {
          peak = Math.max(peak, rssMbOf(pid));
          return eventCount(state) >= lines;
        }, 600_000);
        const took = (Date.now() - t0) / 1000;
        await sleep(3_000);
        peak = Math.max(peak, rssMbOf(pid));
        const after = rssMbOf(pid);
        const mb = (file: string) => (existsSync(file) ? statSync(file).size / 1024 / 1024 : 0);
        console.log(`  ${thousands(lines).padStart(8)} ${fmt(before).padStart(8)} MB ${fmt(peak).padStart(6)} MB ${fmt(after).padStart(7)} MB ${fmt(took, 1).padStart(11)} s ${fmt(mb(state)).padStart(8)} MB ${fmt(mb(`${state}-wal`)).padStart(5)} MB`);
      } finally {
        await stopChild(child);
      }
    }
  } finally {
    removeTempDir(root);
  }
}

function eventCount(state: string): number {
  if (!existsSync(state)) return 0;
  const db = new Database(state, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** How many of the process's descriptors point at files under `dir`. */
export function openFilesUnder(pid: number, dir: string): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`${dir}${path.sep}`)) count += 1;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}
