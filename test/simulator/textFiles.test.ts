/** Rotation, truncation, partial and long lines: writtenLines always matches the disk. */
import { readFileSync, statSync } from 'node:fs';
import { completeLines, concatenatedOnDisk, inode, read, useSimulator } from './helpers';

const LOG = 'logs/paper_trader_trial250.log';
const CSV = 'paper_trades/trial250_session.csv';

describe('rotation', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250' }] });

  it('rename: old content in .1, writing goes on in a new file (new inode)', () => {
    sim().stepBars(3);
    const before = read(sim(), LOG);
    const oldInode = inode(sim(), LOG);
    expect(sim().rotate(LOG, 'rename')).toBe(`${LOG}.1`);
    sim().stepBars(2);
    expect(read(sim(), `${LOG}.1`)).toBe(before);
    expect(inode(sim(), `${LOG}.1`)).toBe(oldInode);
    expect(inode(sim(), LOG)).not.toBe(oldInode);
    expect(read(sim(), LOG)).toMatch(/^\[\d{4}-.*\] Polling for new bars\.\.\.\n/);
    expect(completeLines(concatenatedOnDisk(sim(), LOG))).toEqual(sim().writtenLines(LOG));
  });

  it('copytruncate: a copy in .1, the same inode truncated to 0 and appended to again', () => {
    sim().stepBars(3);
    const before = read(sim(), LOG);
    const oldInode = inode(sim(), LOG);
    sim().rotate(LOG, 'copytruncate');
    expect(statSync(sim().pathOf(LOG)).size).toBe(0);
    expect(read(sim(), `${LOG}.1`)).toBe(before);
    sim().stepBars(2);
    expect(inode(sim(), LOG)).toBe(oldInode);
    expect(read(sim(), LOG).startsWith('[')).toBe(true);
    expect(completeLines(concatenatedOnDisk(sim(), LOG))).toEqual(sim().writtenLines(LOG));
  });

  it('delete: the file is recreated; writtenLines still has what was deleted', () => {
    sim().stepBars(3);
    const deleted = sim().writtenLines(LOG).length;
    expect(sim().rotate(LOG, 'delete')).toBeUndefined();
    sim().stepBars(2);
    // No inode check: the file system may hand the freed inode number to the new file.
    expect(read(sim(), LOG).startsWith('[')).toBe(true);
    expect(completeLines(read(sim(), LOG))).toEqual(sim().writtenLines(LOG).slice(deleted));
  });

  it('shifts older rotations (.1 → .2) and keeps the concatenation equal to what was written', () => {
    sim().stepBars(2);
    sim().rotate(LOG, 'rename');
    sim().stepBars(2);
    sim().rotate(LOG, 'copytruncate');
    sim().stepBars(2);
    sim().rotate(LOG, 'rename');
    sim().stepBars(1);
    expect(sim().rotatedFiles(LOG)).toEqual([`${LOG}.3`, `${LOG}.2`, `${LOG}.1`]);
    expect(completeLines(concatenatedOnDisk(sim(), LOG))).toEqual(sim().writtenLines(LOG));
  });

  it('rename without reopen: the process keeps writing into the renamed file', () => {
    sim().stepBars(2);
    sim().rotate(LOG, 'rename', { reopen: false });
    sim().stepBars(2);
    expect(statSync(sim().pathOf(LOG)).size).toBe(0);
    expect(completeLines(read(sim(), `${LOG}.1`))).toEqual(sim().writtenLines(LOG));
  });

  it('CSV rename: the next row starts a new file with no header (the trader writes it only at start)', () => {
    sim().stepBars(3);
    sim().rotate(CSV, 'rename');
    sim().stepBars(2);
    const current = completeLines(read(sim(), CSV), '\r\n');
    expect(current).toHaveLength(2);
    expect(current[0]?.startsWith('timestamp,')).toBe(false);
    expect(completeLines(concatenatedOnDisk(sim(), CSV), '\r\n')).toEqual(sim().writtenLines(CSV));
  });

  it('restartTruncate: the launcher truncates the log and a new process writes a fresh banner', () => {
    sim().stepBars(3);
    const pid = sim().trader('trial250').pid;
    const written = sim().writtenLines(LOG).length;
    sim().restartTruncate('trial250');
    expect(sim().trader('trial250').pid).not.toBe(pid);
    expect(completeLines(read(sim(), LOG))).toEqual(sim().writtenLines(LOG).slice(written));
    expect(read(sim(), LOG).startsWith('✓ Per-position risk management:\n')).toBe(true);
    sim().pollTrader('trial250');
    expect(JSON.parse(read(sim(), 'paper_trades/trial250_heartbeat.json'))).toMatchObject({ poll_count: 1, pid: sim().trader('trial250').pid });
  });

  it('copytruncate under a ">" redirect leaves a hole of NULs (the descriptor keeps its offset)', () => {
    sim().stepBars(1);
    sim().restartTruncate('trial250');
    sim().stepBars(1);
    const size = statSync(sim().pathOf(LOG)).size;
    sim().rotate(LOG, 'copytruncate');
    sim().stepBars(1);
    const bytes = readFileSync(sim().pathOf(LOG));
    expect(bytes.subarray(0, size).every((byte) => byte === 0)).toBe(true);
    expect(completeLines(concatenatedOnDisk(sim(), LOG).slice(concatenatedOnDisk(sim(), LOG).indexOf('✓ Per-position')))).toEqual(
      sim().writtenLines(LOG).slice(sim().writtenLines(LOG).lastIndexOf('✓ Per-position risk management:')),
    );
  });
});

describe('partial and long lines', () => {
  const { sim } = useSimulator({ traders: [{ name: 'trial250' }] });

  it('a half-written line is on disk but not in writtenLines until it is finished', () => {
    sim().stepBars(1);
    const line = '  ⚠️  STOP-LOSS triggered for ETH/USD: down 10.4% from entry $2712.55';
    const count = sim().writtenLines(LOG).length;
    // Byte 4 is inside the two-byte-per-char emoji sequence: a reader sees a cut character.
    sim().appendPartialLine(LOG, line, 4);
    expect(readFileSync(sim().pathOf(LOG)).subarray(-4)).toEqual(Buffer.from(line).subarray(0, 4));
    expect(sim().writtenLines(LOG)).toHaveLength(count);
    sim().appendPartialLine(LOG, line, 4); // finishes the first one, starts another
    expect(sim().writtenLines(LOG)).toHaveLength(count + 1);
    expect(sim().finishPartialLine(LOG)).toBe(true);
    expect(sim().writtenLines(LOG).slice(-2)).toEqual([line, line]);
    expect(read(sim(), LOG).endsWith(`${line}\n`)).toBe(true);
    expect(sim().finishPartialLine(LOG)).toBe(false);
  });

  it("the trader's own CSV row and log line can be left half-written until its next write", () => {
    sim().stepBars(1);
    const rows = sim().writtenLines(CSV).length;
    const nextPollLines = sim().writtenLines(LOG).filter((line) => line.startsWith('  Next poll at')).length;
    sim().pollTrader('trial250', { splitCsvRow: true, splitLogLine: true });
    expect(sim().writtenLines(CSV)).toHaveLength(rows);
    expect(read(sim(), CSV).endsWith('\r\n')).toBe(false);
    expect(sim().pendingText(LOG)).toMatch(/^ {2}Next poll at/);
    sim().pollTrader('trial250');
    expect(sim().writtenLines(CSV)).toHaveLength(rows + 2);
    expect(sim().writtenLines(LOG).filter((line) => line.startsWith('  Next poll at')).length).toBe(nextPollLines + 2);
    expect(completeLines(read(sim(), CSV), '\r\n')).toEqual(sim().writtenLines(CSV));
  });

  it('writes long lines and raw bytes exactly', () => {
    sim().stepBars(1);
    const line = sim().appendLongLine(LOG, 100_000);
    expect(Buffer.byteLength(line)).toBe(100_000);
    sim().writeBytes(LOG, 'tail without newline');
    expect(sim().writtenLines(LOG).at(-1)).toBe(line);
    expect(sim().pendingText(LOG)).toBe('tail without newline');
  });
});
