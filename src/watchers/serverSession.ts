/**
 * One connection to a database server through the ecosystem's drivers (node-pg, mysql2), behind
 * the few calls the Optuna reader needs. Credentials: the URL's password (usually from
 * `${OPTUNA_DB_PASSWORD}`), else — PostgreSQL — a libpq service and password file. The
 * connection reports a failure once (`onBroken`) and is then thrown away; errors carry no password.
 */
import type { ClientConfig } from 'pg';
import type { Connection } from 'mysql2';
import { lookupPgPass, lookupService } from './libpqFiles';
import { redactUrlPassword } from '../logging/redactSecrets';
import { DEFAULT_PORT, type ServerStorageUrl } from './optunaServerUrl';

export interface ServerSession {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface SessionOptions {
  connectTimeoutMs?: number;
  /** Longest a statement may run; the server also ends a transaction left idle this long. */
  statementTimeoutMs?: number;
  /** Called once when the connection fails outside a query (server gone, network cut). */
  onBroken?: (error: Error) => void;
  env?: NodeJS.ProcessEnv;
}

/** An error as it may be shown: message only, any password in it replaced. */
export function cleanError(error: unknown, password: string | null): Error {
  let message = error instanceof Error ? error.message : String(error);
  if (password && password.length > 0) message = message.split(password).join('[REDACTED]');
  const clean = new Error(redactUrlPassword(message));
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (clean as Error & { code: string }).code = code;
  return clean;
}

/** Host, port, database, user and password, from the URL and (PostgreSQL) the libpq files. */
export function pgSettings(url: ServerStorageUrl, env: NodeJS.ProcessEnv = process.env): { host: string; port: number; database: string; user: string; password: string | null } {
  const service = url.params.service ? lookupService(url.params.service, env) : null;
  if (url.params.service && !service) throw new Error(`service "${url.params.service}" is not defined in ${env.PGSERVICEFILE ?? '~/.pg_service.conf'}`);
  const host = url.host ?? service?.host ?? 'localhost';
  const port = url.port ?? Number(service?.port ?? DEFAULT_PORT.postgresql);
  const database = url.database || service?.dbname || url.user || service?.user || 'postgres';
  const user = url.user ?? service?.user ?? env.PGUSER ?? 'postgres';
  const password = url.password ?? service?.password ?? lookupPgPass({ host, port, database, user }, env);
  return { host, port, database, user, password };
}

async function connectPostgres(url: ServerStorageUrl, options: SessionOptions): Promise<ServerSession> {
  const settings = pgSettings(url, options.env);
  const timeout = options.statementTimeoutMs ?? 10_000;
  const config: ClientConfig = {
    ...settings,
    password: settings.password ?? undefined,
    application_name: 'barista',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    statement_timeout: timeout,
    query_timeout: timeout + 1000,
    idle_in_transaction_session_timeout: timeout,
    keepAlive: true,
  };
  // The drivers load with the first server connection: a barista following SQLite never pays for them.
  const { Client } = await import('pg');
  const client = new Client(config);
  let broken = false;
  // An idle client emits 'error' when the server goes away: unheard, it would end the process.
  client.on('error', (error) => {
    if (broken) return;
    broken = true;
    options.onBroken?.(cleanError(error, settings.password));
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw cleanError(error, settings.password);
  }
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      try {
        return (await client.query(sql, params)).rows as T[];
      } catch (error) {
        throw cleanError(error, settings.password);
      }
    },
    close: () => client.end().catch(() => undefined),
  };
}

async function connectMysql(url: ServerStorageUrl, options: SessionOptions): Promise<ServerSession> {
  const password = url.password;
  const { createConnection } = await import('mysql2');
  const connection: Connection = createConnection({
    host: url.host ?? 'localhost',
    port: url.port ?? DEFAULT_PORT.mysql,
    user: url.user ?? 'root',
    password: password ?? undefined,
    database: url.database || undefined,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    dateStrings: true,
    supportBigNumbers: true,
    charset: 'utf8mb4',
  });
  let broken = false;
  connection.on('error', (error) => {
    if (broken) return;
    broken = true;
    options.onBroken?.(cleanError(error, password));
  });
  await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(cleanError(error, password)) : resolve())));
  const timeout = options.statementTimeoutMs ?? 10_000;
  return {
    query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      return new Promise((resolve, reject) => {
        connection.query({ sql, values: params, timeout }, (error, rows) => (error ? reject(cleanError(error, password)) : resolve(rows as T[])));
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        connection.end(() => resolve());
        connection.destroy();
      }),
  };
}

export function connectSession(url: ServerStorageUrl, options: SessionOptions = {}): Promise<ServerSession> {
  return url.dialect === 'postgresql' ? connectPostgres(url, options) : connectMysql(url, options);
}
