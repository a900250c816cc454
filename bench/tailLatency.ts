/**
 * Latency from an append to its event: the real CLI (`barista events`) tails a log in a temp
 * workspace while this process appends lines one at a time (one appendFileSync each, spaced so
 * they do not batch) and reads the events from the child's stdout, matched by a sequence
 * number. Baseline, on the very same appends: a minimal tail in this process — fs.watch on the
 * file, then read from the last offset to the end and split lines.
 *
 * Two patterns: steady appends `spacingMs` apart (the issue's measure), and pairs of lines a
 * few ms apart followed by quiet (how a trader prints: several lines per bar, then nothing).
 */
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fmt, makeTempDir, percentile, QUICK, removeTempDir, sleep, spawnBarista, stopChild, TextCollector, waitUntil } from './support';

const RULES = `workspace: ./ws
sources:
  - { id: trader-log, type: log, paths: ["logs/trader_bench.log"], multiline: python-traceback, traceback_lead: '^Error processing bars: ', start_at: end }
rules:
  - id: bench-snapshot
    source: trader-log
    match: '^\\[(?<at>[^\\]]+)\\] bench seq=(?<seq>\\d+) cash=(?<cash>-?[\\d.]+) total=(?<total>-?[\\d.]+)'
    emit: { type: bench.snapshot, severity: info }
`;

const SEQ = / bench seq=(\d+) /;

export async function benchTailLatency(): Promise<void> {
  const count = QUICK ? 200 : 1000;
  const warmUp = 20;
  // BENCH_SPACING_MS: another spacing (e.g. 60, beyond chokidar's 50 ms per-file change throttle).
  const spacingMs = Number(process.env.BENCH_SPACING_MS ?? '') || 20;
  console.log(`\nLatency append → event: ${count} lines appended one by one, ${spacingMs} ms apart (after ${warmUp} warm-up lines)`);

  const dir = makeTempDir();
  let watcher: FSWatcher | null = null;
  let baselineFd: number | null = null;
  const child = (() => {
    const logs = path.join(dir, 'ws', 'logs');
    mkdirSync(logs, { recursive: true });
    writeFileSync(path.join(logs, 'trader_bench.log'), '');
    writeFileSync(path.join(dir, 'rules.yaml'), RULES);
    return spawnBarista(['events', '--config', 'rules.yaml', '--state', path.join(dir, 'state.db')], dir);
  })();
  try {
    const log = path.join(dir, 'ws', 'logs', 'trader_bench.log');
    const sentAt = new Map<number, number>();
    const baristaAt = new Map<number, number>();
    const baselineAt = new Map<number, number>();

    // barista's events, one JSON object per line on stdout.
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const now = performance.now();
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { type?: string; fields?: { seq?: unknown } };
        if (event.type === 'bench.snapshot' && typeof event.fields?.seq === 'number' && !baristaAt.has(event.fields.seq)) baristaAt.set(event.fields.seq, now);
      }
    });
    const stderr = new TextCollector(child.stderr!);
    const exited = () => (child.exitCode !== null || child.signalCode !== null ? `barista exited (${child.exitCode ?? child.signalCode}): ${stderr.text.slice(-2000)}` : null);
    await waitUntil('barista events to start', () => stderr.text.includes('"msg":"barista running"'), 20_000, exited);

    // The baseline: what a minimal tail does.
    baselineFd = openSync(log, 'r');
    const fd = baselineFd;
    let offset = 0;
    let partial = '';
    const buffer = Buffer.alloc(1024 * 1024);
    const readNew = () => {
      const now = performance.now();
      const size = fstatSync(fd).size;
      while (offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - offset), offset);
        if (n <= 0) break;
        offset += n;
        const lines = (partial + buffer.toString('utf8', 0, n)).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const match = SEQ.exec(line);
          if (match && !baselineAt.has(Number(match[1]))) baselineAt.set(Number(match[1]), now);
        }
      }
    };
    watcher = watch(log, () => readNew());

    let seq = 0;
    const append = () => {
      seq += 1;
      const bar = Date.UTC(2026, 1, 9, 7) + seq * 3_600_000;
      const line = `[${new Date(bar).toISOString().slice(0, 19)}+00:00] bench seq=${seq} cash=${(497 + (seq % 13) / 7).toFixed(2)} total=${(500 + (seq % 29) / 3).toFixed(2)} reward=0.000000 actions=[0.0, 0.0, 0.0]\n`;
      sentAt.set(seq, performance.now());
      appendFileSync(log, line);
    };

    // Warm-up: both readers must have seen these before the measured appends start.
    for (let i = 0; i < warmUp; i += 1) {
      append();
      await sleep(spacingMs);
    }
    await waitUntil('the warm-up lines', () => baristaAt.has(warmUp) && baselineAt.has(warmUp), 15_000, exited);

    const latenciesOf = (arrived: Map<number, number>, seqs: readonly number[]) => {
      const latencies: number[] = [];
      for (const s of seqs) {
        const at = arrived.get(s);
        if (at !== undefined) latencies.push(at - (sentAt.get(s) as number));
      }
      return latencies.sort((a, b) => a - b);
    };
    const row = (name: string, latencies: readonly number[], expected: number) => {
      const lost = expected - latencies.length;
      const cells = [50, 95, 99].map((p) => fmt(percentile(latencies, p), 1).padStart(7));
      console.log(`  ${name.padEnd(46)} ${cells.join(' ')} ${fmt(latencies[latencies.length - 1] ?? Number.NaN, 1).padStart(7)}   ${latencies.length}/${expected}${lost ? ` (${lost} not seen within 5 s)` : ''}`);
    };
    const settle = async (last: number) => {
      await waitUntil('the last events', () => baristaAt.has(last) && baselineAt.has(last), 5_000, exited).catch(() => undefined);
      await sleep(200);
    };

    // 1. Steady appends, `spacingMs` apart.
    const steady: number[] = [];
    for (let i = 0; i < count; i += 1) {
      append();
      steady.push(seq);
      await sleep(spacingMs);
    }
    await settle(seq);
    console.log(`  ${''.padEnd(46)} ${['p50', 'p95', 'p99', 'max'].map((h) => h.padStart(7)).join(' ')}   ms, received`);
    const barista = latenciesOf(baristaAt, steady);
    const baseline = latenciesOf(baselineAt, steady);
    row('barista events (child process, via stdout)', barista, count);
    row('fs.watch + read, in this process (baseline)', baseline, count);
    const p99 = percentile(barista, 99);
    const late = steady.filter((s) => (baristaAt.get(s) ?? Infinity) - (sentAt.get(s) as number) > 50).map((s) => s - steady[0] + 1);
    if (late.length) console.log(`  barista lines over 50 ms: ${late.length} (line${late.length > 1 ? 's' : ''} ${late.slice(0, 8).join(', ')}${late.length > 8 ? ', …' : ''} of ${count})`);
    console.log(`  ratio (barista / baseline p99): ${fmt(p99 / percentile(baseline, 99), 2)}×   target p99 ≤ 50 ms: ${p99 <= 50 && barista.length === count ? 'met' : 'MISSED'}`);

    // 2. A line that follows another closely, then nothing (a trader prints a few lines per bar):
    // the second line's latency, with a quiet second after each pair.
    const pairs = QUICK ? 8 : 20;
    const pairGapMs = 10;
    const seconds: number[] = [];
    for (let i = 0; i < pairs; i += 1) {
      append();
      await sleep(pairGapMs);
      append();
      seconds.push(seq);
      await sleep(1_100);
    }
    await settle(seq);
    console.log(`  then ${pairs} pairs of lines ${pairGapMs} ms apart, each followed by 1.1 s of quiet — latency of the pair's second line:`);
    const baristaPairs = latenciesOf(baristaAt, seconds);
    row('barista events (child process, via stdout)', baristaPairs, pairs);
    row('fs.watch + read, in this process (baseline)', latenciesOf(baselineAt, seconds), pairs);
    const pairsP99 = percentile(baristaPairs, 99);
    console.log(`  target p99 ≤ 50 ms: ${pairsP99 <= 50 && baristaPairs.length === pairs ? 'met' : 'MISSED'}`);
  } finally {
    watcher?.close();
    if (baselineFd !== null) closeSync(baselineFd);
    await stopChild(child);
    removeTempDir(dir);
  }
}
