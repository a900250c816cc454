/**
 * Routing (rules.yaml `notify.routes`): which routes an event goes to, with the channels,
 * silent flag, grouping labels and timing of each.
 *
 * Routes are tried in order. The first that matches wins, unless it has `continue: true`, in
 * which case later routes are tried too (an event may then go out through several routes).
 * A matching route with `mode: off` drops the event there: it sends nothing and stops matching,
 * whatever its `continue`; routes that matched before it with `continue: true` still send.
 * Timing not set on a route comes from `notify.defaults`.
 *
 * Debug events are records, not messages: a route takes them only when its `match.severity`
 * names `debug`, so a broad route (`type: "risk.*"`) never sends a debug line as an alert.
 */
import type { RulesFile } from '../../config/schema';
import type { BaristaEvent } from '../../model/BaristaEvent';
import { compileEventMatcher, type EventPredicate } from './eventMatcher';
import { groupLabelProblem } from '../../config/groupLabels';

export type NotifyConfig = RulesFile['notify'];

export interface RouteTiming {
  /** How long a new group collects events before its first notification. */
  groupWaitMs: number;
  /** Least time between two notifications of one group. */
  groupIntervalMs: number;
  /** How long the same alert is not sent again (0: never suppressed). */
  repeatIntervalMs: number;
}

/** Where one route sends an event. Shared, immutable: compiled once per route. */
export interface RouteMatch {
  /** Index of the route in notify.routes. */
  readonly route: number;
  /** Channel names in notify.channels, in the route's `to` order. */
  readonly channels: readonly string[];
  readonly silent: boolean;
  readonly groupBy: readonly string[];
  readonly timing: Readonly<RouteTiming>;
}

export interface CompiledRoute {
  /** The route's `match` as written (severity debug included when the match allows it). */
  readonly matches: EventPredicate;
  /** Whether the match names `severity: debug`: only such routes take debug events. */
  readonly takesDebug: boolean;
  readonly off: boolean;
  readonly continue: boolean;
  readonly target: RouteMatch;
}

export interface CompiledRoutes {
  readonly compiled: true;
  readonly routes: readonly CompiledRoute[];
}

export interface RouteDecision {
  matches: RouteMatch[];
  /** Index of the `mode: off` route that dropped the event, if one did. */
  droppedBy: number | null;
  /** A debug event: the first route its match fits that did not take it for not naming `severity: debug`. */
  debugSkippedBy: number | null;
}

export class RouteConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouteConfigError';
  }
}

const listOf = (value: string | readonly string[] | undefined): string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]);

/** Compiles notify.routes once (globs to predicates, timing resolved against the defaults). */
export function compileRoutes(notify: Pick<NotifyConfig, 'routes' | 'defaults'>): CompiledRoutes {
  const routes = notify.routes.map((route, index): CompiledRoute => {
    const groupBy = route.group_by ?? [];
    for (const label of groupBy) {
      const problem = groupLabelProblem(label);
      if (problem) throw new RouteConfigError(`notify.routes[${index}].group_by: ${problem}`);
    }
    const target: RouteMatch = Object.freeze({
      route: index,
      channels: Object.freeze(listOf(route.to)),
      silent: route.mode === 'silent',
      groupBy: Object.freeze([...groupBy]),
      timing: Object.freeze({
        groupWaitMs: route.group_wait ?? notify.defaults.group_wait,
        groupIntervalMs: route.group_interval ?? notify.defaults.group_interval,
        repeatIntervalMs: route.repeat_interval ?? notify.defaults.repeat_interval,
      }),
    });
    const takesDebug = listOf(route.match.severity).includes('debug');
    return { matches: compileEventMatcher(route.match), takesDebug, off: route.mode === 'off', continue: route.continue, target };
  });
  return { compiled: true, routes };
}

export function isCompiledRoutes(value: unknown): value is CompiledRoutes {
  return typeof value === 'object' && value !== null && (value as CompiledRoutes).compiled === true;
}

/** The routes an event goes to, and whether an off route dropped it. */
export function routeDecision(event: Pick<BaristaEvent, 'type' | 'severity' | 'source' | 'subject'>, routes: CompiledRoutes): RouteDecision {
  const matches: RouteMatch[] = [];
  let debugSkippedBy: number | null = null;
  const debug = event.severity === 'debug';
  for (const route of routes.routes) {
    if (!route.matches(event)) continue;
    if (debug && !route.takesDebug) {
      debugSkippedBy ??= route.target.route;
      continue;
    }
    if (route.off) return { matches, droppedBy: route.target.route, debugSkippedBy };
    matches.push(route.target);
    if (!route.continue) break;
  }
  return { matches, droppedBy: null, debugSkippedBy };
}

/** The routes an event goes to, in route order (empty: nothing sends it). */
export function routeEvent(event: Pick<BaristaEvent, 'type' | 'severity' | 'source' | 'subject'>, routes: CompiledRoutes): RouteMatch[] {
  return routeDecision(event, routes).matches;
}
