/**
 * The notification policy: events in, Notifications out, on an injectable scheduler.
 *
 * Each event, in this order:
 * 1. dedupe — an event id seen among the last `recentIds` ids is dropped;
 * 1b. one fact, one message — an event reporting a fact (event.fact) may wait for a richer
 *    report of it, give way to one, or be dropped as a report of a fact already sent (facts.ts);
 *    the one let through goes on to the steps below;
 * 2. inhibition — see inhibition.ts (a trader that is down mutes its stale repeats and risk events);
 * 3. mutes — a mute in force (expiry checked against `now()`) drops it;
 * 4. routing — see routes.ts (first match, `continue`, `mode: off`);
 * 5. per matching route: repeat_interval, then grouping.
 * Every drop is counted in `stats` and reported to `onDrop`, which also says whether it is final:
 * no route will send the event (every drop except a repeat on some of the event's routes when
 * another route took it), so a caller keeping delivery state can settle the event.
 *
 * Grouping (Alertmanager's): the group key is the route index + the route's group_by values.
 * - A new group collects events for `group_wait`, then sends them in one Notification per
 *   channel of the route.
 * - While the group lives, its next notification is due `group_interval` after the previous
 *   one and carries every event that arrived in between (nothing is sent if none did).
 * - A group that had nothing to send when due is forgotten (memory holds only live groups): the
 *   next event of that key opens a new group and waits `group_wait` again.
 *
 * repeat_interval (repeatSuppression.ts): an alert identical to one this route let through less
 * than repeat_interval ago (same type, severity, source, subject, text and fields) is not sent.
 * Such suppressed repeats are counted per group key, and the next Notification of that group
 * (whatever events it carries, at the latest the next occurrence after the window) says how many
 * in `suppressedRepeats`. The window starts when an alert is let through, not when it is sent.
 *
 * Stopping: when the input completes, every group with pending events is sent at once and the
 * output completes, so a clean stop (complete the input) loses nothing; an input error likewise
 * sends what is pending before passing the error on. `flush$` sends all pending
 * groups at once without completing (each group's group_interval then restarts). Unsubscribing
 * drops what is pending. All state is in memory: pending groups, recent ids, repeat windows and
 * inhibitions do not survive a restart.
 */
import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from '../../rx';
import type { BaristaEvent } from '../../model/BaristaEvent';
import type { EventFact } from '../../model/fact';
import { FactArbiter } from './facts';
import { groupKeyOf, groupLabelsOf } from './grouping';
import { DEFAULT_INHIBIT_RULES, Inhibitor, type InhibitRule } from './inhibition';
import type { MuteLookup } from '../../model/mute';
import { activeMuteFor } from './mutes';
import type { Notification } from './Notification';
import { RecentIds } from './recentIds';
import { alertSignature, RepeatSuppressor } from './repeatSuppression';
import { compileRoutes, isCompiledRoutes, routeDecision, type CompiledRoutes, type NotifyConfig, type RouteMatch } from './routes';

export type DropReason = 'duplicate' | 'same_fact' | 'inhibited' | 'muted' | 'off' | 'unrouted' | 'repeat';

export interface NotificationPolicyStats {
  /** Events received. */
  events: number;
  duplicates: number;
  /** Reports of a fact that another report of it stood for. */
  sameFact: number;
  inhibited: number;
  muted: number;
  /** Dropped by a `mode: off` route. */
  off: number;
  /** Matched no route. */
  unrouted: number;
  /** Suppressed by repeat_interval (per route the event matched). */
  repeats: number;
  notifications: number;
}

export const newPolicyStats = (): NotificationPolicyStats => ({ events: 0, duplicates: 0, sameFact: 0, inhibited: 0, muted: 0, off: 0, unrouted: 0, repeats: 0, notifications: 0 });

export interface NotificationPolicyOptions {
  /** Timers and the clock for grouping and repeat windows; tests pass a TestScheduler. Default asyncScheduler. */
  scheduler?: SchedulerLike;
  /** Mutes in force (MuteStore in production). Default: none. */
  mutes?: MuteLookup;
  /** Clock (epoch ms) that mute expiry is checked against. Default scheduler.now(). */
  now?: () => number;
  /** Each emission sends every pending group at once (e.g. before a reload). */
  flush$?: Observable<unknown>;
  /** Default DEFAULT_INHIBIT_RULES; [] turns inhibition off. */
  inhibitRules?: readonly InhibitRule[];
  /** How many recent event ids dedupe remembers. Default 10,000. */
  recentIds?: number;
  /** How long a sent fact is remembered (ms; notify.facts.window). Default 10 min. */
  factWindowMs?: number;
  /** Facts sent before this policy started (read at subscription), so a late report is not a second message. */
  knownFacts?: () => readonly { id: string; fact: EventFact; sentAt: number }[];
  /** Counters this policy increments (pass newPolicyStats() and read it). */
  stats?: NotificationPolicyStats;
  /**
   * Told of every event not sent, with why (and the route, rule or mute involved, when one is).
   * `final`: no route of this event will send it (false only for a repeat on one route of an
   * event another route took). For `same_fact`, `detail` is the id of the event that stands for it.
   */
  onDrop?: (event: BaristaEvent, reason: DropReason, detail: string | undefined, final: boolean) => void;
}

interface Group {
  key: string;
  target: RouteMatch;
  labels: Record<string, string>;
  pending: BaristaEvent[];
  timer: Subscription | null;
}

/** Bounded map from group key to repeats not yet reported; the oldest key goes first. */
const MAX_UNREPORTED_GROUPS = 10_000;

/**
 * The policy as an operator. `config` is notify from rules.yaml (routes + defaults) or routes
 * compiled once with compileRoutes. Each subscription has its own state.
 */
export function notificationPolicy(config: Pick<NotifyConfig, 'routes' | 'defaults'> | CompiledRoutes, options: NotificationPolicyOptions = {}): OperatorFunction<BaristaEvent, Notification> {
  const routes = isCompiledRoutes(config) ? config : compileRoutes(config);
  const scheduler = options.scheduler ?? asyncScheduler;
  const now = options.now ?? (() => scheduler.now());
  const maxIds = options.recentIds ?? 10_000;
  const stats = options.stats ?? newPolicyStats();
  const onDrop = options.onDrop ?? (() => undefined);

  return (events$) =>
    new Observable<Notification>((subscriber) => {
      const recentIds = new RecentIds(maxIds);
      const inhibitor = new Inhibitor(options.inhibitRules ?? DEFAULT_INHIBIT_RULES);
      const repeats = new RepeatSuppressor();
      const groups = new Map<string, Group>();
      const unreportedRepeats = new Map<string, number>();

      const send = (group: Group) => {
        const events = group.pending;
        group.pending = [];
        facts.sent(events, scheduler.now());
        const suppressed = unreportedRepeats.get(group.key);
        unreportedRepeats.delete(group.key);
        for (const channel of group.target.channels) {
          stats.notifications += 1;
          subscriber.next({
            channel,
            route: group.target.route,
            groupKey: group.key,
            groupLabels: group.labels,
            events: events.slice(),
            silent: group.target.silent,
            ...(suppressed ? { suppressedRepeats: suppressed } : {}),
          });
        }
      };

      /** A group is due: send what it has and wait group_interval, or forget it if it has nothing. */
      const due = (group: Group) => {
        group.timer?.unsubscribe();
        group.timer = null;
        if (group.pending.length === 0) {
          groups.delete(group.key);
          return;
        }
        send(group);
        group.timer = scheduler.schedule(() => due(group), group.target.timing.groupIntervalMs);
      };

      const countRepeat = (key: string) => {
        const count = (unreportedRepeats.get(key) ?? 0) + 1;
        unreportedRepeats.delete(key);
        unreportedRepeats.set(key, count);
        if (unreportedRepeats.size > MAX_UNREPORTED_GROUPS) unreportedRepeats.delete(unreportedRepeats.keys().next().value as string);
      };

      /** Adds the event to its group on this route; false when repeat_interval suppressed it there. */
      const enqueue = (event: BaristaEvent, target: RouteMatch): boolean => {
        const labels = groupLabelsOf(event, target.groupBy);
        const key = groupKeyOf(target.route, labels, target.groupBy);
        const interval = target.timing.repeatIntervalMs;
        if (interval > 0 && repeats.isRepeat(alertSignature(target.route, event), scheduler.now(), interval)) {
          stats.repeats += 1;
          countRepeat(key);
          return false;
        }
        const known = groups.get(key);
        if (known) {
          known.pending.push(event);
          return true;
        }
        const group: Group = { key, target, labels, pending: [event], timer: null };
        groups.set(key, group);
        group.timer = scheduler.schedule(() => due(group), target.timing.groupWaitMs);
        return true;
      };

      /** Inhibition, mutes, routes and groups; true when some group took the event. */
      const route = (event: BaristaEvent): boolean => {
        const inhibitedBy = inhibitor.judge(event);
        if (inhibitedBy !== null) {
          stats.inhibited += 1;
          onDrop(event, 'inhibited', inhibitedBy, true);
          return false;
        }
        const mute = options.mutes ? activeMuteFor(event, options.mutes.mutes(), now()) : undefined;
        if (mute) {
          stats.muted += 1;
          onDrop(event, 'muted', `mute ${mute.id}`, true);
          return false;
        }
        const decision = routeDecision(event, routes);
        if (decision.matches.length === 0) {
          if (decision.droppedBy !== null) stats.off += 1;
          else stats.unrouted += 1;
          if (decision.droppedBy !== null) onDrop(event, 'off', `route ${decision.droppedBy}`, true);
          else onDrop(event, 'unrouted', decision.debugSkippedBy !== null ? `debug: route ${decision.debugSkippedBy} does not name severity debug` : undefined, true);
          return false;
        }
        const repeatedOn = decision.matches.filter((target) => !enqueue(event, target));
        // Suppressed on every route it matched: nothing will ever send it.
        const final = repeatedOn.length === decision.matches.length;
        for (const target of repeatedOn) onDrop(event, 'repeat', `route ${target.route}`, final);
        return !final;
      };

      const facts = new FactArbiter({
        scheduler,
        windowMs: options.factWindowMs ?? 600_000,
        admit: route,
        withdraw: (event) => {
          for (const group of groups.values()) group.pending = group.pending.filter((pending) => pending.id !== event.id);
        },
        drop: (event, keptId) => {
          stats.sameFact += 1;
          onDrop(event, 'same_fact', keptId, true);
        },
      });
      for (const known of options.knownFacts?.() ?? []) facts.remember(known.id, known.fact, known.sentAt);

      const accept = (event: BaristaEvent) => {
        stats.events += 1;
        if (recentIds.seen(event.id)) {
          stats.duplicates += 1;
          onDrop(event, 'duplicate', undefined, true);
          return;
        }
        if (event.fact) facts.accept(event, event.fact);
        else route(event);
      };

      const flushAll = () => {
        facts.releaseAll();
        for (const group of [...groups.values()]) due(group);
      };
      const cancelTimers = () => {
        for (const group of groups.values()) group.timer?.unsubscribe();
        facts.cancel();
      };

      const flushes = options.flush$?.subscribe({ next: flushAll, error: (error: unknown) => subscriber.error(error) });
      const sendAllPending = () => {
        facts.releaseAll();
        for (const group of groups.values()) if (group.pending.length > 0) send(group);
        cancelTimers();
        groups.clear();
      };
      const input = events$.subscribe({
        next: accept,
        error: (error: unknown) => {
          sendAllPending();
          subscriber.error(error);
        },
        complete: () => {
          sendAllPending();
          subscriber.complete();
        },
      });
      return () => {
        input.unsubscribe();
        flushes?.unsubscribe();
        cancelTimers();
      };
    });
}
