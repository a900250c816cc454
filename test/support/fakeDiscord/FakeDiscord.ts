/**
 * A protocol-faithful fake Discord on 127.0.0.1 for tests: REST under /api/v10 and the gateway
 * at /gateway on one port, started inside the test process. Point discord.js at it with
 * `rest: { api: fake.apiBase }`; the gateway URL comes from GET /gateway/bot.
 *
 * It records every request, validates bodies like Discord, rate-limits with Discord's headers,
 * and can be scripted to fail (statuses, hangs, dropped connections, outages, gateway reconnects).
 * Facts it follows: /work/shared/discord-fake.md.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DISCORD_ERROR } from './discordLimits';
import type { SlashOptionInput } from './commandOptions';
import type { FakeChannel, FakeDmChannel, FakeMessage, FakeUser, FakeWebhook } from './discordPayloads';
import { FakeGateway, type GatewayFrame } from './FakeGateway';
import { FakeWorld, type AddUserSpec, type AutocompleteChoice, type FakeCommand, type FakeDiscordWorldOptions, type FakeInteraction, type InteractionPlace, type WebhookSpec } from './FakeWorld';
import { RateLimitBuckets, type BucketStats, type RateLimit } from './rateLimitBuckets';
import { parseRequestBody, readRawBody, type RecordedFile } from './readRequestBody';
import { discordError, restRoutes, type BucketRule, type Reply, type Route } from './restRoutes';
import { ScriptedFaults, type FaultHandle, type FaultSpec, type OutageHandle, type OutageSpec } from './scriptedFaults';

export interface FakeDiscordOptions extends FakeDiscordWorldOptions {
  /** Per-bucket limits. Defaults: webhook 5 per 2 s per webhook; bot channel messages 5 per 5 s per channel; other routes 50 per 1 s. */
  rateLimits?: { webhook?: RateLimit; channelMessages?: RateLimit; other?: RateLimit };
  /** HELLO's heartbeat_interval (Discord: 41250 ms). */
  heartbeatIntervalMs?: number;
  /** false: IDENTIFY asking for MessageContent/GuildMembers/GuildPresences is closed with 4014. Default true. */
  allowPrivilegedIntents?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path, e.g. `/api/v10/webhooks/123/abc/messages/@original`. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON body (payload_json for multipart), raw text otherwise. */
  body: unknown;
  files: RecordedFile[];
  /** Status answered; 0 while unanswered, or when hung / dropped. */
  status: number;
  /** How a scripted fault or outage served it. */
  fault?: 'status' | 'hang' | 'drop' | 'drop-after-processing' | 'outage';
  at: number;
  respondedAt?: number;
}

const API_PREFIX = '/api/v10';
const DEFAULT_LIMITS: Record<BucketRule, RateLimit> = {
  webhook: { limit: 5, windowMs: 2000 },
  channelMessages: { limit: 5, windowMs: 5000 },
  other: { limit: 50, windowMs: 1000 },
};

interface ConditionWaiter {
  check: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Waiter {
  predicate: (request: RecordedRequest) => boolean;
  resolve: (request: RecordedRequest) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class FakeDiscord {
  /** Every REST request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private readonly world: FakeWorld;
  private readonly gateway: FakeGateway;
  private readonly routes: Route[];
  private readonly buckets = new RateLimitBuckets();
  private readonly faults = new ScriptedFaults();
  private readonly limits: Record<BucketRule, RateLimit>;
  private readonly server: http.Server;
  private readonly hung = new Set<http.ServerResponse>();
  private waiters: Waiter[] = [];
  private conditionWaiters: ConditionWaiter[] = [];
  private port = 0;
  private stopped = false;

  private constructor(options: FakeDiscordOptions) {
    this.world = new FakeWorld(options);
    this.limits = { ...DEFAULT_LIMITS, ...options.rateLimits };
    this.gateway = new FakeGateway({
      botToken: this.world.botToken,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      allowPrivilegedIntents: options.allowPrivilegedIntents ?? true,
      gatewayUrl: () => this.gatewayUrl,
      readyData: () => this.world.readyData(),
      guildCreates: (session) => this.world.guildCreates(session),
    });
    this.world.attachDispatcher((t, build) => this.gateway.dispatch(t, build));
    this.routes = restRoutes(this.world, () => this.gatewayUrl, () => this.gateway.allowPrivilegedIntents);
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`fake discord error: ${String(error)}`);
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      if (path === '/gateway') this.gateway.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    fake.world.cdnBase = `http://127.0.0.1:${fake.port}`;
    return fake;
  }

  // ---- where it is ----

  /** For `rest.api` / DISCORD_API_BASE: `http://127.0.0.1:PORT/api` (no trailing slash). */
  get apiBase(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** A webhook URL in Discord's shape on the fake's host: `http://127.0.0.1:PORT/api/webhooks/<id>/<token>`. */
  webhookUrl(webhook: FakeWebhook | string = this.webhooks[0]!): string {
    const w = typeof webhook === 'string' ? this.webhook(webhook) : webhook;
    return `${this.apiBase}/webhooks/${w.id}/${w.token}`;
  }

  // ---- the world ----

  get botToken(): string {
    return this.world.botToken;
  }
  get applicationId(): string {
    return this.world.applicationId;
  }
  get botUser(): FakeUser {
    return this.world.botUser;
  }
  get guildId(): string {
    return this.world.guildId;
  }
  get channels(): readonly FakeChannel[] {
    return this.world.channels;
  }
  get users(): readonly FakeUser[] {
    return this.world.users;
  }
  get webhooks(): readonly FakeWebhook[] {
    return this.world.webhooks;
  }
  /** Role id by name (`@everyone` is the guild id). */
  roleId(name: string): string {
    return this.world.role(name).id;
  }
  /** Channel by id or name. */
  channel(idOrName: string): FakeChannel {
    return this.world.channel(idOrName);
  }
  user(idOrName: string): FakeUser {
    return this.world.user(idOrName);
  }
  webhook(idOrName: string): FakeWebhook {
    const found = this.world.webhooks.find((w) => w.id === idOrName || w.name === idOrName);
    if (!found) throw new Error(`FakeDiscord: no webhook ${idOrName}`);
    return found;
  }

  /** A server admin creates a webhook (new id and token) or deletes one (404 Unknown Webhook from then on). */
  createWebhook(spec: WebhookSpec = {}): FakeWebhook {
    return this.world.createWebhook(spec);
  }
  deleteWebhook(idOrName: string): void {
    this.world.deleteWebhook(idOrName);
  }
  /** The bot loses (false) or regains (true) Send Messages in a channel: posting there is 403 50013 meanwhile. */
  setCanSend(channel: string, allowed: boolean): void {
    const id = this.world.channel(channel).id;
    if (allowed) this.world.deniedChannels.delete(id);
    else this.world.deniedChannels.add(id);
  }

  // ---- what it received ----

  /** Messages accepted through the API (bot, webhooks, interaction responses) in a channel (id or name), oldest first. */
  messagesIn(channel: string): FakeMessage[] {
    const id = this.world.channel(channel).id;
    return this.world.messages.filter((m) => m.channel_id === id);
  }

  /** Messages accepted through one webhook (default: all webhooks), oldest first. */
  webhookMessages(webhookId?: string): FakeMessage[] {
    const ids = new Set(webhookId ? [webhookId] : this.world.webhooks.map((w) => w.id));
    return this.world.messages.filter((m) => m.webhook_id !== undefined && ids.has(m.webhook_id));
  }

  /** Messages the bot created with POST /channels/:id/messages (optionally in one channel). */
  botMessages(channel?: string): FakeMessage[] {
    const id = channel ? this.world.channel(channel).id : undefined;
    return this.world.messages.filter((m) => m.author.id === this.world.botUser.id && m.webhook_id === undefined && (!id || m.channel_id === id));
  }

  /** Every message created through the API, oldest first. */
  get messages(): readonly FakeMessage[] {
    return this.world.messages;
  }

  get interactions(): readonly FakeInteraction[] {
    return this.world.interactions;
  }

  /** The DM channel of a user with the bot, if one was opened (by the user writing or the bot). */
  dmChannel(user: string | FakeUser): FakeDmChannel | undefined {
    return this.world.dmChannels.get(this.world.user(user).id);
  }

  /** Messages the bot (or its interactions) sent in a user's DM, oldest first. */
  dmMessages(user: string | FakeUser): FakeMessage[] {
    const id = this.dmChannel(user)?.id;
    return id ? this.world.messages.filter((m) => m.channel_id === id) : [];
  }

  /**
   * Resolves with the original response once it has something the user sees: after a reply (4)
   * or update (7) at once, after a defer (5/6) once `@original` is edited (or a follow-up sent).
   * Latency: `handle.respondedAt - handle.createdAt`.
   */
  async waitForInteractionReply(handle: FakeInteraction, timeoutMs = 5000): Promise<FakeMessage> {
    if (handle.type === 4) throw new Error('FakeDiscord: an autocomplete has no reply message; use waitForChoices');
    await this.waitUntil(() => handle.respondedAt !== undefined, timeoutMs, `a reply to interaction ${handle.name}`);
    return handle.original ?? handle.followups[0]!;
  }

  /** Resolves with the choices the bot answered an autocomplete with (callback 8). */
  async waitForChoices(handle: FakeInteraction, timeoutMs = 5000): Promise<AutocompleteChoice[]> {
    await this.waitUntil(() => handle.choices !== undefined, timeoutMs, `autocomplete choices for ${handle.name}`);
    return handle.choices!;
  }

  /** Waits until `check()` holds, re-checked after every answered REST request (the only way the world changes). */
  private waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: ConditionWaiter = {
        check,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.conditionWaiters = this.conditionWaiters.filter((w) => w !== waiter);
          reject(new Error(`FakeDiscord: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.conditionWaiters.push(waiter);
    });
  }

  /** Registered commands: global by default, or of the fake's guild with `guild: true`. */
  commands(scope: { guild?: boolean } = {}): FakeCommand[] {
    return this.world.commands.get(scope.guild ? this.world.guildId : 'global') ?? [];
  }

  /** Resolves with the first request (already recorded or future) matching, once answered (or hung/dropped). */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    const done = this.requests.find((r) => (r.status !== 0 || r.fault) && predicate(r));
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`FakeDiscord: no matching request within ${timeoutMs} ms (${this.requests.length} received)`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** 429 answers so far (rate limits and scripted ones), optionally only for paths matching. */
  count429(path?: RegExp): number {
    return this.requests.filter((r) => r.status === 429 && (!path || path.test(r.path))).length;
  }

  /** Per bucket: requests, accepted, limited (429) and the most attempts within one window. */
  rateLimitStats(): BucketStats[] {
    return this.buckets.stats();
  }

  /** Stats of one bucket: `webhook:<id>`, `channel:<id>`, or `<METHOD> <route> <major>`. */
  bucket(key: string): BucketStats | undefined {
    return this.buckets.stats().find((b) => b.key === key);
  }

  /** Frames seen on the gateway (both directions). */
  get gatewayFrames(): readonly GatewayFrame[] {
    return this.gateway.frames;
  }

  /** Open gateway connections that have identified or resumed. */
  get gatewayConnections(): number {
    return this.gateway.readyConnectionCount;
  }

  // ---- acting as users ----

  /** A user types `content` in a channel (id or name): MESSAGE_CREATE to the bot. Default user: the first. */
  userSays(channel: string, content: string, user?: string | FakeUser): FakeMessage {
    return this.world.userSays(channel, content, user);
  }

  /**
   * A user runs a slash command: INTERACTION_CREATE type 2. `name` may name a subcommand
   * (`'trader status'`, `'trader group sub'`); `options` is `{symbol: 'BTC', who: 'bob'}` for the
   * leaf options, or Discord's raw option list. Against a registered command, options are checked
   * as Discord's client does and a value Discord would never send throws here. `place`: a channel
   * (id or name) or `{dm: true}` (the user's DM: `user` not `member`, no guild_id, context 1).
   */
  slash(name: string, options: SlashOptionInput | unknown[] = {}, user?: string | FakeUser, place?: InteractionPlace): FakeInteraction {
    return this.world.slash(name, options, user, place);
  }

  /**
   * A user types into an autocomplete option: INTERACTION_CREATE type 4. `options` is the raw list
   * (of the subcommand named in `name`, or the whole tree) with exactly one `focused: true` option,
   * which must be declared with `autocomplete: true`. The answer lands in `handle.choices`.
   */
  autocomplete(name: string, options: unknown[], user?: string | FakeUser, place?: InteractionPlace): FakeInteraction {
    return this.world.autocomplete(name, options, user, place);
  }

  /**
   * A user clicks a button (by custom_id) on a message: INTERACTION_CREATE type 3. A missing, disabled or link button throws,
   * unless `crafted` (a modified client sending any custom_id, or pressing a button that is disabled or gone).
   */
  clickButton(message: FakeMessage | string, customId: string, user?: string | FakeUser, options: { crafted?: boolean } = {}): FakeInteraction {
    return this.world.clickButton(message, customId, user, options);
  }

  /** The same INTERACTION_CREATE delivered again (a gateway replay): same id, same token. */
  redeliver(interaction: FakeInteraction): void {
    this.dispatch('INTERACTION_CREATE', interaction.payload);
  }

  /** The same MESSAGE_CREATE of a user's message delivered again (a gateway replay): same id. */
  redeliverMessage(message: FakeMessage): void {
    this.world.redeliverMessage(message);
  }

  /** A user writes to the bot in their DM: MESSAGE_CREATE (no guild_id) to clients with the DirectMessages intent, content always visible. */
  userSaysInDm(content: string, user?: string | FakeUser): FakeMessage {
    return this.world.userSaysInDm(content, user);
  }

  /** A message through a webhook (another integration): `webhook_id` and a bot author. Default: the first webhook, into its channel. */
  webhookSays(content: string, options: { webhook?: string; channel?: string; username?: string } = {}): FakeMessage {
    return this.world.webhookSays(options.channel, content, options.webhook, options.username);
  }

  /** A member joins at runtime (GUILD_MEMBER_ADD to clients with GuildMembers). `bot: true` makes another bot, for "ignore bots" tests with `userSays`. */
  addUser(spec: AddUserSpec): FakeUser {
    return this.world.addUser(spec);
  }

  /** Any dispatch, raw (`d` is sent as is to every session). */
  dispatch(t: string, d: Record<string, unknown>): void {
    this.gateway.dispatch(t, () => d);
  }

  // ---- faults ----

  /** Serves the next `times` requests matching `path` (and `method`) the scripted way. */
  fail(spec: FaultSpec): FaultHandle {
    return this.faults.add(spec);
  }

  /** Every REST request (or those matching `path`) is answered `status` (default 503) until the window ends. */
  outage(spec: OutageSpec = {}): OutageHandle {
    return this.faults.addOutage(spec);
  }

  /** Gateway op 7 RECONNECT: clients reconnect and RESUME (missed dispatches are replayed). */
  reconnectGateway(): void {
    this.gateway.reconnect();
  }

  /** Closes every gateway connection with `code` (4000: clients resume; 1000: they identify again; 4004: auth failed). */
  closeGateway(code = 4000): void {
    this.gateway.closeAll(code);
  }

  /** Toggles the app's privileged intents (Developer Portal): when false, an IDENTIFY asking for one is closed with 4014. */
  setAllowPrivilegedIntents(allow: boolean): void {
    this.gateway.allowPrivilegedIntents = allow;
  }

  /** Gateway outage: open sockets are cut (1006, clients try to resume) and upgrades answered 503 until `gatewayUp()`. REST keeps working. */
  gatewayDown(): void {
    this.gateway.goDown();
  }

  /** Gateway connections refused while down (clients retrying). */
  get gatewayRefusedUpgrades(): number {
    return this.gateway.refusedUpgrades;
  }

  gatewayUp(): void {
    this.gateway.goUp();
  }

  /** Gateway op 9 INVALID_SESSION. */
  invalidateGatewaySessions(resumable = false): void {
    this.gateway.invalidateSessions(resumable);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('FakeDiscord stopped'));
    }
    this.waiters = [];
    for (const waiter of this.conditionWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('FakeDiscord stopped'));
    }
    this.conditionWaiters = [];
    this.gateway.stop();
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  // ---- serving ----

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    let path = url.pathname;
    try {
      // discord.js percent-encodes `@original` and token characters.
      path = decodeURIComponent(url.pathname);
    } catch {
      // keep it raw
    }
    const raw = await readRawBody(req);
    const parsed = parseRequestBody(raw, req.headers['content-type']);
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'GET' && path.startsWith('/attachments/')) return this.serveAttachment(path, res);
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')])),
      body: parsed.body,
      files: parsed.files,
      status: 0,
      at: Date.now(),
    };
    this.requests.push(record);

    const fault = this.faults.take(method, path);
    if (fault?.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (this.stopped) return;
    }
    if (fault?.hang) {
      record.fault = 'hang';
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      this.settled(record);
      return;
    }
    if (fault?.drop === true) {
      record.fault = 'drop';
      req.socket.destroy();
      this.settled(record);
      return;
    }
    let reply: Reply;
    if (fault?.status !== undefined) {
      record.fault = 'status';
      reply = scriptedReply(fault);
    } else {
      const outageStatus = this.faults.outageStatus(path);
      if (outageStatus !== undefined) {
        record.fault = 'outage';
        reply = { status: outageStatus, text: 'upstream connect error or disconnect/reset before headers. reset reason: overflow' };
      } else {
        reply = this.route(method, path, url.searchParams, req.headers, parsed);
      }
    }
    if (fault?.drop === 'after-processing') {
      record.fault = 'drop-after-processing';
      req.socket.destroy();
      this.settled(record);
      return;
    }
    record.status = reply.status;
    this.write(res, reply);
    this.settled(record);
  }

  private route(method: string, path: string, query: URLSearchParams, headers: http.IncomingHttpHeaders, parsed: ReturnType<typeof parseRequestBody>): Reply {
    if (!path.startsWith(`${API_PREFIX}/`)) return discordError(404, DISCORD_ERROR.notFound);
    const rest = path.slice(API_PREFIX.length);
    let pathMatched = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(rest);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params = match.slice(1);
      if (route.auth === 'bot' && headers.authorization !== `Bot ${this.world.botToken}`) return discordError(401, DISCORD_ERROR.unauthorized);
      const { key, rule } = route.bucket(params);
      const decision = this.buckets.take(key, route.template, this.limits[rule]);
      if (!decision.allowed) {
        return {
          status: 429,
          headers: decision.headers,
          json: { message: 'You are being rate limited.', retry_after: decision.retryAfterS, global: false },
        };
      }
      if (parsed.invalidJson) return { ...discordError(400, DISCORD_ERROR.invalidJson), headers: decision.headers };
      const reply = route.handle({ method, params, query, headers, body: parsed.body, files: parsed.files });
      return { ...reply, headers: { ...decision.headers, ...reply.headers } };
    }
    return discordError(pathMatched ? 405 : 404, pathMatched ? DISCORD_ERROR.methodNotAllowed : DISCORD_ERROR.notFound);
  }

  private write(res: http.ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.status === 204) {
      res.writeHead(204, headers);
      res.end();
    } else if (reply.json !== undefined) {
      // @discordjs/rest parses a body as JSON only with this content type.
      res.writeHead(reply.status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(reply.json));
    } else {
      res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...headers });
      res.end(reply.text ?? '');
    }
  }

  /** The fake's CDN: `GET /attachments/<channel>/<attachment id>/<filename>` serves the uploaded bytes (not recorded as an API request). */
  private serveAttachment(path: string, res: http.ServerResponse): void {
    const [, , channelId, attachmentId] = path.split('/');
    const file = attachmentId ? this.world.file(attachmentId) : undefined;
    const owner = file && this.world.messages.find((m) => m.channel_id === channelId && m.files?.some((f) => f.id === file.id));
    if (!file || !owner) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    res.writeHead(200, { 'Content-Type': file.contentType ?? 'application/octet-stream', 'Content-Length': String(file.size) });
    res.end(file.data);
  }

  private settled(record: RecordedRequest): void {
    record.respondedAt = Date.now();
    if (this.conditionWaiters.length) {
      const met = this.conditionWaiters.filter((w) => w.check());
      this.conditionWaiters = this.conditionWaiters.filter((w) => !met.includes(w));
      for (const waiter of met) {
        clearTimeout(waiter.timer);
        waiter.resolve();
      }
    }
    const ready = this.waiters.filter((w) => w.predicate(record));
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve(record);
    }
  }
}

/** A scripted answer; a 429 without explicit headers gets Discord's rate-limit headers and body. */
function scriptedReply(fault: FaultSpec): Reply {
  const status = fault.status!;
  let headers = fault.headers;
  let body = fault.body;
  if (status === 429 && headers === undefined) {
    const seconds = ((fault.retryAfterMs ?? 500) / 1000).toFixed(3);
    headers = {
      'Retry-After': seconds,
      'X-RateLimit-Scope': fault.global ? 'global' : 'user',
      ...(fault.global
        ? { 'X-RateLimit-Global': 'true' }
        : { 'X-RateLimit-Limit': '5', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset-After': seconds, 'X-RateLimit-Reset': ((Date.now() + (fault.retryAfterMs ?? 500)) / 1000).toFixed(3) }),
    };
    body ??= { message: 'You are being rate limited.', retry_after: Number(seconds), global: fault.global ?? false };
  }
  if (body === undefined) return { status, headers: headers ?? {}, ...(status >= 500 ? { text: http.STATUS_CODES[status] ?? 'error' } : { json: { message: http.STATUS_CODES[status] ?? 'error', code: 0 } }) };
  return typeof body === 'string' ? { status, headers: headers ?? {}, text: body } : { status, headers: headers ?? {}, json: body };
}
