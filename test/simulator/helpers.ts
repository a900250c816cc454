/** Shared set-up for the simulator's tests: a temp workspace, and reading files back. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { NO_RANDOM_EVENTS, TraderSimulator, type SimulatorOptions } from '../support/simulator';
import { useTempDir } from '../support/tempDir';

/** A simulator per test in a fresh temp folder (random events off unless asked for). */
export function useSimulator(options: Omit<SimulatorOptions, 'workspace'> = {}): { sim: () => TraderSimulator; dir: () => string } {
  const dir = useTempDir('barista-sim-');
  let current: TraderSimulator | undefined;
  afterEach(() => {
    current?.close();
    current = undefined;
  });
  return {
    dir,
    sim: () => {
      current ??= new TraderSimulator({ rates: NO_RANDOM_EVENTS, ...options, workspace: dir() });
      return current;
    },
  };
}

/** Splits file content into lines as a reader would: complete lines only, terminator removed. */
export function completeLines(content: string, terminator: '\n' | '\r\n' = '\n'): string[] {
  const parts = content.split('\n');
  parts.pop();
  return terminator === '\r\n' ? parts.map((line) => line.replace(/\r$/, '')) : parts;
}

/** The rotated siblings (oldest first) and the current file, concatenated. */
export function concatenatedOnDisk(sim: TraderSimulator, relativePath: string): string {
  const current = sim.pathOf(relativePath);
  const rotated = sim.rotatedFiles(relativePath).map((file) => sim.pathOf(file));
  return [...rotated, current].map((file) => readFileSync(file, 'utf8')).join('');
}

export function read(sim: TraderSimulator, relativePath: string): string {
  return readFileSync(sim.pathOf(relativePath), 'utf8');
}

export function inode(sim: TraderSimulator, relativePath: string): number {
  return statSync(sim.pathOf(relativePath)).ino;
}

/** Every file under a folder, relative path → bytes. */
export function snapshotFolder(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(root, full), readFileSync(full));
    }
  };
  walk(root);
  return files;
}

/** Parses one CSV file's lines into header-keyed rows (a second header switches the columns). */
export function parseSessionCsv(lines: readonly string[]): { header: string[]; row: Record<string, string> }[] {
  const rows: { header: string[]; row: Record<string, string> }[] = [];
  let header: string[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    if (cells[0] === 'timestamp') {
      header = cells;
      continue;
    }
    rows.push({ header, row: Object.fromEntries(header.map((name, index) => [name, cells[index] ?? ''])) });
  }
  return rows;
}
