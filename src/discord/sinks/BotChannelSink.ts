/**
 * Delivers messages to one channel as the bot: POST /channels/{id}/messages with
 * `Authorization: Bot <token>`. Each send carries the outbox row's nonce with `enforce_nonce: true`,
 * so when an answer is lost and the row is sent again, Discord returns the first message instead
 * of posting a duplicate.
 */
import type { DiscordMessage } from '../DiscordMessage';
import { RestSender, type RestSinkOptions } from './RestSender';
import type { SendOutcome, Sink } from './Sink';

export interface BotChannelSinkOptions extends RestSinkOptions {
  token: string;
  channelId: string;
}

const SNOWFLAKE = /^\d{15,21}$/;

export class BotChannelSink implements Sink {
  readonly key: string;
  private readonly channelId: string;
  private readonly sender: RestSender;

  constructor(options: BotChannelSinkOptions) {
    if (!options.token) throw new Error('BotChannelSink needs a bot token');
    if (!SNOWFLAKE.test(options.channelId)) throw new Error(`Discord channel id must be a snowflake (digits), got "${options.channelId}"`);
    this.channelId = options.channelId;
    this.key = `bot:${options.channelId}`;
    this.sender = new RestSender(options, [options.token], options.token);
  }

  send(message: DiscordMessage, options: { nonce: string }): Promise<SendOutcome> {
    const body = {
      ...message,
      allowed_mentions: message.allowed_mentions ?? { parse: [] },
      nonce: options.nonce,
      enforce_nonce: true,
    };
    return this.sender.post(`/channels/${this.channelId}/messages`, body);
  }

  close(): void {
    this.sender.close();
  }
}
