/**
 * Keeps the running source components in line with the rules: on reload only the sources
 * that were added, removed or changed are stopped and started; the rest keep running.
 */
import type { SourceConfig } from '../config/schema';
import { factoryFor, sourceFactories, type SourceFactories } from './sourceFactories';
import type { Component, ComponentContext } from './Component';

interface Running {
  fingerprint: string;
  component: Component | null; // null: no watcher for this type in this version
}

export class SourceTopology {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly context: ComponentContext,
    private readonly factories: SourceFactories = sourceFactories,
  ) {}

  async apply(sources: SourceConfig[]): Promise<void> {
    const wanted = new Map(sources.filter((s) => s.enabled).map((s) => [s.id, s]));
    for (const [id, entry] of [...this.running]) {
      const next = wanted.get(id);
      if (!next || JSON.stringify(next) !== entry.fingerprint) await this.stopOne(id, entry);
    }
    const unsupported: string[] = [];
    for (const [id, config] of wanted) {
      if (this.running.has(id)) continue;
      const factory = factoryFor(config, this.factories);
      const component = factory ? factory(config, { ...this.context, logger: this.context.logger.child({ source: id }) }) : null;
      this.running.set(id, { fingerprint: JSON.stringify(config), component });
      if (component) await component.start();
      else unsupported.push(`${id} (${config.type})`);
    }
    if (unsupported.length) this.context.logger.warn({ sources: unsupported }, `no watcher for these source types in this version yet: ${unsupported.join(', ')}`);
  }

  get ids(): string[] {
    return [...this.running.keys()];
  }

  async stop(): Promise<void> {
    for (const [id, entry] of [...this.running]) await this.stopOne(id, entry);
  }

  private async stopOne(id: string, entry: Running): Promise<void> {
    this.running.delete(id);
    try {
      await entry.component?.stop();
    } catch (error) {
      this.context.logger.error({ err: error, source: id }, 'source did not stop cleanly');
    }
  }
}
