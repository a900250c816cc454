/**
 * libpq's credential files, read the way libpq reads them, so a DBA's usual setup works without
 * a password in rules.yaml: a connection service file (`?service=name`: PGSERVICEFILE or
 * ~/.pg_service.conf) and a password file (PGPASSFILE or ~/.pgpass). Pure parsers + one lookup.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `[name]` sections of key=value lines (# comments). */
export function parseServiceFile(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) out[header[1].trim()] = section = {};
    else if (section && line.includes('=')) section[line.slice(0, line.indexOf('=')).trim()] = line.slice(line.indexOf('=') + 1).trim();
  }
  return out;
}

/** hostname:port:database:username:password lines; `*` matches anything, `\:` and `\\` escape. */
export function findPgPass(text: string, want: { host: string; port: number; database: string; user: string }): string | null {
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim() || raw.trimStart().startsWith('#')) continue;
    const fields: string[] = [''];
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === '\\' && i + 1 < raw.length) fields[fields.length - 1] += raw[++i];
      else if (raw[i] === ':' && fields.length < 5) fields.push('');
      else fields[fields.length - 1] += raw[i];
    }
    if (fields.length < 5) continue;
    const [host, port, database, user, password] = fields;
    const wanted = [want.host, String(want.port), want.database, want.user];
    if ([host, port, database, user].every((f, i) => f === '*' || f === wanted[i])) return password;
  }
  return null;
}

function readOptional(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** A service's settings (host, port, dbname, user, password…), or null when none is defined. */
export function lookupService(name: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> | null {
  const text = readOptional(env.PGSERVICEFILE ?? path.join(os.homedir(), '.pg_service.conf'));
  return text === null ? null : (parseServiceFile(text)[name] ?? null);
}

export function lookupPgPass(want: { host: string; port: number; database: string; user: string }, env: NodeJS.ProcessEnv = process.env): string | null {
  const text = readOptional(env.PGPASSFILE ?? path.join(os.homedir(), '.pgpass'));
  return text === null ? null : findPgPass(text, want);
}
