import { rulesFileSchema } from '../../src/config/schema';
import { planDelivery } from '../../src/discord/deliveryPlan';

const WEBHOOK = 'https://discord.com/api/webhooks/123456789012345678/abcDEF_ghi-jkl';

function config(notify: unknown) {
  return rulesFileSchema.parse({ workspace: '/tmp/w', notify });
}

describe('planDelivery', () => {
  it('prefers the bot channel when a token and a channel id are set, else the webhooks', () => {
    const plan = planDelivery(
      config({
        discord: { token: 'bot-token' },
        channels: { trades: { webhook: WEBHOOK, channel: '223456789012345678' }, training: { webhook: [WEBHOOK] } },
      }),
    );
    expect(plan.channels.get('trades')).toEqual([{ kind: 'bot', key: 'bot:223456789012345678', channelId: '223456789012345678' }]);
    expect(plan.channels.get('training')).toEqual([{ kind: 'webhook', key: 'webhook:123456789012345678', id: '123456789012345678', token: 'abcDEF_ghi-jkl' }]);
    expect([...plan.destinations.keys()].sort()).toEqual(['bot:223456789012345678', 'webhook:123456789012345678']);
    expect(plan.token).toBe('bot-token');
  });

  it('falls back to the console, and says why, when a channel has nothing usable', () => {
    const plan = planDelivery(config({ channels: { alerts: { webhook: '', channel: '323456789012345678' } } }));
    expect(plan.channels.get('alerts')).toEqual([{ kind: 'console', key: 'console' }]);
    expect(plan.notes).toEqual(['channel alerts: bot channel set but no DISCORD_BOT_TOKEN', 'channel alerts: console only (no webhook or bot channel set)']);
  });

  it('sends everything to the console when Discord is switched off, and keeps console: true as an extra copy', () => {
    expect(planDelivery(config({ discord: { enabled: 'false' }, channels: { trades: { webhook: WEBHOOK } } })).channels.get('trades')).toEqual([{ kind: 'console', key: 'console' }]);
    expect(planDelivery(config({ channels: { trades: { webhook: WEBHOOK, console: true } } })).channels.get('trades')?.map((d) => d.key)).toEqual(['webhook:123456789012345678', 'console']);
  });
});
