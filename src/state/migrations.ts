/**
 * Versioned schema of barista's state file. Append new migrations; never edit one that
 * has shipped. Each runs in its own transaction and is recorded in schema_migrations.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'checkpoints, events, outbox, mutes, audit',
    sql: `
      CREATE TABLE checkpoints (
        source     TEXT NOT NULL,
        key        TEXT NOT NULL,        -- e.g. a file path or a study name
        identity   TEXT,                 -- file identity (dev:inode:fingerprint), study id…
        position   TEXT NOT NULL,        -- JSON: byte offset, trial watermark, document hash
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (source, key)
      );
      CREATE TABLE events (
        id         TEXT PRIMARY KEY,     -- deterministic: source identity + checkpoint
        type       TEXT NOT NULL,
        severity   TEXT NOT NULL,
        at         INTEGER NOT NULL,
        source     TEXT NOT NULL,
        subject    TEXT,
        fields     TEXT NOT NULL,        -- JSON
        text       TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX events_by_time ON events (at);
      CREATE INDEX events_by_type ON events (type, at);
      CREATE TABLE outbox (
        seq             INTEGER PRIMARY KEY AUTOINCREMENT,
        channel         TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        group_key       TEXT,
        payload         TEXT NOT NULL,   -- JSON message
        status          TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | rejected | expired
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        expires_at      INTEGER,
        sent_at         INTEGER
      );
      CREATE INDEX outbox_pending ON outbox (status, channel, seq);
      CREATE TABLE mutes (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        matcher    TEXT NOT NULL,        -- JSON: type/source/subject globs
        reason     TEXT,
        created_by TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE TABLE audit (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        at       INTEGER NOT NULL,
        user_id  TEXT,
        user_tag TEXT,
        command  TEXT NOT NULL,
        args     TEXT,
        decision TEXT NOT NULL,          -- allowed | denied
        outcome  TEXT
      );
      CREATE TABLE kv (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'cache for commands and digests',
    sql: `
      CREATE TABLE cache (
        key        TEXT PRIMARY KEY,     -- e.g. portfolio:<trader>, positions, heartbeat:<trader>
        value      TEXT NOT NULL,        -- JSON
        at         TEXT,                 -- ISO time of the data itself
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'events remember when they reached the outbox',
    // An event committed but not yet in the outbox (waiting in a group when barista was killed)
    // is found again at start. Events from before this version count as notified: no flood on upgrade.
    sql: `
      ALTER TABLE events ADD COLUMN notified_at INTEGER;
      UPDATE events SET notified_at = created_at;
      CREATE INDEX events_unnotified ON events (notified_at) WHERE notified_at IS NULL;
    `,
  },
  {
    version: 4,
    name: 'outbox order, digests, delivery details',
    sql: `
      ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';  -- message | digest
      ALTER TABLE outbox ADD COLUMN position INTEGER;        -- order within a channel (a digest takes its first member's)
      ALTER TABLE outbox ADD COLUMN collapsed_into INTEGER;  -- seq of the digest that replaced this row (status collapsed)
      ALTER TABLE outbox ADD COLUMN message_id TEXT;         -- Discord's id of the delivered message, when told
      ALTER TABLE outbox ADD COLUMN last_attempt_at INTEGER;
      UPDATE outbox SET position = seq;
      CREATE TRIGGER outbox_default_position AFTER INSERT ON outbox WHEN NEW.position IS NULL
      BEGIN
        UPDATE outbox SET position = NEW.seq WHERE seq = NEW.seq;
      END;
      CREATE INDEX outbox_lane ON outbox (channel, position, seq) WHERE status = 'pending';
      CREATE INDEX outbox_backlog ON outbox (channel, group_key, kind) WHERE status = 'pending' AND expires_at IS NULL;
      CREATE INDEX outbox_expiry ON outbox (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'trade history, equity series and trial history for commands',
    // Kept apart from events (which retention prunes) and bounded by their stores.
    sql: `
      CREATE TABLE trade_history (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,  -- commit order: trades of one bar keep the CSV's order
        event_id TEXT NOT NULL UNIQUE,               -- the trade.executed event: a replay inserts nothing
        trader   TEXT NOT NULL,
        at       INTEGER NOT NULL,                   -- bar time, epoch ms
        symbol   TEXT NOT NULL,
        side     TEXT NOT NULL,                      -- BUY | SELL
        qty      REAL NOT NULL,
        price    REAL NOT NULL,
        value    REAL NOT NULL,
        position REAL                                -- quantity held after the trade
      );
      CREATE INDEX trade_history_by_trader ON trade_history (trader, seq);
      CREATE INDEX trade_history_by_symbol ON trade_history (trader, symbol, seq);
      CREATE TABLE equity_series (
        trader TEXT NOT NULL,
        at     INTEGER NOT NULL,                     -- bar time, epoch ms
        total  REAL NOT NULL,
        cash   REAL NOT NULL,
        PRIMARY KEY (trader, at)
      ) WITHOUT ROWID;
      CREATE TABLE equity_thinned (
        trader  TEXT PRIMARY KEY,
        through INTEGER NOT NULL                     -- points before this are thinned to hourly
      ) WITHOUT ROWID;
      CREATE TABLE trial_history (
        study       TEXT NOT NULL,
        number      INTEGER NOT NULL,
        state       TEXT NOT NULL,
        value       REAL,
        started_at  INTEGER,
        finished_at INTEGER,
        PRIMARY KEY (study, number)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'audit rows say where a command came from',
    sql: `ALTER TABLE audit ADD COLUMN place TEXT;`,
  },
  {
    version: 7,
    name: 'pending control actions awaiting confirmation',
    // A button names a row here by its random id; a press acts only on a row that is still
    // pending, not expired, and asked for by the presser — claimed by one UPDATE, so a second
    // press, a replayed interaction or another barista never acts twice.
    sql: `
      CREATE TABLE pending_actions (
        id          TEXT PRIMARY KEY,      -- random nonce, the custom_id's middle part
        kind        TEXT NOT NULL,         -- confirm (a plan) | pick (one button per pid)
        command     TEXT NOT NULL,         -- e.g. "trader stop"
        plan        TEXT NOT NULL,         -- JSON: the plan to execute, or what to plan once picked
        user_id     TEXT NOT NULL,         -- only this user's presses count
        user_tag    TEXT,
        place       TEXT,
        audit_id    INTEGER,               -- the audit row of the command that asked
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending',  -- pending | confirmed | cancelled | expired | picked
        settled_at  INTEGER,
        settled_by  TEXT
      );
      CREATE INDEX pending_actions_due ON pending_actions (expires_at) WHERE status = 'pending';
    `,
  },
  {
    version: 8,
    name: 'where a pending control question was posted',
    // JSON {channelId, messageId} of the message carrying the buttons, when the bot can edit it:
    // after a restart, the questions a previous run left open get their buttons disabled.
    sql: `ALTER TABLE pending_actions ADD COLUMN message TEXT;`,
  },
  {
    version: 9,
    name: 'events say which fact they report, and which report of it was sent',
    // Two sources reporting one fact (a trial in a worker log and in Optuna) both store their
    // event; the notifier sends one, and the other points at it (duplicate_of).
    sql: `
      ALTER TABLE events ADD COLUMN fact TEXT;           -- JSON {key, rank, holdMs}, or NULL
      ALTER TABLE events ADD COLUMN duplicate_of TEXT;   -- id of the event sent for the same fact
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
