/**
 * Backlog parse speed: a 500 MB trader log in the real formats (the simulator's output,
 * repeated with shifted dates) read from its beginning by FileTailer (line splitting, UTF-8,
 * ANSI strip, NFC, traceback grouping as shipped) with every record matched against the
 * shipped trader-log rules. Baseline, same run, same file: `grep -E -c` with the same rules
 * converted to POSIX ERE.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statfsSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRulesFile } from '../src/config/loadRules';
import type { LogSourceConfig, RuleConfig } from '../src/config/schema';
import { compileLogRules, matchLogRules, type CompiledLogRules } from '../src/streams/logRules';
import { FileTailer } from '../src/watchers/FileTailer';
import { TraderSimulator } from '../test/support/simulator';
import { jsRegexToEre } from './jsRegexToEre';
import { assertSafeCommandLine, fmt, makeTempDir, QUICK, removeTempDir, ROOT, thousands } from './support';

const SOURCE_ID = 'trader-log';
const MB = 1e6;

interface Pass {
  name: string;
  seconds: number;
  bytes: number;
  lines: number;
  /** Records (a grouped traceback is one) or, for grep, matching lines. */
  records: number;
  matched: number;
}

export async function benchTailBacklog(): Promise<void> {
  const targetBytes = (QUICK ? 50 : 500) * MB;
  console.log(`\nBacklog: reading a ${targetBytes / MB} MB trader log from its beginning (FileTailer + shipped ${SOURCE_ID} rules)`);

  const free = freeBytes(os.tmpdir());
  if (free < targetBytes * 1.2 + 200 * MB) {
    console.log(`  skipped: ${fmt(free / MB, 0)} MB free in ${os.tmpdir()}, need ${fmt((targetBytes * 1.2 + 200 * MB) / MB, 0)} MB`);
    return;
  }

  const loaded = loadRulesFile(path.join(ROOT, 'config', 'rules.yaml'), {});
  if (!loaded.ok) throw new Error('shipped rules invalid');
  const source = loaded.rules.config.sources.find((s): s is LogSourceConfig => s.id === SOURCE_ID && s.type === 'log');
  if (!source) throw new Error(`no log source ${SOURCE_ID} in the shipped rules`);
  const rules = loaded.rules.config.rules.filter((r) => r.source === SOURCE_ID && r.enabled);
  const compiled = compileLogRules(loaded.rules.config.rules);

  const dir = makeTempDir();
  try {
    const started = process.hrtime.bigint();
    const base = simulatedTraderLogs(path.join(dir, 'sim'));
    const file = path.join(dir, 'trader_bench.log');
    const written = writeRepeated(file, base, targetBytes);
    const setupSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `  data: ${fmt(Buffer.byteLength(base.text) / MB)} MB simulated (3 traders, default event rates) repeated ${written.repetitions}× with dates shifted = ${fmt(written.bytes / MB)} MB, ${thousands(written.lines)} lines (made in ${fmt(setupSeconds)} s)`,
    );
    console.log(`  source options as shipped: multiline=${source.multiline}, traceback_lead=${source.traceback_lead ?? '-'}, max_line_bytes=${source.max_line_bytes}; ${rules.length} enabled rules`);

    const barista = tailPass('barista: FileTailer + matchLogRules', file, source, compiled);
    const tailOnly = tailPass('FileTailer only (no rules)', file, source, null);

    const ere = convertRules(rules);
    const grepUtf8 = grepPass('grep -E -c (LC_ALL=C.UTF-8)', file, ere.patterns, 'C.UTF-8', written.lines);
    const grepC = grepPass('grep -E -c (LC_ALL=C, bytes)', file, ere.patterns, 'C', written.lines);

    for (const pass of [barista, tailOnly, grepUtf8, grepC]) {
      const mbps = pass.bytes / MB / pass.seconds;
      const detail = pass.name.startsWith('grep') ? `${thousands(pass.matched)} matching lines` : `${thousands(pass.records)} records, ${thousands(pass.matched)} events`;
      console.log(`  ${pass.name.padEnd(40)} ${fmt(pass.seconds, 2).padStart(7)} s ${fmt(mbps).padStart(8)} MB/s ${thousands(pass.lines / pass.seconds).padStart(12)} lines/s  ${detail}`);
    }
    const baristaMbps = barista.bytes / MB / barista.seconds;
    const grepMbps = grepUtf8.bytes / MB / grepUtf8.seconds;
    console.log(`  ratio (barista / grep C.UTF-8, MB/s): ${fmt(baristaMbps / grepMbps, 3)}×   target ≥ 100 MB/s: ${baristaMbps >= 100 ? 'met' : 'MISSED'}`);
    console.log(`  grep patterns: ${ere.patterns.length} of ${rules.length} rules; ${ere.notes.join('; ') || 'no approximations'}`);
  } finally {
    removeTempDir(dir);
  }
}

function tailPass(name: string, file: string, source: LogSourceConfig, compiled: CompiledLogRules | null): Pass {
  const tailer = new FileTailer(file, { maxLineBytes: source.max_line_bytes, multiline: source.multiline, tracebackLead: source.traceback_lead, startAt: 'beginning' });
  let lines = 0;
  let records = 0;
  let matched = 0;
  const started = process.hrtime.bigint();
  tailer.startFresh('beginning');
  for (;;) {
    const { records: batch, more } = tailer.poll();
    for (const record of batch) {
      lines += record.lines;
      records += 1;
      if (compiled && matchLogRules(compiled, SOURCE_ID, record.text)) matched += 1;
    }
    if (!more) break;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  tailer.close();
  return { name, seconds, bytes: statSync(file).size, lines, records, matched };
}

function grepPass(name: string, file: string, patterns: string[], locale: string, lines: number): Pass {
  const args = ['-E', '-c', ...patterns.flatMap((p) => ['-e', p]), file];
  assertSafeCommandLine(['grep', ...args]);
  const started = process.hrtime.bigint();
  const result = spawnSync('grep', args, { encoding: 'utf8', env: { PATH: process.env.PATH, LC_ALL: locale }, maxBuffer: 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 && result.status !== 1) throw new Error(`grep failed (${result.status}): ${result.stderr}`);
  return { name, seconds, bytes: statSync(file).size, lines, records: lines, matched: Number.parseInt(result.stdout, 10) };
}

function convertRules(rules: readonly RuleConfig[]): { patterns: string[]; notes: string[] } {
  const patterns: string[] = [];
  const notes = new Map<string, string[]>();
  const note = (text: string, rule: string) => notes.set(text, [...(notes.get(text) ?? []), rule]);
  for (const rule of rules) {
    const converted = jsRegexToEre(rule.match, rule.flags ?? '');
    if (!converted.ok) {
      note(`left out (${converted.reason})`, rule.id);
      continue;
    }
    patterns.push(converted.value.ere);
    for (const n of converted.value.notes) note(n, rule.id);
  }
  return { patterns, notes: [...notes].map(([text, ids]) => `${text}: ${ids.join(', ')}`) };
}

interface BaseLog {
  text: string;
  /** Whole days the simulated logs span (each repetition moves dates by this much). */
  spanDays: number;
}

/** A few MB of real-format trader logs: three traders of different kinds, default event rates. */
function simulatedTraderLogs(workspace: string): BaseLog {
  const targetBytes = 3 * MB;
  const logs = ['logs/trader_bench_1.log', 'logs/trader_bench_2.log', 'logs/trader_bench_3.log'];
  const start = '2026-02-09T06:10:00Z';
  const sim = new TraderSimulator({
    workspace,
    seed: 20260209,
    start,
    track: false,
    traders: [
      { name: 'bench1', logFile: logs[0], risk: { trailingStopPct: 0.05, moveToCashThresholdPct: 0.06 } },
      { name: 'bench2', logFile: logs[1], timeframe: '5m', tiburtina: 'active', discord: 'enabled' },
      { name: 'bench3', logFile: logs[2], timeframe: '5m', modelDir: 'deployments/ensemble_7', stdout: 'block-buffered' },
    ],
  });
  const size = () => logs.reduce((sum, log) => sum + sizeOrZero(path.join(workspace, log)), 0);
  let steps = 0;
  while (size() < targetBytes) {
    // Bounded: the size is looked at every 100 steps.
    for (let i = 0; i < 100; i += 1) if (sim.step() === undefined) throw new Error('the simulator stopped');
    steps += 100;
    if (steps > 1_000_000) throw new Error('the simulator writes too little');
  }
  for (const trader of sim.traders()) sim.flushTrader(trader.name);
  const spanMs = Date.parse(sim.now()) - Date.parse(start);
  sim.close();
  const text = logs.map((log) => readFileSync(path.join(workspace, log), 'utf8')).join('');
  return { text, spanDays: Math.max(1, Math.ceil(spanMs / 86_400_000)) };
}

function sizeOrZero(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Writes `base` again and again, each copy's dates moved on, until `targetBytes`. */
function writeRepeated(file: string, base: BaseLog, targetBytes: number): { bytes: number; lines: number; repetitions: number } {
  // Dates of timestamps ("2026-02-09T07:00:00…", "2026-02-09 06:00:00+00:00"): split once,
  // then each repetition only re-renders the (few distinct) dates.
  const parts = base.text.split(/(\d{4}-\d\d-\d\d)(?=[T ]\d\d:\d\d)/);
  const linesPerCopy = countLines(base.text);
  const fd = openSync(file, 'w');
  let bytes = 0;
  let lines = 0;
  let repetitions = 0;
  try {
    while (bytes < targetBytes) {
      const shiftMs = repetitions * base.spanDays * 86_400_000;
      const dates = new Map<string, string>();
      const shifted = (date: string) => {
        let out = dates.get(date);
        if (out === undefined) {
          out = new Date(Date.parse(`${date}T00:00:00Z`) + shiftMs).toISOString().slice(0, 10);
          dates.set(date, out);
        }
        return out;
      };
      const text = repetitions === 0 ? base.text : parts.map((part, i) => (i % 2 === 1 ? shifted(part) : part)).join('');
      const buffer = Buffer.from(text, 'utf8');
      writeSync(fd, buffer);
      bytes += buffer.length;
      lines += linesPerCopy;
      repetitions += 1;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, lines, repetitions };
}

function countLines(text: string): number {
  // Line breaks as LineSplitter counts them: \n, \r\n and a lone \r.
  return (text.match(/\r\n|\n|\r/g) ?? []).length;
}

function freeBytes(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}
