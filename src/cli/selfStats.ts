/**
 * For long-run measurement (`npm run soak`): with BARISTA_SELF_STATS=<file>, barista appends one
 * JSON line of what only it can see — heap, active handles and timers by kind — every
 * BARISTA_SELF_STATS_MS (default 5 s). RSS and descriptors are read from /proc by the soak itself.
 * Under `--expose-gc` (the soak) each line follows a full collection, so heap and RSS are what
 * barista holds, not where the collector's sawtooth happened to be.
 */
import { appendFileSync } from 'node:fs';

export function startSelfStats(env: NodeJS.ProcessEnv = process.env): () => void {
  const file = env.BARISTA_SELF_STATS;
  if (!file) return () => undefined;
  const every = Number(env.BARISTA_SELF_STATS_MS ?? 5000) || 5000;
  const collect = (globalThis as { gc?: () => void }).gc;
  const write = (): void => {
    collect?.();
    const memory = process.memoryUsage();
    const resources: Record<string, number> = {};
    for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1;
    try {
      appendFileSync(file, `${JSON.stringify({ at: Date.now(), collected: Boolean(collect), heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, rss: memory.rss, resources })}\n`);
    } catch {
      // A measurement aid must never disturb the agent.
    }
  };
  const timer = setInterval(write, every);
  timer.unref();
  write();
  return () => clearInterval(timer);
}
