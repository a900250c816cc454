/**
 * Notify throughput (`BENCH_ONLY=notify`): events per second through routing, grouping and
 * rendering — notificationPolicy with the shipped notify routes and timings (group_wait 10 s,
 * group_interval 2 min, repeat_interval 4 h) on a VirtualTimeScheduler, every Notification
 * rendered by renderNotification — for a mix of trades of 4 traders, closed positions, training
 * trials and risk alerts arriving 50 ms apart (virtual). Beside, on the very same events and the
 * same virtual-time driving: the policy without rendering, and a baseline that only passes each
 * event through an RxJS pipe and JSON.stringify's it (what forwarding events as JSON costs).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { map, Subject, VirtualTimeScheduler, type OperatorFunction } from 'rxjs';
import { parseRules } from '../src/config/loadRules';
import { renderNotification } from '../src/discord/render';
import type { BaristaEvent } from '../src/model/BaristaEvent';
import type { Notification } from '../src/streams/notify/Notification';
import { notificationPolicy, newPolicyStats } from '../src/streams/notify/notificationPolicy';
import { compileRoutes } from '../src/streams/notify/routes';
import { fmt, QUICK, ROOT, thousands } from './support';

const SPACING_MS = 50;
const TRADERS = ['trial250_session', 'trial251_session', 'trial252_session', 'trial253_session'];
const SYMBOLS = ['BTC/USD', 'ETH/USD', 'SOL/USD', 'AVAX/USD'];
const START = Date.parse('2026-02-09T07:00:00.000Z');

/** 80 % trades, 8 % closed positions, 8 % training trials, 4 % risk alerts; fields vary, so repeat_interval drops none. */
function makeEvents(count: number): BaristaEvent[] {
  const events: BaristaEvent[] = [];
  for (let i = 0; i < count; i++) {
    const trader = TRADERS[i % TRADERS.length]!;
    const symbol = SYMBOLS[(i >> 2) % SYMBOLS.length]!;
    const at = new Date(START + i * SPACING_MS).toISOString();
    const base = { id: `ev-${i}`, severity: 'info' as const, at, source: 'sessions', subject: trader };
    const kind = i % 25;
    if (kind < 20) {
      const qty = 0.001 * (1 + (i % 50));
      const price = 100 + (i % 977) / 10;
      events.push({ ...base, type: 'trade.executed', fields: { trader, symbol, side: i % 3 === 0 ? 'SELL' : 'BUY', qty, price, value: Math.round(qty * price * 100) / 100, position: i / 1000, position_before: (i - 1) / 1000, closed: false } });
    } else if (kind < 22) {
      events.push({ ...base, type: 'position.closed', fields: { trader, symbol, entry: 100 + (i % 50), exit: 101 + (i % 47), pnl_pct: ((i % 21) - 10) / 3 } });
    } else if (kind < 24) {
      events.push({ ...base, type: 'training.trial_completed', source: 'optuna', subject: 'cappuccino_study', fields: { study: 'cappuccino_study', number: i, value: (i % 997) / 1000, params: { lr: 0.001 * (i % 7), window: 5 + (i % 40) }, duration_s: 60 + (i % 300) } });
    } else {
      events.push({ ...base, type: 'risk.stop_loss', severity: 'warning', fields: { trader, symbol, pct: -5 - (i % 9), price: 95 + (i % 13) } });
    }
  }
  return events;
}

interface Run {
  ms: number;
  notifications: number;
  messages: number;
}

/**
 * Feeds the events through `operator` on virtual time: before each event the scheduler runs
 * every timer due by the event's time; after the last, every timer left. `onOutput` consumes each result.
 */
function drive<T>(events: readonly BaristaEvent[], operatorOf: (scheduler: VirtualTimeScheduler) => OperatorFunction<BaristaEvent, T>, onOutput: (value: T) => void): number {
  const scheduler = new VirtualTimeScheduler();
  const input = new Subject<BaristaEvent>();
  const subscription = input.pipe(operatorOf(scheduler)).subscribe({ next: onOutput });
  const started = process.hrtime.bigint();
  for (let i = 0; i < events.length; i++) {
    const at = i * SPACING_MS;
    scheduler.maxFrames = at;
    scheduler.flush();
    scheduler.frame = at;
    input.next(events[i]!);
  }
  scheduler.maxFrames = Number.POSITIVE_INFINITY;
  scheduler.flush();
  input.complete();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  subscription.unsubscribe();
  return ms;
}

export async function benchNotifyThroughput(): Promise<void> {
  const count = QUICK ? 10_000 : 50_000;
  const rounds = QUICK ? 3 : 5;
  const parsed = parseRules(readFileSync(path.join(ROOT, 'config', 'rules.yaml'), 'utf8'), 'rules.yaml', {});
  if (!parsed.ok) throw new Error('shipped rules invalid');
  const routes = compileRoutes(parsed.rules.config.notify);
  const events = makeEvents(count);
  console.log(`\nNotify throughput: ${thousands(count)} events (80 % trades of ${TRADERS.length} traders, closed positions, trials, risk alerts) ${SPACING_MS} ms apart on virtual time, shipped routes and timings; best of ${rounds}`);

  const policy = (scheduler: VirtualTimeScheduler) => notificationPolicy(routes, { scheduler, stats: newPolicyStats() });
  const withRendering = (): Run => {
    let notifications = 0;
    let messages = 0;
    const ms = drive<Notification>(events, policy, (notification) => {
      notifications += 1;
      messages += renderNotification(notification).length;
    });
    return { ms, notifications, messages };
  };
  const policyOnly = (): Run => {
    let notifications = 0;
    let grouped = 0;
    const ms = drive<Notification>(events, policy, (notification) => {
      notifications += 1;
      grouped += notification.events.length;
    });
    if (grouped === 0) throw new Error('policy sent nothing');
    return { ms, notifications, messages: 0 };
  };
  const baseline = (): Run => {
    let characters = 0;
    const ms = drive<string>(events, () => map((event) => JSON.stringify(event)), (json) => {
      characters += json.length;
    });
    if (characters === 0) throw new Error('baseline produced nothing');
    return { ms, notifications: 0, messages: 0 };
  };

  const best = (run: () => Run): Run => {
    run(); // warm-up (JIT, caches)
    let fastest: Run | null = null;
    for (let i = 0; i < rounds; i++) {
      const result = run();
      if (!fastest || result.ms < fastest.ms) fastest = result;
    }
    return fastest!;
  };
  const rendered = best(withRendering);
  const routed = best(policyOnly);
  const plain = best(baseline);

  const perSecond = (r: Run) => (count / r.ms) * 1000;
  const row = (name: string, r: Run, note = '') => console.log(`  ${name.padEnd(52)} ${fmt(r.ms, 1).padStart(9)} ms ${thousands(perSecond(r)).padStart(12)} events/s${note}`);
  row('routing + grouping + rendering (barista)', rendered, `   ${thousands(rendered.notifications)} notifications → ${thousands(rendered.messages)} messages`);
  row('routing + grouping only (no rendering)', routed);
  row('RxJS map + JSON.stringify per event (baseline)', plain);
  console.log(`  ratio (barista / baseline time per event): ${fmt(rendered.ms / plain.ms, 2)}×   rendering's share of barista's time: ${fmt(((rendered.ms - routed.ms) / rendered.ms) * 100, 0)} %`);
}
