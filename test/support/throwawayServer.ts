/**
 * Database servers of a test's own: a PostgreSQL cluster (initdb + pg_ctl) or a MariaDB server
 * (mariadb-install-db + mariadbd) in a folder of the test's, on 127.0.0.1 and a free port, with a
 * Unix socket in that folder. Stopped by the test; nothing here touches a server it did not start.
 * PostgreSQL refuses to run as root: as root, the cluster is run by the `postgres` user.
 * `findServer` says why one cannot run here (binaries absent) so the test can skip saying so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createConnection as createMysqlConnection } from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import { waitFor } from './waitFor';

export type ServerKind = 'postgresql' | 'mysql';

interface Binaries {
  kind: ServerKind;
  bin: Record<string, string>;
}

/** Where this machine's server binaries are, or why there are none. */
export function findServer(kind: ServerKind): { ok: true; binaries: Binaries } | { ok: false; why: string } {
  if (kind === 'postgresql') {
    const root = '/usr/lib/postgresql';
    const version = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)).find((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : undefined;
    if (!version) return { ok: false, why: `no PostgreSQL server binaries under ${root} (Debian's postgresql package; .ci/run installs it as root)` };
    if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return { ok: false, why: 'running as root without a `postgres` user to run PostgreSQL as' };
    const bin = (name: string) => path.join(root, version, 'bin', name);
    return { ok: true, binaries: { kind, bin: { initdb: bin('initdb'), pg_ctl: bin('pg_ctl') } } };
  }
  const found = (name: string) => ['/usr/sbin', '/usr/bin'].map((d) => path.join(d, name)).find((f) => existsSync(f));
  const server = found('mariadbd');
  const install = found('mariadb-install-db');
  if (!server || !install) return { ok: false, why: 'no MariaDB server binaries (mariadbd, mariadb-install-db; Debian\'s mariadb-server package, which .ci/run installs as root)' };
  return { ok: true, binaries: { kind, bin: { server, install } } };
}

/** A port nobody listens on right now (the server takes it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], asUser: string | null, cwd: string): void {
  const [cmd, argv] = asUser ? ['runuser', ['-u', asUser, '--', command, ...args]] : [command, args];
  const result = spawnSync(cmd, argv, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export abstract class ThrowawayServer {
  readonly host = '127.0.0.1';
  port = 0;
  protected running = false;

  constructor(
    readonly dir: string,
    protected readonly binaries: Binaries,
  ) {}

  abstract readonly kind: ServerKind;
  /** The superuser's URL (tests only: barista never gets it). */
  abstract adminUrl(database?: string): string;
  /** Creates the data folder and starts the server. */
  abstract start(): Promise<void>;
  /** Starts an already initialised server again (same port). */
  abstract resume(): Promise<void>;
  /** Stops it (fast: open connections are cut, as a real restart does). */
  abstract stop(): Promise<void>;
  /** The server's own log (the tests look for errors barista caused). */
  abstract log(): string;

  /** Runs statements as the superuser (in `database`), one connection for all; returns the last one's rows. */
  async admin(statements: string[], database?: string): Promise<Record<string, unknown>[]> {
    let rows: Record<string, unknown>[] = [];
    if (this.kind === 'postgresql') {
      const client = new PgClient({ connectionString: this.adminUrl(database) });
      await client.connect();
      try {
        for (const sql of statements) rows = (await client.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
      return rows;
    }
    const connection = await createMysqlConnection({ host: this.host, port: this.port, user: 'root', database: database || undefined, dateStrings: true });
    try {
      for (const sql of statements) rows = (await connection.query(sql))[0] as Record<string, unknown>[];
    } finally {
      await connection.end();
    }
    return rows;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.resume();
  }

  protected async waitUp(): Promise<void> {
    let up = false;
    await waitFor(
      () => {
        void canConnect(this.port).then((ok) => (up = ok));
        return up;
      },
      { what: `${this.kind} on port ${this.port}`, timeoutMs: 60_000, intervalMs: 50 },
    );
  }
}

/** The folder and everything the server must reach, readable by the user it runs as. */
function openUp(dir: string): void {
  for (let d = dir; d !== path.dirname(d) && d.startsWith('/tmp/') && d !== '/tmp'; d = path.dirname(d)) chmodSync(d, 0o755);
}

class PostgresServer extends ThrowawayServer {
  readonly kind = 'postgresql' as const;
  private readonly user = process.getuid?.() === 0 ? 'postgres' : null;
  private get data() {
    return path.join(this.dir, 'data');
  }

  adminUrl(database = 'postgres'): string {
    return `postgresql://postgres@${this.host}:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    openUp(this.dir);
    if (this.user) spawnSync('chown', ['-R', this.user, this.dir]);
    run(this.binaries.bin.initdb, ['-D', this.data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'], this.user, this.dir);
    // The superuser by trust; every other role by password (scram), so a wrong one fails.
    writeFileSync(path.join(this.data, 'pg_hba.conf'), ['local all all trust', 'host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'));
    // The client's application_name on every log line: errors barista caused are found by it.
    writeFileSync(path.join(this.data, 'postgresql.auto.conf'), "log_line_prefix = '%a '\n");
    this.port = await freePort();
    await this.resume();
  }

  async resume(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=40 -c autovacuum=off`; // no background commits: idle means idle
    run(this.binaries.bin.pg_ctl, ['-D', this.data, '-o', options, '-l', path.join(this.dir, 'server.log'), '-w', '-t', '60', 'start'], this.user, this.dir);
    this.running = true;
    await this.waitUp();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    run(this.binaries.bin.pg_ctl, ['-D', this.data, '-m', 'fast', '-w', '-t', '60', 'stop'], this.user, this.dir);
    this.running = false;
  }

  log(): string {
    return existsSync(path.join(this.dir, 'server.log')) ? readFileSync(path.join(this.dir, 'server.log'), 'utf8') : '';
  }
}

class MariaDbServer extends ThrowawayServer {
  readonly kind = 'mysql' as const;
  private child: ReturnType<typeof spawn> | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly user = process.getuid?.() === 0 ? 'root' : null;
  private get data() {
    return path.join(this.dir, 'data');
  }
  get socket(): string {
    return path.join(this.dir, 'mysqld.sock');
  }

  adminUrl(database = ''): string {
    return `mysql://root@${this.host}:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const args = [`--datadir=${this.data}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--no-defaults'];
    run(this.binaries.bin.install, ['--no-defaults', ...args.slice(0, 3), ...(this.user ? [`--user=${this.user}`] : [])], null, this.dir);
    this.port = await freePort();
    await this.resume();
  }

  async resume(): Promise<void> {
    const args = [
      '--no-defaults',
      `--datadir=${this.data}`,
      `--socket=${this.socket}`,
      `--port=${this.port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${path.join(this.dir, 'mysqld.pid')}`,
      `--log-error=${path.join(this.dir, 'server.log')}`,
      '--skip-name-resolve',
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-buffer-pool-size=64M',
      '--skip-log-bin',
      ...(this.user ? [`--user=${this.user}`] : []),
    ];
    const child = spawn(this.binaries.bin.server, args, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.running = true;
    await this.waitUp();
  }

  async stop(): Promise<void> {
    if (!this.running || !this.child) return;
    this.child.kill('SIGTERM');
    await this.exited;
    this.child = null;
    this.running = false;
  }

  log(): string {
    return existsSync(path.join(this.dir, 'server.log')) ? readFileSync(path.join(this.dir, 'server.log'), 'utf8') : '';
  }
}

/** A new, started server of that kind in `dir`. */
export async function startServer(kind: ServerKind, dir: string): Promise<ThrowawayServer> {
  const found = findServer(kind);
  if (!found.ok) throw new Error(found.why);
  const server = kind === 'postgresql' ? new PostgresServer(dir, found.binaries) : new MariaDbServer(dir, found.binaries);
  try {
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
  return server;
}
