import { alertButtons, MUTE_CUSTOM_ID, RESTART_CUSTOM_ID } from '../../../src/discord/render/alertButtons';
import { WebhookSink } from '../../../src/discord/sinks/WebhookSink';
import { event, renderValid } from './support';

const ids = (rows: ReturnType<typeof alertButtons>) => rows.flatMap((r) => r.components.map((b) => [b.label, b.custom_id]));

describe('alert buttons', () => {
  it('puts "Mute 1 h" on alerts and "Restart trader" on an exited or stale trader, nothing on news', () => {
    expect(alertButtons([event('trade.executed')])).toEqual([]);
    expect(ids(alertButtons([event('risk.drawdown', {}, { severity: 'warning', subject: 'trial250' })]))).toEqual([['Mute 1 h', 'mute:1h:risk.drawdown:trial250']]);
    expect(ids(alertButtons([event('trader.exited', {}, { severity: 'error', subject: 'trial250' })]))).toEqual([
      ['Mute 1 h', 'mute:1h:trader.exited:trial250'],
      ['Restart trader', 'restart:trial250'],
    ]);
    for (const [, id] of ids(alertButtons([event('trader.stale', {}, { severity: 'critical', subject: 'x'.repeat(200) })]))) expect(id.length).toBeLessThanOrEqual(100);
  });

  it('renders them within Discord limits on the last message, and the custom_ids parse back', () => {
    const [message] = renderValid([event('trader.stale', {}, { severity: 'warning', subject: 'trial250' })]);
    const buttons = message!.components!.flatMap((r) => r.components);
    expect(MUTE_CUSTOM_ID.exec(buttons[0]!.custom_id)!.slice(1)).toEqual(['trader.stale', 'trial250']);
    expect(RESTART_CUSTOM_ID.exec(buttons[1]!.custom_id)![1]).toBe('trial250');
  });

  it('leaves buttons out of webhook messages', async () => {
    const bodies: unknown[] = [];
    const sink = new WebhookSink({ apiBase: 'http://127.0.0.1:9/api', webhook: { id: '1', token: 't' } } as never);
    (sink as unknown as { sender: { post: (path: string, body: unknown) => Promise<unknown> } }).sender.post = (_path, body) => {
      bodies.push(body);
      return Promise.resolve({ status: 'sent' });
    };
    const [message] = renderValid([event('trader.exited', {}, { severity: 'error', subject: 'trial250' })]);
    expect(message!.components).toBeDefined();
    await sink.send(message!, { nonce: 'n' });
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).not.toHaveProperty('components');
    sink.close();
  });
});
