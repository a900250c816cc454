/**
 * Process probe cost per tick: CPU time (user + system) of one look at every process and the
 * host, alone and with the matching and lifecycle derivation the source runs on it, beside
 * `ps -eo pid,args` (what a shell script would run) and systeminformation's processes(),
 * measured in the same run on the same process table. Once on the host as it is, once with
 * 300 extra sleeping processes. And one GPU read, barista's reader beside systeminformation's
 * graphics() (what barista used before): time, and the resident memory of a node that made one.
 * (systeminformation is a devDependency for these baselines only: barista no longer loads it.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyProcessSample, type ProcessView } from '../src/streams/processLifecycle';
import { hostReadings } from '../src/streams/hostThresholds';
import { gpuReader } from '../src/watchers/gpus';
import { ProcessProbe } from '../src/watchers/ProcessProbe';
import { buildGpuHost } from '../test/support/fakeSysfs';
import { clockTicksPerSecond, makeTempDir, QUICK, removeTempDir, ROOT, sleep, waitUntil } from './support';

const CLASSES = [
  ['trader', 'paper_trader_alpaca_polling.py'],
  ['training', '1_optimize_unified.py'],
] as const;
const INTERVAL_S = 10; // the shipped rules' interval
const SI_CACHE_MS = 550;

interface Cost {
  name: string;
  cpuMicros: number;
  wallMicros: number;
}

function ownCpu<T>(iterations: number, fn: () => T): { cpuMicros: number; wallMicros: number } {
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) fn();
  const cpu = process.cpuUsage(cpu0);
  return { cpuMicros: (cpu.user + cpu.system) / iterations, wallMicros: Number(process.hrtime.bigint() - wall0) / 1000 / iterations };
}

/** CPU of reaped children (cutime + cstime of this process), in µs. */
function childrenCpuMicros(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) / clockTicksPerSecond()) * 1e6; // fields 16, 17
}

function psCost(iterations: number): Cost {
  spawnSync('ps', ['-eo', 'pid,args']); // warm the page cache
  const children0 = childrenCpuMicros();
  const own = ownCpu(iterations, () => {
    const out = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`ps failed: ${out.stderr}`);
  });
  const psMicros = (childrenCpuMicros() - children0) / iterations;
  // ps's own CPU (what a shell loop would pay), not node's cost of spawning it.
  return { name: 'ps -eo pid,args (baseline; ps CPU only)', cpuMicros: psMicros, wallMicros: own.wallMicros };
}

/** CPU (own + reaped children) and wall time per call of an async reader, in µs. */
async function asyncCost(name: string, iterations: number, fn: () => Promise<unknown>): Promise<Cost> {
  await fn(); // first call loads and primes it
  const children0 = childrenCpuMicros();
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) await fn();
  const cpu = process.cpuUsage(cpu0);
  return { name, cpuMicros: (cpu.user + cpu.system + childrenCpuMicros() - children0) / iterations, wallMicros: Number(process.hrtime.bigint() - wall0) / 1000 / iterations };
}

async function systeminformationCost(iterations: number): Promise<Cost> {
  const si = await import('systeminformation');
  // processes() answers from its cache within 500 ms of the last call: each call waits that out.
  const cost = await asyncCost('systeminformation processes() (own + children)', iterations, async () => {
    await sleep(SI_CACHE_MS);
    await si.processes();
  });
  return { ...cost, wallMicros: cost.wallMicros - SI_CACHE_MS * 1000 };
}

function print(title: string, costs: Cost[], baseline: Cost): void {
  console.log(`\n${title}`);
  for (const c of costs) {
    const share = (c.cpuMicros / (INTERVAL_S * 1e6)) * 100;
    console.log(`  ${c.name.padEnd(50)} ${(c.cpuMicros / 1000).toFixed(3).padStart(8)} ms CPU/tick ${(c.wallMicros / 1000).toFixed(3).padStart(8)} ms wall   ${share.toFixed(4)}% of a core at ${INTERVAL_S} s`);
  }
  for (const c of costs) if (c !== baseline) console.log(`  ratio CPU (${c.name.split(' (')[0]} / ps): ${(c.cpuMicros / baseline.cpuMicros).toFixed(2)}×`);
}

async function measureOnce(label: string, workspace: string): Promise<void> {
  const iterations = QUICK ? 100 : 500;
  const probe = new ProcessProbe({ diskPath: workspace, graphics: async () => [] });
  const count = probe.sample().processes.length;
  const entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;
  const sampleOnly = ownCpu(iterations, () => probe.sample());
  let view: ProcessView | null = null;
  let at = Date.now();
  const withDerivation = ownCpu(iterations, () => {
    const sample = probe.sample();
    at += INTERVAL_S * 1000;
    view = applyProcessSample(view, { ...sample, at }, { classes: CLASSES, expected: { trader: 1, training: 3 } }).view;
    return hostReadings(sample.host);
  });
  const ps = psCost(QUICK ? 20 : 50);
  const si = await systeminformationCost(QUICK ? 3 : 10);
  print(
    `Process probe per tick, ${label}: ${count} processes (${entries} pids in /proc, kernel threads included)`,
    [
      { name: 'ProcessProbe.sample() (/proc + host)', ...sampleOnly },
      { name: 'sample + match + lifecycle + host readings', ...withDerivation },
      ps,
      si,
    ],
    ps,
  );
}

/** RSS (MB) of a fresh node after running `script` (which prints its own RSS), median of three. */
function nodeRssMb(script: string): number {
  const values = [0, 1, 2].map(() => {
    const out = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    if (out.status !== 0) throw new Error(`node -e failed: ${out.stderr}`);
    return Number(out.stdout.trim()) / 2 ** 20;
  });
  return values.sort((a, b) => a - b)[1];
}

async function measureGpuRead(dir: string): Promise<void> {
  const sysfs = path.join(dir, 'sys');
  buildGpuHost(sysfs);
  const context = { onError: () => undefined, signal: new AbortController().signal };
  const read = gpuReader({ sysfsRoot: sysfs, pathEnv: '' });
  const si = await import('systeminformation');
  const costs = [
    await asyncCost('gpuReader: sysfs with 2 AMD cards (+ iGPU, NVIDIA)', QUICK ? 200 : 1000, () => read(context)),
    await asyncCost("systeminformation graphics() on this host (baseline)", QUICK ? 3 : 10, () => si.graphics()),
  ];
  console.log('\nOne GPU read (every host.gpu_interval, 5 min by default)');
  for (const c of costs) console.log(`  ${c.name.padEnd(55)} ${(c.cpuMicros / 1000).toFixed(3).padStart(9)} ms CPU ${(c.wallMicros / 1000).toFixed(3).padStart(9)} ms wall`);
  const printRss = 'console.log(process.memoryUsage().rss)';
  const bare = nodeRssMb(printRss);
  const reader = nodeRssMb(`require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'watchers', 'gpus.js'))}).gpuReader()({ onError() {}, signal: new AbortController().signal }).then(() => ${printRss})`);
  const withSi = nodeRssMb(`require('systeminformation').graphics().then(() => ${printRss})`);
  console.log(`  RSS of a node after one read of this host's GPUs: bare node ${bare.toFixed(1)} MB (baseline), gpuReader ${reader.toFixed(1)} MB (+${(reader - bare).toFixed(1)}), systeminformation ${withSi.toFixed(1)} MB (+${(withSi - bare).toFixed(1)})`);
}

export async function benchProcessProbe(): Promise<void> {
  const dir = makeTempDir();
  try {
    await measureOnce('this host as it is', dir);
    await measureGpuRead(dir);
    // 300 more processes: one shell in its own process group starting sleepers.
    const extra = 300;
    const group = spawn('bash', ['-c', `for i in $(seq ${extra}); do sleep 120 & done; wait`], { stdio: 'ignore', detached: true });
    try {
      const probe = new ProcessProbe({ diskPath: dir, graphics: async () => [] });
      const base = probe.sample().processes.length;
      const sleepers = () => probe.sample().processes.filter((p) => p.argv[0] === 'sleep' && p.argv[1] === '120').length;
      await waitUntil('the extra processes', () => sleepers() >= extra, 20_000, () => (group.exitCode !== null ? `the shell exited (${group.exitCode}) with ${sleepers()} sleepers` : null));
      await sleep(200);
      await measureOnce(`with ${extra} extra sleeping processes (${base} before)`, dir);
    } finally {
      if (group.pid) process.kill(-group.pid, 'SIGKILL');
    }
  } finally {
    removeTempDir(dir);
  }
}
