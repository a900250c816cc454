/**
 * An Optuna RDB storage on a database server, as Optuna users write it (SQLAlchemy URLs):
 * `postgresql://user@host:port/db`, `postgresql+psycopg2://…`, `mysql://…`, `mysql+pymysql://…`.
 * The password may sit in the URL (usually `${OPTUNA_DB_PASSWORD}`, interpolated by the config
 * loader, so not percent-encoded) and is never part of what is shown: `display` has it redacted.
 */

export type ServerDialect = 'postgresql' | 'mysql';

export interface ServerStorageUrl {
  dialect: ServerDialect;
  /** As written (null: the driver's default, or a libpq service's). */
  host: string | null;
  port: number | null;
  user: string | null;
  password: string | null;
  database: string;
  /** Query parameters (e.g. `service=` for a libpq service file). */
  params: Record<string, string>;
  /** The URL without its password: for messages and logs. */
  display: string;
}

const DIALECTS: Record<string, ServerDialect> = { postgresql: 'postgresql', postgres: 'postgresql', mysql: 'mysql', mariadb: 'mysql' };
export const DEFAULT_PORT: Record<ServerDialect, number> = { postgresql: 5432, mysql: 3306 };
// scheme[+driver]://[user[:password]@]host[:port][/database][?query]; the password runs to the last '@'.
const URL_SHAPE = /^([a-z]+)(?:\+[a-z0-9_]+)?:\/\/(?:([^:@/]*)(?::(.*))?@)?(\[[^\]]+\]|[^@/:?]*)(?::(\d+))?(?:\/([^?]*))?(?:\?(.*))?$/is;

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a raw password from the environment with a stray '%'
  }
}

/** The server storage a URL names; null when it is not one barista follows on a server (sqlite, redis, a path…). */
export function parseServerStorage(url: string): ServerStorageUrl | null {
  const match = URL_SHAPE.exec(url.trim());
  const dialect = match ? DIALECTS[match[1].toLowerCase()] : undefined;
  if (!match || !dialect) return null;
  const [, , user, password, host, port, database, query] = match;
  const params: Record<string, string> = {};
  for (const pair of (query ?? '').split('&').filter(Boolean)) {
    const at = pair.indexOf('=');
    params[decode(at < 0 ? pair : pair.slice(0, at))] = decode(at < 0 ? '' : pair.slice(at + 1));
  }
  const text = url.trim();
  const prefix = text.slice(0, text.indexOf('://') + 3);
  const rest = text.slice(prefix.length);
  const hasAuth = user !== undefined || password !== undefined;
  const shownAuth = hasAuth ? `${user ?? ''}${password !== undefined ? ':[REDACTED]' : ''}@` : '';
  return {
    dialect,
    host: host ? host.replace(/^\[|\]$/g, '') : null,
    port: port ? Number(port) : null,
    user: user ? decode(user) : null,
    password: password !== undefined ? decode(password) : null,
    database: decode(database ?? ''),
    params,
    display: `${prefix}${shownAuth}${hasAuth ? rest.slice(rest.lastIndexOf('@') + 1) : rest}`,
  };
}
