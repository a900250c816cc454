import path from 'node:path';
import { loadRulesFile } from '../../../src/config/loadRules';
import { formatProblem } from '../../../src/config/problems';
import { notifySchema } from '../../../src/config/schema';
import type { BaristaEvent } from '../../../src/model/BaristaEvent';
import { compileEventMatcher, compileGlobs } from '../../../src/streams/notify/eventMatcher';
import { groupKeyOf, groupLabelsOf } from '../../../src/streams/notify/grouping';
import { compileRoutes, RouteConfigError, routeDecision, routeEvent } from '../../../src/streams/notify/routes';

const event = (over: Partial<BaristaEvent> = {}): BaristaEvent => ({
  id: 'e1',
  type: 'trade.executed',
  severity: 'info',
  at: '2026-02-09T07:00:00.000Z',
  source: 'sessions',
  subject: 'trial250_session',
  fields: {},
  ...over,
});
const notify = (input: unknown) => notifySchema.parse(input);

describe('compileGlobs', () => {
  it.each([
    ['trade.*', 'trade.executed', true],
    ['trade.*', 'trade', false],
    ['trade.*', 'trades.executed', false],
    ['trade.*', 'trade.position.closed', true],
    ['*', 'anything.at.all', true],
    ['risk.stop_loss', 'risk.stop_loss', true],
    ['risk.stop_loss', 'risk.stop_lossy', false],
    ['*_session', 'trial250_session', true],
    ['trial???_session', 'trial250_session', true],
    ['trial??_session', 'trial250_session', false],
    ['a+b(c)', 'a+b(c)', true],
    ['a.b', 'aXb', false],
  ])('%s on %s → %s', (glob, value, expected) => {
    expect(compileGlobs(glob)(value)).toBe(expected);
  });

  it('matches any of a list that mixes exact names and wildcards', () => {
    const match = compileGlobs(['trader.stale', 'risk.*', 'host.cpu']);
    expect(['trader.stale', 'risk.stop_loss', 'host.cpu', 'host.disk', 'trader.started'].map(match)).toEqual([true, true, true, false, false]);
  });
});

describe('compileEventMatcher', () => {
  it('needs every key present to match; a list within a key is any of', () => {
    const match = compileEventMatcher({ type: 'risk.*', severity: ['warning', 'error'], source: 'trader-*', subject: 'paper_trader_*' });
    const risk = event({ type: 'risk.stop_loss', severity: 'warning', source: 'trader-log', subject: 'paper_trader_trial250' });
    expect(match(risk)).toBe(true);
    expect(match({ ...risk, severity: 'info' })).toBe(false);
    expect(match({ ...risk, source: 'sessions' })).toBe(false);
    expect(match({ ...risk, subject: 'trial250_session' })).toBe(false);
    expect(match({ ...risk, type: 'trade.executed' })).toBe(false);
  });

  it('matches everything when empty', () => {
    expect(compileEventMatcher({})(event())).toBe(true);
  });
});

describe('routeEvent', () => {
  const routes = compileRoutes(
    notify({
      defaults: { group_wait: '10s', group_interval: '2m', repeat_interval: '4h' },
      routes: [
        { match: { type: 'portfolio.snapshot' }, mode: 'off' },
        { match: { severity: 'critical' }, to: 'pager', continue: true, group_wait: '0s' },
        { match: { type: 'trade.*' }, to: ['trades', 'archive'], group_by: ['subject'] },
        { match: { type: ['training.*', 'deployment.*'] }, to: 'training', mode: 'silent', repeat_interval: '1h' },
        { match: { severity: ['error', 'critical'] }, to: 'alerts' },
        { match: { source: 'sessions' }, to: 'trades' },
      ],
      channels: { pager: {}, trades: {}, archive: {}, training: {}, alerts: {} },
    }),
  );
  const summary = (e: BaristaEvent) => routeEvent(e, routes).map((m) => `${m.route}:${m.channels.join('+')}${m.silent ? ':silent' : ''}`);

  it('stops at the first matching route', () => {
    expect(summary(event({ type: 'trade.executed' }))).toEqual(['2:trades+archive']);
    // Route 5 (source sessions) would match too, but route 2 came first.
    expect(summary(event({ type: 'trade.executed', source: 'sessions' }))).toEqual(['2:trades+archive']);
  });

  it('goes on past a route with continue: true', () => {
    expect(summary(event({ type: 'trader.exited', severity: 'critical', source: 'trader-log' }))).toEqual(['1:pager', '4:alerts']);
    expect(summary(event({ type: 'trade.executed', severity: 'critical' }))).toEqual(['1:pager', '2:trades+archive']);
  });

  it('drops at a mode: off route and says which', () => {
    expect(routeDecision(event({ type: 'portfolio.snapshot' }), routes)).toEqual({ matches: [], droppedBy: 0, debugSkippedBy: null });
    expect(routeDecision(event({ type: 'something.else', source: 'optuna' }), routes)).toEqual({ matches: [], droppedBy: null, debugSkippedBy: null });
  });

  it('sends a debug event only through a route whose match names severity debug', () => {
    const compiled = compileRoutes(
      notify({
        routes: [
          { match: { type: 'risk.*' }, to: 'alerts' },
          { match: { severity: ['warning', 'error'] }, to: 'alerts' },
          { match: {}, to: 'archive', continue: true },
          { match: { type: 'risk.*', severity: ['debug', 'info'] }, to: 'records' },
        ],
        channels: { alerts: {}, archive: {}, records: {} },
      }),
    );
    // Routes 0 and 2 match everything of the type but name no severity: they take no debug event.
    expect(routeDecision(event({ type: 'risk.portfolio_protection', severity: 'debug' }), compiled)).toMatchObject({ matches: [{ route: 3 }], debugSkippedBy: 0 });
    expect(routeDecision(event({ type: 'trader.note', severity: 'debug' }), compiled)).toEqual({ matches: [], droppedBy: null, debugSkippedBy: 2 });
    expect(routeEvent(event({ type: 'risk.portfolio_protection', severity: 'info' }), compiled).map((m) => m.route)).toEqual([0]);
  });

  it('keeps matches made before an off route with continue: true', () => {
    const compiled = compileRoutes(
      notify({
        routes: [
          { match: {}, to: 'archive', continue: true },
          { match: { type: 'portfolio.*' }, mode: 'off', continue: true },
          { match: {}, to: 'alerts' },
        ],
        channels: { archive: {}, alerts: {} },
      }),
    );
    expect(routeDecision(event({ type: 'portfolio.snapshot' }), compiled)).toMatchObject({ matches: [{ route: 0 }], droppedBy: 1 });
    expect(routeEvent(event({ type: 'trade.executed' }), compiled).map((m) => m.route)).toEqual([0, 2]);
  });

  it('marks silent routes', () => {
    expect(summary(event({ type: 'training.best_improved', source: 'optuna' }))).toEqual(['3:training:silent']);
  });

  it('takes timing from the route, else from notify.defaults', () => {
    const [pager, trades] = routeEvent(event({ type: 'trade.executed', severity: 'critical' }), routes);
    expect(pager.timing).toEqual({ groupWaitMs: 0, groupIntervalMs: 120_000, repeatIntervalMs: 4 * 3_600_000 });
    expect(trades.timing).toEqual({ groupWaitMs: 10_000, groupIntervalMs: 120_000, repeatIntervalMs: 4 * 3_600_000 });
    expect(routeEvent(event({ type: 'deployment.model_deployed' }), routes)[0].timing.repeatIntervalMs).toBe(3_600_000);
    expect(trades.groupBy).toEqual(['subject']);
  });

  it('returns the same compiled target objects every time (nothing rebuilt per event)', () => {
    expect(routeEvent(event(), routes)[0]).toBe(routeEvent(event({ id: 'other' }), routes)[0]);
  });

  it('refuses an unknown group_by label', () => {
    expect(() => compileRoutes(notify({ routes: [{ match: {}, to: 'a', group_by: ['trader'] }], channels: { a: {} } }))).toThrow(RouteConfigError);
    expect(() => compileRoutes(notify({ routes: [{ match: {}, to: 'a', group_by: ['trader'] }], channels: { a: {} } }))).toThrow('notify.routes[0].group_by: unknown label "trader"');
  });

  it('routes the shipped rules.yaml as documented', () => {
    const loaded = loadRulesFile(path.join(__dirname, '..', '..', '..', 'config', 'rules.yaml'), {});
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
    const shipped = compileRoutes(loaded.rules.config.notify);
    const to = (e: Partial<BaristaEvent>) => routeEvent(event(e), shipped).map((m) => `${m.channels.join('+')}${m.silent ? ' (silent)' : ''}`);
    expect(to({ type: 'portfolio.snapshot' })).toEqual([]);
    expect(to({ type: 'trade.executed' })).toEqual(['trades']);
    expect(to({ type: 'position.closed' })).toEqual(['trades']);
    expect(to({ type: 'risk.stop_loss', severity: 'warning' })).toEqual(['alerts']);
    expect(to({ type: 'training.best_improved' })).toEqual(['training (silent)']);
    expect(to({ type: 'training.trial_failed', severity: 'error' })).toEqual(['alerts']);
    // Both reports of a start are routed; their shared fact makes one message (facts.test.ts).
    expect(to({ type: 'trader.started', source: 'trader-log' })).toEqual(['alerts']);
    expect(to({ type: 'trader.started', source: 'processes' })).toEqual(['alerts']);
    expect(to({ type: 'trader.exited', source: 'processes' })).toEqual(['alerts']);
    // Debug lines are records (issue: the demo's "Initial portfolio value" went to alerts).
    expect(to({ type: 'risk.portfolio_protection', severity: 'debug', fields: { action: 'initial_value' } })).toEqual([]);
    expect(to({ type: 'risk.min_hold', severity: 'debug' })).toEqual([]);
  });
});

describe('group keys', () => {
  it('are the route index and the group_by values, in group_by order', () => {
    const e = event({ type: 'risk.stop_loss', subject: 'paper_trader_trial250', fields: { symbol: 'BTC/USD', pct: 3.2 } });
    const groupBy = ['type', 'subject', 'fields.symbol', 'fields.pct', 'fields.missing'];
    const labels = groupLabelsOf(e, groupBy);
    expect(labels).toEqual({ type: 'risk.stop_loss', subject: 'paper_trader_trial250', 'fields.symbol': 'BTC/USD', 'fields.pct': '3.2', 'fields.missing': '' });
    expect(groupKeyOf(4, labels, groupBy)).toBe('4|type=risk.stop_loss|subject=paper_trader_trial250|fields.symbol=BTC/USD|fields.pct=3.2|fields.missing=');
  });

  it('cannot be confused by values holding the delimiters', () => {
    const a = groupKeyOf(1, { subject: 'a|subject=b' }, ['subject']);
    const b = groupKeyOf(1, { subject: 'a' }, ['subject']);
    expect(a).not.toBe(b);
    expect(a).toBe('1|subject=a%7Csubject%3Db');
  });

  it('is the route alone without group_by', () => {
    expect(groupKeyOf(3, groupLabelsOf(event(), []), [])).toBe('3');
  });
});
