/** One sink per destination of the delivery plan, all pointed at the plan's API base. */
import type { DeliveryPlan } from './deliveryPlan';
import { BotChannelSink } from './sinks/BotChannelSink';
import { ConsoleSink, type TextStream } from './sinks/ConsoleSink';
import type { Sink } from './sinks/Sink';
import { WebhookSink } from './sinks/WebhookSink';

export interface SinkOptions {
  /** Where the console sink prints; stdout by default. */
  console?: TextStream;
  /** Per HTTP request to Discord (default 15 s). */
  timeoutMs?: number;
}

export function createSinks(plan: DeliveryPlan, options: SinkOptions = {}): Map<string, Sink> {
  const sinks = new Map<string, Sink>();
  const rest = { apiBase: plan.apiBase, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
  for (const destination of plan.destinations.values()) {
    if (destination.kind === 'webhook') sinks.set(destination.key, new WebhookSink({ ...rest, webhook: { id: destination.id, token: destination.token } }));
    else if (destination.kind === 'bot' && plan.token) sinks.set(destination.key, new BotChannelSink({ ...rest, token: plan.token, channelId: destination.channelId }));
    else if (destination.kind === 'console') sinks.set(destination.key, new ConsoleSink(options.console ? { stream: options.console } : {}));
  }
  return sinks;
}
