/**
 * One @discordjs/rest client per sink, and the mapping of what Discord answered to a SendOutcome.
 *
 * discord.js follows Discord's rate-limit headers itself (waits before a bucket runs out, retries a
 * 429 after Retry-After). Two bounds keep a sink from waiting forever: a rate-limit wait longer than
 * `maxRateLimitWaitMs` is returned as `retry` with its delay, and each send has an overall deadline.
 *
 * A request once sent is never abandoned early nor repeated by discord.js (`retries` 0): a slow
 * Discord may still create the message, and a webhook has no nonce to drop a second copy. So the
 * answer is awaited up to a long `timeoutMs`; only then does the outbox send again, with backoff.
 */
import { setMaxListeners } from 'node:events';
import { DiscordAPIError, HTTPError, RateLimitError, REST, type RateLimitData, type RequestData } from '@discordjs/rest';
import { DEFAULT_DISCORD_API_BASE } from '../../config/environment';
import { redactSecrets } from '../../logging/redactSecrets';
import type { SendOutcome } from './Sink';

export const DEFAULT_ANSWER_TIMEOUT_MS = 120_000;

export interface RestSinkOptions {
  /** Discord's API base without version (DISCORD_API_BASE); default https://discord.com/api. */
  apiBase?: string;
  /** How long a sent request waits for its answer; default 2 min (see above). */
  timeoutMs?: number;
  /** Immediate retries of a 5xx or timeout inside one send by discord.js; default 0 (see above). */
  retries?: number;
  /** A rate-limit wait longer than this ends the send as `retry` with `retryAfterMs`; default 60 s. */
  maxRateLimitWaitMs?: number;
}

export class RestSender {
  private readonly rest: REST;
  private readonly closing = new AbortController();
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;

  /** `secrets`: values (tokens) to strip from every error text, on top of the usual redaction. */
  constructor(
    options: RestSinkOptions,
    private readonly secrets: string[],
    private readonly botToken?: string,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
    const retries = options.retries ?? 0;
    const maxWait = options.maxRateLimitWaitMs ?? 60_000;
    this.deadlineMs = maxWait + (retries + 1) * this.timeoutMs + 1000;
    this.rest = new REST({
      api: (options.apiBase ?? DEFAULT_DISCORD_API_BASE).replace(/\/+$/, ''),
      timeout: this.timeoutMs,
      retries,
      rejectOnRateLimit: (data: RateLimitData) => waitOf(data) > maxWait,
    });
  }

  /** POSTs `body` to `route`; never throws. */
  async post(route: `/${string}`, body: unknown, request: Pick<RequestData, 'auth' | 'query'> = {}): Promise<SendOutcome> {
    if (this.closing.signal.aborted) return { status: 'retry', error: 'sink is closed' };
    // A 401 makes @discordjs/rest forget the token; set it again so the next send is not refused locally.
    if (this.botToken) this.rest.setToken(this.botToken);
    // One controller per request, its listener on the sink's long-lived signal removed when the
    // request ends (AbortSignal.any on that signal piled up listeners: MaxListenersExceededWarning).
    const request$ = new AbortController();
    // @discordjs/rest adds one abort listener per attempt of a request it retries after 429s: many, harmless, short-lived.
    setMaxListeners(1000, request$.signal);
    const onClose = () => request$.abort();
    this.closing.signal.addEventListener('abort', onClose, { once: true });
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      request$.abort();
    }, this.deadlineMs);
    try {
      const result = (await this.rest.post(route, { ...request, body, signal: request$.signal })) as { id?: unknown } | undefined;
      const messageId = result && typeof result === 'object' && typeof result.id === 'string' ? result.id : undefined;
      return messageId ? { status: 'sent', messageId } : { status: 'sent' };
    } catch (error) {
      if (this.closing.signal.aborted) return { status: 'retry', error: 'sink closed while sending' };
      if (timedOut) return { status: 'retry', error: `no answer from Discord within ${this.deadlineMs} ms` };
      return this.outcomeOf(error);
    } finally {
      clearTimeout(deadline);
      this.closing.signal.removeEventListener('abort', onClose);
    }
  }

  close(): void {
    this.closing.abort();
    this.rest.clearHashSweeper();
    this.rest.clearHandlerSweeper();
  }

  private outcomeOf(error: unknown): SendOutcome {
    if (error instanceof RateLimitError) {
      const retryAfterMs = Math.max(0, Math.ceil(waitOf(error)));
      return { status: 'retry', retryAfterMs, error: this.clean(`rate limited by Discord on ${error.route}${error.global ? ' (global)' : ''}: retry after ${retryAfterMs} ms`) };
    }
    if (error instanceof DiscordAPIError) {
      // Discord's code and message; for 50035 the message lists each field (embeds[0].fields[1].value[BASE_TYPE_REQUIRED]: ...).
      const text = this.clean(`Discord ${error.status} ${String(error.code)}: ${error.message.replace(/\n/g, '; ')}`);
      if (error.status >= 500) return { status: 'retry', error: text };
      return refusesDestination(error.status, error.code) ? { status: 'refused', error: text } : { status: 'rejected', error: text };
    }
    if (error instanceof HTTPError) {
      return { status: 'retry', error: this.clean(`Discord ${error.status} ${error.message}`) };
    }
    // Undici's abort is a DOMException, which is not always `instanceof Error` (other realms): go by name.
    if ((error as { name?: unknown } | null)?.name === 'AbortError') {
      return { status: 'retry', error: `no answer from Discord within ${this.timeoutMs} ms (it may still have posted the message)` };
    }
    return { status: 'retry', error: this.clean(`network error: ${describe(error)}`) };
  }

  /** Error texts from undici and discord.js may carry the request URL (with a webhook token). */
  private clean(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret) out = out.split(secret).join('[REDACTED]');
    return redactSecrets(out);
  }
}

/** Discord's codes for a destination that is gone: Unknown Channel, Unknown Webhook. */
const UNKNOWN_DESTINATION = new Set<unknown>([10003, 10015]);

/** Authentication or permission (401, 403) or a destination that no longer exists: no message could pass. */
export function refusesDestination(status: number, code: unknown): boolean {
  return status === 401 || status === 403 || (status === 404 && UNKNOWN_DESTINATION.has(code));
}

function waitOf(data: Pick<RateLimitData, 'retryAfter' | 'timeToReset' | 'sublimitTimeout'>): number {
  return Math.max(data.retryAfter || 0, data.timeToReset || 0, data.sublimitTimeout || 0);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) {
    const e = error as { name?: unknown; message?: unknown } | null;
    if (typeof e?.message !== 'string') return String(error);
    return typeof e.name === 'string' && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  }
  const cause = (error as Error & { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? ((cause as Error & { code?: string }).code ?? cause.message) : '';
  const code = (error as Error & { code?: string }).code;
  return [error.message, code && !error.message.includes(code) ? code : '', causeText && !error.message.includes(causeText) ? `(${causeText})` : ''].filter(Boolean).join(' ');
}
