/** One sink per destination of the delivery plan, all pointed at the plan's API base. */
import type { DeliveryPlan } from './deliveryPlan';
import { ConsoleSink, type TextStream } from './sinks/ConsoleSink';
import type { Sink } from './sinks/Sink';

export interface SinkOptions {
  /** Where the console sink prints; stdout by default. */
  console?: TextStream;
  /** How long a sent request waits for Discord's answer (notify.discord.answer_timeout; default 2 min). */
  timeoutMs?: number;
}

/** The Discord client (@discordjs/rest, ~17 MB) is loaded only when a webhook or bot channel is set. */
export async function createSinks(plan: DeliveryPlan, options: SinkOptions = {}): Promise<Map<string, Sink>> {
  const sinks = new Map<string, Sink>();
  const needsDiscord = [...plan.destinations.values()].some((destination) => destination.kind !== 'console');
  const { WebhookSink } = needsDiscord ? await import('./sinks/WebhookSink') : { WebhookSink: null };
  const { BotChannelSink } = needsDiscord ? await import('./sinks/BotChannelSink') : { BotChannelSink: null };
  const rest = { apiBase: plan.apiBase, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
  for (const destination of plan.destinations.values()) {
    if (destination.kind === 'webhook' && WebhookSink) sinks.set(destination.key, new WebhookSink({ ...rest, webhook: { id: destination.id, token: destination.token } }));
    else if (destination.kind === 'bot' && plan.token && BotChannelSink) sinks.set(destination.key, new BotChannelSink({ ...rest, token: plan.token, channelId: destination.channelId }));
    else if (destination.kind === 'console') sinks.set(destination.key, new ConsoleSink(options.console ? { stream: options.console } : {}));
  }
  return sinks;
}
