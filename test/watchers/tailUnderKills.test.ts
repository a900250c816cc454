/**
 * The lossless promise end to end: 20,000 lines written with 10 rotations (rename and
 * copytruncate alternating) while barista is killed with SIGKILL at random points and
 * restarted. What barista committed must be exactly what was written, in order.
 */
import { appendFileSync, copyFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BaristaProcess } from '../support/baristaProcess';
import { SeededRandom } from '../support/simulator/random';
import { useTempDir } from '../support/tempDir';
import { waitFor } from '../support/waitFor';

const tempDir = useTempDir();
const started: BaristaProcess[] = [];
afterEach(() => started.splice(0).forEach((p) => p.kill('SIGKILL')));

const RULES = `workspace: ./ws
sources:
  - { id: trader-log, type: log, paths: ["logs/trader.log"], start_at: beginning }
rules:
  - { id: every-line, source: trader-log, match: '^(?<line>line \\d+ .*)$', emit: { type: test.line, severity: debug } }
`;

function committedLines(state: string): string[] {
  const db = new Database(state, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT fields FROM events WHERE type = 'test.line' ORDER BY rowid").all() as { fields: string }[]).map((r) => (JSON.parse(r.fields) as { line: string }).line);
  } finally {
    db.close();
  }
}

describe('tailing through rotations and SIGKILLs', () => {
  it('commits every line exactly once, in order', async () => {
    const seeded = new SeededRandom(20261124);
    const rand = () => seeded.next();
    const dir = tempDir();
    const logs = path.join(dir, 'ws', 'logs');
    mkdirSync(logs, { recursive: true });
    const log = path.join(logs, 'trader.log');
    writeFileSync(path.join(dir, 'rules.yaml'), RULES);
    const state = path.join(dir, 'state.db');
    const start = async () => {
      const barista = BaristaProcess.start(['events', '--config', 'rules.yaml', '--state', state], { cwd: dir });
      started.push(barista);
      // Logs go to stderr with `events`; stdout carries events.
      await waitFor(() => barista.stderr.includes('"msg":"barista running"') || (barista.exit && Promise.reject(new Error(barista.stderr))), { what: 'barista to start', timeoutMs: 15_000 });
      return barista;
    };

    const written: string[] = [];
    const TOTAL = 20_000;
    const CHUNKS = 80;
    const rotateEvery = CHUNKS / 10;
    let rotations = 0;
    let kills = 0;
    let barista = await start();
    for (let chunk = 0; chunk < CHUNKS; chunk += 1) {
      const lines = Array.from({ length: TOTAL / CHUNKS }, (_, i) => `line ${String(written.length + i).padStart(5, '0')} ${'x'.repeat(Math.floor(rand() * 120))}`);
      // Writes of random sizes, some ending mid-line, as a buffered writer would.
      let text = lines.map((l) => `${l}\n`).join('');
      while (text.length > 0) {
        const cut = 1 + Math.floor(rand() * Math.min(text.length, 6000));
        appendFileSync(log, text.slice(0, cut));
        text = text.slice(cut);
      }
      written.push(...lines);
      if (rand() < 0.12) {
        // Kill at a random point: let it work for a moment first.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(rand() * 150)));
        barista.kill('SIGKILL');
        await barista.waitForExit();
        kills += 1;
        barista = await start();
      }
      if ((chunk + 1) % rotateEvery === 0 && rotations < 10) {
        // logrotate runs rarely: let barista see the file before it rotates. (Several rotations
        // between two looks are covered, deterministically, in rotationsBetweenLooks.test.ts.)
        const before = written.length;
        await waitFor(() => committedLines(state).length >= before, { what: 'barista to catch up before a rotation', timeoutMs: 20_000, intervalMs: 50 });
        rotations += 1;
        if (rotations % 2 === 1) renameSync(log, `${log}.${rotations}`);
        else {
          copyFileSync(log, `${log}.${rotations}`);
          truncateSync(log, 0);
        }
      }
    }
    await waitFor(() => committedLines(state).length >= written.length, { what: 'all lines committed', timeoutMs: 30_000, intervalMs: 200 });
    barista.child.kill('SIGTERM');
    expect(await barista.waitForExit()).toEqual({ code: 0, signal: null });

    const committed = committedLines(state);
    expect(rotations).toBe(10);
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(committed.length).toBe(written.length);
    expect(committed).toEqual(written); // exact sequence: nothing lost, nothing repeated
  }, 120_000);
});
