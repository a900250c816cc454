/**
 * Committed events → policy (routes, groups, mutes) → rendered messages → outbox → sinks.
 *
 * Nothing is lost between a commit and Discord: an event is marked notified in the same
 * transaction that writes its messages to the outbox (or when the policy drops it for good),
 * so events still waiting in a group when barista is killed are found again at the next start.
 * Delivery from the outbox is at-least-once; bot messages carry a nonce Discord dedupes on.
 */
import { interval, Subject, type Observable, type SchedulerLike, type Subscription } from '../rx';
import type { RulesFile } from '../config/schema';
import type { DeliveryPlan, Destination } from '../discord/deliveryPlan';
import type { DiscordMessage } from '../discord/DiscordMessage';
import type { PortfolioAnswer } from '../readModel/answers';
import { OutboxDispatcher } from '../discord/OutboxDispatcher';
import { renderRefusedAlarm } from '../discord/render/refusedAlarm';
import type { Sink } from '../discord/sinks/Sink';
import type { Logger } from '../logging/logger';
import { CATALOGUE, listCache } from '../readModel/catalogue';
import { portfolioAnswer } from '../readModel/queries';
import { ReadModel } from '../readModel/ReadModel';
import { EventStore } from '../state/EventStore';
import { MuteStore } from '../state/MuteStore';
import { OutboxStore, type OutboxEntry } from '../state/OutboxStore';
import type { StateStore } from '../state/StateStore';
import { eventId, type BaristaEvent } from '../model/BaristaEvent';
import type { Notification } from '../streams/notify/Notification';
import { compileGlobs } from '../streams/notify/eventMatcher';
import { digestSchedule, type DigestTick } from '../streams/notify/digestSchedule';
import { notificationPolicy } from '../streams/notify/notificationPolicy';

/** How often the dispatcher looks at the whole outbox again, for rows edited from the host. */
export const OUTBOX_RESCAN_MS = 30_000;

export interface NotifyPipelineOptions {
  state: StateStore;
  logger: Logger;
  notify: RulesFile['notify'];
  plan: DeliveryPlan;
  sinks: ReadonlyMap<string, Sink>;
  render: (notification: Notification) => DiscordMessage[];
  /** The traders' portfolios as a scheduled summary (notify.digests, kind portfolio). */
  renderPortfolio: (answers: readonly PortfolioAnswer[], options: { note: string; silent: boolean }) => DiscordMessage[];
  /** Clock for the outbox and its dispatcher (tests). */
  now?: () => number;
  /** Timers of grouping, repeat windows and facts (a virtual scheduler in the state bench); default asyncScheduler. */
  scheduler?: SchedulerLike;
  /** The mutes, shared with the commands that add them (default: a store of its own). */
  mutes?: MuteStore;
}

/** A summary still unsent this long after its time is stale: the next one will say it better. */
const DIGEST_LIFETIME_MS = 3_600_000;

export class NotifyPipeline {
  private readonly events: EventStore;
  private readonly outbox: OutboxStore<DiscordMessage>;
  private readonly dispatcher: OutboxDispatcher;
  private readonly input = new Subject<BaristaEvent>();
  /** Ids handed to the policy since the start: settled as a whole at a clean stop. */
  private readonly seen = new Set<string>();
  private subscription: Subscription | null = null;
  private readonly now: () => number;
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly options: NotifyPipelineOptions) {
    this.now = options.now ?? Date.now;
    this.events = new EventStore(options.state);
    this.outbox = new OutboxStore<DiscordMessage>(options.state);
    const probeIntervalMs = options.notify.discord.probe_interval;
    this.dispatcher = new OutboxDispatcher({
      store: this.outbox,
      sinks: options.sinks,
      logger: options.logger,
      probeIntervalMs,
      channelsOf: (destination) => [...options.plan.channels].filter(([, list]) => list.some((d) => d.key === destination)).map(([name]) => name),
      onRefused: (refusal, waiting) => this.raiseRefused(renderRefusedAlarm({ ...refusal, waiting, probeIntervalMs }), refusal.destination, refusal.since),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * A destination Discord refused and the rules no longer name (its channel got a new webhook):
   * what waited for it goes to what now delivers its channels.
   */
  private adoptReplacedDestinations(): void {
    const { plan, logger } = this.options;
    for (const refusal of this.outbox.refusedDestinations()) {
      if (plan.destinations.has(refusal.destination)) continue;
      const targets = [...new Set(refusal.channels.flatMap((channel) => (plan.channels.get(channel) ?? []).map((d) => d.key)))];
      if (targets.length === 0) continue;
      const moved = this.outbox.retarget(refusal.destination, targets, this.now());
      this.outbox.clearRefused(refusal.destination);
      logger.warn({ from: refusal.destination, to: targets, moved }, `${moved} message(s) held back for ${refusal.destination} (channel ${refusal.channels.join(', ')}) now go to ${targets.join(', ')}`);
    }
  }

  /** The alarm about a refused destination goes to every destination Discord is not refusing. */
  private raiseRefused(message: DiscordMessage, refused: string, since: number): void {
    const down = new Set(this.outbox.refusedDestinations().map((r) => r.destination));
    const working = [...this.options.plan.destinations.values()].filter((d) => d.key !== refused && !down.has(d.key));
    if (working.length === 0) return;
    this.outbox.enqueue(outboxEntries(working, [message], `refused:${refused}:${since}`, `refused:${refused}`), this.now());
    this.dispatcher.notify(working.map((d) => d.key));
  }

  /** Starts delivering: first whatever the outbox holds, then events left unnotified last time, then `events$`. */
  start(events$: Observable<BaristaEvent>): void {
    const { logger, notify, state } = this.options;
    const mutes = this.options.mutes ?? new MuteStore(state);
    const factWindowMs = notify.facts.window;
    const policy = notificationPolicy(notify, {
      ...(this.options.scheduler ? { scheduler: this.options.scheduler } : {}),
      mutes,
      factWindowMs,
      // Facts sent before a restart: a report of one arriving now is not a second message.
      knownFacts: () => this.events.notifiedFacts(this.now() - factWindowMs),
      // A final drop settles the event for good, a suppressed repeat included: left unnotified,
      // the next start after a crash would send it. A repeat on one route while another route
      // holds the event is not final: that group's send settles it. A report of a fact another
      // event stands for is kept with a pointer to that event (events.duplicate_of).
      onDrop: (event, reason, detail, final) => {
        if (!final) return;
        if (reason === 'same_fact' && detail !== undefined) this.events.markDuplicate(event.id, detail);
        else this.events.markNotified([event.id]);
        this.seen.delete(event.id);
      },
    });
    this.done = new Promise<void>((resolve) => {
      this.subscription = this.input.pipe(policy).subscribe({
        next: (notification) => this.enqueue(notification),
        error: (error: unknown) => {
          logger.error({ err: error }, 'notification policy failed; notifications stopped');
          resolve();
        },
        complete: () => resolve(),
      });
    });
    this.adoptReplacedDestinations();
    this.dispatcher.start();
    const left = this.events.unnotified();
    if (left.length > 0) logger.info({ events: left.length }, 'notifying events committed before the last stop');
    for (const event of left) this.push(event);
    const live = events$.subscribe({ next: (event) => this.push(event) });
    this.subscription?.add(live);
    this.subscription?.add(digestSchedule(notify.digests).subscribe({ next: (tick) => this.sendDigest(tick) }));
    // Rows changed beside barista (`barista outbox retry`) are seen without a restart.
    this.subscription?.add(interval(OUTBOX_RESCAN_MS).subscribe(() => this.dispatcher.notify()));
  }

  /** Sends every pending group to the outbox, settles what passed through, and lets sends in flight finish. */
  async stop(): Promise<void> {
    this.input.complete();
    await this.done;
    this.subscription?.unsubscribe();
    this.events.markNotified([...this.seen]);
    await this.dispatcher.stop();
    await Promise.all([...this.options.sinks.values()].map((sink) => sink.close()));
  }

  /** A scheduled portfolio summary per cached trader; it expires if Discord stays away past the next one could matter. */
  private sendDigest(tick: DigestTick): void {
    const { notify, plan, state, logger, renderPortfolio } = this.options;
    const digest = notify.digests.find((d) => d.id === tick.digestId);
    const destinations = digest ? plan.channels.get(digest.to) : undefined;
    if (!digest || !destinations) return;
    const wanted = digest.subjects ? compileGlobs(digest.subjects) : () => true;
    const snapshots = listCache(state, CATALOGUE.portfolio, { logger }).filter((entry) => wanted(entry.id));
    if (snapshots.length === 0) {
      logger.info({ digest: digest.id }, 'scheduled digest: no trader portfolio cached yet; nothing sent');
      return;
    }
    const expiresAt = Date.parse(tick.at) + DIGEST_LIFETIME_MS;
    // The same query /portfolio answers from, one trader per message group (its outbox key).
    const read = new ReadModel(state, this.now, { logger });
    const entries = snapshots.flatMap((snapshot) => {
      const trader = snapshot.id;
      const answer = portfolioAnswer(read, trader);
      if (answer.kind !== 'portfolio') return [];
      const messages = renderPortfolio([answer], { note: `Scheduled summary (${digest.id})`, silent: digest.mode === 'silent' });
      return outboxEntries(destinations, messages, `digest:${digest.id}:${tick.at}:${trader}`, `digest:${digest.id}:${trader}`, expiresAt);
    });
    this.outbox.enqueue(entries, this.now());
    this.dispatcher.notify(destinations.map((destination) => destination.key));
  }

  /** A rules reload that left notify as it was: a refused destination is tried again now. */
  retryRefused(): void {
    this.dispatcher.retryRefused();
  }

  /** Stops at once, sending nothing more: what waits in groups stays unnotified in state for the next start. */
  abort(): void {
    this.subscription?.unsubscribe();
    void this.dispatcher.stop();
  }

  private push(event: BaristaEvent): void {
    this.seen.add(event.id);
    this.input.next(event);
  }

  /** One notification → its messages for every destination of its channel, and its events settled, in one transaction. */
  private enqueue(notification: Notification): void {
    const { plan, render, state, logger } = this.options;
    const destinations = plan.channels.get(notification.channel);
    if (!destinations) {
      logger.warn({ channel: notification.channel }, 'route names a channel that does not exist; events not sent');
      return;
    }
    let messages: DiscordMessage[];
    try {
      messages = render(notification);
    } catch (error) {
      logger.error({ err: error, groupKey: notification.groupKey }, 'could not render a notification; its events are not sent');
      return;
    }
    const ids = notification.events.map((event) => event.id);
    // Deterministic: the same events in the same group never make two outbox rows.
    const key = eventId(notification.channel, notification.groupKey, ...ids);
    const entries = outboxEntries(destinations, messages, key, notification.groupKey);
    state.transaction(() => {
      this.outbox.enqueue(entries, this.now());
      this.events.markNotified(ids);
    });
    for (const id of ids) this.seen.delete(id);
    this.dispatcher.notify(destinations.map((destination) => destination.key));
  }
}

/** Every message for every destination, each with a key stable across replays. */
function outboxEntries(destinations: readonly Destination[], messages: readonly DiscordMessage[], key: string, groupKey: string, expiresAt?: number): OutboxEntry<DiscordMessage>[] {
  return destinations.flatMap((destination) =>
    messages.map((payload, index) => ({ destination: destination.key, idempotencyKey: `${key}:${destination.key}:${index}`, groupKey, payload, ...(expiresAt !== undefined ? { expiresAt } : {}) })),
  );
}
