/**
 * A place a rendered message can be delivered to: one webhook, one bot channel, the console.
 * The outbox dispatcher sends through sinks one message at a time per sink, in order.
 */
import type { DiscordMessage } from '../DiscordMessage';

export type SendOutcome =
  /** Delivered (messageId when the destination tells). */
  | { status: 'sent'; messageId?: string }
  /** Worth retrying later: 5xx, network error, timeout, rate limit the client gave up on. */
  | { status: 'retry'; error: string; retryAfterMs?: number }
  /** Discord refused this message as invalid (4xx other than 429): keep it with its error, never retry. */
  | { status: 'rejected'; error: string }
  /**
   * Discord refuses the destination itself, not this message (401, 403, unknown webhook or channel:
   * a revoked token, a deleted webhook, a missing permission). The message is fine and waits.
   */
  | { status: 'refused'; error: string };

export interface Sink {
  /** Stable destination key, also the outbox ordering key: `webhook:<id>`, `bot:<channelId>`, `console`. Never contains a token. */
  readonly key: string;
  /**
   * Sends one message. `nonce` (≤ 25 chars, stable across retries of the same outbox row) is sent
   * with `enforce_nonce: true` where the destination supports it (bot channels), so Discord drops a retried duplicate.
   * Never throws: every failure is an outcome. Errors never contain tokens or webhook URLs.
   */
  send(message: DiscordMessage, options: { nonce: string }): Promise<SendOutcome>;
  close(): Promise<void> | void;
}
