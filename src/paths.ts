import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * barista's own folder: BARISTA_HOME, else the package root (the folder holding barista's
 * package.json), found from this file so it works from src/ under ts-jest and from dist/.
 */
export function baristaHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BARISTA_HOME) return path.resolve(env.BARISTA_HOME);
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'barista') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export const DEFAULT_RULES_PATH = 'config/rules.yaml';
export const DEFAULT_STATE_PATH = 'var/barista.db';

/** True when `inner` is `outer` or inside it. */
export function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(path.resolve(outer), path.resolve(inner));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
