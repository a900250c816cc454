/**
 * Delivers messages through one Discord webhook: POST /webhooks/{id}/{token}?wait=true, so Discord
 * answers with the created message (its id). Webhooks take no nonce: a retried send after a lost
 * answer can post twice, which is why bot channels are preferred where duplicates matter.
 */
import type { DiscordMessage } from '../DiscordMessage';
import { RestSender, type RestSinkOptions } from './RestSender';
import type { SendOutcome, Sink } from './Sink';
import { parseWebhookUrl, type WebhookCredentials } from './webhookUrl';

export interface WebhookSinkOptions extends RestSinkOptions {
  /** The webhook as Discord shows it (`https://discord.com/api/webhooks/<id>/<token>`), or… */
  url?: string;
  /** …its id and token. */
  webhook?: WebhookCredentials;
  /** Overrides the webhook's display name. */
  username?: string;
}

export class WebhookSink implements Sink {
  readonly key: string;
  private readonly webhook: WebhookCredentials;
  private readonly sender: RestSender;
  private readonly username: string | undefined;

  constructor(options: WebhookSinkOptions) {
    const webhook = options.webhook ?? (options.url !== undefined ? parseWebhookUrl(options.url) : undefined);
    if (!webhook) throw new Error('WebhookSink needs a webhook url or { id, token }');
    this.webhook = webhook;
    this.key = `webhook:${webhook.id}`;
    this.username = options.username;
    this.sender = new RestSender(options, [webhook.token, ...(options.url ? [options.url] : [])]);
  }

  send(message: DiscordMessage, _options: { nonce: string }): Promise<SendOutcome> {
    // Webhook messages stay without buttons: nobody could press them to any effect.
    const { components: _buttons, ...rest } = message;
    const body = {
      ...rest,
      // Never ping, even if a caller forgot.
      allowed_mentions: message.allowed_mentions ?? { parse: [] },
      ...(this.username ? { username: this.username } : {}),
    };
    return this.sender.post(`/webhooks/${this.webhook.id}/${this.webhook.token}`, body, { auth: false, query: new URLSearchParams({ wait: 'true' }) });
  }

  close(): void {
    this.sender.close();
  }
}
