/**
 * The fake's gateway (WebSocket at /gateway): HELLO, IDENTIFY with token and intent checks →
 * READY + GUILD_CREATE, heartbeat ACKs, RESUME with replay of missed dispatches → RESUMED,
 * server-side RECONNECT / INVALID_SESSION / close codes, zlib-stream when the client asks.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { randomUrlSafe } from './discordIds';

export const INTENTS = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

const PRIVILEGED = INTENTS.GuildMembers | INTENTS.GuildPresences | INTENTS.MessageContent;
const MAX_BUFFERED_DISPATCHES = 1000;

export interface GatewayFrame {
  direction: 'in' | 'out';
  op: number;
  t?: string | null;
  s?: number | null;
  /** Payload data; IDENTIFY/RESUME tokens are replaced by `<token>`. Outgoing dispatch data is omitted. */
  d?: unknown;
  sessionId?: string;
  at: number;
}

/** What a dispatch builder sees of a session, to tailor the payload (intents) or skip it (null). */
export interface SessionView {
  sessionId: string;
  intents: number;
  shard: [number, number];
}

export interface GatewayHost {
  botToken: string;
  heartbeatIntervalMs: number;
  allowPrivilegedIntents: boolean;
  /** ws://127.0.0.1:PORT/gateway */
  gatewayUrl(): string;
  /** READY's `d` minus session_id / resume_gateway_url / shard. */
  readyData(session: SessionView): Record<string, unknown>;
  /** GUILD_CREATE payloads for the guilds on this shard. */
  guildCreates(session: SessionView): Array<Record<string, unknown>>;
}

interface Session extends SessionView {
  seq: number;
  buffer: Array<{ s: number; t: string; d: unknown }>;
  connection: Connection | null;
  invalid: boolean;
}

class Connection {
  session: Session | null = null;
  private readonly deflate: zlib.Deflate | null;
  private sendChain: Promise<void> = Promise.resolve();

  constructor(
    readonly ws: WebSocket,
    compress: boolean,
    private readonly record: (frame: GatewayFrame) => void,
  ) {
    this.deflate = compress ? zlib.createDeflate({ flush: zlib.constants.Z_NO_FLUSH }) : null;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(payload: { op: number; d: unknown; s: number | null; t: string | null }): void {
    if (!this.open) return;
    this.record({ direction: 'out', op: payload.op, t: payload.t, s: payload.s, ...(payload.op === 0 ? {} : { d: payload.d }), ...(this.session ? { sessionId: this.session.sessionId } : {}), at: Date.now() });
    const text = JSON.stringify(payload);
    const deflate = this.deflate;
    if (!deflate) {
      this.ws.send(text);
      return;
    }
    // zlib-stream: one shared deflate context per connection; each payload ends in a sync flush, one binary frame.
    this.sendChain = this.sendChain.then(
      () =>
        new Promise<void>((resolve) => {
          const chunks: Buffer[] = [];
          const onData = (chunk: Buffer): void => {
            chunks.push(chunk);
          };
          deflate.on('data', onData);
          deflate.write(text);
          deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            deflate.off('data', onData);
            if (this.open) this.ws.send(Buffer.concat(chunks));
            resolve();
          });
        }),
    );
  }

  close(code: number): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code);
    this.deflate?.destroy();
  }
}

export class FakeGateway {
  readonly frames: GatewayFrame[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<Connection>();
  /** Whether the app may use privileged intents (the Developer Portal toggles); changeable at runtime. */
  allowPrivilegedIntents: boolean;
  /** While down, upgrades are refused (HTTP 503) — REST keeps working. */
  private down = false;
  /** Upgrades refused while down. */
  refusedUpgrades = 0;

  constructor(private readonly host: GatewayHost) {
    this.allowPrivilegedIntents = host.allowPrivilegedIntents;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** A gateway outage: every socket is cut without a close frame (the client sees 1006 and tries to resume) and new ones are refused. */
  goDown(): void {
    this.down = true;
    for (const connection of this.connections) connection.ws.terminate();
  }

  goUp(): void {
    this.down = false;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.down) {
      this.refusedUpgrades++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const query = new URL(req.url ?? '/', 'http://fake').searchParams;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, query.get('compress') === 'zlib-stream'));
  }

  /** Open connections that completed IDENTIFY or RESUME. */
  get readyConnectionCount(): number {
    return [...this.connections].filter((c) => c.open && c.session).length;
  }

  get connectionCount(): number {
    return [...this.connections].filter((c) => c.open).length;
  }

  /** Sends a dispatch to every live session (buffered for resume when its socket is down). */
  dispatch(t: string, build: (session: SessionView) => Record<string, unknown> | null): void {
    for (const session of this.sessions.values()) {
      if (session.invalid) continue;
      const d = build(session);
      if (d) this.sendDispatch(session, t, d);
    }
  }

  /** op 7 RECONNECT to every connection: clients reconnect and RESUME. */
  reconnect(): void {
    for (const connection of this.connections) connection.send({ op: 7, d: null, s: null, t: null });
  }

  /** op 9 INVALID_SESSION: `resumable` false makes clients IDENTIFY anew. */
  invalidateSessions(resumable = false): void {
    for (const connection of this.connections) {
      if (!resumable && connection.session) connection.session.invalid = true;
      connection.send({ op: 9, d: resumable, s: null, t: null });
    }
  }

  /** Closes every gateway connection with `code` (4000 unknown error: clients resume; 1000: they identify again). */
  closeAll(code: number): void {
    for (const connection of this.connections) connection.close(code);
  }

  stop(): void {
    for (const connection of this.connections) connection.close(1001);
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket, compress: boolean): void {
    const connection = new Connection(ws, compress, (frame) => this.frames.push(frame));
    this.connections.add(connection);
    ws.on('message', (data) => this.onFrame(connection, data));
    ws.on('close', (code) => {
      this.connections.delete(connection);
      const session = connection.session;
      if (session && session.connection === connection) {
        session.connection = null;
        // A client closing with 1000/1001 ends its session, as on Discord.
        if (code === 1000 || code === 1001) session.invalid = true;
      }
    });
    ws.on('error', () => undefined);
    connection.send({ op: 10, d: { heartbeat_interval: this.host.heartbeatIntervalMs }, s: null, t: null });
  }

  private onFrame(connection: Connection, data: RawData): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(data.toString());
    } catch {
      connection.close(4002);
      return;
    }
    const op = typeof payload.op === 'number' ? payload.op : -1;
    const d = payload.d as Record<string, unknown> | null | undefined;
    this.frames.push({ direction: 'in', op, d: redactToken(d), ...(connection.session ? { sessionId: connection.session.sessionId } : {}), at: Date.now() });
    switch (op) {
      case 1:
        connection.send({ op: 11, d: null, s: null, t: null });
        return;
      case 2:
        this.identify(connection, d ?? {});
        return;
      case 6:
        this.resume(connection, d ?? {});
        return;
      case 3: // presence update
      case 4: // voice state
      case 8: // request guild members
        if (!connection.session) connection.close(4003);
        return;
      default:
        connection.close(4001);
    }
  }

  private identify(connection: Connection, d: Record<string, unknown>): void {
    if (connection.session) return connection.close(4005);
    if (d.token !== this.host.botToken) return connection.close(4004);
    if (typeof d.intents !== 'number') return connection.close(4013);
    if (!this.allowPrivilegedIntents && (d.intents & PRIVILEGED) !== 0) return connection.close(4014);
    const shard = Array.isArray(d.shard) ? (d.shard as [number, number]) : ([0, 1] as [number, number]);
    if (!(shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1])) return connection.close(4010);
    const session: Session = { sessionId: randomUrlSafe(32).toLowerCase(), intents: d.intents, shard, seq: 0, buffer: [], connection, invalid: false };
    this.sessions.set(session.sessionId, session);
    connection.session = session;
    this.sendDispatch(session, 'READY', {
      ...this.host.readyData(session),
      session_id: session.sessionId,
      // Resume must come back here, not to the real Discord.
      resume_gateway_url: this.host.gatewayUrl(),
      shard,
    });
    for (const guild of this.host.guildCreates(session)) this.sendDispatch(session, 'GUILD_CREATE', guild);
  }

  private resume(connection: Connection, d: Record<string, unknown>): void {
    if (d.token !== this.host.botToken) return connection.close(4004);
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (!session || session.invalid) {
      connection.send({ op: 9, d: false, s: null, t: null });
      return;
    }
    if (session.connection && session.connection !== connection) session.connection.close(4000);
    session.connection = connection;
    connection.session = session;
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    for (const missed of session.buffer) if (missed.s > seq) connection.send({ op: 0, t: missed.t, s: missed.s, d: missed.d });
    this.sendDispatch(session, 'RESUMED', {});
  }

  private sendDispatch(session: Session, t: string, d: unknown): void {
    session.seq++;
    session.buffer.push({ s: session.seq, t, d });
    if (session.buffer.length > MAX_BUFFERED_DISPATCHES) session.buffer.shift();
    session.connection?.send({ op: 0, t, s: session.seq, d });
  }
}

function redactToken(d: Record<string, unknown> | null | undefined): unknown {
  if (d && typeof d === 'object' && 'token' in d) return { ...d, token: '<token>' };
  return d;
}
