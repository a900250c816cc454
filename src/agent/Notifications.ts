/**
 * The notify side of a running barista: the delivery plan and sinks made from rules.yaml, and
 * the pipeline from committed events to them. A rules edit that changes notify restarts it:
 * pending groups go to the outbox first, so nothing is lost across the swap.
 */
import type { Observable } from '../rx';
import type { RulesFile } from '../config/schema';
import { createSinks } from '../discord/createSinks';
import { planDelivery } from '../discord/deliveryPlan';
import { renderNotification, renderPortfolioSummary } from '../discord/render';
import type { TextStream } from '../discord/sinks/ConsoleSink';
import type { Logger } from '../logging/logger';
import type { MuteStore } from '../state/MuteStore';
import type { StateStore } from '../state/StateStore';
import type { BaristaEvent } from '../model/BaristaEvent';
import { NotifyPipeline } from './NotifyPipeline';

export interface NotificationsOptions {
  state: StateStore;
  logger: Logger;
  /** Where console notifications are printed (stdout by default). */
  console?: TextStream;
  /** Shared with the commands, so a mute added from Discord applies at once. */
  mutes?: MuteStore;
}

export class Notifications {
  private pipeline: NotifyPipeline | null = null;

  constructor(private readonly options: NotificationsOptions) {}

  async start(config: RulesFile, events$: Observable<BaristaEvent>): Promise<void> {
    const { state, logger } = this.options;
    const plan = planDelivery(config);
    for (const note of plan.notes) logger.warn(note);
    const destinations = [...plan.destinations.keys()];
    logger.info({ destinations, apiBase: plan.apiBase }, `notifications go to ${destinations.join(', ') || 'nowhere (no channel in notify.channels)'}`);
    const sinks = await createSinks(plan, { timeoutMs: config.notify.discord.answer_timeout, ...(this.options.console ? { console: this.options.console } : {}) });
    this.pipeline = new NotifyPipeline({
      state,
      logger,
      notify: config.notify,
      plan,
      sinks,
      render: renderNotification,
      renderPortfolio: renderPortfolioSummary,
      ...(this.options.mutes ? { mutes: this.options.mutes } : {}),
    });
    this.pipeline.start(events$);
  }

  async restart(config: RulesFile, events$: Observable<BaristaEvent>): Promise<void> {
    await this.stop();
    await this.start(config, events$);
  }

  /** Any rules reload: what Discord refused is tried again at once (a restart does it too). */
  retryRefused(): void {
    this.pipeline?.retryRefused();
  }

  async stop(): Promise<void> {
    const pipeline = this.pipeline;
    this.pipeline = null;
    await pipeline?.stop();
  }
}
