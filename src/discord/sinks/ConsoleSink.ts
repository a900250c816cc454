/**
 * Delivers messages as readable text to a stream (stdout by default): the sink when no Discord
 * setting is present, and the demo's output.
 */
import type { DiscordMessage } from '../DiscordMessage';
import { renderTextPreview } from '../render';
import type { SendOutcome, Sink } from './Sink';

export interface TextStream {
  write(text: string): unknown;
}

export interface ConsoleSinkOptions {
  /** Where the text goes; process.stdout by default. */
  stream?: TextStream;
  /** Turns a message into text; the renderers' text preview by default. */
  format?: (message: DiscordMessage) => string;
}

export class ConsoleSink implements Sink {
  readonly key = 'console';
  private readonly stream: TextStream;
  private readonly format: (message: DiscordMessage) => string;

  constructor(options: ConsoleSinkOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.format = options.format ?? ((message) => renderTextPreview([message]));
  }

  send(message: DiscordMessage, _options?: { nonce: string }): Promise<SendOutcome> {
    try {
      this.stream.write(`${this.format(message)}\n`);
      return Promise.resolve({ status: 'sent' });
    } catch (error) {
      return Promise.resolve({ status: 'retry', error: `console write failed: ${(error as Error).message ?? String(error)}` });
    }
  }

  close(): void {}
}
