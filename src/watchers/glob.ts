/**
 * Glob patterns from rules.yaml (`logs/paper_trader*.log`, `deployments/**\/metadata.json`),
 * matched against workspace-relative paths with forward slashes. Supports *, ?, **, {a,b}
 * and [...] — what the shipped rules and users need, nothing more.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        // "**/" matches zero or more folders; a trailing "**" matches anything below.
        const slash = pattern[i + 2] === '/';
        out += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const close = pattern.indexOf('}', i);
      if (close < 0) out += '\\{';
      else {
        out += `(?:${pattern.slice(i + 1, close).split(',').map(escape).join('|')})`;
        i = close;
      }
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else out += escape(c);
  }
  return new RegExp(`^${out}$`);
}

function escape(text: string): string {
  return text.replace(/[.+^$()|\\/]/g, '\\$&');
}

/** The folder a pattern's matches all live under: its segments before the first wildcard. */
export function globBase(pattern: string): string {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?{[]/.test(segment)) break;
    fixed.push(segment);
  }
  return fixed.join('/') || '.';
}

/** True when matches may be more than one folder below the base. */
export function globIsRecursive(pattern: string): boolean {
  return pattern.split('/').length - globBase(pattern).split('/').filter((s) => s !== '.').length > 1;
}

export class GlobSet {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  readonly bases: { dir: string; recursive: boolean }[];

  constructor(patterns: string[], excludes: string[] = []) {
    this.include = patterns.map(globToRegExp);
    this.exclude = excludes.map(globToRegExp);
    const byDir = new Map<string, boolean>();
    for (const pattern of patterns) {
      const dir = globBase(pattern);
      byDir.set(dir, (byDir.get(dir) ?? false) || globIsRecursive(pattern));
    }
    this.bases = [...byDir].map(([dir, recursive]) => ({ dir, recursive }));
  }

  matches(relativePath: string): boolean {
    return this.include.some((re) => re.test(relativePath)) && !this.exclude.some((re) => re.test(relativePath));
  }

  /** Every existing file under root that matches, as sorted relative paths. */
  expand(root: string): string[] {
    const found = new Set<string>();
    for (const base of this.bases) {
      for (const rel of listFiles(root, base.dir, base.recursive)) if (this.matches(rel)) found.add(rel);
    }
    return [...found].sort();
  }
}

function listFiles(root: string, dir: string, recursive: boolean): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return []; // the folder does not exist (yet)
  }
  const out: string[] = [];
  for (const entry of entries) {
    const rel = dir === '.' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isFile()) out.push(rel);
    else if (recursive && entry.isDirectory()) out.push(...listFiles(root, rel, true));
  }
  return out;
}
