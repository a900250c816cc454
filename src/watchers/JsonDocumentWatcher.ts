/**
 * Watches JSON state files that their writers rewrite in place (truncate, then write): a read
 * can see an empty or half-written file. Such a read is retried with backoff and reported
 * only if the file stays invalid. A document whose bytes did not change is not a change.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../logging/logger';
import { watchErrorReporter } from './watchErrors';
import { FirstLooks } from './birth';
import { GlobSet } from './glob';
import type { DocumentObservation } from './Observation';

export interface InvalidDocument {
  path: string;
  hash: string;
  error: string;
}

export interface JsonDocumentWatcherOptions {
  source: string;
  workspace: string;
  patterns: string[];
  exclude?: string[];
  /** Hash of each document as last handed out (from the checkpoint): unchanged files are skipped. */
  knownHashes: Map<string, string>;
  /** barista's first start (ms): a document born after it is news on a first look (birth.ts). */
  firstStartedAt: number;
  onDocument: (document: DocumentObservation) => void;
  onInvalid: (invalid: InvalidDocument) => void;
  logger: Logger;
  scanIntervalMs?: number;
  /** Delays between re-reads of an invalid file; after the last it is reported. */
  retryDelaysMs?: number[];
  notifications?: boolean;
  /** Turns the file's text into data; throws on invalid input (default JSON.parse). */
  parse?: (text: string) => unknown;
}

const DEFAULT_RETRIES = [50, 100, 200, 400, 800, 1600];

export class JsonDocumentWatcher {
  private readonly globs: GlobSet;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly retries = new Map<string, { attempt: number; timer: NodeJS.Timeout }>();
  private readonly reported = new Set<string>();
  private stopped = false;
  private readonly firstLooks: FirstLooks;

  constructor(private readonly options: JsonDocumentWatcherOptions) {
    this.globs = new GlobSet(options.patterns, options.exclude);
    this.firstLooks = new FirstLooks(options.firstStartedAt);
  }

  start(): void {
    this.scan();
    if (this.options.notifications !== false) {
      const bases = this.globs.bases.map((b) => path.join(this.options.workspace, b.dir));
      this.watcher = watch(bases, { ignoreInitial: true, depth: this.globs.bases.some((b) => b.recursive) ? 8 : 0 });
      const onPath = (changed: string) => {
        const rel = path.relative(this.options.workspace, changed).split(path.sep).join('/');
        if (this.globs.matches(rel)) this.read(rel);
      };
      this.watcher.on('add', onPath).on('change', onPath).on('error', watchErrorReporter(this.options.logger));
    }
    this.timer = setInterval(() => this.scan(), this.options.scanIntervalMs ?? 2_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const retry of this.retries.values()) clearTimeout(retry.timer);
    await this.watcher?.close();
  }

  scan(): void {
    const found = this.globs.expand(this.options.workspace);
    this.firstLooks.lookedAt(found);
    for (const rel of found) this.read(rel);
  }

  /** Reads a document; an invalid read is retried `attempt + 1`-th after its delay. */
  private read(rel: string, attempt = 0): void {
    if (this.stopped || (attempt === 0 && this.retries.has(rel))) return; // a retry is already on its way
    const file = path.join(this.options.workspace, rel);
    let bytes: Buffer;
    let stat: Stats;
    try {
      stat = statSync(file);
      if (!stat.isFile()) return;
      bytes = readFileSync(file);
    } catch {
      return; // gone between listing and reading
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (this.options.knownHashes.get(rel) === hash) return;
    let data: unknown;
    try {
      if (bytes.length === 0) throw new Error('the file is empty');
      data = (this.options.parse ?? JSON.parse)(bytes.toString('utf8'));
    } catch (error) {
      const delays = this.options.retryDelaysMs ?? DEFAULT_RETRIES;
      if (attempt < delays.length) {
        const timer = setTimeout(() => {
          this.retries.delete(rel);
          this.read(rel, attempt + 1);
        }, delays[attempt]);
        this.retries.set(rel, { attempt, timer });
      } else if (!this.reported.has(`${rel}:${hash}`)) {
        // Stays invalid: say so once per content, and go on watching.
        this.reported.add(`${rel}:${hash}`);
        this.options.onInvalid({ path: rel, hash, error: (error as Error).message });
      }
      return;
    }
    this.options.knownHashes.set(rel, hash);
    this.options.onDocument({
      kind: 'document',
      source: this.options.source,
      at: Date.now(),
      path: rel,
      data,
      hash,
      modifiedMs: stat.mtimeMs,
      firstLook: this.firstLooks.judge(rel, file),
    });
  }
}
