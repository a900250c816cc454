/**
 * Whether a process belongs to the monitored workspace, so that another system on the same host
 * running the same scripts from another folder is not counted as this one's. Pure, but for
 * `workspaceRoots`, which resolves the workspace's real path once.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** The workspace as configured and its real path (/proc shows real paths). */
export function workspaceRoots(workspace: string): string[] {
  const resolved = path.resolve(workspace);
  try {
    return [...new Set([resolved, realpathSync(resolved)])];
  } catch {
    return [resolved];
  }
}

/**
 * True when its working directory is inside one of `roots` (the workspace as configured and its
 * real path), or one of its arguments is a path resolving inside it: the script, the
 * interpreter of a venv in the workspace, `--log-file=…` (relative ones against its cwd).
 */
export function belongsToWorkspace(argv: readonly string[], cwd: string | null, roots: readonly string[]): boolean {
  const inside = (file: string) => roots.some((root) => file === root || file.startsWith(root === '/' ? '/' : `${root}/`));
  if (cwd !== null && inside(cwd)) return true;
  for (const arg of argv) {
    const value = arg.startsWith('-') ? arg.slice(arg.indexOf('=') + 1 || arg.length) : arg;
    if (value === '' || value.includes('\0')) continue;
    if (path.isAbsolute(value)) {
      if (inside(path.normalize(value))) return true;
    } else if (cwd !== null && inside(path.resolve(cwd, value))) return true;
  }
  return false;
}
