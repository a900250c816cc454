/**
 * What a watcher saw, before any meaning is given to it. Watchers produce observations;
 * src/streams turns them into events.
 */
import type { FirstLook } from './birth';

/** Where an observation's bytes came from; enough to resume and to make deterministic ids. */
export interface FilePosition {
  /** Path relative to the workspace, with forward slashes. */
  path: string;
  /** The file's identity: device, inode and generation (bumped on truncation/replacement). */
  identity: string;
  /** Byte offset of the first byte of this observation. */
  start: number;
  /** Byte offset just past this observation (its newline included): the resume point. */
  end: number;
}

/** One line of a text file, or several grouped into one record (a Python traceback). */
export interface LineObservation {
  kind: 'line';
  source: string;
  /** When barista read it (ms since epoch). */
  at: number;
  /** UTF-8 text, NFC-normalised, ANSI colour codes removed, lines joined with "\n". */
  text: string;
  /** Number of physical lines in this record (1 unless grouped). */
  lines: number;
  /** True when the line exceeded max_line_bytes and was cut. */
  cut: boolean;
  position: FilePosition;
}

/** A whole JSON document, read after it changed. */
export interface DocumentObservation {
  kind: 'document';
  source: string;
  at: number;
  /** Path relative to the workspace. */
  path: string;
  data: unknown;
  /** sha256 of the bytes read: the same content is not a change. */
  hash: string;
  /** The file's mtime when read (ms since epoch). */
  modifiedMs?: number;
  /** What the document is to a reader that remembers nothing of it: news or history (birth.ts). */
  firstLook?: FirstLook;
}

export type Observation = LineObservation | DocumentObservation;
