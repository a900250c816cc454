/**
 * What a file-notification error is worth saying. chokidar reports one error per path it
 * walks, so a symbolic link loop (logs/loop → logs) gives one per nesting level, each with a
 * stack; notifications are only a hint (the periodic scan finds everything anyway), so each
 * kind of failure is said once per watcher, in one line.
 */
import type { Logger } from '../logging/logger';

export function watchErrorReporter(logger: Logger): (error: unknown) => void {
  const told = new Set<string>();
  return (error) => {
    const { code, path, message } = error as { code?: string; path?: string; message?: string };
    const key = code ?? message ?? String(error);
    if (told.has(key)) return;
    told.add(key);
    const where = path ? ` at ${path}` : '';
    if (code === 'ELOOP') logger.warn({ path, code }, `a symbolic link loop${where} is not followed (said once); the other files are watched as before`);
    else logger.warn({ path, code }, `file notifications failed${where} (${code ?? message ?? String(error)}; said once); the periodic scan continues`);
  };
}
