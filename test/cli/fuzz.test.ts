/**
 * Issue 12's fuzz test: random bytes, random rule patterns and random file operations
 * (truncate, chmod, rename, delete, torn writes) fed to a running barista child for a bounded
 * time. It must never exit on its own, and must stop on SIGTERM within its stop deadline.
 * The seed is printed on failure; FUZZ_SEED replays one run, FUZZ_MS changes its length.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BaristaProcess } from '../support/baristaProcess';
import { seededRandom } from '../support/simulator/random';
import { useTempDir } from '../support/tempDir';

const tempDir = useTempDir();
const FUZZ_MS = Number(process.env.FUZZ_MS ?? 25_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);


const HEADER = 'timestamp,cash,total_asset,reward,holding_BTC/USD,price_BTC/USD,action_BTC/USD';
const PATTERN_ATOMS = ['a', 'b', '.', '\\d', '\\w', '\\s', '(', ')', '(?:', '(?<g>', '[a-c]', '[^x]', '+', '*', '?', '{2,5}', '|', '^', '$', '\\1', '(?=a)', 'é', '🛑', '\\', '[', ']'];

function rulesText(pattern: string, flags: string): string {
  return [
    'workspace: ./workspace',
    'sources:',
    '  - { id: logs, type: log, paths: ["logs/*.log*"], multiline: python-traceback }',
    '  - { id: sessions, type: csv, paths: ["paper_trades/*.csv"] }',
    '  - { id: beats, type: json, role: heartbeat, paths: ["paper_trades/*heartbeat*"] }',
    'rules:',
    `  - { id: fuzzed, source: logs, match: ${JSON.stringify(pattern)}, flags: "${flags}", emit: { type: x.fuzzed, severity: warning } }`,
    `  - { id: steady, source: logs, match: 'hello (?<who>\\w+)', emit: { type: x.hello, severity: info } }`,
    '',
  ].join('\n');
}

describe('fuzz: a running barista under random input', () => {
  it(`never exits on its own and stops on SIGTERM in time (seed ${SEED})`, async () => {
    const random = seededRandom(SEED); // replayable: FUZZ_SEED
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const int = (max: number) => Math.floor(random() * max);
    const dir = tempDir();
    const workspace = path.join(dir, 'workspace');
    for (const sub of ['logs', 'paper_trades']) mkdirSync(path.join(workspace, sub), { recursive: true });
    const rules = path.join(dir, 'rules.yaml');
    writeFileSync(rules, rulesText('(a+)+$', ''));
    const barista = BaristaProcess.start(['events', '--config', rules, '--state', path.join(dir, 'state.db')], { cwd: dir });
    try {
      await waitForStderrText(barista, '"msg":"barista running"');

      const files = [...['a.log', 'b.log', 'c.log'].map((f) => path.join(workspace, 'logs', f)), ...['t1_session.csv', 't2_session.csv'].map((f) => path.join(workspace, 'paper_trades', f)), path.join(workspace, 'paper_trades', 't1_heartbeat.json')];
      const randomBytes = () => Buffer.from(Array.from({ length: int(300) }, () => (random() < 0.3 ? 10 : int(256))));
      const csvRow = (hour: number) => `2026-02-09T${String(hour % 24).padStart(2, '0')}:00:00+00:00,${(500 - hour).toFixed(6)},500.000000,0.000000,${(hour % 3) * 0.001},70000.000000,0.000000`;
      const operations: (() => void)[] = [
        () => appendFileSync(pick(files), randomBytes()),
        () => appendFileSync(pick(files.slice(0, 3)), `${'a'.repeat(50 + int(200))}!\n`),
        () => appendFileSync(pick(files.slice(0, 3)), `hello w${int(1000)}\nTraceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: ${'x'.repeat(int(50))}\n`),
        () => {
          const csv = pick(files.slice(3, 5));
          if (!existsSync(csv)) writeFileSync(csv, `${HEADER}\n`);
          const row = csvRow(int(48));
          appendFileSync(csv, random() < 0.3 ? row.slice(0, int(row.length)) : `${row}\n`); // torn or whole
        },
        () => writeFileSync(files[5], pick(['', '{"last_poll": "2026-02-09T07:00:00+00:00", "next_poll_scheduled": ', '{"last_poll": "2026-02-09T07:00:00+00:00", "next_poll_scheduled": "2026-02-09T08:00:00+00:00"}', randomBytes().toString('latin1')])),
        () => existsSync(pick(files)) && truncateSync(pick(files.filter(existsSync)), int(100)),
        () => {
          const file = pick(files.filter(existsSync));
          if (file) chmodSync(file, pick([0o000, 0o200, 0o644, 0o644]));
        },
        () => {
          const file = pick(files.filter(existsSync));
          if (file) renameSync(file, `${file}.${int(3)}`);
        },
        () => {
          const file = pick(files.filter(existsSync));
          if (file) rmSync(file);
        },
        () => {
          const pattern = Array.from({ length: 1 + int(12) }, () => pick(PATTERN_ATOMS)).join('');
          writeFileSync(rules, random() < 0.1 ? randomBytes().toString('latin1') : rulesText(pattern, pick(['', 'i', 'm', 'u', 'is'])));
        },
        () => {
          // Rotation leftovers pile up: keep the folder small.
          const logs = path.join(workspace, 'logs');
          for (const name of readdirSync(logs)) if (/\.\d$/.test(name) && random() < 0.5) rmSync(path.join(logs, name));
        },
      ];

      const until = Date.now() + FUZZ_MS;
      let count = 0;
      while (Date.now() < until) {
        for (let i = 0; i < 5; i += 1, count += 1) {
          try {
            pick(operations)();
          } catch (error) {
            // The test's own file juggling may race with itself (a file just renamed): not barista's.
            if (!['ENOENT', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
          }
        }
        expect(barista.exit).toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 20)); // pacing between bursts
      }
      expect(count).toBeGreaterThan(100);
      expect(barista.exit).toBeNull();
      // It did take the input: events came out and rules edits were judged.
      expect(barista.logs.length).toBeGreaterThan(0);
      expect(barista.stderr).toMatch(/rules (reloaded|rejected)/);
      barista.child.kill('SIGTERM');
      // barista exits 1 past its own stop deadline: 0 means it stopped within it.
      expect(await barista.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    } finally {
      if (process.env.FUZZ_DUMP) writeFileSync(process.env.FUZZ_DUMP, barista.stderr);
      barista.kill('SIGKILL');
    }
  }, FUZZ_MS + 40_000);
});

async function waitForStderrText(barista: BaristaProcess, text: string): Promise<void> {
  const { waitFor } = await import('../support/waitFor');
  await waitFor(
    () => {
      if (barista.exit) throw new Error(`barista exited (${JSON.stringify(barista.exit)}); stderr: ${barista.stderr}`);
      return barista.stderr.includes(text);
    },
    { timeoutMs: 15_000, what: text },
  );
}
